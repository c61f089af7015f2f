/**
 * Use cases of the HTTP API: subscribe (double opt-in), confirm, preferences, unsubscribe.
 *
 * Subscribing answers the same whether the address is new or known: the caller learns
 * nothing about who subscribes. Links carry signed, expiring tokens (tokens.ts); the
 * confirmation link is single-use. Log lines carry keyed pseudonyms, never an address.
 */
import { randomBytes } from 'node:crypto';
import { InvalidTokenError, NotFoundError, TooManyRequestsError } from '../errors.ts';
import type { Links } from '../links.ts';
import type { Logger } from '../logger.ts';
import { sourceNetwork, subscriberIdFor } from './identity.ts';
import type { PreferencesRequest, SubscribeRequest } from './input.ts';
import type { AlertFollowing, ConfirmationMailer } from './ports.ts';
import type { RateLimiter } from './ports.ts';
import type { OnceStore, SubscriberRepository } from './ports.ts';
import type { LogPseudonyms } from './pseudonyms.ts';
import { signToken, TokenPurpose, verifyToken, type TokenSecrets } from './tokens.ts';
import { AlertCadence, SubscriberStatus, type Newsletter, type Subscriber } from './types.ts';

/** One fixed-window limit. */
export interface WindowLimit {
  limit: number;
  windowSeconds: number;
}

/**
 * The subscribe limits (docs/security.md, "Rate limits").
 *
 * - `perSource`: requests per source network (an IPv4 address, or an IPv6 /64) per window.
 *   Over it the request is refused with 429 and Retry-After. Generous, because an office, a
 *   school or a mobile carrier puts many people behind one address.
 * - `mailsPerAddress`: confirmation mails one address receives per window. Over it the request
 *   is answered as usual (202) but changes nothing and sends nothing, so that nobody can lock
 *   an address out or learn that the cap was reached; the links already sent stay valid.
 */
export interface SubscriptionLimits {
  perSource: WindowLimit;
  mailsPerAddress: WindowLimit;
}

export interface SubscriptionServiceDeps {
  subscribers: SubscriberRepository;
  once: OnceStore;
  rateLimiter: RateLimiter;
  mailer: ConfirmationMailer;
  logger: Logger;
  /** Signs links with the first, verifies them under any (rotation). */
  tokenSecrets: TokenSecrets;
  /** Keyed pseudonyms for log lines, rate-limit keys and consent evidence. */
  pseudonyms: LogPseudonyms;
  /** Builds the confirm link of the confirmation mail. */
  links: Links;
  limits: SubscriptionLimits;
  /** Lifetime of a confirmation link (seconds). */
  confirmTtlSeconds: number;
  /** Lifetime of the unsubscribe link shown on the preferences page (seconds). Default 90 days. */
  pageLinkTtlSeconds?: number;
  /** Keeps the alerts' keyword index in step (none: alerts are not wired). */
  following?: AlertFollowing;
  now?: () => Date;
}

/** What an unsubscribe link stops: everything, or alerts only (the link of an alert digest). */
export type UnsubscribeScope =
  | { scope: 'all' }
  /** `everythingToken`: a fresh unsubscribe-all token for the page's "stop everything" button. */
  | { scope: 'alerts'; everythingToken: string };

/** What happened to a confirmation. */
export const ConfirmOutcome = { CONFIRMED: 'confirmed', ALREADY_CONFIRMED: 'already-confirmed' } as const;
export type ConfirmOutcome = (typeof ConfirmOutcome)[keyof typeof ConfirmOutcome];

/** What the owner of a preferences token may see: no full address. */
export interface PreferencesView {
  /** e.g. `a***@example.org` */
  maskedEmail: string;
  name?: string;
  status: SubscriberStatus;
  newsletter: Newsletter;
  alerts: AlertCadence;
  keywords: string[];
  timezone?: string;
  /** Local hour of daily and weekly alert digests (0–23). */
  alertHour?: number;
  /** For the form (the same token that opened it). */
  preferencesToken: string;
  /** For the unsubscribe button on the page. */
  unsubscribeToken: string;
}

/** Statuses after which only the owner's explicit action (a new opt-in) changes anything. */
const MAIL_SUPPRESSED: readonly SubscriberStatus[] = [SubscriberStatus.BOUNCED, SubscriberStatus.COMPLAINED];

