/**
 * The behaviour every EditionRepository must have (functions/core/editions/edition-repository.ts),
 * run against each implementation by test/contract/editions.test.ts.
 */
import { describe, expect } from 'vitest';
import type { EditionRepository } from '../../functions/core/editions/ports.ts';
import { EditionState } from '../../functions/core/editions/types.ts';
import { makeEditionRecord } from '../kit/fixtures/index.ts';
import { contractTest } from './contract-test.ts';

const ID = 'daily-2026-11-28';

/**
 * Declares the EditionRepository contract for one implementation.
 *
 * @example
 * ```ts
 * describeEditionsContract('InMemoryEditionRepository', async () => new InMemoryEditionRepository());
 * ```
 */
export function describeEditionsContract(name: string, setup: () => Promise<EditionRepository>): void {
  const it = contractTest(setup);
  describe(`Contract: EditionRepository (${name})`, () => {
    describe('Method: createIfAbsent', () => {
      it('creates an edition once; later calls get the stored one back unchanged', async ({ subject: editions }) => {
        // Prepare
        const record = makeEditionRecord({ id: ID, state: EditionState.BUILDING });

        // Act
        const first = await editions.createIfAbsent(record);
        const second = await editions.createIfAbsent({ ...record, state: EditionState.HELD, reason: 'late' });

        // Assess
        expect(first).toEqual({ created: true, edition: record });
        expect(second).toEqual({ created: false, edition: record });
        expect(await editions.get(ID)).toEqual(record);
        expect(await editions.get('daily-2026-11-29')).toBeUndefined();
      });

      it('creates one of two editions created at the same time', async ({ subject: editions }) => {
        // Act
        const results = await Promise.all([
          editions.createIfAbsent(makeEditionRecord({ id: ID, subject: 'first' })),
          editions.createIfAbsent(makeEditionRecord({ id: ID, subject: 'second' })),
        ]);

        // Assess
        expect(results.filter((r) => r.created)).toHaveLength(1);
        expect(results[0]?.edition.subject).toBe(results[1]?.edition.subject);
      });
    });

    describe('Method: update', () => {
      it('sets the fields given, removes those given as undefined, and stamps the change', async ({ subject: editions }) => {
        // Prepare
        await editions.createIfAbsent(makeEditionRecord({ id: ID, cursor: 'c1', reason: 'held', total: 4, pages: 1 }));
        const before = new Date().toISOString();

        // Act
        await editions.update(ID, { state: EditionState.SENDING, subject: 'Today', articles: 12, cursor: undefined, reason: undefined, updatedAt: '2000-01-01T00:00:00.000Z' });

        // Assess
        const stored = await editions.get(ID);
        expect(stored).toMatchObject({ state: EditionState.SENDING, subject: 'Today', articles: 12, total: 4, pages: 1 });
        expect(stored && 'cursor' in stored).toBe(false);
        expect(stored && 'reason' in stored).toBe(false);
        expect((stored?.updatedAt ?? '') >= before).toBe(true);
      });

      it('fails for an edition that does not exist, and creates none', async ({ subject: editions }) => {
        // Act
        const act = editions.update(ID, { subject: 'Today' });

        // Assess
        await expect(act).rejects.toThrow();
        expect(await editions.get(ID)).toBeUndefined();
      });
    });

    describe('Method: advanceCursor', () => {
      it('records a page only when the expected number of pages were recorded before', async ({ subject: editions }) => {
        // Prepare
        await editions.createIfAbsent(makeEditionRecord({ id: ID }));

        // Act
        const first = await editions.advanceCursor(ID, 0, 'cursor-1', 500);
        const stale = await editions.advanceCursor(ID, 0, 'cursor-x', 500);
        const second = await editions.advanceCursor(ID, 1, 'cursor-2', 300);

        // Assess
        expect([first, stale, second]).toEqual([true, false, true]);
        expect(await editions.get(ID)).toMatchObject({ pages: 2, total: 800, cursor: 'cursor-2' });
      });

      it('removes the cursor with the last page', async ({ subject: editions }) => {
        // Prepare
        await editions.createIfAbsent(makeEditionRecord({ id: ID, pages: 1, total: 5, cursor: 'cursor-1' }));

        // Act
        const moved = await editions.advanceCursor(ID, 1, undefined, 2);

        // Assess
        const stored = await editions.get(ID);
        expect(moved).toBe(true);
        expect(stored).toMatchObject({ pages: 2, total: 7 });
        expect(stored && 'cursor' in stored).toBe(false);
      });

      it('counts a page once when two fan-outs record it at the same time', async ({ subject: editions }) => {
        // Prepare
        await editions.createIfAbsent(makeEditionRecord({ id: ID }));

        // Act
        const results = await Promise.all([editions.advanceCursor(ID, 0, 'a', 10), editions.advanceCursor(ID, 0, 'b', 10)]);

        // Assess
        expect(results.filter(Boolean)).toHaveLength(1);
        expect(await editions.get(ID)).toMatchObject({ pages: 1, total: 10 });
      });

      it('answers false for an edition that does not exist', async ({ subject: editions }) => {
        // Act
        const moved = await editions.advanceCursor(ID, 0, 'cursor-1', 10);

        // Assess
        expect(moved).toBe(false);
        expect(await editions.get(ID)).toBeUndefined();
      });
    });

    describe('Method: addCounts', () => {
      it('adds to the counters, none lost when workers add at the same time, and returns the record after the change', async ({ subject: editions }) => {
        // Prepare
        await editions.createIfAbsent(makeEditionRecord({ id: ID, total: 9, sent: 1 }));

        // Act
        await Promise.all([1, 2, 3, 4, 5].map(() => editions.addCounts(ID, { sent: 1 })));
        const after = await editions.addCounts(ID, { failed: 2, skipped: 1 });

        // Assess
        expect(after).toMatchObject({ id: ID, total: 9, sent: 6, failed: 2, skipped: 1 });
        expect(await editions.get(ID)).toEqual(after);
      });

      it('adds the cancelled counter only when given, from nothing on a record that has none', async ({ subject: editions }) => {
        // Prepare
        await editions.createIfAbsent(makeEditionRecord({ id: ID, total: 9, sent: 1 }));

        // Act
        const plain = await editions.addCounts(ID, { sent: 1 });
        await Promise.all([1, 2, 3].map(() => editions.addCounts(ID, { cancelled: 2 })));
        const after = await editions.addCounts(ID, { sent: 1, cancelled: 1 });

        // Assess
        expect(plain.cancelled).toBeUndefined();
        expect(after).toMatchObject({ sent: 3, failed: 0, skipped: 0, cancelled: 7 });
        expect(await editions.get(ID)).toEqual(after);
      });

      it('fails for an edition that does not exist, and creates none', async ({ subject: editions }) => {
        // Act
        const act = editions.addCounts(ID, { sent: 1 });

        // Assess
        await expect(act).rejects.toThrow();
        expect(await editions.get(ID)).toBeUndefined();
      });
    });

    describe('Method: setCounts', () => {
      it('sets the counters only while they still hold the expected values', async ({ subject: editions }) => {
        // Prepare
        await editions.createIfAbsent(makeEditionRecord({ id: ID, sent: 2 }));

        // Act
        const stale = await editions.setCounts(ID, { sent: 5, failed: 1, skipped: 0 }, { sent: 1, failed: 0, skipped: 0 });
        const current = await editions.setCounts(ID, { sent: 5, failed: 1, skipped: 0 }, { sent: 2, failed: 0, skipped: 0 });
        const absent = await editions.setCounts('daily-2026-11-29', { sent: 5, failed: 1, skipped: 0 }, { sent: 0, failed: 0, skipped: 0 });

        // Assess
        expect([stale, current, absent]).toEqual([false, true, false]);
        expect(await editions.get(ID)).toMatchObject({ sent: 5, failed: 1, skipped: 0 });
        expect(await editions.get('daily-2026-11-29')).toBeUndefined();
      });
    });

    describe('Method: transition', () => {
      it('moves the state only from the state given', async ({ subject: editions }) => {
        // Prepare
        await editions.createIfAbsent(makeEditionRecord({ id: ID, state: EditionState.SENDING }));

        // Act
        const wrong = await editions.transition(ID, EditionState.BUILDING, EditionState.SENDING);
        const right = await editions.transition(ID, EditionState.SENDING, EditionState.SENT);
        const again = await editions.transition(ID, EditionState.SENDING, EditionState.SENT);
        const absent = await editions.transition('daily-2026-11-29', EditionState.SENDING, EditionState.SENT);

        // Assess
        expect([wrong, right, again, absent]).toEqual([false, true, false, false]);
        expect((await editions.get(ID))?.state).toBe(EditionState.SENT);
        expect(await editions.get('daily-2026-11-29')).toBeUndefined();
      });
    });

    describe('Method: advanceWatermark', () => {
      it('moves a job\'s watermark forward only, each job on its own', async ({ subject: editions }) => {
        // Prepare
        const before = await editions.getWatermark('daily');

        // Act
        await editions.advanceWatermark('daily', '2026-11-28T06:00:00.000Z');
        await editions.advanceWatermark('daily', '2026-11-27T06:00:00.000Z');
        await editions.advanceWatermark('daily', '2026-11-28T06:00:00.000Z');
        await editions.advanceWatermark('weekly', '2026-11-23T06:00:00.000Z');

        // Assess
        expect(before).toBeUndefined();
        expect(await editions.getWatermark('daily')).toBe('2026-11-28T06:00:00.000Z');
        expect(await editions.getWatermark('weekly')).toBe('2026-11-23T06:00:00.000Z');
        expect(await editions.getWatermark('alerts')).toBeUndefined();
      });
    });

    describe('Method: listRecent', () => {
      it('lists the most recently scheduled editions of one job, newest first', async ({ subject: editions }) => {
        // Prepare: created in another order than scheduled
        for (const day of ['27', '29', '26', '28']) {
          await editions.createIfAbsent(makeEditionRecord({ id: `daily-2026-11-${day}`, scheduledAt: `2026-11-${day}T06:00:00.000Z`, createdAt: `2026-11-${56 - Number(day)}T07:00:00.000Z` }));
        }
        await editions.createIfAbsent(makeEditionRecord({ id: 'weekly-2026-W49', job: 'weekly', scheduledAt: '2026-11-30T06:00:00.000Z' }));
        await editions.advanceWatermark('daily', '2026-11-30T06:00:00.000Z');

        // Act
        const recent = await editions.listRecent('daily', 3);

        // Assess
        expect(recent.map((e) => e.id)).toEqual(['daily-2026-11-29', 'daily-2026-11-28', 'daily-2026-11-27']);
        expect(recent[0]).toEqual(await editions.get('daily-2026-11-29'));
      });
    });
  });
}
