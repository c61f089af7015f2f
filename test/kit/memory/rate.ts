/**
 * Rate limiting in memory: the per-second send budgets (RateWindowStore), the subscribe
 * limiter's fixed windows (RateLimiter), and a send-rate limiter that never waits.
 */
import type { SendRateLimiter } from '../../../functions/core/delivery/ports.ts';
import type { RateWindowStore } from '../../../functions/core/delivery/ports.ts';
import type { RateLimitDecision, RateLimiter } from '../../../functions/core/subscribers/ports.ts';
import { InMemoryAdapter, type InMemoryOptions } from './adapter.ts';

/** Seconds kept before old ones are dropped (a long run must not grow without bound). */
const KEPT_SECONDS = 120;

/**
 * Per-second send budgets in this process, like the DynamoDB store's conditional ADD (one
 * process only: workers in other processes need the shared store).
 *
 * @example
 * ```ts
 * const windows = new InMemoryRateWindowStore();
 * const limiter = new SharedRateLimiter(windows, async () => 14);
 * ```
 */
export class InMemoryRateWindowStore extends InMemoryAdapter<'take'> implements RateWindowStore {
  /** Sends taken so far, by epoch second. */
  public readonly used = new Map<number, number>();

  public constructor(options: InMemoryOptions = {}) {
    super(['take'], options);
  }

  public async take(epochSecond: number, wanted: number, max: number): Promise<number> {
    await this.enter('take', arguments);
    const used = this.used.get(epochSecond) ?? 0;
    const got = Math.max(0, Math.min(wanted, max - used));
    this.used.set(epochSecond, used + got);
    if (this.used.size > KEPT_SECONDS) for (const s of this.used.keys()) if (s < epochSecond - KEPT_SECONDS / 2) this.used.delete(s);
    return got;
  }
}

/**
 * Fixed-window hit counters in memory, as DynamoDbRateLimiter counts them.
 *
 * @example
 * ```ts
 * const limiter = new InMemoryRateLimiter();
 * (await limiter.hit('ip#abc', 10, 3600)).allowed; // true
 * ```
 */
export class InMemoryRateLimiter extends InMemoryAdapter<'hit'> implements RateLimiter {
  readonly #counts = new Map<string, number>();

  public constructor(options: InMemoryOptions = {}) {
    super(['hit'], options);
  }

  public async hit(key: string, limit: number, windowSeconds: number, now: Date = new Date()): Promise<RateLimitDecision> {
    await this.enter('hit', arguments);
    const seconds = Math.floor(now.getTime() / 1000);
    const windowStart = seconds - (seconds % windowSeconds);
    const slot = `${key}@${windowStart}`;
    const count = (this.#counts.get(slot) ?? 0) + 1;
    this.#counts.set(slot, count);
    return { allowed: count <= limit, remaining: Math.max(0, limit - count), retryAfterSeconds: windowStart + windowSeconds - seconds };
  }
}

/**
 * A send-rate limiter that grants every slot at once (pacing has its own tests).
 *
 * @example
 * ```ts
 * const rate = new NoWaitRateLimiter({ counters: true });
 * rate.onAcquire = () => clock.advance(1_000); // as if the worker waited
 * ```
 */
export class NoWaitRateLimiter extends InMemoryAdapter<'acquire'> implements SendRateLimiter {
  /** Runs before each grant: lets a test move the clock as if the worker waited. */
  public onAcquire: (() => void) | undefined;

  public constructor(options: InMemoryOptions = {}) {
    super(['acquire'], options);
  }

  public async acquire(_count: number): Promise<void> {
    await this.enter('acquire', arguments);
    this.onAcquire?.();
  }
}
