/**
 * The SES stand-in's judgment of MaxSendRate: a request is over the rate when accepting it
 * would put more than MaxSendRate accepted requests into some one-second window [t, t + 1000)
 * of arrival times, the same measure as the rate-cap benchmark's "most in a sliding second".
 * Requests are judged when their body is in, which need not be the order they arrived in
 * (four workers, bodies of 100 KB): the arrival times are kept sorted, so a request judged
 * after a later one is still judged by its own arrival time.
 */

/** First index in sorted `xs` whose value is at least `x` (`strict`: greater than `x`). */
function lowerBound(xs: readonly number[], x: number, strict = false): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const v = xs[mid] as number;
    if (v < x || (strict && v === x)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Accepted arrival times of the last seconds, sorted.
 *
 * @example
 * ```ts
 * const gate = new SlidingSecond();
 * if (!gate.wouldExceed(at, 14)) gate.add(at);
 * ```
 */
export class SlidingSecond {
  #times: number[] = [];

  /** Whether one more arrival at `at` (epoch ms) would put more than `max` into some window [t, t + 1000) holding `at`. */
  public wouldExceed(at: number, max: number): boolean {
    const times = this.#times;
    // The windows that hold `at` start in (at - 1000, at]. The fullest of them starts at an
    // arrival or at `at` (a window moved right until its left edge meets its first arrival
    // loses none and may gain some).
    const first = lowerBound(times, at - 1000, true);
    const starts = [at];
    for (let i = first; i < times.length && (times[i] as number) <= at; i++) starts.push(times[i] as number);
    for (const start of starts) {
      const inWindow = lowerBound(times, start + 1000) - lowerBound(times, start);
      if (inWindow + 1 > max) return true;
    }
    return false;
  }

  /** Records an accepted arrival; forgets those more than a few seconds older than the newest. */
  public add(at: number): void {
    const times = this.#times;
    times.splice(lowerBound(times, at, true), 0, at);
    const keepFrom = lowerBound(times, (times.at(-1) as number) - 5_000);
    if (keepFrom > 1_000) this.#times = times.slice(keepFrom);
  }

  /** Forgets every arrival (the rate changed). */
  public clear(): void {
    this.#times = [];
  }
}

/**
 * The shortest time spanned by `count` + 1 consecutive arrivals of `sorted` (ascending), ms;
 * Infinity when there are fewer. Under 1,000 with `count` = MaxSendRate, some sliding second
 * held more than the rate (the rate-cap benchmark and the four-worker rate test report it).
 *
 * @example
 * ```ts
 * tightestSpan([0, 400, 1100, 1300], 2); // 900
 * ```
 */
export function tightestSpan(sorted: readonly number[], count: number): number {
  let least = Number.POSITIVE_INFINITY;
  for (let i = 0; i + count < sorted.length; i++) least = Math.min(least, (sorted[i + count] as number) - (sorted[i] as number));
  return least;
}
