/**
 * Ingestion use case: one object in the content bucket becomes stored articles and
 * editor's-choice items, or a quarantine record with a reason. Idempotent: the content hash
 * makes a re-upload of identical bytes a no-op, so the S3 event path and the reconciliation
 * path can both run over the same object.
 *
 * One object never stops the others: bad content is quarantined with its reason, and an
 * unexpected error (a throttled or refused write, a bug) is quarantined too, as
 * `internal: …` with the number of attempts. The reconciliation tries such an object again,
 * at most {@link MAX_INGEST_ATTEMPTS} times for the same bytes, then leaves it in quarantine.
 */
import { createHash } from 'node:crypto';
import { IngestFailedError, UnreadableContentError } from '../errors.ts';
import { mapBounded } from '../concurrency.ts';
import type { Logger } from '../logger.ts';
import type { AlertMatching, ArticleStore, ContentSource, ObjectInfo, QuarantineRepository, SourceObjectRecord } from './ports.ts';
import { extractKeywords } from './keywords.ts';
import { MAX_OBJECT_BYTES, oversizeReason, parseSourceObject } from './parsing/index.ts';
import type { QuarantineRecord, StoredArticle } from './types.ts';

/** What happened to one object. */
export const IngestOutcome = {
  CREATED: 'created',
  UPDATED: 'updated',
  UNCHANGED: 'unchanged',
  QUARANTINED: 'quarantined',
  REMOVED: 'removed',
  MISSING: 'missing',
  /** An internal error; recorded in quarantine and tried again by the reconciliation. */
  FAILED: 'failed',
} as const;
export type IngestOutcome = (typeof IngestOutcome)[keyof typeof IngestOutcome];

/**
 * Whether a key is a folder marker (the empty `name/` object the S3 console's "Create
 * folder" makes), which is not content and is never ingested or quarantined.
 *
 * @example
 * ```ts
 * isFolderMarker('news/2026/'); // true
 * ```
 */
export const isFolderMarker = (key: string): boolean => key.endsWith('/');

/** Attempts at the same bytes that fail with an internal error before the object stays in quarantine. */
export const MAX_INGEST_ATTEMPTS = 3;

/** Start of the quarantine reason of an internal error. */
export const INTERNAL_REASON = 'internal';

/** Longest quarantine reason kept, in characters (a reason listing many bad fields is cut). */
export const MAX_REASON_CHARS = 1000;

/** Longest error message kept in an `internal: …` reason, in characters. */
const MAX_ERROR_CHARS = 300;

/** Whether a quarantine record is of an internal error that the reconciliation gave up on. */
const gaveUp = (record: QuarantineRecord | undefined): boolean => (record?.attempts ?? 0) >= MAX_INGEST_ATTEMPTS;

/** An error in one line, without its stack: `Name: message`, cut. */
function describeError(error: unknown): string {
  const text = (error instanceof Error ? `${error.name}: ${error.message}` : String(error)).replace(/\s+/g, ' ').trim();
  return cut(text, MAX_ERROR_CHARS);
}

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export interface IngestResult {
  key: string;
  outcome: IngestOutcome;
  articleId?: string;
  picks: number;
  reason?: string;
  /** Internal errors: attempts at these bytes so far. */
  attempts?: number;
}

export interface IngestServiceDeps {
  source: ContentSource;
  store: ArticleStore;
  quarantine: QuarantineRepository;
  logger: Logger;
  defaultLanguage: string;
  /** Keyword alerts: matches each created or changed article (none: alerts are not wired). */
  alerts?: AlertMatching;
  now?: () => Date;
}

/**
 * Reads objects from the content bucket into the article store.
 *
 * @example
 * ```ts
 * const service = new IngestService({ source, store, quarantine, logger, defaultLanguage: 'en' });
 * await service.ingestObject({ key: 'news/a.json', size: 812, lastModified: new Date() });
 * ```
 */
export class IngestService {
  readonly #deps: IngestServiceDeps;
  readonly #now: () => Date;

  public constructor(deps: IngestServiceDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? (() => new Date());
  }

  /**
   * Ingests one created or changed object. Never throws for bad content (it quarantines), nor
   * for an unexpected error (it quarantines it as `internal: …`, outcome `failed`); throws
   * {@link IngestFailedError} only when even that record cannot be written.
   */
  public async ingestObject(info: Pick<ObjectInfo, 'key'> & Partial<ObjectInfo>): Promise<IngestResult> {
    return this.#attempt(info, undefined);
  }

