/**
 * The articles ports (ArticleStore and QuarantineRepository) in memory, as
 * DynamoDbArticleStore keeps them (the truth: test/contract/articles.contract.ts runs the same
 * behaviour tests against both).
 */
import type { ArticleStore, IngestedItem, QuarantineRepository, SourceObjectRecord } from '../../../functions/core/articles/ports.ts';
import type { QuarantineRecord, StoredArticle, StoredPick } from '../../../functions/core/articles/types.ts';
import { InMemoryAdapter, byKey, clone, defined, type InMemoryOptions } from './adapter.ts';

const METHODS = [
  'getSourceRecord', 'putSourceRecord', 'deleteSourceRecord', 'getArticle', 'putArticle', 'removeArticle', 'putPickIfAbsent', 'listIngested',
  'put', 'remove', 'get', 'list',
] as const;

const DAY_MS = 86_400_000;

/** The ingest index entry of an article or teaser: its day and its sort key. */
interface Indexed {
  day: string;
  sortKey: string;
  item: IngestedItem;
}

const dayOf = (iso: string): string => iso.slice(0, 10);

/**
 * Articles, teasers, source-object records and quarantine records in memory. Editions find
 * what came in by ingest time, day by day, exactly as the DynamoDB index orders it.
 * Not modelled: the adapter's trimming of bodies and keyword lists too large for one item.
 *
 * @example
 * ```ts
 * const store = new InMemoryArticleStore();
 * await store.putArticle(makeArticle(1, { ingestedAt: '2026-11-28T05:00:00.000Z' }));
 * for await (const item of store.listIngested(from, to)) items.push(item);
 * ```
 */
export class InMemoryArticleStore extends InMemoryAdapter<(typeof METHODS)[number]> implements ArticleStore, QuarantineRepository {
  /** Articles by id; `removed` ones are out of editions and invisible to getArticle. */
  public readonly articles = new Map<string, { article: StoredArticle; removed: boolean }>();
  /** Teasers by id. */
  public readonly picks = new Map<string, StoredPick>();
  /** Source-object records by object key. */
  public readonly sources = new Map<string, SourceObjectRecord>();
  /** Quarantine records by object key. */
  public readonly quarantine = new Map<string, QuarantineRecord>();

  public constructor(options: InMemoryOptions = {}) {
    super(METHODS, options);
  }

  public async putSourceRecord(record: SourceObjectRecord): Promise<void> {
    await this.enter('putSourceRecord', arguments);
    this.sources.set(record.key, defined(clone(record)));
  }

  public async getSourceRecord(key: string): Promise<SourceObjectRecord | undefined> {
    await this.enter('getSourceRecord', arguments);
    const record = this.sources.get(key);
    return record ? clone(record) : undefined;
  }

  public async deleteSourceRecord(key: string): Promise<void> {
    await this.enter('deleteSourceRecord', arguments);
    this.sources.delete(key);
  }

  public async getArticle(id: string): Promise<StoredArticle | undefined> {
    await this.enter('getArticle', arguments);
    const stored = this.articles.get(id);
    return stored && !stored.removed ? clone(stored.article) : undefined;
  }

  public async putArticle(article: StoredArticle): Promise<void> {
    await this.enter('putArticle', arguments);
    this.articles.set(article.id, { article: defined(clone(article)), removed: false });
  }

  public async removeArticle(id: string): Promise<void> {
    await this.enter('removeArticle', arguments);
    const stored = this.articles.get(id);
    if (stored) stored.removed = true;
  }

  public async putPickIfAbsent(pick: StoredPick): Promise<boolean> {
    await this.enter('putPickIfAbsent', arguments);
    if (this.picks.has(pick.id)) return false;
    this.picks.set(pick.id, defined(clone(pick)));
    return true;
  }

  public async *listIngested(from: Date, to: Date): AsyncIterable<IngestedItem> {
    await this.enter('listIngested', arguments);
    const fromIso = from.toISOString();
    const toIso = to.toISOString();
    const byDay = new Map<string, Indexed[]>();
    for (const entry of this.#indexed()) {
      // The index query: gsi1sk BETWEEN from AND to, then the period's end excluded.
      if (entry.sortKey < fromIso || entry.sortKey >= toIso) continue;
      byDay.set(entry.day, [...(byDay.get(entry.day) ?? []), entry]);
    }
    for (let d = Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate()); d < to.getTime(); d += DAY_MS) {
      const entries = (byDay.get(dayOf(new Date(d).toISOString())) ?? []).sort((a, b) => byKey(a.sortKey, b.sortKey));
      for (const entry of entries) yield clone(entry.item);
    }
  }

  // QuarantineRepository

  public async put(record: QuarantineRecord): Promise<void> {
    await this.enter('put', arguments);
    this.quarantine.set(record.key, defined({ ...record }));
  }

  public async remove(key: string): Promise<void> {
    await this.enter('remove', arguments);
    this.quarantine.delete(key);
  }

  public async get(key: string): Promise<QuarantineRecord | undefined> {
    await this.enter('get', arguments);
    const record = this.quarantine.get(key);
    return record ? { ...record } : undefined;
  }

  /** Newest first. */
  public async *list(): AsyncIterable<QuarantineRecord> {
    await this.enter('list', arguments);
    const sortKey = (r: QuarantineRecord): string => `${r.at}#${r.key}`;
    const records = [...this.quarantine.values()].sort((a, b) => byKey(sortKey(b), sortKey(a)));
    for (const record of records) yield { ...record };
  }

  *#indexed(): Iterable<Indexed> {
    for (const { article, removed } of this.articles.values()) {
      if (!removed) yield { day: dayOf(article.ingestedAt), sortKey: `${article.ingestedAt}#A#${article.id}`, item: { type: 'article', article } };
    }
    for (const pick of this.picks.values()) {
      yield { day: dayOf(pick.ingestedAt), sortKey: `${pick.ingestedAt}#P#${pick.id}`, item: { type: 'pick', pick } };
    }
  }
}
