/**
 * The behaviour every DeliveryLedger must have (functions/core/delivery/ports.ts), run
 * against each implementation by test/contract/ledger.test.ts.
 */
import { describe, expect } from 'vitest';
import type { DeliveryLedger } from '../../functions/core/delivery/ports.ts';
import { DeliveryState, type SendTask } from '../../functions/core/delivery/types.ts';
import { contractTest } from './contract-test.ts';

/** One ledger to test, fresh and empty, and what its store can report. */
export interface LedgerSubject {
  ledger: DeliveryLedger;
  /** Whether a refused acquire reports the current entry (DynamoDB does, dynalite cannot). */
  itemOnConditionFailure: boolean;
}

const EDITION = 'daily-2026-11-28';
const NOW = Date.parse('2026-11-28T06:00:00.000Z');
const LEASE_MS = 120_000;

const task = (subscriberId: string, editionId = EDITION): SendTask => ({ editionId, subscriberId });

/** Takes the lease of a new entry at NOW, and returns its leaseUntil. */
async function take(ledger: DeliveryLedger, t: SendTask, now = NOW): Promise<number> {
  const { granted } = await ledger.acquire(t, { leaseUntil: now + LEASE_MS, now });
  if (!granted) throw new Error(`lease of ${t.subscriberId} not granted`);
  return now + LEASE_MS;
}

/** Brings an entry to `state` through the port, as workers would. */
async function drive(ledger: DeliveryLedger, t: SendTask, state: DeliveryState): Promise<void> {
  const lease = await take(ledger, t);
  if (state === DeliveryState.PENDING) await ledger.release(t, lease, 'Throttling');
  else if (state === DeliveryState.SENT) await ledger.complete(t, lease, { state, messageId: `m-${t.subscriberId}` });
  else if (state === DeliveryState.FAILED || state === DeliveryState.SKIPPED || state === DeliveryState.CANCELLED) await ledger.complete(t, lease, { state, reason: `${state} for a reason` });
}

/** Every subscriber id of one state, page by page; also returns the page sizes. */
async function pageAll(ledger: DeliveryLedger, state: DeliveryState, limit: number, editionId = EDITION): Promise<{ ids: string[]; sizes: number[] }> {
  const ids: string[] = [];
  const sizes: number[] = [];
  let cursor: string | undefined;
  do {
    const page = await ledger.pageByState(editionId, state, { limit, ...(cursor ? { cursor } : {}) });
    ids.push(...page.subscriberIds);
    sizes.push(page.subscriberIds.length);
    cursor = page.cursor;
  } while (cursor);
  return { ids, sizes };
}

/**
 * Declares the DeliveryLedger contract for one implementation.
 *
 * @example
 * ```ts
 * describeLedgerContract('InMemoryDeliveryLedger', async () => ({ ledger: new InMemoryDeliveryLedger(), itemOnConditionFailure: true }));
 * ```
 */
