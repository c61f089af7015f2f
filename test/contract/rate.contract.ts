/**
 * The behaviour every SendSlotStore (functions/core/delivery/rate-limiter.ts) and
 * RateLimiter (functions/core/subscribers/rate-limiter.ts) must have, run against each
 * implementation by test/contract/rate.test.ts.
 */
import { describe, expect } from 'vitest';
import type { SendSlotStore } from '../../functions/core/delivery/ports.ts';
import type { RateLimiter } from '../../functions/core/subscribers/ports.ts';
import { contractTest } from './contract-test.ts';

/** The two rate stores to test, fresh and empty. */
export interface RateSubject {
  slots: SendSlotStore;
  limiter: RateLimiter;
}

const SECOND = Math.floor(Date.parse('2026-11-28T06:00:00.000Z') / 1000);

/**
 * Declares the SendSlotStore and RateLimiter contract for one implementation.
 *
 * @example
 * ```ts
 * describeRateContract('in memory', async () => ({ slots: new InMemorySendSlotStore(), limiter: new InMemoryRateLimiter() }));
 * ```
 */
export function describeRateContract(name: string, setup: () => Promise<RateSubject>): void {
  const it = contractTest(setup);
  describe(`Contract: SendSlotStore (${name})`, () => {
    describe('Method: claim', () => {
      it('hands out consecutive slots, each sequence on its own', async ({ subject: { slots } }) => {
        // Act
        const got = [
          await slots.claim('SEQ#a', 4, 0),
          await slots.claim('SEQ#a', 6, 0),
          await slots.claim('SEQ#b', 2, 0),
          await slots.claim('SEQ#a', 1, 0),
        ];

        // Assess
        expect(got).toEqual([0, 4, 0, 10]);
      });

      it('starts at `from` when the sequence lags behind it, and follows on from there', async ({ subject: { slots } }) => {
        // Prepare
        await slots.claim('SEQ#c', 3, 0);

        // Act
        const jumped = await slots.claim('SEQ#c', 5, 1_000);
        const next = await slots.claim('SEQ#c', 2, 1_000);
        const ahead = await slots.claim('SEQ#c', 1, 500);

        // Assess
        expect([jumped, next, ahead]).toEqual([1_000, 1_005, 1_007]);
      });

      it('keeps following the clock when it lags at every claim, and follows on once it is ahead', async ({ subject: { slots } }) => {
        // Act: workers sending below the rate find the sequence behind at each claim
        const got = [
          await slots.claim('SEQ#e', 2, 100),
          await slots.claim('SEQ#e', 2, 200),
          await slots.claim('SEQ#e', 4, 300),
          await slots.claim('SEQ#e', 3, 250),
          await slots.claim('SEQ#e', 1, 0),
        ];

        // Assess
        expect(got).toEqual([100, 200, 300, 304, 307]);
      });

      it('never hands the same slot to lagging claims made at the same time', async ({ subject: { slots } }) => {
        // Prepare: the sequence lagged at the last claim
        await slots.claim('SEQ#f', 1, 50);

        // Act
        const firsts = await Promise.all(Array.from({ length: 8 }, (_, i) => slots.claim('SEQ#f', 3, 100 + (i % 2) * 2)));

        // Assess: ranges of 3 that do not overlap
        const sorted = [...firsts].sort((a, b) => a - b);
        for (let i = 1; i < sorted.length; i++) expect((sorted[i] as number) - (sorted[i - 1] as number)).toBeGreaterThanOrEqual(3);
      });

      it('never hands the same slot to claims made at the same time', async ({ subject: { slots } }) => {
        // Act
        const firsts = await Promise.all(Array.from({ length: 8 }, (_, i) => slots.claim('SEQ#d', 3, i < 4 ? 0 : 100)));

        // Assess: ranges of 3 that do not overlap
        const sorted = [...firsts].sort((a, b) => a - b);
        for (let i = 1; i < sorted.length; i++) expect((sorted[i] as number) - (sorted[i - 1] as number)).toBeGreaterThanOrEqual(3);
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