  /** One attempt at an object: an unexpected error is recorded, and does not escape. */
  async #attempt(
    info: Pick<ObjectInfo, 'key'> & Partial<ObjectInfo>,
    quarantined: ReadonlyMap<string, QuarantineRecord> | undefined,
  ): Promise<IngestResult> {
    const seen: { contentHash?: string } = {};
    try {
      return await this.#ingest(info, quarantined, seen);
    } catch (error) {
      try {
        return await this.#recordFailure(info.key, error, seen.contentHash, quarantined);
      } catch (recordError) {
        this.#deps.logger.error('ingest failed, and so did recording it', { key: info.key, error: describeError(error), recordError: describeError(recordError) });
        throw new IngestFailedError([info.key], { cause: error });
      }
    }
  }

  /**
   * `quarantined`: the quarantine records read at the start of a reconciliation, so that an
   * unchanged object costs no quarantine write; undefined when not known (S3 events).
   * `seen.contentHash` is set as soon as the bytes are read.
   */
  async #ingest(
    info: Pick<ObjectInfo, 'key'> & Partial<ObjectInfo>,
    quarantined: ReadonlyMap<string, QuarantineRecord> | undefined,
    seen: { contentHash?: string },
  ): Promise<IngestResult> {
    const { key } = info;
    if (isFolderMarker(key)) return { key, outcome: IngestOutcome.MISSING, picks: 0 };
    const known = quarantined?.get(key);
    if (info.size !== undefined && info.size > MAX_OBJECT_BYTES) {
      return this.#quarantine(key, oversizeReason(info.size), known);
    }
    let object;
    try {
      object = await this.#deps.source.get(key);
    } catch (error) {
      if (error instanceof UnreadableContentError) return this.#quarantine(key, error.message, known);
      throw error;
    }
    if (!object) return { key, outcome: IngestOutcome.MISSING, picks: 0 };

    const contentHash = createHash('sha256').update(object.body).digest('hex');
    seen.contentHash = contentHash;
    const previous = await this.#deps.store.getSourceRecord(key);
    if (previous?.contentHash === contentHash) {
      // The bytes that were ingested last are back (e.g. after a broken upload over them):
      // whatever quarantined the key in between is gone.
      if (quarantined === undefined || known) await this.#deps.quarantine.remove(key);
      // Matching failed when these bytes were ingested: this is its retry.
      if (previous.alertsPending) await this.#retryAlerts(previous);
      return {
        key,
        outcome: IngestOutcome.UNCHANGED,
        ...(previous.articleId ? { articleId: previous.articleId } : {}),
        picks: previous.pickIds.length,
      };
    }
    // The reconciliation gave up on these bytes (internal errors): only new bytes, or an S3
    // event of a new upload, are tried again.
    if (quarantined !== undefined && known && gaveUp(known) && known.contentHash === contentHash) {
      return { key, outcome: IngestOutcome.QUARANTINED, picks: 0, reason: known.reason, ...(known.attempts ? { attempts: known.attempts } : {}) };
    }

    let parsed;
    try {
      parsed = parseSourceObject(object, { defaultLanguage: this.#deps.defaultLanguage });
    } catch (error) {
      if (error instanceof UnreadableContentError) return this.#quarantine(key, error.message, known);
      throw error;
    }

    const now = this.#now().toISOString();
    let outcome: IngestOutcome = IngestOutcome.CREATED;
    let articleId: string | undefined;
    let alertsPending = false;
    if (parsed.article) {
      const a = parsed.article;
      articleId = a.id;
      const existing = await this.#deps.store.getArticle(a.id);
      const stored: StoredArticle = {
        ...a,
        publishedAt: a.publishedAt ?? object.lastModified.toISOString(),
        ingestedAt: existing?.ingestedAt ?? now,
        updated: existing !== undefined,
        ...(existing ? { updatedAt: now } : {}),
        sourceKey: key,
        contentHash,
        keywords: extractKeywords(a.title, a.summary, a.bodyText),
      };
      await this.#deps.store.putArticle(stored);
      if (existing) outcome = IngestOutcome.UPDATED;
      alertsPending = !(await this.#matchAlerts(stored));
    }
    // The object used to hold another article (its URL changed): that one is gone now,
    // unless another object holds it by now.
    if (previous?.articleId && previous.articleId !== articleId) {
      await this.#removeArticleOf(key, previous.articleId);
    }
    for (const pick of parsed.picks) {
      await this.#deps.store.putPickIfAbsent({ ...pick, ingestedAt: now, sourceKey: key });
    }
    await this.#deps.store.putSourceRecord({
      key,
      contentHash,
      ...(articleId ? { articleId } : {}),
      pickIds: parsed.picks.map((p) => p.id),
      ingestedAt: now,
      ...(alertsPending ? { alertsPending: true } : {}),
    });
    // A fixed object leaves quarantine.
    await this.#deps.quarantine.remove(key);
    if (previous && outcome === IngestOutcome.CREATED) outcome = IngestOutcome.UPDATED;
    this.#deps.logger.info('ingested', { key, outcome, articleId, picks: parsed.picks.length, format: parsed.format });
    return { key, outcome, ...(articleId ? { articleId } : {}), picks: parsed.picks.length };
  }

  /**
   * Handles an object's removal: its article leaves future editions. S3 events may come late
   * and out of order, so an object that exists again (deleted, then uploaded again) is
   * ingested instead of removed.
   */
  public async removeObject(key: string): Promise<IngestResult> {
    if (await this.#exists(key)) return this.ingestObject({ key });
    const previous = await this.#deps.store.getSourceRecord(key);
    await this.#deps.quarantine.remove(key);
    if (!previous) return { key, outcome: IngestOutcome.MISSING, picks: 0 };
    if (previous.articleId) await this.#removeArticleOf(key, previous.articleId);
    await this.#deps.store.deleteSourceRecord(key);
    this.#deps.logger.info('removed', { key, articleId: previous.articleId });
    return { key, outcome: IngestOutcome.REMOVED, ...(previous.articleId ? { articleId: previous.articleId } : {}), picks: 0 };
  }

  /**
   * Pages through the whole bucket and ingests whatever the events missed. Holds one page
   * of keys at a time; unchanged objects cost one read of their record and one GetObject.
   * An object that fails with an internal error is recorded (`failed`) and tried again by the
   * next runs, up to {@link MAX_INGEST_ATTEMPTS} attempts at the same bytes; then it stays in
   * quarantine (`quarantined`). The run throws {@link IngestFailedError} at the end only when
   * a failure could not even be recorded, after every other object was ingested.
   */
  public async reconcile(options: { prefix?: string } = {}): Promise<Record<IngestOutcome, number>> {
    const counts = Object.fromEntries(Object.values(IngestOutcome).map((o) => [o, 0])) as Record<IngestOutcome, number>;
    // The quarantine is small: read it once, so that unchanged objects cost no write.
    const quarantined = new Map<string, QuarantineRecord>();
    for await (const record of this.#deps.quarantine.list()) quarantined.set(record.key, record);
    const unrecorded: Array<{ key: string; error: unknown }> = [];
    let cursor: string | undefined;
    do {
      const page = await this.#deps.source.list({ ...options, ...(cursor ? { cursor } : {}) });
      const objects = page.objects.filter((o) => !isFolderMarker(o.key));
      const results = await mapBounded(objects, 16, async (o) => {
        try {
          return await this.#attempt(o, quarantined);
        } catch (error) {
          unrecorded.push({ key: o.key, error });
          return undefined;
        }
      });
      for (const r of results) if (r) counts[r.outcome] += 1;
      cursor = page.cursor;
    } while (cursor);
    const [first] = unrecorded;
    if (first) {
      const cause = first.error instanceof IngestFailedError ? first.error.cause : first.error;
      throw new IngestFailedError(unrecorded.map((u) => u.key), { cause });
    }
    return counts;
  }

  /**
   * Quarantines a key. `known`: its record as read at the start of a reconciliation; when the
   * reason is the same, the record (and the time it was first quarantined) is kept.
   */
  async #quarantine(key: string, reason: string, known?: QuarantineRecord): Promise<IngestResult> {
    const kept = cut(reason, MAX_REASON_CHARS);
    if (known?.reason !== kept || known.attempts !== undefined) {
      await this.#deps.quarantine.put({ key, reason: kept, at: this.#now().toISOString() });
      this.#deps.logger.warn('quarantined', { key, reason: kept });
    }
    return { key, outcome: IngestOutcome.QUARANTINED, picks: 0, reason: kept };
  }

  /**
   * Records an internal error in quarantine with the number of attempts at the same bytes
   * (`contentHash`, when they could be read; a new upload starts again at 1). From the
   * {@link MAX_INGEST_ATTEMPTS}th, the reason says the reconciliation gave up. When the
   * reconciliation already gave up on these bytes, nothing is written again (unless the
   * record does not know their hash yet: it is written once more, with it).
   */
  async #recordFailure(
    key: string,
    error: unknown,
    contentHash: string | undefined,
    quarantined: ReadonlyMap<string, QuarantineRecord> | undefined,
  ): Promise<IngestResult> {
    const previous = quarantined ? quarantined.get(key) : await this.#findQuarantined(key);
    const sameBytes =
      previous?.attempts !== undefined && (contentHash === undefined || previous.contentHash === undefined || previous.contentHash === contentHash);
    const message = describeError(error);
    if (sameBytes && quarantined !== undefined && gaveUp(previous) && (contentHash === undefined || previous.contentHash !== undefined)) {
      this.#deps.logger.error('ingest failed again, left in quarantine', { key, attempts: previous.attempts, error: message });
      return { key, outcome: IngestOutcome.QUARANTINED, picks: 0, reason: previous.reason, attempts: previous.attempts ?? MAX_INGEST_ATTEMPTS };
    }
    const attempts = sameBytes ? (previous.attempts ?? 0) + 1 : 1;
    const done = attempts >= MAX_INGEST_ATTEMPTS;
    const reason = done
      ? `${INTERNAL_REASON}: ${message} (gave up after ${attempts} attempts; upload a new version to try again)`
      : `${INTERNAL_REASON}: ${message} (attempt ${attempts} of ${MAX_INGEST_ATTEMPTS}; the hourly reconciliation tries again)`;
    this.#deps.logger.error('ingest failed', { key, attempts, gaveUp: done, error: message });
    await this.#deps.quarantine.put({ key, reason, at: this.#now().toISOString(), attempts, ...(contentHash ? { contentHash } : {}) });
    return { key, outcome: done ? IngestOutcome.QUARANTINED : IngestOutcome.FAILED, picks: 0, reason, attempts };
  }

  /** The key's quarantine record, if any (S3 events; read only after a failure). */
  #findQuarantined(key: string): Promise<QuarantineRecord | undefined> {
    return this.#deps.quarantine.get(key);
  }

  /**
   * Matches an article against the keyword alerts. A failure never fails the ingest: it is
   * logged, the source record is marked `alertsPending`, and the next ingest of the same
   * object (a repeated S3 event, the hourly reconciliation) matches again. Returns whether
   * matching finished.
   */
  async #matchAlerts(article: StoredArticle): Promise<boolean> {
    if (!this.#deps.alerts) return true;
    try {
      await this.#deps.alerts.matchArticle(article);
      return true;
    } catch (error) {
      this.#deps.logger.error('alert matching failed: retried by the next ingest of the object', { key: article.sourceKey, articleId: article.id, error: error instanceof Error ? error.message : String(error) });
      return false;
    }
  }

  /** Matches again the article of an unchanged object whose matching failed before. */
  async #retryAlerts(record: SourceObjectRecord): Promise<void> {
    const article = record.articleId ? await this.#deps.store.getArticle(record.articleId) : undefined;
    if (article && !(await this.#matchAlerts(article))) return;
    const { alertsPending: _done, ...rest } = record;
    await this.#deps.store.putSourceRecord(rest);
  }

  /** Removes an article that came from `key`, unless another object holds it now. */
  async #removeArticleOf(key: string, articleId: string): Promise<void> {
    const article = await this.#deps.store.getArticle(articleId);
    if (article && article.sourceKey !== key) return;
    await this.#deps.store.removeArticle(articleId);
  }

  /** Whether the bucket holds this exact key (the first key listed with it as prefix). */
  async #exists(key: string): Promise<boolean> {
    const page = await this.#deps.source.list({ prefix: key });
    return page.objects.some((o) => o.key === key);
  }
}
