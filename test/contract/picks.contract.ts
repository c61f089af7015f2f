/**
 * The behaviour every PickOverrideStore must have (functions/core/editions/ports.ts), run
 * against each implementation by test/contract/picks.test.ts.
 */
import { describe, expect } from 'vitest';
import type { PickOverrideStore } from '../../functions/core/editions/ports.ts';
import { contractTest } from './contract-test.ts';

/**
 * Declares the PickOverrideStore contract for one implementation.
 *
 * @example
 * ```ts
 * describePicksContract('InMemoryPickOverrideStore', async () => new InMemoryPickOverrideStore());
 * ```
 */
export function describePicksContract(name: string, setup: () => Promise<PickOverrideStore>): void {
  const it = contractTest(setup);
  describe(`Contract: PickOverrideStore (${name})`, () => {
    describe('Method: put', () => {
      it('creates the first override at version 1 and keeps each job apart', async ({ subject: picks }) => {
        // Act
        const created = await picks.put('daily', { pinned: ['b', 'a'], unpinned: ['c'], updatedBy: 'ann' }, 0);

        // Assess
        expect(created).toMatchObject({ job: 'daily', pinned: ['b', 'a'], unpinned: ['c'], version: 1, updatedBy: 'ann' });
        expect(await picks.get('daily')).toEqual(created);
        expect(await picks.get('weekly')).toBeUndefined();
      });

      it('replaces it only from the version it was made from; of two editors at once, one wins', async ({ subject: picks }) => {
        // Prepare
        await picks.put('daily', { pinned: ['a'], unpinned: [], updatedBy: 'ann' }, 0);

        // Act
        const [first, second] = await Promise.all([
          picks.put('daily', { pinned: ['b'], unpinned: [], updatedBy: 'ann' }, 1),
          picks.put('daily', { pinned: ['c'], unpinned: [], updatedBy: 'bob' }, 1),
        ]);
        const stale = await picks.put('daily', { pinned: ['d'], unpinned: [], updatedBy: 'cy' }, 1);
        const again = await picks.put('daily', { pinned: ['e'], unpinned: [], updatedBy: 'cy' }, 0);

        // Assess
        expect([first, second].filter((r) => r !== undefined)).toHaveLength(1);
        expect([stale, again]).toEqual([undefined, undefined]);
        expect((await picks.get('daily'))?.version).toBe(2);
      });
    });

    describe('Method: markApplied', () => {
      it('records the edition built with a version, and a later change clears it', async ({ subject: picks }) => {
        // Prepare
        await picks.put('daily', { pinned: ['a'], unpinned: [], updatedBy: 'ann' }, 0);

        // Act
        await picks.markApplied('daily', 'daily-2026-11-28', 1);
        const applied = await picks.get('daily');
        await picks.markApplied('daily', 'daily-2026-11-29', 7); // a version that is not there: nothing
        const unchanged = await picks.get('daily');
        const changed = await picks.put('daily', { pinned: ['b'], unpinned: [], updatedBy: 'ann' }, 1);

        // Assess
        expect(applied?.appliedTo).toBe('daily-2026-11-28');
        expect(unchanged?.appliedTo).toBe('daily-2026-11-28');
        expect(changed?.appliedTo).toBeUndefined();
        expect((await picks.get('daily'))?.appliedTo).toBeUndefined();
      });

      it('does nothing, and does not throw, for a job without an override', async ({ subject: picks }) => {
        // Act
        await picks.markApplied('weekly', 'weekly-2026-W48', 1);

        // Assess
        expect(await picks.get('weekly')).toBeUndefined();
      });
    });
  });
}
