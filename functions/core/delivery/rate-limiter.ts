/**
 * Send-rate limiting. {@link PacedRateLimiter} spaces the sends of one worker evenly at the
 * rate it is given (no bursts at second boundaries, so no one-second window goes over);
 * {@link SharedRateLimiter} holds every worker together by taking per-second budgets from a
 * shared {@link RateWindowStore} (DynamoDB) and pacing what it got.
 */
import type { SendRateLimiter } from './ports.ts';

/** Waits `ms` milliseconds. */
const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Spaces sends evenly at `rate` per second.
 *
 * @example
 * ```ts
 * const limiter = new PacedRateLimiter(async () => 14);
 * await limiter.acquire(1);
 * ```
 */
export class PacedRateLimiter implements SendRateLimiter {
  readonly #rate: () => Promise<number>;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #now: () => number;
  #next = 0;

  public constructor(rate: () => Promise<number>, options: { sleep?: (ms: number) => Promise<void>; now?: () => number } = {}) {
    this.#rate = rate;
    this.#sleep = options.sleep ?? defaultSleep;
    this.#now = options.now ?? (() => performance.now());
  }

  public async acquire(count: number): Promise<void> {
    const rate = await this.#rate();
    if (!(rate > 0) || !Number.isFinite(rate)) return;
    const now = this.#now();
    const slot = Math.max(now, this.#next);
    this.#next = slot + (count * 1000) / rate;
    if (slot > now) await this.#sleep(slot - now);
  }
}

/** Per-second send budgets shared by every worker. */
export interface RateWindowStore {
  /** Takes up to `wanted` sends from the budget of second `epochSecond` (cap `max`); returns how many it got. */
  take(epochSecond: number, wanted: number, max: number): Promise<number>;
}

/**
 * Holds all workers under the account rate: each worker takes a few sends at a time from
 * the current second's shared budget, and spaces them evenly inside the second.
 *
 * @example
 * ```ts
 * const limiter = new SharedRateLimiter(store, async () => quota.maxSendRate);
 * ```
 */
export class SharedRateLimiter implements SendRateLimiter {
  readonly #store: RateWindowStore;
  readonly #rate: () => Promise<number>;
  readonly #pacer: PacedRateLimiter;
  readonly #sleep: (ms: number) => Promise<void>;
  #granted = 0;
  #second = -1;
  #pending: Promise<void> = Promise.resolve();

  public constructor(store: RateWindowStore, rate: () => Promise<number>, options: { sleep?: (ms: number) => Promise<void> } = {}) {
    this.#store = store;
    this.#rate = rate;
    this.#sleep = options.sleep ?? defaultSleep;
    this.#pacer = new PacedRateLimiter(rate, options);
  }

  public acquire(count: number): Promise<void> {
    // Serialise budget taking; pacing happens after.
    const turn = this.#pending.then(() => this.#take(count));
    this.#pending = turn.catch(() => undefined);
    return turn.then(() => this.#pacer.acquire(count));
  }

  async #take(count: number): Promise<void> {
    const rate = await this.#rate();
    if (!(rate > 0)) return;
    const chunk = Math.max(count, Math.min(Math.ceil(rate / 4), 25));
    for (;;) {
      const second = Math.floor(Date.now() / 1000);
      if (second !== this.#second) {
        this.#second = second;
        this.#granted = 0;
      }
      if (this.#granted >= count) {
        this.#granted -= count;
        return;
      }
      const got = await this.#store.take(second, chunk, Math.floor(rate));
      if (got > 0 && Math.floor(Date.now() / 1000) === second) {
        this.#granted += got;
        continue;
      }
      await this.#sleep(1000 - (Date.now() % 1000) + 1);
    }
  }
}
