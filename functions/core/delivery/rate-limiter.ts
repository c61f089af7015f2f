/**
 * Send-rate limiting. {@link PacedRateLimiter} spaces the sends of one process evenly at the
 * rate it is given (no bursts); {@link SharedRateLimiter} holds every worker together: each
 * paces its own sends and takes each one from a per-second budget shared through a
 * {@link RateWindowStore} (DynamoDB), so no calendar second goes over the account rate.
 */
import type { RateWindowStore, SendRateLimiter } from './ports.ts';

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

/**
 * Holds all workers under the account rate: each worker spaces its own sends evenly at the
 * rate, and before each send takes one from the current second's shared budget (a few at a
 * time, cached for that second only), so that the sends started in any calendar second, by
 * every worker together, never exceed the rate. A budget left over when the second ends is
 * dropped (the safe side).
 *
 * @example
 * ```ts
 * const limiter = new SharedRateLimiter(store, async () => quota.maxSendRate);
 * await limiter.acquire(1); // then send
 * ```
 */
export class SharedRateLimiter implements SendRateLimiter {
  readonly #store: RateWindowStore;
  readonly #rate: () => Promise<number>;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #clock: () => number;
  #granted = 0;
  #second = -1;
  #nextAt = 0;
  #pending: Promise<void> = Promise.resolve();

  public constructor(store: RateWindowStore, rate: () => Promise<number>, options: { sleep?: (ms: number) => Promise<void>; now?: () => number } = {}) {
    this.#store = store;
    this.#rate = rate;
    this.#sleep = options.sleep ?? defaultSleep;
    this.#clock = options.now ?? Date.now;
  }

  public acquire(count: number): Promise<void> {
    // One turn at a time in this worker: pace, then take from the shared budget.
    const turn = this.#pending.then(() => this.#turn(count));
    this.#pending = turn.catch(() => undefined);
    return turn;
  }

  async #turn(count: number): Promise<void> {
    const rate = await this.#rate();
    if (!(rate > 0) || !Number.isFinite(rate)) return;
    const wait = this.#nextAt - this.#clock();
    if (wait > 0) await this.#sleep(wait);
    await this.#take(count, rate);
    this.#nextAt = this.#clock() + (count * 1000) / rate;
  }

  async #take(count: number, rate: number): Promise<void> {
    const max = Math.max(1, Math.floor(rate));
    const chunk = Math.max(count, Math.min(Math.ceil(rate / 4), 25));
    for (;;) {
      const second = Math.floor(this.#clock() / 1000);
      if (second !== this.#second) {
        this.#second = second;
        this.#granted = 0;
      }
      if (this.#granted >= count) {
        this.#granted -= count;
        return;
      }
      const got = await this.#store.take(second, chunk, max);
      // A budget that arrives after its second ended is not used (it would spill into the next).
      if (got > 0 && Math.floor(this.#clock() / 1000) === second) {
        this.#granted += got;
        continue;
      }
      if (got > 0) continue;
      await this.#sleep(1000 - (this.#clock() % 1000) + 1);
    }
  }
}
