/**
 * Ports of the subscribers module. Adapters: functions/adapters/dynamodb-subscriber-repository.ts
 * (SubscriberRepository, OnceStore), functions/adapters/dynamodb-rate-limiter.ts (RateLimiter),
 * functions/adapters/ses-confirmation-mailer.ts (ConfirmationMailer); the alerts module's
 * AlertFollowingService (AlertFollowing).
 */
import type { Segment, Subscriber, SubscriberPage, SubscriberStatus } from './types.ts';

/** Where subscribers are kept. */
export interface SubscriberRepository {
  /** The subscriber with this id, or undefined. */
  get(id: string): Promise<Subscriber | undefined>;
  /**
   * The subscribers with these ids, read as `get` reads them (strongly consistent), in as few
   * calls as the store allows; ids with no subscriber are absent from the map.
   */
  getMany(ids: readonly string[]): Promise<Map<string, Subscriber>>;
  /** Creates or replaces a subscriber. */
  put(subscriber: Subscriber): Promise<void>;
  /**
   * Creates or replaces many subscribers in as few calls as the store allows (each write as
   * `put` would do it; not atomic as a whole). Optional: imports fall back to `put`.
   */
  putMany?(subscribers: readonly Subscriber[]): Promise<void>;
  /**
   * Changes the status, unless the current status is one of `unlessIn`
   * (so that an out-of-order notification cannot undo a suppression). Returns whether it changed.
   */
  setStatus(id: string, status: SubscriberStatus, options?: { unlessIn?: SubscriberStatus[] }): Promise<boolean>;
  /** One page of confirmed subscribers in a segment, at most `limit` of them. */
  pageSegment(segment: Segment, options: { limit: number; cursor?: string }): Promise<SubscriberPage>;
  /** How many confirmed subscribers a segment has now (the editors' dry run), counted on the segment's index. */
  countSegment(segment: Segment): Promise<number>;
  /** Every subscriber, page by page, for exports. */
  pageAll(options: { limit: number; cursor?: string }): Promise<SubscriberPage>;
  /**
   * Reads, changes and writes one subscriber as one atomic step (optimistic: retried when a
   * concurrent write got in between). `mutate` gets the current subscriber (undefined when
   * there is none) and returns the new one, or undefined to leave things as they are; it may
   * run more than once, so it must not have side effects.
   * Returns the subscriber as stored afterwards (undefined when there is none).
   */
  update(
    id: string,
    mutate: (current: Subscriber | undefined) => Subscriber | undefined,
  ): Promise<Subscriber | undefined>;
}

/**
 * Port: remembers keys that may be used once (single-use confirmation nonces, processed
 * feedback notification ids). Adapter: DynamoDbOnceStore.
 */
export interface OnceStore {
  /**
   * Claims a key. True the first time, false when it was claimed before. The record may be
   * forgotten after `expiresAt` (epoch seconds).
   */
  claim(key: string, expiresAt: number): Promise<boolean>;
  /** Gives up a claim (the work it guarded failed and may be retried). */
  release(key: string): Promise<void>;
}

/** Fixed-window rate limiting (the subscribe limits). */
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

/**
 * Keeps the keyword index of alerts in step with a subscriber: only confirmed subscribers
 * whose alerts are on follow their keywords. Every use case that changes a subscriber's
 * status, cadence, keywords, zone or delivery hour calls it once, with the subscriber before
 * and after the change, and it writes only the difference. Implemented by the alerts module
 * (AlertFollowingService); none, or a no-op, when alerts are not wired.
 */
export interface AlertFollowing {
  /**
   * Makes the index hold what `after` follows, given that it held what `before` followed.
   * Idempotent: calling it again with the same pair writes the same entries.
   */
  sync(before: Subscriber | undefined, after: Subscriber | undefined): Promise<void>;
}

/**
 * Sends the double opt-in confirmation mail. The wiring renders it with the rendering module
 * (renderConfirmationEmail, MJML) and sends it through the mail provider; the core never
 * loads MJML.
 *
 * It takes no name on purpose: whoever asks for a subscription may give any address, so
 * nothing else from the request may reach that inbox (docs/security.md, "Subscriber input").
 */
export interface ConfirmationMailer {
  sendConfirmation(to: string, confirmUrl: string): Promise<void>;
}
