/**
 * Rate limiting in memory: the shared send slots (SendSlotStore), the subscribe
 * limiter's fixed windows (RateLimiter), and a send-rate limiter that never waits.
 */
import type { SendRateLimiter } from '../../../functions/core/delivery/ports.ts';
import type { SendSlotStore } from '../../../functions/core/delivery/ports.ts';
import type { RateLimitDecision, RateLimiter } from '../../../functions/core/subscribers/ports.ts';
import { InMemoryAdapter, type InMemoryOptions } from './adapter.ts';

/**
 * The shared sequences of send slots in this process, as the DynamoDB store claims them (one
 * process only: workers in other processes need the shared store).
 *
 * @example
 * ```ts
 * const slots = new InMemorySendSlotStore();
 * const limiter = new SharedRateLimiter(slots, async () => 14);
 * ```
 */
export class InMemorySendSlotStore extends InMemoryAdapter<'claim'> implements SendSlotStore {
  /** The next free slot, by sequence. */
  public readonly used = new Map<string, number>();

  public constructor(options: InMemoryOptions = {}) {
    super(['claim'], options);
  }

  public async claim(sequence: string, count: number, from: number): Promise<number> {
    await this.enter('claim', arguments);
    const next = this.used.get(sequence) ?? 0;
    const first = Math.max(next, from);
    this.used.set(sequence, first + count);
    return first;
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

  public async acquire(_count: number, _options?: { leadMs?: number; more?: number }): Promise<void> {
    await this.enter('acquire', arguments);
    this.onAcquire?.();
  }
}
