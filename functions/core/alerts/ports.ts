/**
 * Ports of the alerts module. Adapters: functions/adapters/dynamodb-keyword-index.ts
 * (KeywordIndex), functions/adapters/dynamodb-alert-store.ts (AlertStore),
 * functions/adapters/s3-alert-piece-store.ts (AlertPieceStore); the renderer is the rendering
 * module's MjmlAlertRenderer (rendering/alert-renderer.ts), loaded only by the `alerts`
 * function. Every port states what may run concurrently with what: ingest workers, flushes
 * and send workers all touch the same subscribers at once.
 */
import type { AlertCard, AlertShell } from '../rendering/alert-parts.ts';
import type { StoryView } from '../rendering/digest-model.ts';
import type { ActiveCadence, AlertClaim, AlertDigestRecord, DueEntry, FollowerEntry, PendingMatch } from './types.ts';

/**
 * The keyword → followers index. Only confirmed subscribers with alerts on are in it
 * (AlertFollowingService keeps it in step). Never scanned: matching reads the heads of an
 * article's tokens, then the followers of the phrases that match, page by page.
 */
export interface KeywordIndex {
  /**
   * Writes follower entries (replacing any with the same phrase and subscriber) and adds each
   * phrase to the head of its first token (a set: adding twice is adding once).
   */
  follow(entries: readonly FollowerEntry[]): Promise<void>;
  /**
   * Removes a subscriber's entries for these phrases. The heads keep the phrases: a phrase
   * nobody follows any more costs one empty follower query when an article matches it.
   */
  unfollow(subscriberId: string, phrases: readonly string[]): Promise<void>;
  /** Every followed phrase whose first token is one of `tokens` (the heads, read in batches). */
  phrasesStartingWith(tokens: readonly string[]): Promise<string[]>;
  /** One page of a phrase's followers, at most `limit`; `cursor` is opaque. */
  followers(phrase: string, options: { limit: number; cursor?: string }): Promise<{ followers: FollowerEntry[]; cursor?: string }>;
}

/** A match as ingest records it. */
export interface NewMatch {
  subscriberId: string;
  articleKey: string;
  articleId: string;
  /** The follower's label of the keyword that matched. */
  keyword: string;
  /** ISO-8601. */
  matchedAt: string;
  /** ISO-8601: the due time this match would give its window. */
  dueAt: string;
  /** A breaking article: an existing pending match becomes due at `dueAt` if that is earlier. */
  breaking: boolean;
  cadence: ActiveCadence;
  timezone: string;
  alertHour: number;
  /** Epoch seconds: when the record may be forgotten (TTL); long, so a sent article stays a tombstone. */
  expiresAt: number;
}

/**
 * Pending matches, the due index, claims, the daily cap and frozen digests. Every write that
 * decides something is conditional:
 * - `recordMatch` is safe to repeat and to run beside another ingest of the same article;
 * - `claim` lets one flush at a time work on a subscriber (a claim older than the staleness
 *   limit may be taken over: its flush died);
 * - `freeze` turns a pending match into a tombstone of one flush, once.
 */
export interface AlertStore {
  /**
   * Records that an article matched a subscriber: creates the pending match (its due time is
   * the one given) or adds the keyword to it (its due time stays: the first match fixes it;
   * a breaking one may only bring it forward). Returns false, and changes nothing, when the
   * article was already frozen into a digest for this subscriber (sent, or being sent).
   */
  recordMatch(match: NewMatch): Promise<boolean>;
  /**
   * One page of the due index: pending matches (and held claims gone stale) of one shard due
   * at or before `dueBy` (ISO-8601), earliest first.
   */
  pageDue(shard: number, dueBy: string, options: { limit: number; cursor?: string }): Promise<{ entries: DueEntry[]; cursor?: string }>;
  /**
   * Every pending match of a subscriber, due or not (its window). May miss a match written a
   * moment ago (an index): that one stays pending and due, and goes in the next digest.
   */
  pending(subscriberId: string): Promise<PendingMatch[]>;
  /** Moves pending matches to a later due time (the cap held the window back). */
  postpone(subscriberId: string, articleKeys: readonly string[], dueAt: string): Promise<void>;
  /**
   * Claims a subscriber's window for a flush: granted when unclaimed, claimed by this flush
   * already, or claimed before `staleBefore` (ISO-8601; that flush died). `previous` is the
   * claim it replaced. A held claim is in the due index at `staleAt`, so that a claim left by
   * a flush that died (its digest frozen, perhaps never sent) is found and taken over even
   * when the subscriber has nothing pending any more.
   */
  claim(subscriberId: string, flushId: string, options: { now: string; staleBefore: string; staleAt: string }): Promise<{ granted: boolean; previous?: AlertClaim }>;
  /** Ends this flush's claim (the window is done); false when it was not held by this flush. */
  releaseClaim(subscriberId: string, flushId: string): Promise<boolean>;
  /**
   * Counts a digest of `flushId` in the subscriber's local `day`, unless `cap` digests are
   * counted there already. Counting the same flush twice counts it once. Returns whether it
   * is counted.
   */
  countDigest(subscriberId: string, day: string, flushId: string, cap: number): Promise<boolean>;
  /** Takes a flush's digest out of a day's count (it turned out empty). */
  uncountDigest(subscriberId: string, day: string, flushId: string): Promise<void>;
  /** Creates a frozen digest unless one exists for this subscriber and flush; returns the one stored and whether it is new. */
  putDigest(record: AlertDigestRecord): Promise<{ created: boolean; digest: AlertDigestRecord }>;
  /** Replaces a frozen digest (some of its matches were frozen by another flush meanwhile). */
  replaceDigest(record: AlertDigestRecord): Promise<void>;
  getDigest(subscriberId: string, flushId: string): Promise<AlertDigestRecord | undefined>;
  /**
   * Marks a pending match as sent in `flushId` (it leaves the due index and stays as a
   * tombstone). True when this flush holds it (now or before); false when another flush does,
   * or the match is gone.
   */
  freeze(subscriberId: string, articleKey: string, flushId: string): Promise<boolean>;
}

/**
 * What a flush prepared for the send workers (the artefacts bucket, `alerts/<flush>/`): the
 * compiled shell per language and one card per matched article. Written before any digest
 * that needs them is frozen; read by every send worker (and cached there).
 */
export interface AlertPieceStore {
  putShell(flushId: string, shell: AlertShell): Promise<void>;
  getShell(flushId: string, language: string): Promise<AlertShell | undefined>;
  putCards(flushId: string, cards: readonly AlertCard[]): Promise<void>;
  /** The cards found (absent keys are missing). */
  getCards(flushId: string, keys: readonly string[]): Promise<Map<string, AlertCard>>;
}

/**
 * Renders what a flush compiles once (MJML): the shell per language, the cards, and the
 * public page listing every article of a digest. Pure: the flush stores what it returns.
 */
export interface AlertRenderer {
  shell(language: string): Promise<AlertShell>;
  cards(stories: readonly StoryView[]): Promise<AlertCard[]>;
  /** The page behind "and N more": every article, no personal data, no tokens. */
  page(stories: readonly StoryView[], options: { language: string }): string;
}
