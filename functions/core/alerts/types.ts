/**
 * Domain types of the alerts module (keyword alerts). Type-only, but for the `as const`
 * values. The words are those of docs/CONTEXT.md and docs/alerts.md: a **follower** follows a
 * normalised **phrase**; a **pending match** is one article matched for one subscriber, not yet
 * sent; a subscriber's pending matches form their **window**, due at the earliest **due time**
 * among them; an **alert flush** sends every due window as one **alert digest**.
 */
import { createHash } from 'node:crypto';
import type { AlertCadence } from '../subscribers/types.ts';

/** The cadences that send (every cadence but `none`). */
export type ActiveCadence = Exclude<AlertCadence, 'none'>;

/** One subscriber following one phrase, with what decides their due times. */
export interface FollowerEntry {
  /** Normalised (`normalisePhrase`): tokens joined by single spaces. */
  phrase: string;
  subscriberId: string;
  /** The keyword as the subscriber typed it (shown in the digest). */
  label: string;
  cadence: ActiveCadence;
  /** IANA zone (UTC by default). */
  timezone: string;
  /** Local delivery hour of daily and weekly digests. */
  alertHour: number;
}

/** One article matched for one subscriber and not sent yet. */
export interface PendingMatch {
  subscriberId: string;
  /** {@link articleKeyOf} the article id. */
  articleKey: string;
  articleId: string;
  /** The subscriber's keywords that matched it (labels). */
  keywords: string[];
  /** ISO-8601. */
  matchedAt: string;
  /** ISO-8601: when this match's window closes. */
  dueAt: string;
  /** The follower's settings when it matched (used to move it when the cap holds it back). */
  cadence: ActiveCadence;
  timezone: string;
  alertHour: number;
}

/** An entry of the due index: one pending match due at `dueAt`, or a claim stale at `dueAt`. */
export interface DueEntry {
  subscriberId: string;
  /** The match's article key, or {@link CLAIM_ENTRY} for a claim. */
  articleKey: string;
  /** ISO-8601. */
  dueAt: string;
}

/** A subscriber's window claimed by an alert flush (one claim per subscriber at a time). */
export interface AlertClaim {
  subscriberId: string;
  flushId: string;
  /** ISO-8601. */
  claimedAt: string;
}

/** One article of a frozen digest. */
export interface DigestEntry {
  articleKey: string;
  articleId: string;
  keywords: string[];
}

/**
 * One subscriber's alert digest, frozen by a flush: what it shows and counts. The send worker
 * assembles the email from it and the flush's pieces.
 */
export interface AlertDigestRecord {
  subscriberId: string;
  flushId: string;
  /** BCP 47: the shell it is assembled in. */
  language: string;
  /** Every article of the digest (all of them, shown or not), newest first. */
  articles: DigestEntry[];
  /** Articles shown (the first of `articles`, at most 10). */
  shown: number;
  /** Archive path of the page listing every article, when some are not shown. */
  page?: string;
  /** ISO-8601. */
  createdAt: string;
}

/**
 * The short, fixed-length key of an article in the alerts table (article ids are URLs).
 *
 * @example
 * ```ts
 * articleKeyOf('https://www.commonspace.eu/news/a'); // '5b0f…' (20 hex characters)
 * ```
 */
export function articleKeyOf(articleId: string): string {
  return createHash('sha256').update(articleId).digest('hex').slice(0, 20);
}

/** The article key of a claim's entry in the due index. */
export const CLAIM_ENTRY = '~claim';

/** Shards of the due index: flushes read each shard's partition; writes spread over them. */
export const DUE_SHARDS = 8;

/**
 * The due-index shard of a subscriber.
 *
 * @example
 * ```ts
 * dueShardOf('s_abc'); // 0 … 7
 * ```
 */
export function dueShardOf(subscriberId: string): number {
  return createHash('sha256').update(subscriberId).digest()[0]! % DUE_SHARDS;
}

/**
 * The id of an alert flush, per minute of the time it was scheduled (EventBridge `time`), so
 * a retried invocation continues the same flush.
 *
 * @example
 * ```ts
 * flushIdFor(new Date('2026-12-01T10:05:12Z')); // 'alerts-2026-12-01T10-05'
 * ```
 */
export function flushIdFor(scheduledAt: Date): string {
  return `alerts-${scheduledAt.toISOString().slice(0, 16).replace(':', '-')}`;
}
