/**
 * Small concurrency helpers shared by the use cases.
 */

/**
 * Runs `fn` over `items` with at most `limit` calls in flight, keeping the order of results.
 *
 * @example
 * ```ts
 * const sizes = await mapBounded(keys, 16, (k) => head(k));
 * ```
 */
export async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** How {@link retryWithBackoff} tries again. */
export interface RetryOptions {
  /** Tries in all, the first included (at least 1). */
  attempts: number;
  /** The wait before try n+1 is a random time under min(capMs, baseMs × 2^(n-1)) (full jitter). */
  baseMs: number;
  capMs: number;
  /** Whether an error is worth another try (default: every error). */
  retryable?: (error: unknown) => boolean;
  sleep?: (ms: number) => Promise<void>;
  /** Random numbers in [0, 1) for the jitter. */
  random?: () => number;
}

/**
 * Calls `fn` until it succeeds, at most `attempts` times, waiting with full-jitter
 * exponential backoff between tries; throws the last error, or at once an error that is not
 * `retryable`.
 *
 * @example
 * ```ts
 * const value = await retryWithBackoff(() => readParameter(name), { attempts: 3, baseMs: 200, capMs: 1_000 });
 * ```
 */
export async function retryWithBackoff<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = options.random ?? Math.random;
  const attempts = Math.max(1, options.attempts);
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (attempt >= attempts || (options.retryable && !options.retryable(error))) throw error;
      await sleep(random() * Math.min(options.capMs, options.baseMs * 2 ** (attempt - 1)));
    }
  }
}
