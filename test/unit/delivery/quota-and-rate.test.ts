import { describe, expect, it } from 'vitest';
import { QuotaGuard, isQuotaReason } from '../../../functions/core/delivery/quota-guard.ts';
import { PacedRateLimiter, SharedRateLimiter } from '../../../functions/core/delivery/rate-limiter.ts';
import type { RateWindowStore } from '../../../functions/core/delivery/ports.ts';
import { QuotaExhaustedError } from '../../../functions/core/errors.ts';
import type { SendQuota } from '../../../functions/core/delivery/ports.ts';
import { InMemoryRateWindowStore } from '../../kit/memory/index.ts';

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
    it('holds several workers together under the account rate in every calendar second', async () => {
      // Prepare: three workers sharing one budget of 40/s
      const windows = new InMemoryRateWindowStore();
      const workers = [0, 1, 2].map(() => new SharedRateLimiter(windows, async () => 40));
      const started: number[][] = [[], [], []];

      // Act: 60 sends over the three workers
      await Promise.all(
        workers.map(async (w, i) => {
          for (let n = 0; n < 20; n++) {
            await w.acquire(1);
            started[i]?.push(Date.now());
          }
        }),
      );

      // Assess
      const all = started.flat();
      expect(all).toHaveLength(60);
      const perSecond = new Map<number, number>();
      for (const at of all) perSecond.set(Math.floor(at / 1000), (perSecond.get(Math.floor(at / 1000)) ?? 0) + 1);
      expect(perSecond.size).toBeGreaterThanOrEqual(2); // 60 sends at 40/s cannot fit in one second
      for (const n of perSecond.values()) expect(n).toBeLessThanOrEqual(40);
      for (const used of windows.used.values()) expect(used).toBeLessThanOrEqual(40);
      // Each worker spaces its own sends (25 ms at 40/s; timers may fire a millisecond early).
      for (const own of started) {
        for (let n = 1; n < own.length; n++) expect((own[n] as number) - (own[n - 1] as number)).toBeGreaterThanOrEqual(23);
      }
    }, 10_000);
  });
});
