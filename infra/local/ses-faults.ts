/**
 * Fault injection for the local SES endpoint: which SendRawEmail calls are throttled,
 * rejected, fail, hang or are accepted without an answer, decided with a seeded random
 * generator so runs are reproducible.
 */

/** Faults the SES front injects; everything absent means "no fault". */
export interface SesFaults {
  /** Share (0..1) of SendRawEmail calls answered `Throttling` (HTTP 400). */
  throttleShare?: number;
  /** Share (0..1) answered HTTP 500 `InternalFailure` or 503 `ServiceUnavailable`. */
  serverErrorShare?: number;
  /** Milliseconds added to every SendRawEmail answer. */
  latencyMs?: number;
  /** Destinations answered `MessageRejected` (case-insensitive), every time. */
  rejectAddresses?: string[];
  /**
   * Destinations whose SendRawEmail is never answered and not accepted (a hung call): the
   * connection stays open until the client gives up.
   */
  hangAddresses?: string[];
  /**
   * Destinations whose SendRawEmail is accepted (stored, Send event published) but never
   * answered: SES took the message and its answer is lost.
   */
  holdAddresses?: string[];
  /** Accepted sends left before `Throttling` "Daily message quota exceeded.". */
  quotaRemaining?: number;
  /** MaxSendRate reported by GetSendQuota (default 14, a fresh production account). */
  maxSendRate?: number;
  /**
   * Enforce MaxSendRate as SES does: a SendRawEmail that arrives when `maxSendRate` messages
   * were already accepted in the one second before it (a sliding window, stamped on arrival)
   * is answered `Throttling` "Maximum sending rate exceeded." (default off: most tests check
   * other things and the limiter is tested on its own).
   */
  enforceRate?: boolean;
  /** Max24HourSend reported by GetSendQuota when no quotaRemaining is set (default 50000). */
  max24HourSend?: number;
  /** Seed of the random generator (default 1); setting faults restarts the sequence. */
  seed?: number;
}

/** What one SendRawEmail call is answered. */
export type SendOutcome =
  | { kind: 'accepted' }
  | { kind: 'rejected'; address: string }
  /** Never answered, not accepted. */
  | { kind: 'hang' }
  /** Accepted, never answered. */
  | { kind: 'held' }
  | { kind: 'throttled'; message: string }
  | { kind: 'error'; status: 500 | 503; code: 'InternalFailure' | 'ServiceUnavailable' };

export const DEFAULT_MAX_SEND_RATE = 14;
export const DEFAULT_MAX_24_HOUR_SEND = 50_000;

/** mulberry32: a small, fast, seedable generator of numbers in [0, 1). */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function share(value: number | undefined): number {
  return Math.min(1, Math.max(0, value ?? 0));
}

/**
 * Holds the current faults and decides each call's outcome.
 *
 * @example
 * ```ts
 * const plan = new FaultPlan({ throttleShare: 0.5, seed: 7 });
 * plan.decide(['a@example.com']).kind; // 'accepted' or 'throttled', the same every run
 * ```
 */
export class FaultPlan {
  #faults: SesFaults = {};
  #rejected = new Set<string>();
  #hang = new Set<string>();
  #hold = new Set<string>();
  #random: () => number = seededRandom(1);
  #quotaLeft: number | undefined;

  constructor(faults: SesFaults = {}) {
    this.set(faults);
  }

  /** Replaces every fault (absent ones are switched off) and restarts the random sequence. */
  set(faults: SesFaults): void {
    this.#faults = this.#copy(faults);
    this.#rejected = new Set(this.#faults.rejectAddresses?.map((a) => a.toLowerCase()));
    this.#hang = new Set(this.#faults.hangAddresses?.map((a) => a.toLowerCase()));
    this.#hold = new Set(this.#faults.holdAddresses?.map((a) => a.toLowerCase()));
    this.#random = seededRandom(faults.seed ?? 1);
    this.#quotaLeft = faults.quotaRemaining;
  }

  /** The current faults. */
  get(): SesFaults {
    return this.#copy(this.#faults);
  }

  #copy(faults: SesFaults): SesFaults {
    return {
      ...faults,
      rejectAddresses: [...(faults.rejectAddresses ?? [])],
      ...(faults.hangAddresses ? { hangAddresses: [...faults.hangAddresses] } : {}),
      ...(faults.holdAddresses ? { holdAddresses: [...faults.holdAddresses] } : {}),
    };
  }

  get latencyMs(): number {
    return Math.max(0, this.#faults.latencyMs ?? 0);
  }

  /** Whether requests above MaxSendRate are throttled (see {@link SesFaults.enforceRate}). */
  get enforceRate(): boolean {
    return this.#faults.enforceRate === true;
  }

  get maxSendRate(): number {
    return this.#faults.maxSendRate ?? DEFAULT_MAX_SEND_RATE;
  }

  /** Max24HourSend to report, given how many were sent: the quota left counts down to 0. */
  max24HourSend(sent: number): number {
    if (this.#quotaLeft !== undefined) return sent + this.#quotaLeft;
    return this.#faults.max24HourSend ?? DEFAULT_MAX_24_HOUR_SEND;
  }

  /**
   * Decides one call. Rejection is checked first (it is permanent), then a hang, server
   * errors, throttling and the daily quota; an accepted call to a held address is `held`.
   * Three random numbers are drawn per call whatever the faults, so the sequence depends
   * only on the seed and the call order.
   */
  decide(destinations: readonly string[]): SendOutcome {
    const [errorDraw, codeDraw, throttleDraw] = [this.#random(), this.#random(), this.#random()];
    const rejected = destinations.find((d) => this.#rejected.has(d.toLowerCase()));
    if (rejected) return { kind: 'rejected', address: rejected };
    if (destinations.some((d) => this.#hang.has(d.toLowerCase()))) return { kind: 'hang' };
    if (errorDraw < share(this.#faults.serverErrorShare)) {
      return codeDraw < 0.5
        ? { kind: 'error', status: 500, code: 'InternalFailure' }
        : { kind: 'error', status: 503, code: 'ServiceUnavailable' };
    }
    if (throttleDraw < share(this.#faults.throttleShare)) {
      return { kind: 'throttled', message: 'Maximum sending rate exceeded.' };
    }
    if (this.#quotaLeft !== undefined) {
      if (this.#quotaLeft <= 0) return { kind: 'throttled', message: 'Daily message quota exceeded.' };
      this.#quotaLeft--;
    }
    if (destinations.some((d) => this.#hold.has(d.toLowerCase()))) return { kind: 'held' };
    return { kind: 'accepted' };
  }
}
