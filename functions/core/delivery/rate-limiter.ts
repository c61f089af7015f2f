/**
 * Send-rate limiting. {@link PacedRateLimiter} spaces the sends of one process evenly at the
 * rate it is given (no bursts); {@link SharedRateLimiter} holds every worker together: all
 * of them take their sends from one shared sequence of evenly spaced slots
 * ({@link SendSlotStore}, DynamoDB), so the sends of all workers together are spaced as
 * one worker's would be, and no one-second window, sliding or calendar, holds more than the
 * account rate.
 */
import type { SendRateLimiter, SendSlotStore } from './ports.ts';

/** Waits `ms` milliseconds. */
const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
/** Lets the callbacks due in this turn of the event loop run first. */
const nextTurn = () => new Promise<void>((r) => setImmediate(r));

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
    this.#now = options.now ?? Date.now;
  }

  public async acquire(count: number, options: { leadMs?: number } = {}): Promise<number | void> {
    const rate = await this.#rate();
    if (!(rate > 0) || !Number.isFinite(rate)) return;
    const now = this.#now();
    const slot = Math.max(now, this.#next);
    this.#next = slot + (count * 1000) / rate;
    const wait = slot - (options.leadMs ?? 0) - now;
    if (wait > 0) await this.#sleep(wait);
    return slot;
  }
}

/** A slot this far in the past is still handed out (the send waits at most this little behind it). */
const STALE_MS = 3;
/** Claims never ask for slots further ahead than this. */
const MAX_AHEAD_MS = 250;

/** Tuning of {@link SharedRateLimiter}. */
export interface SharedRateLimiterOptions {
  sleep?: (ms: number) => Promise<void>;
  /** Epoch milliseconds (every worker must read the same clock: NTP on Lambda). */
  now?: () => number;
  /**
   * Share of the rate left unused (default 0.02). Slots are spaced 1/(rate × (1 − margin))
   * apart, so rate + 1 consecutive sends span 1 s + about 20 ms: a send that reaches SES up
   * to that much later than its slot (network and scheduling jitter) still leaves every
   * sliding one-second window at or under the rate.
   */
  margin?: number;
  /** The most slots one claim takes (default a quarter of a second's worth, 1 to 25). */
  maxClaim?: number;
}

/**
 * Holds all workers under the account rate. The slots of one shared sequence are evenly
 * spaced in time (slot n at n × spacing, epoch ms); a worker claims consecutive slots (one
 * `ADD` per claim) and hands them to its sends in order. A claim takes as many slots as the
 * worker's sends waiting for one plus those it said are about to ask (`more`: its batch's
 * tasks not started yet), at most a quarter of a second's worth (1 to 25): a slot claimed
 * and not used is a gap in the sequence no other worker can fill. A send must not start
 * before its slot's time; a slot whose time passed without its send (the worker was late
 * or had nothing to send) is dropped, the safe side. Every send of every worker therefore
 * starts at its own slot, and slots are 1/rate apart or more.
 *
 * Why a late send gives its slot up rather than go late: with slots s = 1000 ÷ (rate × (1 −
 * margin)) ms apart, a sliding second holds more than `rate` arrivals only if the request
 * of slot i arrives more than 1000 × margin ÷ (1 − margin) ms (≈ 20 ms) later, behind its
 * slot, than the request of slot i + rate does behind its own. Sends never start before
 * their slot, so keeping every request within ≈ 20 ms of its slot is enough, and it is the
 * only rule one worker can keep on its own: slot i + rate is a second ahead, usually
 * another worker's. Letting a send go δ > 20 ms late safely would need ⌈(δ − 20) ÷ s⌉ slots
 * of that later second left unused, never fewer than the one slot given up now.
 *
 * @example
 * ```ts
 * const limiter = new SharedRateLimiter(store, async () => quota.maxSendRate);
 * const at = await limiter.acquire(1, { leadMs: 20 }); // prepare, then send at `at`
 * ```
 */
