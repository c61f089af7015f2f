/**
 * The behaviour every EngagementStore must have (functions/core/analytics/ports.ts), through
 * the use case that drives it (EngagementRecorder), run against each implementation by
 * test/contract/engagement.test.ts.
 */
import { describe, expect } from 'vitest';
import { EngagementRecorder, RecordOutcome } from '../../functions/core/analytics/engagement-recorder.ts';
import type { EngagementStore } from '../../functions/core/analytics/ports.ts';
import { parseEngagementEvent } from '../../functions/core/analytics/ses-engagement.ts';
import { ClaimOutcome } from '../../functions/core/analytics/types.ts';
import { sesEvent } from '../kit/fixtures/index.ts';
import { MemoryLogger } from '../kit/memory/index.ts';
import { contractTest } from './contract-test.ts';

/** What a contract run needs: the store, and a look at a stored event's expiry (epoch s). */
export interface EngagementSubject {
  store: EngagementStore;
  /** The expiry of the stored per-recipient records of an event and of a recipient's first click. */
  expiries(eventId: string, edition: string, subscriber: string): Promise<{ event?: number; firstClick?: number }>;
}

const NOW = Date.parse('2026-12-01T07:00:00Z');
const DAY_S = 86_400;

/**
 * Declares the EngagementStore contract for one implementation.
 *
 * @example
 * ```ts
 * describeEngagementContract('InMemoryEngagementStore', async () => ({ store, expiries }));
 * ```
 */
