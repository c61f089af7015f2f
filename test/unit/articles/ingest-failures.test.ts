/**
 * IngestService when something unexpected fails for one object: the failure is recorded in
 * quarantine (`internal: …`, with the number of attempts), the other objects are ingested,
 * the reconciliation tries again a bounded number of times, then leaves the object in
 * quarantine; new bytes start again. Small in-memory fakes of the articles ports.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { IngestService, MAX_INGEST_ATTEMPTS, MAX_REASON_CHARS } from '../../../functions/core/articles/ingest-service.ts';
import type { ArticleStore, ContentSource, IngestedItem, ObjectInfo, QuarantineRepository, SourceObjectRecord } from '../../../functions/core/articles/ports.ts';
import type { QuarantineRecord, SourceObject, StoredArticle, StoredPick } from '../../../functions/core/articles/types.ts';
import { IngestFailedError } from '../../../functions/core/errors.ts';
import { silentLogger } from '../../../functions/core/logger.ts';

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
const story = (title: string): string => JSON.stringify({ title, body: 'Text.' });

class FakeBucket implements ContentSource {
  public readonly objects = new Map<string, string>();
  /** Keys whose GetObject fails (say, a key it may not decrypt). */
  public readonly failGet = new Set<string>();
  public async get(key: string): Promise<SourceObject | undefined> {
    if (this.failGet.has(key)) throw Object.assign(new Error('Access Denied'), { name: 'AccessDenied' });
    const body = this.objects.get(key);
    return body === undefined ? undefined : { key, body: new TextEncoder().encode(body), lastModified: new Date('2026-11-27T10:00:00Z') };
  }
  public async list(): Promise<{ objects: ObjectInfo[] }> {
    return { objects: [...this.objects.keys()].sort().map((key) => ({ key, size: 10, lastModified: new Date('2026-11-27T10:00:00Z') })) };
  }
}

/** A store whose writes fail for the keys in `failFor` (a throttled or refused write). */
class FakeStore implements ArticleStore {
  public readonly articles = new Map<string, StoredArticle>();
  public readonly sources = new Map<string, SourceObjectRecord>();
  public readonly failFor = new Set<string>();
  public async getSourceRecord(key: string) {
    return this.sources.get(key);
  }
  public async putSourceRecord(record: SourceObjectRecord) {
    this.sources.set(record.key, record);
  }
  public async deleteSourceRecord(key: string) {
    this.sources.delete(key);
  }
  public async getArticle(id: string) {
    return this.articles.get(id);
  }
  public async putArticle(article: StoredArticle) {
    if (this.failFor.has(article.sourceKey)) throw Object.assign(new Error('Throughput exceeds the current capacity\nof your table'), { name: 'ProvisionedThroughputExceededException' });
    this.articles.set(article.id, article);
  }
  public async removeArticle(id: string) {
    this.articles.delete(id);
  }
  public async putPickIfAbsent(_pick: StoredPick) {
    return true;
  }
  public async *listIngested(): AsyncIterable<IngestedItem> {}
}

class FakeQuarantine implements QuarantineRepository {
  public readonly records = new Map<string, QuarantineRecord>();
  public puts = 0;
  public broken = false;
  public async put(record: QuarantineRecord) {
    if (this.broken) throw new Error('the table is gone');
    this.puts += 1;
    this.records.set(record.key, { ...record });
  }
  public async remove(key: string) {
    this.records.delete(key);
  }
  public async get(key: string) {
    const record = this.records.get(key);
    return record ? { ...record } : undefined;
  }
  public async *list() {
    yield* [...this.records.values()].map((r) => ({ ...r }));
  }
}

function setup() {
  const bucket = new FakeBucket();
  const store = new FakeStore();
  const quarantine = new FakeQuarantine();
  let clock = Date.parse('2026-11-28T06:00:00Z');
  const service = new IngestService({
    source: bucket,
    store,
    quarantine,
    logger: silentLogger,
    defaultLanguage: 'en',
    now: () => new Date((clock += 1_000)),
  });
  return { bucket, store, quarantine, service };
}

