/**
 * Noticing that this process's parent has ended, however it ended (SIGKILL included). Node has
 * no parent-death signal, but an orphan is re-parented (to init or a subreaper), so its parent
 * pid changes; checking it twice a second costs nothing.
 */

/**
 * Calls `onGone` once, when the parent this process started with has ended. Returns a
 * function that stops watching. The timer does not keep the process alive.
 *
 * @example
 * ```ts
 * whenParentGone(() => void stop()); // npm killed with SIGKILL: stop as on Ctrl-C
 * ```
 */
export function whenParentGone(onGone: () => void, intervalMs = 500): () => void {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    onGone();
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