export class SharedRateLimiter implements SendRateLimiter {
  readonly #store: SendSlotStore;
  readonly #rate: () => Promise<number>;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #clock: () => number;
  readonly #margin: number;
  readonly #maxClaim: number | undefined;
  /** The claimed slots not handed out yet: [#next, #end) of sequence #sequence. */
  #sequence = '';
  #next = 0;
  #end = 0;
  /** How long a claim took lately (ms, moving average): claims ask for slots at least that far ahead. */
  #claimMs = 5;
  /** Slots asked for by the `acquire` calls of this worker not served yet (the one being served included). */
  #demand = 0;
  /** Sends this worker said it is about to ask for (`more` of the latest `acquire`). */
  #more = 0;
  #pending: Promise<unknown> = Promise.resolve();

  public constructor(store: SendSlotStore, rate: () => Promise<number>, options: SharedRateLimiterOptions = {}) {
    this.#store = store;
    this.#rate = rate;
    this.#sleep = options.sleep ?? defaultSleep;
    this.#clock = options.now ?? Date.now;
    this.#margin = Math.min(0.5, Math.max(0, options.margin ?? 0.02));
    this.#maxClaim = options.maxClaim;
  }

  public async acquire(count: number, options: { leadMs?: number; more?: number } = {}): Promise<number | void> {
    const wanted = Math.max(1, count);
    // Counted at once (before any await), so a claim sees every send that is waiting, and
    // the latest word on the sends about to ask.
    this.#demand += wanted;
    if (options.more !== undefined) this.#more = Math.max(0, options.more);
    let at: number;
    try {
      const rate = await this.#rate();
      if (!(rate > 0) || !Number.isFinite(rate)) {
        this.#demand -= wanted;
        return;
      }
      // One claim at a time in this worker: slots are handed out in order.
      const turn = this.#pending.then(() => this.#slot(rate, wanted, options.leadMs ?? 0));
      this.#pending = turn.catch(() => undefined);
      at = await turn;
    } catch (error) {
      this.#demand -= wanted; // not served (#slot counts the ones it serves)
      throw error;
    }
    const wait = at - (options.leadMs ?? 0) - this.#clock();
    if (wait > 0) await this.#sleep(wait);
    return at;
  }

  /** The time of the first of `count` consecutive slots for this worker, claiming more when needed (`leadMs` ahead at least). */
  async #slot(rate: number, count: number, leadMs: number): Promise<number> {
    const spacing = 1000 / (rate * (1 - this.#margin));
    const sequence = `SEQ#${Math.round(spacing * 1000)}us`;
    if (sequence !== this.#sequence) {
      this.#sequence = sequence;
      this.#next = this.#end = 0;
    }
    const maxClaim = Math.max(count, this.#maxClaim ?? Math.min(25, Math.max(1, Math.ceil(rate / 4))));
    let settled = false;
    for (;;) {
      // Slots more than a moment in the past are of no use (a send there would come late): skip them.
      const now = this.#clock();
      const stale = Math.ceil((now - STALE_MS) / spacing);
      if (this.#next < stale) this.#next = Math.min(this.#end, stale);
      if (this.#end - this.#next >= count) {
        const first = this.#next;
        this.#next += count;
        this.#demand -= count;
        return first * spacing;
      }
      // The sends of a batch ask for their slots together, but not in one tick (each first looks
      // at the quota and the edition): before a claim smaller than the most, let the ones about
      // to ask do so (one turn of the event loop), so one claim covers them.
      if (!settled && this.#demand + this.#more < maxClaim) {
        settled = true;
        await nextTurn();
        continue;
      }
      // A quarter of a second's worth at a time at most, so one write covers several sends; but
      // no more than the sends waiting for one or about to ask: a slot claimed and not used is
      // a gap in the shared sequence that no other worker can fill (at the end of every batch,
      // it would cost rate).
      const want = Math.min(maxClaim, Math.max(count, this.#demand + this.#more));
      // Ask for slots from when the claim will have come back and the caller prepared its send
      // (else, at high rates, every slot a claim brings would already have passed).
      const from = Math.ceil((now + Math.min(MAX_AHEAD_MS, 2 * this.#claimMs + 2 + leadMs)) / spacing);
      const first = await this.#store.claim(sequence, want, from);
      this.#claimMs += (Math.max(0, this.#clock() - now) - this.#claimMs) * 0.2;
      this.#next = first;
      this.#end = first + want;
    }
  }
}
