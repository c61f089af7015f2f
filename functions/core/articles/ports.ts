/**
 * Ports of the articles module. Adapters: functions/adapters/s3-content-source.ts,
 * functions/adapters/dynamodb-article-store.ts.
 */
import type { QuarantineRecord, SourceObject, StoredArticle, StoredPick } from './types.ts';

/** What the store remembers of one source object, so that a re-upload is a no-op. */
export interface SourceObjectRecord {
  key: string;
  contentHash: string;
  articleId?: string;
  pickIds: string[];
  /** ISO-8601 */
  ingestedAt: string;
  /** Keyword alerts could not be matched for its article: the next ingest of the same bytes retries. */
  alertsPending?: boolean;
}

/**
 * Matches an ingested article against the keyword alerts (the alerts module's AlertMatcher).
 * Throws when it could not finish; matching again later is safe (each match is recorded once).
 */
export interface AlertMatching {
  matchArticle(article: StoredArticle): Promise<void>;
}

/** One item that came in during a period: an article or an editor's-choice teaser. */
export type IngestedItem = { type: 'article'; article: StoredArticle } | { type: 'pick'; pick: StoredPick };

/** Where parsed articles, teasers and source-object records are kept. */
export interface ArticleStore {
  getSourceRecord(key: string): Promise<SourceObjectRecord | undefined>;
  putSourceRecord(record: SourceObjectRecord): Promise<void>;
  deleteSourceRecord(key: string): Promise<void>;
  getArticle(id: string): Promise<StoredArticle | undefined>;
  /** Creates or replaces an article. */
  putArticle(article: StoredArticle): Promise<void>;
  /** Takes an article out of future editions. */
  removeArticle(id: string): Promise<void>;
  /** Stores a teaser unless one with the same id exists; returns whether it was new. */
  putPickIfAbsent(pick: StoredPick): Promise<boolean>;
  /** Articles and teasers first ingested in [from, to), page by page, without a scan. */
  listIngested(from: Date, to: Date): AsyncIterable<IngestedItem>;
}

/** Objects that could not be read, with the reason. */
export interface QuarantineRepository {
  /** Creates or replaces the key's record, with every field given (`attempts`, `contentHash`). */
  put(record: QuarantineRecord): Promise<void>;
  remove(key: string): Promise<void>;
  /** The key's record, or undefined when the key is not in quarantine. */
  get(key: string): Promise<QuarantineRecord | undefined>;
  /** Every record, newest first, page by page. */
  list(): AsyncIterable<QuarantineRecord>;
}

/** Metadata of one object in the content bucket. */
export interface ObjectInfo {
  key: string;
  size: number;
  lastModified: Date;
}

/** The publisher's content bucket. */
export interface ContentSource {
  /** The object's bytes, or undefined when it no longer exists. */
  get(key: string): Promise<SourceObject | undefined>;
  /** Pages through every object (1,000 keys a page), for reconciliation. */
  list(options?: { prefix?: string; cursor?: string }): Promise<{ objects: ObjectInfo[]; cursor?: string }>;
}
