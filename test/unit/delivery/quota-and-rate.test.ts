import { describe, expect, it } from 'vitest';
import { QuotaGuard, isQuotaReason } from '../../../functions/core/delivery/quota-guard.ts';
import { PacedRateLimiter, SharedRateLimiter } from '../../../functions/core/delivery/rate-limiter.ts';
import { QuotaExhaustedError } from '../../../functions/core/errors.ts';
import type { SendQuota } from '../../../functions/core/delivery/ports.ts';
import { InMemorySendSlotStore } from '../../kit/memory/index.ts';

function fetcher(quota: SendQuota) {
  const calls = { n: 0 };
  const fetch = async (): Promise<SendQuota> => {
    calls.n += 1;
    return { ...quota };
  };
  return { fetch, calls, quota };
}

describe('Class: QuotaGuard', () => {
  describe('Method: remaining', () => {
    it('is Max24HourSend minus SentLast24Hours, less what this process sent since', async () => {
      // Prepare
      const f = fetcher({ maxSendRate: 14, max24HourSend: 100, sentLast24Hours: 90 });
      const guard = new QuotaGuard(f.fetch, { now: () => 0 });

      // Act
      const before = await guard.remaining();
      guard.recordSent(4);
      const after = await guard.remaining();

      // Assess
      expect(before).toBe(10);
      expect(after).toBe(6);
      expect(f.calls.n).toBe(1); // cached
    });

    it('is unlimited when the account says -1', async () => {
      const guard = new QuotaGuard(fetcher({ maxSendRate: 14, max24HourSend: -1, sentLast24Hours: 5 }).fetch);
      expect(await guard.remaining()).toBe(Number.POSITIVE_INFINITY);
    });

    it('looks at the provider again after the refresh period, and starts counting afresh', async () => {
      // Prepare
      let now = 0;
      const f = fetcher({ maxSendRate: 14, max24HourSend: 100, sentLast24Hours: 0 });
      const guard = new QuotaGuard(f.fetch, { refreshMs: 1_000, now: () => now });
      await guard.remaining();
      guard.recordSent(30);
      f.quota.sentLast24Hours = 30;

      // Act
      now = 1_000;
      const remaining = await guard.remaining();

      // Assess
      expect(remaining).toBe(70);
      expect(f.calls.n).toBe(2);
    });

    it('keeps the last figures when GetSendQuota fails', async () => {
      // Prepare
      let now = 0;
      let fail = false;
      const guard = new QuotaGuard(async () => {
        if (fail) throw new Error('network');
        return { maxSendRate: 14, max24HourSend: 10, sentLast24Hours: 0 };
      }, { refreshMs: 10, now: () => now });
      await guard.remaining();

      // Act
      fail = true;
      now = 100;

      // Assess
      expect(await guard.remaining()).toBe(10);
    });
  });

  describe('Method: ensureAvailable', () => {
    it('throws QuotaExhaustedError when nothing is left', async () => {
      const guard = new QuotaGuard(fetcher({ maxSendRate: 14, max24HourSend: 200, sentLast24Hours: 200 }).fetch);
      await expect(guard.ensureAvailable()).rejects.toBeInstanceOf(QuotaExhaustedError);
    });

    it('believes SES saying the quota is gone until the next look', async () => {
      // Prepare
      let now = 0;
      const guard = new QuotaGuard(fetcher({ maxSendRate: 14, max24HourSend: 200, sentLast24Hours: 0 }).fetch, { refreshMs: 1_000, now: () => now });
      await guard.ensureAvailable();

      // Act
      guard.markExhausted('daily sending quota exhausted: Daily message quota exceeded.');

      // Assess
      await expect(guard.ensureAvailable()).rejects.toThrow('Daily message quota exceeded.');
      now = 1_000;
      await expect(guard.ensureAvailable()).resolves.toBeUndefined();
    });
  });

  describe('Function: isQuotaReason', () => {
    it('recognises the reasons a quota stop leaves', () => {
      expect(isQuotaReason('daily sending quota exhausted: fan-out held')).toBe(true);
      expect(isQuotaReason('scheduled late')).toBe(false);
      expect(isQuotaReason(undefined)).toBe(false);
    });
  });
});

describe('Class: PacedRateLimiter', () => {
  describe('Method: acquire', () => {
    it('spaces sends evenly at the rate instead of bursting', async () => {
      // Prepare
      let now = 0;
      const waits: number[] = [];
      const limiter = new PacedRateLimiter(async () => 10, {
        now: () => now,
        sleep: async (ms) => {
          waits.push(ms);
          now += ms;
        },
      });

      // Act
      for (let i = 0; i < 5; i++) await limiter.acquire(1);

      // Assess
      expect(waits).toEqual([100, 100, 100, 100]);
      expect(now).toBe(400);
    });
  });
});