/**
 * Masks an address for display: first character of the local part, then `***`.
 *
 * @example
 * ```ts
 * maskEmail('ann@example.org'); // 'a***@example.org'
 * ```
 */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at <= 0) return '***';
  return `${email.slice(0, 1)}***${email.slice(at)}`;
}

/**
 * The subscription use cases.
 *
 * @example
 * ```ts
 * const service = new SubscriptionService({ subscribers, once, rateLimiter, mailer, logger, tokenSecrets, pseudonyms,
 *   links: new Links(bases),
 *   limits: { perSource: { limit: 100, windowSeconds: 3600 }, mailsPerAddress: { limit: 3, windowSeconds: 86_400 } },
 *   confirmTtlSeconds: 48 * 3600 });
 * await service.subscribe(parseSubscribeRequest(fields), { sourceIp: '203.0.113.7' });
 * ```
 */
export class SubscriptionService {
  readonly #d: SubscriptionServiceDeps;
  readonly #now: () => Date;

  public constructor(deps: SubscriptionServiceDeps) {
    this.#d = deps;
    this.#now = deps.now ?? (() => new Date());
  }

  #seconds(): number {
    return Math.floor(this.#now().getTime() / 1000);
  }

  /**
   * Handles a subscription request. Resolves the same way for new, known, suppressed and
   * capped addresses; throws only when the source is over its limit (TooManyRequestsError, 429).
   * New, pending and unsubscribed addresses become `pending` with the requested preferences;
   * a confirmed address keeps its preferences (a stranger must not change them) and gets a
   * fresh confirmation link, which just says it is confirmed; bounced and complained
   * addresses are not mailed. Once an address had its `mailsPerAddress` confirmation mails
   * in the window, further requests for it change nothing and send nothing.
   */
  public async subscribe(request: SubscribeRequest, context: { sourceIp?: string }): Promise<void> {
    const log = { email: this.#d.pseudonyms.email(request.email) };
    if (request.isBot) {
      this.#d.logger.info('subscribe: honeypot filled, ignored', log);
      return;
    }
    const now = this.#now();
    const { limits } = this.#d;
    const sourceHash = context.sourceIp ? this.#d.pseudonyms.ip(context.sourceIp) : undefined;
    if (context.sourceIp) {
      const network = this.#d.pseudonyms.ip(sourceNetwork(context.sourceIp));
      const bySource = await this.#d.rateLimiter.hit(`subscribe#ip#${network}`, limits.perSource.limit, limits.perSource.windowSeconds, now);
      if (!bySource.allowed) {
        this.#d.logger.warn('subscribe: rate limited by source', { ...log, ip: network.slice(0, 12) });
        throw new TooManyRequestsError(bySource.retryAfterSeconds);
      }
    }
    // Counted per mail the address may get, before anything changes: over the cap the answer
    // stays the same and nothing happens (the owner's earlier links stay valid).
    const mails = await this.#d.rateLimiter.hit(
      `subscribe#mail#${this.#d.pseudonyms.email(request.email)}`,
      limits.mailsPerAddress.limit,
      limits.mailsPerAddress.windowSeconds,
      now,
    );
    if (!mails.allowed) {
      this.#d.logger.warn('subscribe: confirmation mails for this address capped, not mailed', log);
      return;
    }

    const id = subscriberIdFor(request.email);
    const at = now.toISOString();
    let before: Subscriber | undefined;
    const stored = await this.#d.subscribers.update(id, (current) => {
      before = current;
      if (current && (current.status === SubscriberStatus.CONFIRMED || MAIL_SUPPRESSED.includes(current.status))) {
        return undefined;
      }
      const next: Subscriber = {
        ...current,
        id,
        email: request.email,
        status: SubscriberStatus.PENDING,
        newsletter: request.newsletter,
        alerts: request.alerts,
        keywords: request.keywords,
        consent: { at, method: 'subscribe-request', ...(sourceHash ? { ipHash: sourceHash } : {}) },
        createdAt: current?.createdAt ?? at,
        updatedAt: at,
      };
      if (request.name !== undefined) next.name = request.name;
      if (request.timezone !== undefined) next.timezone = request.timezone;
      if (request.alertHour !== undefined) next.alertHour = request.alertHour;
      return next;
    });
    await this.#following(before, stored);
    if (!stored || MAIL_SUPPRESSED.includes(stored.status)) {
      this.#d.logger.info('subscribe: address suppressed, not mailed', { ...log, status: stored?.status });
      return;
    }
    const token = signToken(this.#d.tokenSecrets, {
      subscriberId: id,
      purpose: TokenPurpose.CONFIRM,
      expiresAt: this.#seconds() + this.#d.confirmTtlSeconds,
      nonce: randomBytes(12).toString('base64url'),
    });
    await this.#d.mailer.sendConfirmation(stored.email, this.#d.links.confirm(token));
    this.#d.logger.info('subscribe: confirmation sent', { ...log, status: stored.status });
  }

  /**
   * Confirms a subscription from the link in the confirmation mail. The link works once.
   *
   * @throws InvalidTokenError (400) for a bad, expired or used link; NotFoundError (404) when
   *   the subscriber is gone or no longer waits for confirmation.
   */
  public async confirm(token: string, context: { sourceIp?: string } = {}): Promise<ConfirmOutcome> {
    const claims = verifyToken(this.#d.tokenSecrets, token, TokenPurpose.CONFIRM, this.#seconds());
    const current = await this.#d.subscribers.get(claims.subscriberId);
    if (!current) throw new NotFoundError('subscription not found');
    if (current.status === SubscriberStatus.CONFIRMED) return ConfirmOutcome.ALREADY_CONFIRMED;
    if (current.status !== SubscriberStatus.PENDING) throw new NotFoundError('this subscription is not waiting for confirmation');

    const onceKey = `confirm#${claims.nonce ?? token.slice(-43)}`;
    if (!(await this.#d.once.claim(onceKey, claims.expiresAt + 86_400))) throw new InvalidTokenError('already used');
    try {
      const at = this.#now().toISOString();
      const sourceHash = context.sourceIp ? this.#d.pseudonyms.ip(context.sourceIp) : undefined;
      const stored = await this.#d.subscribers.update(claims.subscriberId, (s) =>
        s?.status === SubscriberStatus.PENDING
          ? {
              ...s,
              status: SubscriberStatus.CONFIRMED,
              consent: { at, method: 'double-opt-in', ...(sourceHash ? { ipHash: sourceHash } : {}) },
              updatedAt: at,
            }
          : undefined,
      );
      if (stored?.status === SubscriberStatus.CONFIRMED) {
        await this.#following(current, stored);
        this.#d.logger.info('confirmed', { email: this.#d.pseudonyms.email(stored.email) });
        return ConfirmOutcome.CONFIRMED;
      }
      throw new NotFoundError('this subscription is not waiting for confirmation');
    } catch (error) {
      if (!(error instanceof NotFoundError)) await this.#d.once.release(onceKey);
      throw error;
    }
  }

  /**
   * What the preferences page shows.
   *
   * @throws InvalidTokenError (400); NotFoundError (404) when the subscriber is gone.
   */
  public async getPreferences(token: string): Promise<PreferencesView> {
    const claims = verifyToken(this.#d.tokenSecrets, token, TokenPurpose.PREFERENCES, this.#seconds());
    const subscriber = await this.#d.subscribers.get(claims.subscriberId);
    if (!subscriber) throw new NotFoundError('subscription not found');
    return this.#view(subscriber, token);
  }

  /**
   * Saves preferences. The status does not change (preferences never re-subscribe).
   *
   * @throws InvalidTokenError (400); NotFoundError (404) when the subscriber is gone.
   */
  public async savePreferences(token: string, request: PreferencesRequest): Promise<PreferencesView> {
    const claims = verifyToken(this.#d.tokenSecrets, token, TokenPurpose.PREFERENCES, this.#seconds());
    const at = this.#now().toISOString();
    let before: Subscriber | undefined;
    const stored = await this.#d.subscribers.update(claims.subscriberId, (current) => {
      before = current;
      if (!current) return undefined;
      const next: Subscriber = {
        ...current,
        newsletter: request.newsletter,
        alerts: request.alerts,
        keywords: request.keywords,
        updatedAt: at,
      };
      if (request.name === null) delete next.name;
      else if (request.name !== undefined) next.name = request.name;
      if (request.timezone !== undefined) next.timezone = request.timezone;
      if (request.alertHour !== undefined) next.alertHour = request.alertHour;
      return next;
    });
    if (!stored) throw new NotFoundError('subscription not found');
    await this.#following(before, stored);
    this.#d.logger.info('preferences saved', { email: this.#d.pseudonyms.email(stored.email) });
    return this.#view(stored, token);
  }

  /**
   * Checks an unsubscribe link without acting on it (the page with the button) and says what
   * it stops: an alert digest's link stops alerts only, and the page then offers stopping
   * everything with a fresh unsubscribe-all token.
   *
   * @throws InvalidTokenError (400).
   */
  public checkUnsubscribeToken(token: string): UnsubscribeScope {
    const { subscriberId, purpose } = this.#unsubscribeClaims(token);
    if (purpose === TokenPurpose.UNSUBSCRIBE) return { scope: 'all' };
    const everythingToken = signToken(this.#d.tokenSecrets, {
      subscriberId,
      purpose: TokenPurpose.UNSUBSCRIBE,
      expiresAt: this.#seconds() + (this.#d.pageLinkTtlSeconds ?? 90 * 86_400),
    });
    return { scope: 'alerts', everythingToken };
  }

  /**
   * Unsubscribes (RFC 8058 one-click or the page's button). Idempotent; a bounced or
   * complained address stays as it is; an unknown subscriber is not an error. The link of an
   * alert digest (purpose `unsubscribe-alerts`) turns alerts off (`none`) and leaves the
   * newsletter and the keywords as they are.
   *
   * @throws InvalidTokenError (400).
   */
  public async unsubscribe(token: string): Promise<UnsubscribeScope['scope']> {
    const { subscriberId, purpose } = this.#unsubscribeClaims(token);
    let before: Subscriber | undefined;
    let changed = false;
    const stored = await this.#d.subscribers.update(subscriberId, (current) => {
      before = current;
      changed = false;
      if (!current) return undefined;
      if (purpose === TokenPurpose.UNSUBSCRIBE_ALERTS) {
        if (current.alerts === AlertCadence.NONE) return undefined;
        changed = true;
        return { ...current, alerts: AlertCadence.NONE, updatedAt: this.#now().toISOString() };
      }
      if (current.status === SubscriberStatus.UNSUBSCRIBED || MAIL_SUPPRESSED.includes(current.status)) return undefined;
      changed = true;
      return { ...current, status: SubscriberStatus.UNSUBSCRIBED, updatedAt: this.#now().toISOString() };
    });
    await this.#following(before, stored);
    const scope = purpose === TokenPurpose.UNSUBSCRIBE_ALERTS ? 'alerts' : 'all';
    this.#d.logger.info('unsubscribe', { subscriber: this.#d.pseudonyms.subscriber(subscriberId), scope, changed });
    return scope;
  }

  /** An unsubscribe token of either purpose (everything, or alerts only). */
  #unsubscribeClaims(token: string): { subscriberId: string; purpose: typeof TokenPurpose.UNSUBSCRIBE | typeof TokenPurpose.UNSUBSCRIBE_ALERTS } {
    try {
      return { ...verifyToken(this.#d.tokenSecrets, token, TokenPurpose.UNSUBSCRIBE, this.#seconds()), purpose: TokenPurpose.UNSUBSCRIBE };
    } catch (error) {
      if (!(error instanceof InvalidTokenError) || error.reason !== 'wrong purpose') throw error;
      return { ...verifyToken(this.#d.tokenSecrets, token, TokenPurpose.UNSUBSCRIBE_ALERTS, this.#seconds()), purpose: TokenPurpose.UNSUBSCRIBE_ALERTS };
    }
  }

  /** Keeps the alerts' keyword index in step with a change (nothing when alerts are not wired). */
  async #following(before: Subscriber | undefined, after: Subscriber | undefined): Promise<void> {
    if (this.#d.following && before !== after) await this.#d.following.sync(before, after);
  }

  #view(subscriber: Subscriber, preferencesToken: string): PreferencesView {
    const view: PreferencesView = {
      maskedEmail: maskEmail(subscriber.email),
      status: subscriber.status,
      newsletter: subscriber.newsletter,
      alerts: subscriber.alerts,
      keywords: subscriber.keywords,
      preferencesToken,
      unsubscribeToken: signToken(this.#d.tokenSecrets, {
        subscriberId: subscriber.id,
        purpose: TokenPurpose.UNSUBSCRIBE,
        expiresAt: this.#seconds() + (this.#d.pageLinkTtlSeconds ?? 90 * 86_400),
      }),
    };
    if (subscriber.name !== undefined) view.name = subscriber.name;
    if (subscriber.timezone !== undefined) view.timezone = subscriber.timezone;
    if (subscriber.alertHour !== undefined) view.alertHour = subscriber.alertHour;
    return view;
  }
}
