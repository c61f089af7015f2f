/**
 * The account's 24-hour sending quota as one process sees it: the provider's figures
 * (GetSendQuota, looked at once a minute), less what this process sent since. Workers check
 * it before they take a lease, and the fan-out before each page, so that an exhausted quota
 * stops the work where it is (queued, not dead-lettered) instead of burning SES calls.
 * Several workers each keep their own view, so together they may still overshoot a little;
 * SES's own "Daily message quota exceeded" answer is handled the same way.
 */
import { QuotaExhaustedError } from '../errors.ts';
import type { DailyQuota, SendQuota } from './ports.ts';

/** The reason an edition carries while the daily quota holds it up. */
export const QUOTA_REASON_PREFIX = 'daily sending quota exhausted';

/**
 * True when an edition's reason was set by a quota stop (so it may be cleared when sending resumes).
 *
 * @example
 * ```ts
 * isQuotaReason('daily sending quota exhausted: fan-out held'); // true
 * ```
 */
export function isQuotaReason(reason: string | undefined): boolean {
  return reason?.startsWith(QUOTA_REASON_PREFIX) ?? false;
}

interface Snapshot {
  remaining: number;
  at: number;
  exhausted?: string;
}

/**
 * @example
 * ```ts
 * const quota = new QuotaGuard(() => mail.getQuota());
 * await quota.ensureAvailable(); // throws QuotaExhaustedError when Max24HourSend - SentLast24Hours <= 0
 * quota.recordSent();
 * ```
 */
export class QuotaGuard implements DailyQuota {
  readonly #fetch: () => Promise<SendQuota>;
  readonly #refreshMs: number;
  readonly #now: () => number;
  #snapshot: Snapshot | undefined;
  #loading: Promise<Snapshot> | undefined;
  #sentSince = 0;

  public constructor(fetch: () => Promise<SendQuota>, options: { refreshMs?: number; now?: () => number } = {}) {
    this.#fetch = fetch;
    this.#refreshMs = options.refreshMs ?? 60_000;
    this.#now = options.now ?? Date.now;
  }

  public async remaining(): Promise<number> {
    const snapshot = await this.#current();
    if (snapshot.exhausted !== undefined) return 0;
    return Math.max(0, snapshot.remaining - this.#sentSince);
  }

  public async ensureAvailable(): Promise<void> {
    if ((await this.remaining()) > 0) return;
    throw new QuotaExhaustedError(this.#snapshot?.exhausted ?? `${QUOTA_REASON_PREFIX}: Max24HourSend reached`);
  }

  public recordSent(count = 1): void {
    this.#sentSince += count;
  }

  public markExhausted(reason: string): void {
    this.#snapshot = { remaining: 0, at: this.#now(), exhausted: reason };
  }

  async #current(): Promise<Snapshot> {
    const snapshot = this.#snapshot;
    if (snapshot && this.#now() - snapshot.at < this.#refreshMs) return snapshot;
    this.#loading ??= this.#load(snapshot).finally(() => {
      this.#loading = undefined;
    });
    return this.#loading;
  }

  async #load(previous: Snapshot | undefined): Promise<Snapshot> {
    try {
      const quota = await this.#fetch();
      const remaining = quota.max24HourSend < 0 ? Number.POSITIVE_INFINITY : quota.max24HourSend - quota.sentLast24Hours;
      this.#snapshot = { remaining, at: this.#now() };
      this.#sentSince = 0;
      return this.#snapshot;
    } catch (error) {
      // GetSendQuota failing must not stop sending: keep the last view, if there is one.
      if (previous) return previous;
      throw error;
    }
  }
}