describe('Class: SharedRateLimiter', () => {
  describe('Method: acquire', () => {
    it('spaces the sends of several workers as one sequence, never more than the rate in any sliding second', async () => {
      // Prepare: three workers sharing one sequence at 40/s, on a fake clock
      let now = Date.parse('2026-11-28T06:00:00.300Z');
      const sleep = async (ms: number) => {
        now += ms;
      };
      const slots = new InMemorySendSlotStore();
      const workers = [0, 1, 2].map(() => new SharedRateLimiter(slots, async () => 40, { now: () => now, sleep, maxClaim: 1 }));
      const at: number[] = [];

      // Act: 90 sends over the three workers, taking turns
      for (let n = 0; n < 30; n++) {
        for (const w of workers) at.push((await w.acquire(1)) as number);
      }

      // Assess
      const sorted = [...at].sort((a, b) => a - b);
      expect(new Set(sorted).size).toBe(90);
      for (let i = 1; i < sorted.length; i++) expect((sorted[i] as number) - (sorted[i - 1] as number)).toBeGreaterThanOrEqual(25);
      for (let i = 40; i < sorted.length; i++) expect((sorted[i] as number) - (sorted[i - 40] as number)).toBeGreaterThan(1_000);
      // Evenly spaced: 2 % of the rate is kept back as a margin for jitter
      expect((sorted.at(-1)! - sorted[0]!) / 89).toBeCloseTo(1000 / (40 * 0.98), 0);
    });

    it('resolves `leadMs` before the slot and returns the slot\'s time', async () => {
      // Prepare
      let now = 1_000_000;
      const waits: number[] = [];
      const limiter = new SharedRateLimiter(new InMemorySendSlotStore(), async () => 10, {
        now: () => now,
        sleep: async (ms) => {
          waits.push(ms);
          now += ms;
        },
        margin: 0,
      });

      // Act
      const first = await limiter.acquire(1, { leadMs: 30 });
      const second = await limiter.acquire(1, { leadMs: 30 });

      // Assess: slots 100 ms apart; the first after the claim's own time (about 12 ms ahead)
      expect(first).toBe(1_000_100);
      expect(second).toBe(1_000_200);
      expect(waits).toEqual([70, 100]);
      expect(now).toBe(1_000_170);
    });

    it('claims no more slots than the sends waiting for them, so a batch\'s tail leaves no gap in the sequence', async () => {
      // Prepare: at 100/s a claim may take up to 25 slots
      let now = 3_000_000;
      const slots = new InMemorySendSlotStore({ counters: 'args' });
      const limiter = new SharedRateLimiter(slots, async () => 100, { now: () => now, sleep: async (ms) => void (now += ms), margin: 0 });

      // Act: the last three sends of a batch ask together, as a batch's tasks do
      const at = await Promise.all([0, 1, 2].map(() => limiter.acquire(1)));

      // Assess: one claim of three slots, each used; the next claim follows on without a gap
      expect(slots.argsOf('claim').map(([, count]) => count)).toEqual([3]);
      expect(new Set(at).size).toBe(3);
      const next = slots.used.get('SEQ#10000us') as number;
      expect(Math.max(...(at as number[]))).toBe((next - 1) * 10);
    });

    it('lets the sends about to ask join a claim (one claim for a batch\'s sends that ask within one turn)', async () => {
      // Prepare
      let now = 4_000_000;
      const slots = new InMemorySendSlotStore({ counters: 'args' });
      const limiter = new SharedRateLimiter(slots, async () => 100, { now: () => now, sleep: async (ms) => void (now += ms), margin: 0 });

      // Act: each send first awaits something of its own (the quota, the edition) before asking
      const at = await Promise.all(Array.from({ length: 10 }, async (_, i) => {
        for (let hop = 0; hop < i; hop++) await Promise.resolve();
        return limiter.acquire(1);
      }));

      // Assess
      expect(slots.argsOf('claim').map(([, count]) => count)).toEqual([10]);
      expect(new Set(at).size).toBe(10);
    });

    it('claims for the sends a worker says are about to ask too, so sends that come one by one share a claim', async () => {
      // Prepare
      let now = 6_000_000;
      const slots = new InMemorySendSlotStore({ counters: 'args' });
      const limiter = new SharedRateLimiter(slots, async () => 100, { now: () => now, sleep: async (ms) => void (now += ms), margin: 0 });

      // Act: ten sends, one after the other, each saying how many are still to come
      const at: (number | void)[] = [];
      for (let i = 0; i < 10; i++) at.push(await limiter.acquire(1, { more: 9 - i }));

      // Assess
      expect(slots.argsOf('claim').map(([, count]) => count)).toEqual([10]);
      expect(new Set(at).size).toBe(10);
    });

    it('still claims at most a quarter of a second\'s worth when more sends wait', async () => {
      // Prepare
      let now = 5_000_000;
      const slots = new InMemorySendSlotStore({ counters: 'args' });
      const limiter = new SharedRateLimiter(slots, async () => 40, { now: () => now, sleep: async (ms) => void (now += ms), margin: 0 });

      // Act
      await Promise.all(Array.from({ length: 25 }, () => limiter.acquire(1)));

      // Assess: 40/s → 10 at a time
      expect(slots.argsOf('claim').map(([, count]) => count)).toEqual([10, 10, 5]);
    });

    it('never hands out a slot whose time passed (a worker back from a stall starts at the present)', async () => {
      // Prepare: the worker stalls 1 s after its first send
      let now = 2_000_000;
      const slots = new InMemorySendSlotStore();
      const limiter = new SharedRateLimiter(slots, async () => 10, { now: () => now, sleep: async (ms) => void (now += ms), margin: 0, maxClaim: 4 });

      // Act
      const first = (await limiter.acquire(1)) as number;
      now += 1_000;
      const back = now;
      const later = (await limiter.acquire(1)) as number;

      // Assess: the next slot after the stall, not the one 100 ms after the first
      expect(first).toBe(2_000_100);
      expect(later).toBeGreaterThanOrEqual(back);
      expect(later).toBeLessThan(back + 100 + 15);
    });
  });
});