export function describeLedgerContract(name: string, setup: () => Promise<LedgerSubject>): void {
  const it = contractTest(setup);
  describe(`Contract: DeliveryLedger (${name})`, () => {
    describe('Method: acquire', () => {
      it('takes the lease of an entry that does not exist yet (pending)', async ({ subject: { ledger } }) => {
        // Act
        const result = await ledger.acquire(task('s_1'), { leaseUntil: NOW + LEASE_MS, now: NOW });

        // Assess
        const entry = { ...task('s_1'), state: DeliveryState.SENDING, leaseUntil: NOW + LEASE_MS, attempts: 1, updatedAt: new Date(NOW).toISOString() };
        expect(result).toEqual({ granted: true, entry });
        expect(await ledger.get(task('s_1'))).toEqual(entry);
      });

      it('refuses a lease that is held and not expired, up to and including its last millisecond', async ({ subject: { ledger, itemOnConditionFailure } }) => {
        // Prepare
        const lease = await take(ledger, task('s_1'));
        const held = await ledger.get(task('s_1'));

        // Act
        const early = await ledger.acquire(task('s_1'), { leaseUntil: NOW + 1_000 + LEASE_MS, now: NOW + 1_000 });
        const atExpiry = await ledger.acquire(task('s_1'), { leaseUntil: lease + LEASE_MS, now: lease });

        // Assess
        expect(early).toEqual({ granted: false, entry: itemOnConditionFailure ? held : undefined });
        expect(atExpiry.granted).toBe(false);
        expect(await ledger.get(task('s_1'))).toEqual(held);
      });

      it('takes over an expired lease, and the old holder can no longer complete it', async ({ subject: { ledger } }) => {
        // Prepare
        const old = await take(ledger, task('s_1'));

        // Act
        const later = old + 1;
        const result = await ledger.acquire(task('s_1'), { leaseUntil: later + LEASE_MS, now: later });
        const oldCompletes = await ledger.complete(task('s_1'), old, { state: DeliveryState.SENT, messageId: 'm-old' });

        // Assess
        expect(result.granted).toBe(true);
        expect(result.entry).toMatchObject({ state: DeliveryState.SENDING, leaseUntil: later + LEASE_MS, attempts: 2, updatedAt: new Date(later).toISOString() });
        expect(oldCompletes).toBe(false);
        expect(await ledger.get(task('s_1'))).toMatchObject({ state: DeliveryState.SENDING, leaseUntil: later + LEASE_MS });
      });

      it('takes a released entry at once, counting the attempt and dropping the old reason', async ({ subject: { ledger } }) => {
        // Prepare
        await drive(ledger, task('s_1'), DeliveryState.PENDING);

        // Act
        const result = await ledger.acquire(task('s_1'), { leaseUntil: NOW + 10 + LEASE_MS, now: NOW + 10 });

        // Assess
        expect(result.granted).toBe(true);
        expect(result.entry).toMatchObject({ state: DeliveryState.SENDING, attempts: 2 });
        expect(result.entry?.reason).toBeUndefined();
        expect((await ledger.get(task('s_1')))?.reason).toBeUndefined();
      });

      it.for([DeliveryState.SENT, DeliveryState.SKIPPED, DeliveryState.CANCELLED])('never takes a %s entry, not even to resend failures', async (state, { subject: { ledger } }) => {
        // Prepare
        await drive(ledger, task('s_1'), state);
        const before = await ledger.get(task('s_1'));

        // Act
        const plain = await ledger.acquire(task('s_1'), { leaseUntil: NOW + 10 * LEASE_MS, now: NOW + 9 * LEASE_MS });
        const resend = await ledger.acquire(task('s_1'), { leaseUntil: NOW + 10 * LEASE_MS, now: NOW + 9 * LEASE_MS, retryFailed: true });

        // Assess
        expect(plain.granted).toBe(false);
        expect(resend.granted).toBe(false);
        expect(await ledger.get(task('s_1'))).toEqual(before);
      });

      it('takes a failed entry only to resend failures', async ({ subject: { ledger } }) => {
        // Prepare
        await drive(ledger, task('s_1'), DeliveryState.FAILED);

        // Act
        const plain = await ledger.acquire(task('s_1'), { leaseUntil: NOW + 2 * LEASE_MS, now: NOW + LEASE_MS });
        const resend = await ledger.acquire(task('s_1'), { leaseUntil: NOW + 2 * LEASE_MS, now: NOW + LEASE_MS, retryFailed: true });

        // Assess
        expect(plain.granted).toBe(false);
        expect(resend.granted).toBe(true);
        expect(resend.entry).toMatchObject({ state: DeliveryState.SENDING, attempts: 2, leaseUntil: NOW + 2 * LEASE_MS });
        expect(resend.entry?.reason).toBeUndefined();
      });

      it('grants one of two concurrent attempts on the same entry', async ({ subject: { ledger } }) => {
        // Act
        const results = await Promise.all([
          ledger.acquire(task('s_1'), { leaseUntil: NOW + LEASE_MS, now: NOW }),
          ledger.acquire(task('s_1'), { leaseUntil: NOW + LEASE_MS + 1, now: NOW }),
        ]);

        // Assess
        expect(results.filter((r) => r.granted)).toHaveLength(1);
        expect((await ledger.get(task('s_1')))?.attempts).toBe(1);
      });
    });

    describe('Method: extend', () => {
      it('moves the expiry of a held lease, and only the new expiry holds it afterwards', async ({ subject: { ledger } }) => {
        // Prepare
        const lease = await take(ledger, task('s_1'));
        const before = Date.now();

        // Act
        const extended = await ledger.extend(task('s_1'), lease, lease + LEASE_MS);
        const withOld = await ledger.complete(task('s_1'), lease, { state: DeliveryState.SENT, messageId: 'm-1' });

        // Assess
        expect(extended).toBe(true);
        expect(withOld).toBe(false);
        expect(await ledger.get(task('s_1'))).toMatchObject({ state: DeliveryState.SENDING, leaseUntil: lease + LEASE_MS });
        expect(await ledger.lastChange(EDITION)).toBeGreaterThanOrEqual(before); // extending is a change
        expect(await ledger.complete(task('s_1'), lease + LEASE_MS, { state: DeliveryState.SENT, messageId: 'm-1' })).toBe(true);
      });

      it('refuses anyone but the holder, and entries that are not sending', async ({ subject: { ledger } }) => {
        // Prepare
        const lease = await take(ledger, task('s_1'));
        await drive(ledger, task('s_2'), DeliveryState.SENT);

        // Act
        const wrongLease = await ledger.extend(task('s_1'), lease - 1, lease + LEASE_MS);
        const absent = await ledger.extend(task('s_9'), lease, lease + LEASE_MS);
        const sent = await ledger.extend(task('s_2'), lease, lease + LEASE_MS);

        // Assess
        expect([wrongLease, absent, sent]).toEqual([false, false, false]);
        expect((await ledger.get(task('s_1')))?.leaseUntil).toBe(lease);
        expect(await ledger.get(task('s_9'))).toBeUndefined();
      });
    });

    describe('Method: complete', () => {
      it('records sent with the message id, ending the lease', async ({ subject: { ledger } }) => {
        // Prepare
        const lease = await take(ledger, task('s_1'));

        // Act
        const done = await ledger.complete(task('s_1'), lease, { state: DeliveryState.SENT, messageId: 'ses-1' });

        // Assess
        expect(done).toBe(true);
        const entry = await ledger.get(task('s_1'));
        expect(entry).toMatchObject({ ...task('s_1'), state: DeliveryState.SENT, messageId: 'ses-1', attempts: 1 });
        expect(entry?.leaseUntil).toBeUndefined();
        expect(entry?.reason).toBeUndefined();
      });

      it.for([DeliveryState.FAILED, DeliveryState.SKIPPED, DeliveryState.CANCELLED])('records %s with its reason, cut to 500 characters', async (state, { subject: { ledger } }) => {
        // Prepare
        const lease = await take(ledger, task('s_1'));

        // Act
        await ledger.complete(task('s_1'), lease, { state, reason: `MessageRejected: ${'x'.repeat(600)}` });

        // Assess
        const entry = await ledger.get(task('s_1'));
        expect(entry).toMatchObject({ state, attempts: 1 });
        expect(entry?.reason).toBe(`MessageRejected: ${'x'.repeat(600)}`.slice(0, 500));
        expect(entry?.leaseUntil).toBeUndefined();
        expect(entry?.messageId).toBeUndefined();
      });

      it('lets only the holder of the lease complete it, once', async ({ subject: { ledger } }) => {
        // Prepare
        const lease = await take(ledger, task('s_1'));

        // Act
        const stranger = await ledger.complete(task('s_1'), lease + 1, { state: DeliveryState.SENT, messageId: 'm-x' });
        const holder = await ledger.complete(task('s_1'), lease, { state: DeliveryState.SENT, messageId: 'm-1' });
        const again = await ledger.complete(task('s_1'), lease, { state: DeliveryState.FAILED, reason: 'late' });
        const absent = await ledger.complete(task('s_9'), lease, { state: DeliveryState.SENT, messageId: 'm-9' });

        // Assess
        expect([stranger, holder, again, absent]).toEqual([false, true, false, false]);
        expect(await ledger.get(task('s_1'))).toMatchObject({ state: DeliveryState.SENT, messageId: 'm-1' });
        expect(await ledger.get(task('s_9'))).toBeUndefined();
      });
    });

    describe('Method: release', () => {
      it('gives the lease back: the entry is pending with the reason (cut to 500 characters) and no lease', async ({ subject: { ledger } }) => {
        // Prepare
        const lease = await take(ledger, task('s_1'));

        // Act
        await ledger.release(task('s_1'), lease, `Throttling: ${'y'.repeat(600)}`);

        // Assess
        const entry = await ledger.get(task('s_1'));
        expect(entry).toMatchObject({ state: DeliveryState.PENDING, attempts: 1, reason: `Throttling: ${'y'.repeat(600)}`.slice(0, 500) });
        expect(entry?.leaseUntil).toBeUndefined();
      });

      it('does nothing, and does not throw, for anyone but the holder', async ({ subject: { ledger } }) => {
        // Prepare
        const lease = await take(ledger, task('s_1'));
        const held = await ledger.get(task('s_1'));

        // Act
        await ledger.release(task('s_1'), lease + 1, 'not mine');
        await ledger.release(task('s_9'), lease, 'absent');

        // Assess
        expect(await ledger.get(task('s_1'))).toEqual(held);
        expect(await ledger.get(task('s_9'))).toBeUndefined();
      });
    });

    describe('Method: markUnknown', () => {
      it('keeps the entry sending for its holder, with the new lease and the reason', async ({ subject: { ledger } }) => {
        // Prepare
        const lease = await take(ledger, task('s_1'));

        // Act
        const marked = await ledger.markUnknown(task('s_1'), lease, { until: lease + 30_000, reason: 'outcome unknown: aborted' });

        // Assess
        expect(marked).toBe(true);
        expect(await ledger.get(task('s_1'))).toMatchObject({ state: DeliveryState.SENDING, leaseUntil: lease + 30_000, reason: 'outcome unknown: aborted' });
      });

      it('does nothing for anyone but the holder, nor for an entry that does not exist', async ({ subject: { ledger } }) => {
        // Prepare
        const lease = await take(ledger, task('s_1'));
        const held = await ledger.get(task('s_1'));

        // Act
        const other = await ledger.markUnknown(task('s_1'), lease + 1, { until: lease + 30_000, reason: 'not mine' });
        const absent = await ledger.markUnknown(task('s_9'), lease, { until: lease + 30_000, reason: 'absent' });

        // Assess
        expect([other, absent]).toEqual([false, false]);
        expect(await ledger.get(task('s_1'))).toEqual(held);
        expect(await ledger.get(task('s_9'))).toBeUndefined();
      });
    });

    describe('Method: recordSendEvent', () => {
      it('keeps the first event only, changes neither state, lease nor updatedAt, and shows it to a later takeover', async ({ subject: { ledger, itemOnConditionFailure } }) => {
        // Prepare
        const lease = await take(ledger, task('s_1'));
        const held = await ledger.get(task('s_1'));

        // Act
        const first = await ledger.recordSendEvent(task('s_1'), { messageId: 'ses-1', at: '2026-11-28T06:00:01.000Z' });
        const again = await ledger.recordSendEvent(task('s_1'), { messageId: 'ses-2', at: '2026-11-28T06:00:02.000Z' });
        const takeover = await ledger.acquire(task('s_1'), { leaseUntil: lease + 1 + LEASE_MS, now: lease + 1 });

        // Assess
        expect(first).toEqual({ recorded: true, entry: { ...held, sendEvent: { messageId: 'ses-1', at: '2026-11-28T06:00:01.000Z' } } });
        expect(again.recorded).toBe(false);
        if (itemOnConditionFailure) expect(again.entry?.sendEvent).toEqual({ messageId: 'ses-1', at: '2026-11-28T06:00:01.000Z' });
        expect((await ledger.get(task('s_1')))?.sendEvent).toEqual({ messageId: 'ses-1', at: '2026-11-28T06:00:01.000Z' });
        expect(takeover.granted).toBe(true);
        expect(takeover.entry?.sendEvent).toEqual({ messageId: 'ses-1', at: '2026-11-28T06:00:01.000Z' });
      });

      it('writes nothing to an entry already sent (final: nothing takes it over), and returns it', async ({ subject: { ledger } }) => {
        // Prepare
        await drive(ledger, task('s_1'), DeliveryState.SENT);
        const sent = await ledger.get(task('s_1'));

        // Act
        const result = await ledger.recordSendEvent(task('s_1'), { messageId: 'm-s_1', at: '2026-11-28T06:00:01.000Z' });

        // Assess
        expect(result).toEqual({ recorded: false, entry: sent });
        expect(await ledger.get(task('s_1'))).toEqual(sent);
      });

      it('writes nothing for an entry that does not exist', async ({ subject: { ledger } }) => {
        // Act
        const result = await ledger.recordSendEvent(task('s_9'), { messageId: 'ses-9', at: '2026-11-28T06:00:01.000Z' });

        // Assess
        expect(result).toEqual({ recorded: false, entry: undefined });
        expect(await ledger.get(task('s_9'))).toBeUndefined();
      });
    });

    describe('Method: countByState', () => {
      it('counts the entries of one edition by state, pending left out', async ({ subject: { ledger } }) => {
        // Prepare
        for (const [id, state] of [
          ['a', DeliveryState.SENT], ['b', DeliveryState.SENT], ['c', DeliveryState.FAILED], ['d', DeliveryState.SKIPPED],
          ['e', DeliveryState.SENDING], ['f', DeliveryState.PENDING], ['g', DeliveryState.CANCELLED], ['h', DeliveryState.CANCELLED],
        ] as const) await drive(ledger, task(id), state);
        await drive(ledger, task('a', 'weekly-2026-W48'), DeliveryState.SENT);

        // Act
        const counts = await ledger.countByState(EDITION);

        // Assess
        expect(counts).toEqual({ sending: 1, sent: 2, failed: 1, skipped: 1, cancelled: 2 });
        expect(await ledger.countByState('daily-2026-11-29')).toEqual({ sending: 0, sent: 0, failed: 0, skipped: 0, cancelled: 0 });
      });
    });

    describe('Method: pageByState', () => {
      it('pages through the subscriber ids of one edition in one state, in id order, each once', async ({ subject: { ledger } }) => {
        // Prepare
        const failed = ['s_07', 's_01', 's_05', 's_03', 's_02', 's_06', 's_04'];
        for (const id of failed) await drive(ledger, task(id), DeliveryState.FAILED);
        await drive(ledger, task('s_00'), DeliveryState.SENT);
        await drive(ledger, task('s_08', 'weekly-2026-W48'), DeliveryState.FAILED);

        // Act
        const { ids, sizes } = await pageAll(ledger, DeliveryState.FAILED, 3);

        // Assess
        expect(ids).toEqual([...failed].sort());
        expect(sizes.every((n) => n <= 3)).toBe(true);
      });

      it('pages through entries in a state not in the index (sending), each once, in id order', async ({ subject: { ledger } }) => {
        // Prepare: sending entries among sent ones
        const sending = ['s_02', 's_05', 's_06', 's_09', 's_11'];
        for (let i = 0; i < 12; i++) {
          const id = `s_${String(i).padStart(2, '0')}`;
          await drive(ledger, task(id), sending.includes(id) ? DeliveryState.SENDING : DeliveryState.SENT);
        }

        // Act
        const { ids, sizes } = await pageAll(ledger, DeliveryState.SENDING, 2);

        // Assess
        expect(ids).toEqual(sending);
        expect(sizes.every((n) => n <= 2)).toBe(true);
      });

      it('lists released entries as pending', async ({ subject: { ledger } }) => {
        // Prepare
        await drive(ledger, task('s_1'), DeliveryState.PENDING);
        await drive(ledger, task('s_2'), DeliveryState.SENDING);

        // Act
        const { ids } = await pageAll(ledger, DeliveryState.PENDING, 10);

        // Assess
        expect(ids).toEqual(['s_1']);
      });

      it('continues after the last id of the page even when entries of the earlier pages left the state', async ({ subject: { ledger } }) => {
        // Prepare: resend-failed takes the entries of each page as it goes
        for (const id of ['s_1', 's_2', 's_3', 's_4', 's_5']) await drive(ledger, task(id), DeliveryState.FAILED);
        const first = await ledger.pageByState(EDITION, DeliveryState.FAILED, { limit: 2 });
        for (const id of first.subscriberIds) await ledger.acquire(task(id), { leaseUntil: NOW + 2 * LEASE_MS, now: NOW + LEASE_MS, retryFailed: true });

        // Act
        const rest = await pageAll(ledger, DeliveryState.FAILED, 2);
        const second = await ledger.pageByState(EDITION, DeliveryState.FAILED, { limit: 2, ...(first.cursor ? { cursor: first.cursor } : {}) });

        // Assess
        expect(first.subscriberIds).toEqual(['s_1', 's_2']);
        expect(first.cursor).toBeDefined();
        expect(second.subscriberIds).toEqual(['s_3', 's_4']);
        expect(rest.ids).toEqual(['s_3', 's_4', 's_5']);
      });

      it('answers an empty page for an edition with no entry in the state', async ({ subject: { ledger } }) => {
        // Act
        const page = await ledger.pageByState(EDITION, DeliveryState.SENT, { limit: 10 });

        // Assess
        expect(page).toEqual({ subscriberIds: [] });
      });
    });

    describe('Method: lastChange', () => {
      it('is undefined for an edition with no entry, else the latest change of any of its entries', async ({ subject: { ledger } }) => {
        // Prepare
        await take(ledger, task('s_1'), NOW);
        await take(ledger, task('s_2'), NOW + 5_000);
        await take(ledger, task('s_3', 'weekly-2026-W48'), NOW + 9_000);

        // Act
        const last = await ledger.lastChange(EDITION);
        const none = await ledger.lastChange('daily-2026-11-29');

        // Assess
        expect(last).toBe(NOW + 5_000);
        expect(none).toBeUndefined();
      });
    });
  });
}
