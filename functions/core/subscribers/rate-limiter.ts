/**
 * Port: fixed-window rate limiting. Adapter: functions/adapters/dynamodb-rate-limiter.ts.
 */

export interface RateLimitDecision {
  allowed: boolean;
  /** Hits left in this window (0 when refused). */
  remaining: number;
  /** Seconds until the window ends. */
  retryAfterSeconds: number;
}

export interface RateLimiter {
  /**
   * Counts one hit for `key` in the current window of `windowSeconds` and says whether it is
   * within `limit`. `key` must already be opaque (hash addresses and IPs before).
   */
  hit(key: string, limit: number, windowSeconds: number, now?: Date): Promise<RateLimitDecision>;
}

/**
 * A limiter in memory, for tests and single-process tools.
 *
 * @example
 * ```ts
 * const limiter = new InMemoryRateLimiter();
 * (await limiter.hit('ip#abc', 10, 3600)).allowed; // true
 * ```
 */
export class InMemoryRateLimiter implements RateLimiter {
  private readonly counts = new Map<string, number>();

  public async hit(key: string, limit: number, windowSeconds: number, now: Date = new Date()): Promise<RateLimitDecision> {
    const seconds = Math.floor(now.getTime() / 1000);
    const windowStart = seconds - (seconds % windowSeconds);
    const slot = `${key}@${windowStart}`;
    const count = (this.counts.get(slot) ?? 0) + 1;
    this.counts.set(slot, count);
    return {
      allowed: count <= limit,
      remaining: Math.max(0, limit - count),
      retryAfterSeconds: windowStart + windowSeconds - seconds,
    };
  }
}
