/**
 * Ingestion use case: one object in the content bucket becomes stored articles and
 * editor's-choice items, or a quarantine record with a reason. Idempotent: the content hash
 * makes a re-upload of identical bytes a no-op, so the S3 event path and the reconciliation
 * path can both run over the same object.
 */
import { createHash } from 'node:crypto';
import { UnreadableContentError } from '../errors.ts';
import { mapBounded } from '../concurrency.ts';
import type { Logger } from '../logger.ts';
import type { ArticleStore, ContentSource, ObjectInfo, QuarantineRepository } from './article-store.ts';
import { extractKeywords } from './keywords.ts';
import { MAX_OBJECT_BYTES, oversizeReason, parseSourceObject } from './parsing/index.ts';
import type { StoredArticle } from './types.ts';

/** What happened to one object. */
export const IngestOutcome = {
  CREATED: 'created',
  UPDATED: 'updated',
  UNCHANGED: 'unchanged',
  QUARANTINED: 'quarantined',
  REMOVED: 'removed',
  MISSING: 'missing',
} as const;
export type IngestOutcome = (typeof IngestOutcome)[keyof typeof IngestOutcome];

export interface IngestResult {
  key: string;
  outcome: IngestOutcome;
  articleId?: string;
  picks: number;
  reason?: string;
}

export interface IngestServiceDeps {
  source: ContentSource;
  store: ArticleStore;
  quarantine: QuarantineRepository;
  logger: Logger;
  defaultLanguage: string;
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

  /** Ingests one created or changed object. Never throws for bad content: it quarantines. */
  public async ingestObject(info: Pick<ObjectInfo, 'key'> & Partial<ObjectInfo>): Promise<IngestResult> {
    const { key } = info;
    if (info.size !== undefined && info.size > MAX_OBJECT_BYTES) {
      return this.#quarantine(key, oversizeReason(info.size));
    }
    let object;
    try {
      object = await this.#deps.source.get(key);
    } catch (error) {
      if (error instanceof UnreadableContentError) return this.#quarantine(key, error.message);
      throw error;
    }
    if (!object) return { key, outcome: IngestOutcome.MISSING, picks: 0 };

    const contentHash = createHash('sha256').update(object.body).digest('hex');
    const previous = await this.#deps.store.getSourceRecord(key);
    if (previous?.contentHash === contentHash) {
      return { key, outcome: IngestOutcome.UNCHANGED, articleId: previous.articleId, picks: previous.pickIds.length };
    }

    let parsed;
    try {
      parsed = parseSourceObject(object, { defaultLanguage: this.#deps.defaultLanguage });
    } catch (error) {
      if (error instanceof UnreadableContentError) return this.#quarantine(key, error.message);
      throw error;
    }

    const now = this.#now().toISOString();
    let outcome: IngestOutcome = IngestOutcome.CREATED;
    let articleId: string | undefined;
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
    }
    // The object used to hold another article (its URL changed): that one is gone now.
    if (previous?.articleId && previous.articleId !== articleId) {
      await this.#deps.store.removeArticle(previous.articleId);
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
    });
    // A fixed object leaves quarantine.
    await this.#deps.quarantine.remove(key);
    if (previous && outcome === IngestOutcome.CREATED) outcome = IngestOutcome.UPDATED;
    this.#deps.logger.info('ingested', { key, outcome, articleId, picks: parsed.picks.length, format: parsed.format });
    return { key, outcome, ...(articleId ? { articleId } : {}), picks: parsed.picks.length };
  }

  /** Handles an object's removal: its article leaves future editions. */
  public async removeObject(key: string): Promise<IngestResult> {
    const previous = await this.#deps.store.getSourceRecord(key);
    await this.#deps.quarantine.remove(key);
    if (!previous) return { key, outcome: IngestOutcome.MISSING, picks: 0 };
    if (previous.articleId) await this.#deps.store.removeArticle(previous.articleId);
    await this.#deps.store.deleteSourceRecord(key);
    this.#deps.logger.info('removed', { key, articleId: previous.articleId });
    return { key, outcome: IngestOutcome.REMOVED, ...(previous.articleId ? { articleId: previous.articleId } : {}), picks: 0 };
  }

  /**
   * Pages through the whole bucket and ingests whatever the events missed. Holds one page
   * of keys at a time; unchanged objects cost one read of their record and one GetObject.
   */
  public async reconcile(options: { prefix?: string } = {}): Promise<Record<IngestOutcome, number>> {
    const counts = Object.fromEntries(Object.values(IngestOutcome).map((o) => [o, 0])) as Record<IngestOutcome, number>;
    let cursor: string | undefined;
    do {
      const page = await this.#deps.source.list({ ...options, ...(cursor ? { cursor } : {}) });
      const results = await mapBounded(page.objects, 16, (o) => this.ingestObject(o));
      for (const r of results) counts[r.outcome] += 1;
      cursor = page.cursor;
    } while (cursor);
    return counts;
  }

  async #quarantine(key: string, reason: string): Promise<IngestResult> {
    await this.#deps.quarantine.put({ key, reason, at: this.#now().toISOString() });
    this.#deps.logger.warn('quarantined', { key, reason });
    return { key, outcome: IngestOutcome.QUARANTINED, picks: 0, reason };
  }
}
