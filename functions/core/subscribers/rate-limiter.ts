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

