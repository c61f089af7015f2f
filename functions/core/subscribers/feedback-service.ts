/**
 * Use case: SES bounce and complaint feedback (the `Message` of an SNS notification).
 *
 * - A permanent bounce marks the address `bounced`; a complaint marks it `complained`.
 * - Transient (soft) and undetermined bounces are remembered; three within 30 days mark it
 *   `bounced`.
 * - Duplicates are harmless: each notification is claimed once by its feedback id, and
 *   soft-bounce times are a set. Out-of-order notifications are harmless: feedback only ever
 *   moves an address towards suppression (complained is the strongest), never back.
 *
 * Both SES formats are understood: identity notifications (`notificationType`) and
 * configuration-set event publishing (`eventType`).
 */
import { ValidationError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { normaliseEmail, subscriberIdFor } from './identity.ts';
import type { LogPseudonyms } from './pseudonyms.ts';
import type { AlertFollowing, OnceStore, SubscriberRepository } from './ports.ts';
import { SubscriberStatus, type Subscriber } from './types.ts';

/** Soft bounces within this window suppress an address… */
export const SOFT_BOUNCE_WINDOW_MS = 30 * 86_400_000;
/** …when there are this many. */
export const SOFT_BOUNCE_LIMIT = 3;
/** How long a processed feedback id is remembered (seconds). */
const FEEDBACK_MEMORY_SECONDS = 60 * 86_400;

export const FeedbackOutcome = {
  BOUNCED: 'bounced',
  COMPLAINED: 'complained',
  SOFT_BOUNCE: 'soft-bounce',
  UNCHANGED: 'unchanged',
  UNKNOWN_RECIPIENT: 'unknown-recipient',
  DUPLICATE: 'duplicate',
  IGNORED: 'ignored',
} as const;
export type FeedbackOutcome = (typeof FeedbackOutcome)[keyof typeof FeedbackOutcome];

export interface FeedbackResult {
  kind: 'bounce' | 'complaint' | 'other';
  /** One outcome per recipient (or one `duplicate` / `ignored`). */
  outcomes: FeedbackOutcome[];
}

interface Recipient {
  emailAddress?: unknown;
}

interface SesNotification {
  notificationType?: unknown;
  eventType?: unknown;
  bounce?: {
    bounceType?: unknown;
    bouncedRecipients?: unknown;
    timestamp?: unknown;
    feedbackId?: unknown;
  };
  complaint?: {
    complainedRecipients?: unknown;
    timestamp?: unknown;
    feedbackId?: unknown;
  };
  mail?: { messageId?: unknown; timestamp?: unknown };
}

export interface FeedbackServiceDeps {
  subscribers: SubscriberRepository;
  once: OnceStore;
  logger: Logger;
  /** Keyed pseudonyms of the addresses in log lines. */
  pseudonyms: LogPseudonyms;
  /** Takes suppressed addresses out of the alerts' keyword index (none: alerts are not wired). */
  following?: AlertFollowing;
  now?: () => Date;
}

function recipients(list: unknown): string[] {
  if (!Array.isArray(list)) return [];
  return list
    .map((r: Recipient) => (r && typeof r.emailAddress === 'string' ? r.emailAddress : undefined))
    .filter((e): e is string => e !== undefined);
}

/** A bare address from `a@b`, `<a@b>` or `Name <a@b>`. */
function bareAddress(value: string): string {
  const match = /<([^<>]+)>\s*$/.exec(value);
  return match?.[1] ?? value;
}

function validTime(value: unknown, fallback: Date): Date {
  if (typeof value === 'string') {
    const at = new Date(value);
    if (!Number.isNaN(at.getTime())) return at;
  }
  return fallback;
}

/**
 * Adds a soft bounce to a subscriber and says whether the address is now suppressed.
 * Keeps only the bounces within 30 days of the latest one (so an old notification arriving
 * late cannot push a healthy address over the limit, nor an out-of-order one be lost).
 */
export function withSoftBounce(subscriber: Subscriber, at: Date, now: Date): { next: Subscriber; suppress: boolean } {
  const times = new Set(subscriber.softBounces ?? []);
  times.add(at.toISOString());
  const cutoff = now.getTime() - SOFT_BOUNCE_WINDOW_MS;
  const kept = [...times].filter((t) => new Date(t).getTime() > cutoff).sort();
  const latest = kept.length > 0 ? new Date(kept[kept.length - 1]!).getTime() : 0;
  const inWindow = kept.filter((t) => new Date(t).getTime() > latest - SOFT_BOUNCE_WINDOW_MS);
  return {
    next: { ...subscriber, softBounces: kept },
    suppress: inWindow.length >= SOFT_BOUNCE_LIMIT,
  };
}

/** Statuses each feedback may not overwrite (suppression only gets stronger). */
const KEEP_ON_BOUNCE: readonly SubscriberStatus[] = [SubscriberStatus.BOUNCED, SubscriberStatus.COMPLAINED];
const KEEP_ON_COMPLAINT: readonly SubscriberStatus[] = [SubscriberStatus.COMPLAINED];

/**
 * Handles SES feedback.
 *
 * @example
 * ```ts
 * const service = new FeedbackService({ subscribers, once, logger, pseudonyms: new LogPseudonyms(key) });
 * for (const record of event.Records) await service.handle(record.Sns.Message, record.Sns.MessageId);
 * ```
 */
export class FeedbackService {
  readonly #d: FeedbackServiceDeps;
  readonly #now: () => Date;

  public constructor(deps: FeedbackServiceDeps) {
    this.#d = deps;
    this.#now = deps.now ?? (() => new Date());
  }

  /**
   * Handles one notification (the SNS `Message` text).
   *
   * @param fallbackId an id for deduplication when the notification has no feedback id
   *   (the SNS MessageId).
   * @throws ValidationError when the message is not JSON (the caller logs and drops it).
   */
  public async handle(message: string, fallbackId?: string): Promise<FeedbackResult> {
    let parsed: SesNotification;
    try {
      const value: unknown = JSON.parse(message);
      if (typeof value !== 'object' || value === null) throw new Error('not an object');
      parsed = value as SesNotification;
    } catch (cause) {
      throw new ValidationError('feedback: message is not a JSON object', { cause });
    }
    const type = String(parsed.notificationType ?? parsed.eventType ?? '');
    const now = this.#now();

    if (type === 'Bounce' && parsed.bounce) {
      const bounce = parsed.bounce;
      const permanent = bounce.bounceType === 'Permanent';
      const at = validTime(bounce.timestamp, validTime(parsed.mail?.timestamp, now));
      const id = typeof bounce.feedbackId === 'string' ? bounce.feedbackId : fallbackId;
      return this.#once('bounce', id, recipients(bounce.bouncedRecipients), (address) =>
        permanent ? this.#suppress(address, SubscriberStatus.BOUNCED) : this.#softBounce(address, at, now),
      );
    }
    if (type === 'Complaint' && parsed.complaint) {
      const complaint = parsed.complaint;
      const id = typeof complaint.feedbackId === 'string' ? complaint.feedbackId : fallbackId;
      return this.#once('complaint', id, recipients(complaint.complainedRecipients), (address) =>
        this.#suppress(address, SubscriberStatus.COMPLAINED),
      );
    }
    this.#d.logger.debug('feedback: ignored notification', { type });
    return { kind: 'other', outcomes: [FeedbackOutcome.IGNORED] };
  }

  async #once(
    kind: 'bounce' | 'complaint',
    id: string | undefined,
    addresses: string[],
    apply: (address: string) => Promise<FeedbackOutcome>,
  ): Promise<FeedbackResult> {
    const key = id === undefined ? undefined : `feedback#${kind}#${id}`;
    if (key !== undefined) {
      const expiresAt = Math.floor(this.#now().getTime() / 1000) + FEEDBACK_MEMORY_SECONDS;
      if (!(await this.#d.once.claim(key, expiresAt))) {
        this.#d.logger.info('feedback: duplicate ignored', { kind });
        return { kind, outcomes: [FeedbackOutcome.DUPLICATE] };
      }
    }
    try {
      const outcomes: FeedbackOutcome[] = [];
      for (const address of addresses) outcomes.push(await apply(address));
      return { kind, outcomes };
    } catch (error) {
      // Let a retry of this notification do the work again (every step is idempotent).
      if (key !== undefined) await this.#d.once.release(key);
      throw error;
    }
  }

  #idOf(address: string): { id: string; hash: string } | undefined {
    try {
      const email = normaliseEmail(bareAddress(address));
      return { id: subscriberIdFor(email), hash: this.#d.pseudonyms.email(email) };
    } catch {
      this.#d.logger.warn('feedback: unusable recipient address', { email: this.#d.pseudonyms.email(address) });
      return undefined;
    }
  }

  async #suppress(address: string, status: typeof SubscriberStatus.BOUNCED | typeof SubscriberStatus.COMPLAINED): Promise<FeedbackOutcome> {
    const who = this.#idOf(address);
    if (!who) return FeedbackOutcome.UNKNOWN_RECIPIENT;
    const existing = await this.#d.subscribers.get(who.id);
    if (!existing) {
      this.#d.logger.info('feedback: unknown recipient', { email: who.hash, status });
      return FeedbackOutcome.UNKNOWN_RECIPIENT;
    }
    const changed = await this.#d.subscribers.setStatus(who.id, status, {
      unlessIn: [...(status === SubscriberStatus.COMPLAINED ? KEEP_ON_COMPLAINT : KEEP_ON_BOUNCE)],
    });
    if (changed) await this.#d.following?.sync(existing, { ...existing, status });
    this.#d.logger.info(`feedback: ${status}`, { email: who.hash, changed });
    if (!changed) return FeedbackOutcome.UNCHANGED;
    return status === SubscriberStatus.BOUNCED ? FeedbackOutcome.BOUNCED : FeedbackOutcome.COMPLAINED;
  }

  async #softBounce(address: string, at: Date, now: Date): Promise<FeedbackOutcome> {
    const who = this.#idOf(address);
    if (!who) return FeedbackOutcome.UNKNOWN_RECIPIENT;
    let outcome: FeedbackOutcome = FeedbackOutcome.UNKNOWN_RECIPIENT;
    let before: Subscriber | undefined;
    const after = await this.#d.subscribers.update(who.id, (current) => {
      before = current;
      if (!current) {
        outcome = FeedbackOutcome.UNKNOWN_RECIPIENT;
        return undefined;
      }
      const { next, suppress } = withSoftBounce(current, at, now);
      next.updatedAt = now.toISOString();
      if (suppress && !KEEP_ON_BOUNCE.includes(current.status)) {
        next.status = SubscriberStatus.BOUNCED;
        outcome = FeedbackOutcome.BOUNCED;
      } else {
        outcome = FeedbackOutcome.SOFT_BOUNCE;
      }
      return next;
    });
    if ((outcome as FeedbackOutcome) === FeedbackOutcome.BOUNCED) await this.#d.following?.sync(before, after);
    this.#d.logger.info('feedback: soft bounce', { email: who.hash, outcome });
    return outcome;
  }
}
