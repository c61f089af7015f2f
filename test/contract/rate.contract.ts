/**
 * The behaviour every RateWindowStore (functions/core/delivery/rate-limiter.ts) and
 * RateLimiter (functions/core/subscribers/rate-limiter.ts) must have, run against each
 * implementation by test/contract/rate.test.ts.
 */
import { describe, expect } from 'vitest';
import type { RateWindowStore } from '../../functions/core/delivery/ports.ts';
import type { RateLimiter } from '../../functions/core/subscribers/ports.ts';
import { contractTest } from './contract-test.ts';

/** The two rate stores to test, fresh and empty, and what their store can report. */
export interface RateSubject {
  windows: RateWindowStore;
  limiter: RateLimiter;
  /** Whether a refused take learns what is left (DynamoDB does, dynalite cannot, and then takes nothing). */
  itemOnConditionFailure: boolean;
}

const SECOND = Math.floor(Date.parse('2026-11-28T06:00:00.000Z') / 1000);

/**
 * Declares the RateWindowStore and RateLimiter contract for one implementation.
 *
 * @example
 * ```ts
 * describeRateContract('in memory', async () => ({ windows: new InMemoryRateWindowStore(), limiter: new InMemoryRateLimiter(), itemOnConditionFailure: true }));
 * ```
 */
export function describeRateContract(name: string, setup: () => Promise<RateSubject>): void {
  const it = contractTest(setup);
  describe(`Contract: RateWindowStore (${name})`, () => {
    describe('Method: take', () => {
      it('gives each second its budget and no more, each second on its own', async ({ subject: { windows } }) => {
        // Act
        const got = [
          await windows.take(SECOND, 4, 10),
          await windows.take(SECOND, 6, 10),
          await windows.take(SECOND, 1, 10),
          await windows.take(SECOND + 1, 50, 10),
        ];

        // Assess
        expect(got).toEqual([4, 6, 0, 10]);
      });

      it('gives what is left of a second when less is left than wanted', async ({ subject: { windows, itemOnConditionFailure } }) => {
        // Prepare
        await windows.take(SECOND, 8, 10);

        // Act
        const rest = await windows.take(SECOND, 5, 10);
        const after = await windows.take(SECOND, 1, 10);

        // Assess
        expect(rest).toBe(itemOnConditionFailure ? 2 : 0);
        expect(after).toBe(itemOnConditionFailure ? 0 : 1);
      });

      it('never gives more than the budget to takes at the same time', async ({ subject: { windows } }) => {
        // Act
        const got = await Promise.all(Array.from({ length: 8 }, () => windows.take(SECOND, 3, 10)));

        // Assess
        const total = got.reduce((a, b) => a + b, 0);
        expect(total).toBeLessThanOrEqual(10);
        expect(total).toBeGreaterThanOrEqual(9);
      });
    });
  });

  describe(`Contract: RateLimiter (${name})`, () => {
    describe('Method: hit', () => {
      it('allows `limit` hits of a key in a fixed window, then refuses until the window ends', async ({ subject: { limiter } }) => {
        // Prepare
        const now = new Date((SECOND + 15) * 1000); // 15 s into a 60 s window

        // Act
        const decisions = [];
        for (let i = 0; i < 4; i++) decisions.push(await limiter.hit('ip#abc', 3, 60, now));
        const nextWindow = await limiter.hit('ip#abc', 3, 60, new Date((SECOND + 60) * 1000));
        const otherKey = await limiter.hit('ip#def', 3, 60, now);

        // Assess
        expect(decisions).toEqual([
          { allowed: true, remaining: 2, retryAfterSeconds: 45 },
          { allowed: true, remaining: 1, retryAfterSeconds: 45 },
          { allowed: true, remaining: 0, retryAfterSeconds: 45 },
          { allowed: false, remaining: 0, retryAfterSeconds: 45 },
        ]);
        expect(nextWindow).toEqual({ allowed: true, remaining: 2, retryAfterSeconds: 60 });
        expect(otherKey.allowed).toBe(true);
      });
    });
  });
}
