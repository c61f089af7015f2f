/**
 * Waiting for something asynchronous in tests, with a deadline (tests never sleep-to-wait).
 */

export interface PollOptions {
  /** Give up after this long (default 5000 ms). */
  timeoutMs?: number;
  /** Pause between attempts (default 25 ms). */
  intervalMs?: number;
  /** What was awaited, for the timeout error. */
  message?: string;
}

/**
 * Calls `fn` until it returns something other than `undefined` or `false`, and returns that.
 * An exception thrown by `fn` counts as "not yet"; the last one is reported on timeout.
 *
 * @throws Error `Timed out after <n> ms waiting for <message>` when the deadline passes.
 * @example
 * ```ts
 * const mail = await pollUntil(async () => (await store()).find((m) => m.subject === 'Hi'), {
 *   message: 'the mail to reach the mailbox',
 * });
 * ```
 */
export async function pollUntil<T>(
  fn: () => Promise<T | undefined | false>,
  options: PollOptions = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const intervalMs = options.intervalMs ?? 25;
  const deadline = Date.now() + timeoutMs;
  let attempts = 0;
  let lastError: unknown;
  for (;;) {
    attempts++;
    try {
      const value = await fn();
      if (value !== undefined && value !== false) return value;
      lastError = undefined;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) break;
    await new Promise((resolve) => setTimeout(resolve, Math.min(intervalMs, Math.max(0, deadline - Date.now()))));
  }
  const what = options.message ?? 'the condition';
  const cause = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
  throw new Error(`Timed out after ${timeoutMs} ms (${attempts} attempts) waiting for ${what}${cause}`, {
    cause: lastError,
  });
}
