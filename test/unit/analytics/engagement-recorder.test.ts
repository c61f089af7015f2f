import { describe, expect, it } from 'vitest';
import { EngagementRecorder, RecordOutcome, shardOf } from '../../../functions/core/analytics/engagement-recorder.ts';
import { parseEngagementEvent } from '../../../functions/core/analytics/ses-engagement.ts';
import { SES_EVENT_TYPES, sesEvent } from '../../kit/fixtures/index.ts';
import { InMemoryEngagementStore, MemoryLogger } from '../../kit/memory/index.ts';

const NOW = Date.parse('2026-12-01T07:00:00Z');

function setup() {
  const store = new InMemoryEngagementStore({ counters: true });
  const recorder = new EngagementRecorder({ store, logger: new MemoryLogger(), retentionDays: 90, now: () => NOW });
  return { store, recorder };
}

describe('Function: parseEngagementEvent', () => {
  it.each([
    ['Send', { sent: 1 }],
    ['Delivery', { delivered: 1 }],
    ['DeliveryDelay', { delayed: 1 }],
    ['Bounce', { bouncedPermanent: 1 }],
    ['Complaint', { complained: 1 }],
    ['Reject', { rejected: 1 }],
    ['Rendering Failure', { renderingFailed: 1 }],
    ['Open', { opens: 1, uniqueOpens: 1 }],
    ['Click', { clicks: 1, uniqueClicks: 1 }],
  ])('maps %s to its counter', async (type, expected) => {
    // Prepare
    const t = setup();

    // Act
    const outcome = await t.recorder.record(sesEvent(type));

    // Assess
    expect(outcome).toBe(RecordOutcome.COUNTED);
    const counters = (await t.store.totals('daily-2026-12-01')).counters;
    expect(Object.fromEntries(Object.entries(counters).filter(([, n]) => n > 0))).toEqual(expected);
  });

  it('covers every configuration-set event type SES publishes', () => {
    for (const type of SES_EVENT_TYPES) expect(parseEngagementEvent(sesEvent(type))?.type).toBe(type);
  });

  it('reads the edition and recipient from the message tags, and a bounce\'s type', () => {
    expect(parseEngagementEvent(sesEvent('Bounce', { edition: 'weekly-2026-W49', subscriber: 's_42', bounceType: 'Transient' }))).toMatchObject({
      type: 'Bounce', editionId: 'weekly-2026-W49', subscriberId: 's_42', bounceType: 'Transient', messageId: 'm1',
    });
  });

  it('gives the same event the same id, and two events of one message different ids', () => {
    const id = (e: Record<string, unknown>) => parseEngagementEvent(e)?.id;
    expect(id(sesEvent('Click', { at: '2026-12-01T06:00:00Z' }))).toBe(id(sesEvent('Click', { at: '2026-12-01T06:00:00Z' })));
    expect(id(sesEvent('Click', { at: '2026-12-01T06:00:00Z' }))).not.toBe(id(sesEvent('Click', { at: '2026-12-01T06:00:01Z' })));
    expect(id(sesEvent('Click', { link: 'https://a.example/' }))).not.toBe(id(sesEvent('Click', { link: 'https://b.example/' })));
    expect(id(sesEvent('Delivery'))).not.toBe(id(sesEvent('Send')));
    expect(id(sesEvent('Bounce', { feedbackId: 'a' }))).not.toBe(id(sesEvent('Bounce', { feedbackId: 'b' })));
  });

  it('ignores mail that is not an edition\'s (no tags), identity notifications and unknown types; refuses an event without a message id', () => {
    expect(parseEngagementEvent(sesEvent('Delivery', { untagged: true }))).toBeUndefined();
    expect(parseEngagementEvent({ notificationType: 'Bounce', mail: { messageId: 'm1' } })).toBeUndefined();
    expect(parseEngagementEvent({ eventType: 'Subscription', mail: { messageId: 'm1' } })).toBeUndefined();
    expect(() => parseEngagementEvent({ eventType: 'Delivery', mail: {} })).toThrow(/no mail.messageId/);
  });
});

describe('Class: EngagementRecorder', () => {
  it('counts a redelivered notification once, and its second delivery writes no counter', async () => {
    // Prepare
    const t = setup();
    const event = sesEvent('Delivery');

    // Act
    const outcomes = [await t.recorder.record(event), await t.recorder.record(event)];

    // Assess
    expect(outcomes).toEqual([RecordOutcome.COUNTED, RecordOutcome.DUPLICATE]);
    expect(t.store.calls.add).toBe(1);
    expect((await t.store.totals('daily-2026-12-01')).counters.delivered).toBe(1);
  });

  it('counts an undetermined bounce as transient (SES\'s bounce rate counts hard bounces)', async () => {
    const t = setup();
    await t.recorder.record(sesEvent('Bounce', { bounceType: 'Undetermined' }));
    expect((await t.store.totals('daily-2026-12-01')).counters).toMatchObject({ bouncedPermanent: 0, bouncedTransient: 1 });
  });

  it('fails (to be retried) while another attempt holds the event, and counts it once that attempt\'s lease has run out', async () => {
    // Prepare
    const t = setup();
    const body = sesEvent('Delivery');
    const event = parseEngagementEvent(body);
    if (!event) throw new Error('no event');
    await t.store.claim(event, { now: NOW, leaseUntil: NOW + 60_000, expiresAt: 0 });

    // Act
    const busy = await t.recorder.record(body).catch((e: unknown) => e);
    const later = new EngagementRecorder({ store: t.store, logger: new MemoryLogger(), retentionDays: 90, now: () => NOW + 120_000 });

    // Assess
    expect(busy).toMatchObject({ name: 'ConflictError' });
    expect(await later.record(body)).toBe(RecordOutcome.COUNTED);
    expect((await t.store.totals('daily-2026-12-01')).counters.delivered).toBe(1);
  });

  it('keeps the per-recipient records for the retention', async () => {
    const t = setup();
    await t.recorder.record(sesEvent('Open', { subscriber: 's_7' }));
    const [stored] = [...t.store.events.values()];
    expect(stored).toMatchObject({ subscriberId: 's_7', editionId: 'daily-2026-12-01', state: 'counted', expiresAt: NOW / 1000 + 90 * 86_400 });
    expect(t.store.firsts.get('daily-2026-12-01#s_7#open')?.expiresAt).toBe(NOW / 1000 + 90 * 86_400);
  });

  it('spreads events over the counter shards', () => {
    const shards = new Set(Array.from({ length: 400 }, (_, n) => shardOf(parseEngagementEvent(sesEvent('Delivery', { messageId: `m${n}` }))?.id ?? '')));
    expect(shards.size).toBe(16);
  });
});