describe('Class: IngestService (internal errors)', () => {
  describe('Method: reconcile', () => {
    it('records an unexpected error as internal, attempt 1, and ingests the other objects', async () => {
      // Prepare
      const { bucket, store, quarantine, service } = setup();
      bucket.objects.set('news/a.json', story('First'));
      bucket.objects.set('news/b.json', story('Failing'));
      bucket.objects.set('news/c.json', story('Third'));
      store.failFor.add('news/b.json');

      // Act
      const counts = await service.reconcile();

      // Assess
      expect(counts).toMatchObject({ created: 2, failed: 1, quarantined: 0 });
      expect([...store.articles.keys()].sort()).toEqual(['news-a', 'news-c']);
      expect(quarantine.records.get('news/b.json')).toEqual({
        key: 'news/b.json',
        reason: `internal: ProvisionedThroughputExceededException: Throughput exceeds the current capacity of your table (attempt 1 of ${MAX_INGEST_ATTEMPTS}; the hourly reconciliation tries again)`,
        at: expect.any(String),
        attempts: 1,
        contentHash: sha256(story('Failing')),
      });
    });

    it('tries a failing object again on later runs, gives up after 3 attempts, then leaves it alone', async () => {
      // Prepare
      const { bucket, store, quarantine, service } = setup();
      bucket.objects.set('news/b.json', story('Failing'));
      bucket.objects.set('news/ok.json', story('Fine'));
      store.failFor.add('news/b.json');

      // Act
      const runs = [];
      for (let run = 0; run < 5; run++) runs.push(await service.reconcile());
      const putsAfterGivingUp = quarantine.puts;
      await service.reconcile();

      // Assess
      expect(runs.map((r) => [r.failed, r.quarantined])).toEqual([
        [1, 0],
        [1, 0],
        [0, 1],
        [0, 1],
        [0, 1],
      ]);
      const record = quarantine.records.get('news/b.json');
      expect(record?.attempts).toBe(3);
      expect(record?.reason).toMatch(/^internal: ProvisionedThroughputExceededException: .* \(gave up after 3 attempts; upload a new version to try again\)$/);
      expect(quarantine.puts).toBe(putsAfterGivingUp);
      expect(quarantine.puts).toBe(3);
      expect(store.articles.has('news-ok')).toBe(true);
    });

    it('tries new bytes of a given-up object afresh, and releases it when they ingest', async () => {
      // Prepare
      const { bucket, store, quarantine, service } = setup();
      bucket.objects.set('news/b.json', story('Failing'));
      store.failFor.add('news/b.json');
      for (let run = 0; run < MAX_INGEST_ATTEMPTS; run++) await service.reconcile();
      bucket.objects.set('news/b.json', story('Fixed upload'));

      // Act
      const stillFailing = await service.reconcile();
      store.failFor.clear();
      const fixed = await service.reconcile();

      // Assess
      expect(stillFailing).toMatchObject({ failed: 1 });
      expect(fixed).toMatchObject({ created: 1, failed: 0, quarantined: 0 });
      expect(store.articles.get('news-b')?.title).toBe('Fixed upload');
      expect(quarantine.records.has('news/b.json')).toBe(false);
    });

    it('bounds the attempts at an object it cannot even read, and learns its hash once it can', async () => {
      // Prepare
      const { bucket, store, quarantine, service } = setup();
      bucket.objects.set('news/b.json', story('Unreadable for now'));
      bucket.failGet.add('news/b.json');
      for (let run = 0; run < MAX_INGEST_ATTEMPTS + 1; run++) await service.reconcile();
      const putsWhileUnreadable = quarantine.puts;
      bucket.failGet.clear();
      store.failFor.add('news/b.json');

      // Act
      const readable = await service.reconcile();
      const after = await service.reconcile();

      // Assess
      expect(putsWhileUnreadable).toBe(MAX_INGEST_ATTEMPTS);
      expect(readable).toMatchObject({ quarantined: 1, failed: 0 });
      expect(after).toMatchObject({ quarantined: 1, failed: 0 });
      expect(quarantine.puts).toBe(MAX_INGEST_ATTEMPTS + 1);
      expect(quarantine.records.get('news/b.json')).toMatchObject({ attempts: MAX_INGEST_ATTEMPTS + 1, contentHash: sha256(story('Unreadable for now')) });
      expect(quarantine.records.get('news/b.json')?.reason).toMatch(/^internal: ProvisionedThroughputExceededException: .* \(gave up after 4 attempts; upload a new version to try again\)$/);
    });

    it('fails the run at the end, after every other object, only when a failure cannot be recorded', async () => {
      // Prepare
      const { bucket, store, quarantine, service } = setup();
      bucket.objects.set('news/a.json', story('First'));
      bucket.objects.set('news/b.json', story('Failing'));
      bucket.objects.set('news/c.json', story('Third'));
      store.failFor.add('news/b.json');
      quarantine.broken = true;

      // Act
      const error = await service.reconcile().catch((e: unknown) => e);

      // Assess
      expect(error).toBeInstanceOf(IngestFailedError);
      expect((error as IngestFailedError).keys).toEqual(['news/b.json']);
      expect((error as Error).message).toMatch(/^1 object\(s\) could not be ingested nor quarantined, first news\/b\.json: ProvisionedThroughputExceededException/);
      expect([...store.articles.keys()].sort()).toEqual(['news-a', 'news-c']);
    });
  });

  describe('Method: ingestObject', () => {
    it('counts the attempts of S3 events at the same bytes from the quarantine record', async () => {
      // Prepare
      const { bucket, store, quarantine, service } = setup();
      bucket.objects.set('news/b.json', story('Failing'));
      store.failFor.add('news/b.json');

      // Act
      const first = await service.ingestObject({ key: 'news/b.json' });
      const second = await service.ingestObject({ key: 'news/b.json' });
      const third = await service.ingestObject({ key: 'news/b.json' });

      // Assess
      expect([first, second, third].map((r) => [r.outcome, r.attempts])).toEqual([
        ['failed', 1],
        ['failed', 2],
        ['quarantined', 3],
      ]);
      expect(quarantine.records.get('news/b.json')?.attempts).toBe(3);
    });

    it('starts again at attempt 1 for new bytes', async () => {
      // Prepare
      const { bucket, store, service } = setup();
      bucket.objects.set('news/b.json', story('Failing'));
      store.failFor.add('news/b.json');
      await service.ingestObject({ key: 'news/b.json' });
      await service.ingestObject({ key: 'news/b.json' });
      bucket.objects.set('news/b.json', story('New bytes'));

      // Act
      const result = await service.ingestObject({ key: 'news/b.json' });

      // Assess
      expect([result.outcome, result.attempts]).toEqual(['failed', 1]);
    });

    it('throws IngestFailedError when the failure cannot be recorded either', async () => {
      // Prepare
      const { bucket, store, quarantine, service } = setup();
      bucket.objects.set('news/b.json', story('Failing'));
      store.failFor.add('news/b.json');
      quarantine.broken = true;

      // Act
      const error = await service.ingestObject({ key: 'news/b.json' }).catch((e: unknown) => e);

      // Assess
      expect(error).toBeInstanceOf(IngestFailedError);
      expect((error as IngestFailedError).keys).toEqual(['news/b.json']);
    });

    it('keeps a quarantine reason within 1,000 characters', async () => {
      // Prepare: 400 bad tags give a reason far longer.
      const { bucket, quarantine, service } = setup();
      bucket.objects.set('news/tags.json', JSON.stringify({ title: 'T', tags: Array.from({ length: 400 }, () => 7) }));

      // Act
      const result = await service.ingestObject({ key: 'news/tags.json' });

      // Assess
      expect(result.outcome).toBe('quarantined');
      expect(result.reason?.length).toBe(MAX_REASON_CHARS);
      expect(result.reason?.endsWith('…')).toBe(true);
      expect(quarantine.records.get('news/tags.json')?.reason).toBe(result.reason);
    });
  });
});