export function describeEngagementContract(name: string, setup: () => Promise<EngagementSubject>): void {
  const it = contractTest(setup);
  const recorderOf = (store: EngagementStore, now = NOW) => new EngagementRecorder({ store, logger: new MemoryLogger(), retentionDays: 90, now: () => now });

  describe(`Contract: EngagementStore (${name})`, () => {
    it('counts a redelivered notification once', async ({ subject: { store } }) => {
      // Prepare
      const recorder = recorderOf(store);
      const delivery = sesEvent('Delivery', { messageId: 'm1' });

      // Act
      const first = await recorder.record(delivery);
      const again = await recorder.record(structuredClone(delivery));

      // Assess
      expect([first, again]).toEqual([RecordOutcome.COUNTED, RecordOutcome.DUPLICATE]);
      expect((await store.totals('daily-2026-12-01')).counters.delivered).toBe(1);
    });

    it('counts every event type on its counter; opens and clicks once per recipient as unique, clicks per link', async ({ subject: { store } }) => {
      // Prepare
      const recorder = recorderOf(store);
      const events = [
        sesEvent('Send', { messageId: 'm1' }), sesEvent('Send', { messageId: 'm2', subscriber: 's_2' }),
        sesEvent('Delivery', { messageId: 'm1' }),
        sesEvent('DeliveryDelay', { messageId: 'm2', subscriber: 's_2' }),
        sesEvent('Bounce', { messageId: 'm2', subscriber: 's_2', bounceType: 'Transient' }),
        sesEvent('Bounce', { messageId: 'm3', subscriber: 's_3', bounceType: 'Permanent' }),
        sesEvent('Complaint', { messageId: 'm1' }),
        sesEvent('Reject', { messageId: 'm4', subscriber: 's_4' }),
        sesEvent('Rendering Failure', { messageId: 'm5', subscriber: 's_5' }),
        sesEvent('Open', { messageId: 'm1', at: '2026-12-01T06:10:00.000Z' }), sesEvent('Open', { messageId: 'm1', at: '2026-12-01T06:20:00.000Z' }),
        sesEvent('Click', { messageId: 'm1', link: 'https://www.example.org/a', at: '2026-12-01T06:11:00.000Z' }),
        sesEvent('Click', { messageId: 'm1', link: 'https://www.example.org/a', at: '2026-12-01T06:12:00.000Z' }),
        sesEvent('Click', { messageId: 'm1', link: 'https://www.example.org/b', at: '2026-12-01T06:13:00.000Z' }),
        sesEvent('Click', { messageId: 'm2', subscriber: 's_2', link: 'https://www.example.org/b', at: '2026-12-01T06:14:00.000Z' }),
      ];

      // Act
      for (const event of events) await recorder.record(event);
      const totals = await store.totals('daily-2026-12-01');

      // Assess
      expect(totals.counters).toEqual({
        sent: 2, delivered: 1, delayed: 1, bouncedPermanent: 1, bouncedTransient: 1, complained: 1, rejected: 1, renderingFailed: 1,
        opens: 2, uniqueOpens: 1, clicks: 4, uniqueClicks: 2,
      });
      expect(totals.links).toEqual([{ url: 'https://www.example.org/a', clicks: 2 }, { url: 'https://www.example.org/b', clicks: 2 }]);
      expect(totals.timeline).toEqual([{ minute: '2026-12-01T06:00', sent: 2, delivered: 0 }, { minute: '2026-12-01T06:01', sent: 0, delivered: 1 }]);
      expect((await store.totals('daily-2026-12-02')).counters.sent).toBe(0);
    });

    it('keeps per-recipient records for the retention (90 days) and sets their expiry', async ({ subject: { store, expiries } }) => {
      // Prepare
      const click = sesEvent('Click', { messageId: 'm1', subscriber: 's_9' });

      // Act
      await recorderOf(store).record(click);

      // Assess
      const id = parseEngagementEvent(click)?.id ?? '';
      expect(await expiries(id, 'daily-2026-12-01', 's_9')).toEqual({ event: NOW / 1000 + 90 * DAY_S, firstClick: NOW / 1000 + 90 * DAY_S });
    });

    it('lets one of two concurrent claims of an event count it; takes over a claim whose lease ran out', async ({ subject: { store } }) => {
      // Prepare
      const event = parseEngagementEvent(sesEvent('Delivery', { messageId: 'm7' }));
      if (!event) throw new Error('no event');
      const options = { now: NOW, leaseUntil: NOW + 60_000, expiresAt: NOW / 1000 + DAY_S };

      // Act
      const outcomes = await Promise.all([store.claim(event, options), store.claim(event, options)]);
      const later = await store.claim(event, { ...options, now: NOW + 61_000, leaseUntil: NOW + 121_000 });
      await store.complete(event.id);
      const after = await store.claim(event, { ...options, now: NOW + 200_000 });

      // Assess
      expect(outcomes.sort()).toEqual([ClaimOutcome.BUSY, ClaimOutcome.CLAIMED]);
      expect(later).toBe(ClaimOutcome.CLAIMED);
      expect(after).toBe(ClaimOutcome.COUNTED);
    });

    it('counts 2,000 events arriving concurrently (a quarter of them redelivered) exactly', async ({ subject: { store } }) => {
      // Prepare: 400 recipients, each sent, delivered, opened twice and clicking one of 4 links; every 4th notification twice.
      const recorder = recorderOf(store);
      const events: Array<Record<string, unknown>> = [];
      for (let n = 0; n < 400 && events.length < 1600; n++) {
        const o = { messageId: `m${n}`, subscriber: `s_${n}` };
        events.push(
          sesEvent('Send', o), sesEvent('Delivery', o),
          sesEvent('Open', { ...o, at: '2026-12-01T06:10:00.000Z' }), sesEvent('Click', { ...o, link: `https://www.example.org/${n % 4}` }),
        );
      }
      const all = [...events, ...events.filter((_, i) => i % 4 === 0)].slice(0, 2000);
      expect(all).toHaveLength(2000);

      // Act: all 2,000 in flight at once (each record waits on the store, so they interleave).
      const failures: Array<Record<string, unknown>> = [];
      const outcomes = await Promise.all(all.map((e) => recorder.record(e).catch(() => {
        failures.push(e);
        return 'failed';
      })));
      // A failed notification is retried, as SNS and Lambda do: a ConflictError while its twin
      // was being counted, or an emulator timeout. Retries come after the lease (2 min).
      let retried: string[] = [];
      for (let round = 1; failures.length > 0 && round <= 3; round++) {
        const again = failures.splice(0);
        const later = recorderOf(store, NOW + round * 180_000);
        retried = [...retried, ...await Promise.all(again.map((e) => later.record(e).catch(() => {
          failures.push(e);
          return 'failed';
        })))];
      }

      // Assess
      const totals = await store.totals('daily-2026-12-01');
      expect(totals.counters).toMatchObject({ sent: 400, delivered: 400, opens: 400, uniqueOpens: 400, clicks: 400, uniqueClicks: 400 });
      expect(totals.links.map((l) => l.clicks)).toEqual([100, 100, 100, 100]);
      expect(failures).toEqual([]);
      expect([...outcomes, ...retried].filter((o) => o === RecordOutcome.COUNTED)).toHaveLength(1600);
    }, 240_000); // about 10,000 writes: dynalite takes a minute or more on a loaded machine
  });
}
