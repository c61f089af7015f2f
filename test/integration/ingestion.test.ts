/**
 * Content ingestion against the emulators (one local stack for the file): S3 events reach
 * the `ingest` handler and the article store; reconciliation finds objects whose events were
 * dropped; re-uploads are no-ops; changes and removals reach the next edition the way the
 * issue says; broken objects are quarantined with a reason and leave quarantine when fixed.
 *
 * The tests share one store and the `daily` watermark, so the edition tests first close an
 * edition (`closeEdition`) to start from an empty period, and every test uses its own keys.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { DeleteObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getConfig } from '../../functions/core/config.ts';
import { IngestService, MAX_INGEST_ATTEMPTS, type IngestResult } from '../../functions/core/articles/ingest-service.ts';
import type { QuarantineRecord, StoredArticle } from '../../functions/core/articles/types.ts';
import type { EditionContent } from '../../functions/core/editions/types.ts';
import { silentLogger } from '../../functions/core/logger.ts';
import { handler as ingestHandler } from '../../functions/ingest.ts';
import { DynamoDbArticleStore } from '../../functions/adapters/dynamodb-article-store.ts';
import { S3ContentSource } from '../../functions/adapters/s3-content-source.ts';
import { articleStore, ddb, s3 as s3Client } from '../../functions/wiring/common.ts';
import { editionService } from '../../functions/wiring/edition.ts';
import { ingestService } from '../../functions/wiring/ingest.ts';
import { localAppEnv } from '../../infra/local/app-env.ts';
import { forwardS3Events } from '../../infra/local/lambda-driver.ts';
import { useStack } from '../../infra/local/local-run.ts';
import { startLocalStack, type LocalStack } from '../../infra/local/stack.ts';

const FIXTURES = new URL('../fixtures/content/', import.meta.url);
const fixture = (name: string): Promise<Buffer> => readFile(new URL(name, FIXTURES));
const json = (fields: Record<string, unknown>): string => JSON.stringify(fields);
const sha256 = (body: string | Uint8Array): string => createHash('sha256').update(body).digest('hex');

let stack: LocalStack;
let s3: S3Client;
let bucket: string;
/** Distinct schedule days, so that every closed edition is a new one. */
let editionDay = 0;

beforeAll(async () => {
  stack = await startLocalStack({ forwardToMailbox: false });
  useStack(localAppEnv(stack, { httpPort: 3000, logLevel: 'SILENT' }));
  bucket = getConfig().CONTENT_BUCKET;
  s3 = new S3Client({ region: getConfig().AWS_REGION, endpoint: stack.endpoints.s3, forcePathStyle: true });
});

afterAll(async () => {
  s3?.destroy();
  await stack?.stop();
});

/** Runs `act` with the bucket's events going to `ingest`, and returns what `ingest` did. */
async function withEvents(act: () => Promise<unknown>): Promise<IngestResult[]> {
  const results: IngestResult[] = [];
  const events = forwardS3Events(stack, async (event) => {
    results.push(...(await ingestHandler(event)).results);
  });
  try {
    await act();
    await events.flush();
  } finally {
    events.stop();
  }
  return results;
}

/** Puts an object; nobody listens to its event (a dropped notification). */
async function putObject(key: string, body: string | Uint8Array): Promise<void> {
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
}

/** Puts an object and lets its S3 event run `ingest`; returns the one result. */
async function upload(key: string, body: string | Uint8Array): Promise<IngestResult> {
  const results = await withEvents(() => putObject(key, body));
  expect(results).toHaveLength(1);
  return results[0] as IngestResult;
}

/** Deletes an object and lets its S3 event run `ingest`; returns the one result. */
async function removeObject(key: string): Promise<IngestResult> {
  const results = await withEvents(() => s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key })));
  expect(results).toHaveLength(1);
  return results[0] as IngestResult;
}

async function storedArticle(id: string): Promise<StoredArticle> {
  const article = await articleStore().getArticle(id);
  if (!article) throw new Error(`article ${id} is not in the store`);
  return article;
}

async function quarantine(): Promise<QuarantineRecord[]> {
  const records: QuarantineRecord[] = [];
  for await (const record of articleStore().list()) records.push(record);
  return records;
}

/** Runs the daily job (forced, as an editor would): its watermark moves to now. */
async function closeEdition(): Promise<{ articles: number; editorsChoice: number; state: string }> {
  editionDay += 1;
  const now = new Date();
  return editionService().run({ job: 'daily', scheduledAt: new Date(now.getTime() + editionDay * 86_400_000), now, force: true });
}

/** What the next daily edition would hold. */
async function nextEdition(): Promise<EditionContent> {
  return (await editionService().preview('daily', new Date())).content;
}

/** Every article id of an edition, picks and sections. */
function idsOf(content: EditionContent): string[] {
  return [...content.picks.map((p) => p.id), ...content.sections.flatMap((s) => s.articles.map((a) => a.id))];
}

describe('ingestion through S3 events', () => {
  it('stores an uploaded article with its fields, hash and ingest time', async () => {
    // Prepare
    const body = await fixture('json-full-fields.json');
    const before = new Date().toISOString();

    // Act
    const result = await upload('events/json-full-fields.json', body);

    // Assess
    const after = new Date().toISOString();
    expect(result).toEqual({ key: 'events/json-full-fields.json', outcome: 'created', articleId: 'story-2026-0042', picks: 0 });
    const article = await storedArticle('story-2026-0042');
    expect(article).toMatchObject({
      id: 'story-2026-0042',
      title: 'Breaking: parliament dissolved',
      url: 'https://news.example.org/parliament-dissolved',
      publishedAt: '2026-03-01T00:00:00.000Z',
      section: 'Politics',
      tags: ['politics', 'elections'],
      editorsChoice: true,
      breaking: true,
      source: 'Agencies',
      language: 'en-GB',
      image: { url: 'https://cdn.example.org/parliament.jpg', alt: 'Breaking: parliament dissolved', caption: 'The parliament building' },
      bodyText: 'The president dissolved parliament on Sunday.',
      sourceKey: 'events/json-full-fields.json',
      contentHash: sha256(body),
      updated: false,
    });
    expect(article.updatedAt).toBeUndefined();
    expect(article.summary.length).toBeLessThanOrEqual(300);
    expect(article.summary.endsWith('…')).toBe(true);
    expect(article.ingestedAt >= before && article.ingestedAt <= after).toBe(true);
    expect(article.keywords).toEqual(expect.arrayContaining(['parliament', 'dissolved', 'president']));
    expect(await articleStore().getSourceRecord('events/json-full-fields.json')).toMatchObject({
      contentHash: sha256(body),
      articleId: 'story-2026-0042',
      pickIds: [],
    });
  });

  it('round-trips a key with spaces, "+", "%" and non-ASCII characters through the event', async () => {
    // Prepare
    const key = 'pages/Երևան news + more/Café 100% été (draft).txt';

    // Act
    const created = await upload(key, 'Tbilisi hosts the regional summit\n\nLeaders met in Tbilisi on Friday.\n');
    const article = await storedArticle(created.articleId ?? '');
    const removed = await removeObject(key);

    // Assess
    expect(created).toMatchObject({ key, outcome: 'created' });
    expect(article.sourceKey).toBe(key);
    expect(article.title).toBe('Tbilisi hosts the regional summit');
    expect(removed).toMatchObject({ key, outcome: 'removed', articleId: article.id });
    expect(await articleStore().getArticle(article.id)).toBeUndefined();
    expect(await articleStore().getSourceRecord(key)).toBeUndefined();
  });

  it('takes the publication time from the explicit field, else from the object’s LastModified', async () => {
    // Prepare
    const explicitKey = 'published/explicit.json';
    const implicitKey = 'published/implicit.json';

    // Act
    await upload(explicitKey, json({ title: 'Explicit date', publishedAt: '2026-02-27T16:45:00+02:00', body: 'Text.' }));
    await upload(implicitKey, json({ title: 'No date', body: 'Text.' }));

    // Assess
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: implicitKey }));
    expect((await storedArticle('published-explicit')).publishedAt).toBe('2026-02-27T14:45:00.000Z');
    expect(head.LastModified).toBeInstanceOf(Date);
    expect((await storedArticle('published-implicit')).publishedAt).toBe(head.LastModified?.toISOString());
  });

  it('stores a very long non-Latin article within the item size limit', async () => {
    // Prepare: a long read in Georgian (3 bytes a letter in UTF-8), HTML body, many distinct words:
    // 100,000 characters of body text and 3,000 keywords are more than 400 KB.
    const letters = Array.from('აბგდევზთიკლმნოპჟრსტუფქღყშჩცძწჭხჯჰ');
    /** A distinct 15-letter word per number (its digits in base 33, padded). */
    const word = (n: number): string => Array.from({ length: 15 }, (_, i) => letters[Math.floor(n / letters.length ** i) % letters.length]).join('');
    const paragraphs = Array.from({ length: 800 }, (_, p) => `<p>${Array.from({ length: 20 }, (_, w) => word(p * 20 + w)).join(' ')}.</p>`);
    const body = json({ title: 'გრძელი სტატია', language: 'ka', body: paragraphs.join('\n') });

    // Act
    const result = await upload('long/georgian.json', body);

    // Assess
    expect(Buffer.byteLength(body)).toBeGreaterThan(500_000);
    expect(result).toMatchObject({ outcome: 'created', articleId: 'long-georgian' });
    const article = await storedArticle('long-georgian');
    expect(article.title).toBe('გრძელი სტატია');
    expect(article.bodyText.startsWith(word(0))).toBe(true);
    expect(article.keywords.length).toBeGreaterThan(0);
    // DynamoDB counts UTF-8 bytes (dynalite counts UTF-16 units, so it would not refuse it).
    expect(Buffer.byteLength(JSON.stringify(article))).toBeLessThan(400 * 1024);
  });
});

describe('re-uploads, changes and removals', () => {
  it('treats a re-upload of identical bytes as a no-op', async () => {
    // Prepare
    const body = json({ title: 'Same bytes twice', body: 'Nothing changes.' });
    await upload('same/twice.json', body);
    const first = await storedArticle('same-twice');

    // Act
    const again = await upload('same/twice.json', body);

    // Assess
    expect(again).toEqual({ key: 'same/twice.json', outcome: 'unchanged', articleId: 'same-twice', picks: 0 });
    const second = await storedArticle('same-twice');
    expect(second).toEqual(first);
    expect(second.updated).toBe(false);
  });

  it('marks a changed object updated, keeps its ingest time and leaves it out of the next edition', async () => {
    // Prepare
    await closeEdition();
    await upload('changed/story.json', json({ title: 'First version', body: 'Draft.' }));
    const original = await storedArticle('changed-story');
    const sent = await closeEdition();

    // Act
    const result = await upload('changed/story.json', json({ title: 'Second version', body: 'Corrected.' }));
    await upload('changed/other.json', json({ title: 'Another story', body: 'Text.' }));

    // Assess
    expect(sent.articles).toBe(1);
    expect(result).toMatchObject({ outcome: 'updated', articleId: 'changed-story' });
    const updated = await storedArticle('changed-story');
    expect(updated).toMatchObject({ title: 'Second version', updated: true, ingestedAt: original.ingestedAt });
    expect(updated.updatedAt! > original.ingestedAt).toBe(true);
    expect(idsOf(await nextEdition())).toEqual(['changed-other']);
  });

  it('takes a removed object’s article out of the next edition', async () => {
    // Prepare
    await closeEdition();
    await upload('removed/story.json', json({ title: 'Soon gone', body: 'Text.' }));
    await upload('removed/stays.json', json({ title: 'Stays', body: 'Text.' }));
    expect(idsOf(await nextEdition()).sort()).toEqual(['removed-stays', 'removed-story']);

    // Act
    const result = await removeObject('removed/story.json');

    // Assess
    expect(result).toMatchObject({ outcome: 'removed', articleId: 'removed-story' });
    expect(idsOf(await nextEdition())).toEqual(['removed-stays']);
    expect(await articleStore().getArticle('removed-story')).toBeUndefined();
  });

  it('keeps an article that moved to another object when the old object is removed', async () => {
    // Prepare: the same story (same URL) first under one key, then under another.
    const story = { title: 'Moved story', url: 'https://news.example.org/moved', body: 'Text.' };
    await upload('moved/old.json', json(story));
    await upload('moved/new.json', json({ ...story, body: 'Text, moved.' }));

    // Act
    await removeObject('moved/old.json');

    // Assess
    expect(await storedArticle('https://news.example.org/moved')).toMatchObject({ sourceKey: 'moved/new.json', bodyText: 'Text, moved.' });
  });
});

describe('quarantine', () => {
  it('quarantines a broken object with the reason and time, and releases it when fixed', async () => {
    // Prepare
    const key = 'broken/no-title.json';
    const before = new Date().toISOString();

    // Act
    const broken = await upload(key, await fixture('bad-json-no-title.json'));
    const records = await quarantine();
    const fixed = await upload(key, json({ title: 'Now with a title', body: 'Text.' }));

    // Assess
    const after = new Date().toISOString();
    expect(broken).toEqual({ key, outcome: 'quarantined', picks: 0, reason: 'JSON article has no title' });
    const record = records.find((r) => r.key === key);
    expect(record?.reason).toBe('JSON article has no title');
    expect(record!.at >= before && record!.at <= after).toBe(true);
    expect(fixed).toMatchObject({ outcome: 'created', articleId: 'broken-no-title' });
    expect((await quarantine()).map((r) => r.key)).not.toContain(key);
  });

  it('keeps the good article when a broken version is uploaded over it, and releases the key when the good bytes return', async () => {
    // Prepare
    const key = 'overwritten/story.json';
    const good = json({ title: 'Good version', body: 'Text.' });
    await upload(key, good);

    // Act
    const broken = await upload(key, '{"title": "Good version", "body": ');
    const kept = await storedArticle('overwritten-story');
    const inQuarantine = (await quarantine()).find((r) => r.key === key);
    const restored = await upload(key, good);

    // Assess
    expect(broken).toMatchObject({ outcome: 'quarantined', reason: 'invalid JSON: the file ends before the JSON is complete' });
    expect(kept).toMatchObject({ title: 'Good version', contentHash: sha256(good) });
    expect(inQuarantine?.reason).toBe('invalid JSON: the file ends before the JSON is complete');
    expect(restored).toMatchObject({ outcome: 'unchanged', articleId: 'overwritten-story' });
    expect((await quarantine()).map((r) => r.key)).not.toContain(key);
  });

  it('quarantines every bad fixture with its reason', async () => {
    // Prepare
    const names = ['bad-unsupported.pdf', 'bad-latin1.txt', 'bad-page-headline-only.txt', 'bad-front-matter-unclosed.md'];

    // Act
    const results = await withEvents(async () => {
      for (const name of names) await putObject(`bad/${name}`, await fixture(name));
    });

    // Assess
    expect(results.map((r) => [r.key, r.outcome, r.reason])).toEqual([
      ['bad/bad-unsupported.pdf', 'quarantined', 'unsupported file type .pdf'],
      ['bad/bad-latin1.txt', 'quarantined', 'not valid UTF-8 text (binary or another encoding)'],
      ['bad/bad-page-headline-only.txt', 'quarantined', "page export has only a headline: no body paragraphs and no editor's-choice teasers"],
      ['bad/bad-front-matter-unclosed.md', 'quarantined', 'front matter is not closed (no second --- line)'],
    ]);
    const records = new Map((await quarantine()).map((r) => [r.key, r.reason]));
    for (const r of results) expect(records.get(r.key)).toBe(r.reason);
  });
});

describe('objects that one field, or one failure, would have stopped', () => {
  it('quarantines a long-URL article uploaded beside a good one, and reconciles past it', async () => {
    // Prepare
    const long = await fixture('bad-json-long-url.json');

    // Act
    const results = await withEvents(async () => {
      await putObject('long-url/story.json', long);
      await putObject('long-url/good.json', json({ title: 'The good story beside it', body: 'Text.' }));
    });
    const counts = await ingestService().reconcile({ prefix: 'long-url/' });

    // Assess
    expect(results).toEqual([
      { key: 'long-url/story.json', outcome: 'quarantined', picks: 0, reason: 'too long: url: at most 2048 characters (got 2100)' },
      { key: 'long-url/good.json', outcome: 'created', articleId: 'long-url-good', picks: 0 },
    ]);
    expect((await quarantine()).find((r) => r.key === 'long-url/story.json')?.reason).toBe('too long: url: at most 2048 characters (got 2100)');
    expect((await storedArticle('long-url-good')).title).toBe('The good story beside it');
    expect(counts).toMatchObject({ quarantined: 1, unchanged: 1, failed: 0 });
  });

  it('stores an article whose url is too long for a key under a hashed id, keeping the url', async () => {
    // Prepare: 1,500 characters, within the url limit, far over a sort key's 1,024 bytes.
    const url = `https://news.example.org/${'segment/'.repeat(184)}`.slice(0, 1500);

    // Act
    const result = await upload('long-url/kept.json', json({ title: 'Kept with its long url', url, body: 'Text.' }));

    // Assess
    expect(result).toMatchObject({ outcome: 'created', articleId: expect.stringMatching(/^article-[0-9a-f]{16}$/) });
    expect((await storedArticle(result.articleId ?? '')).url).toBe(url);
    expect(idsOf(await nextEdition())).toContain(result.articleId);
  });

  it('quarantines an object whose key is too long for the quarantine index as it was', async () => {
    // Prepare: 1,000 bytes of key (S3 allows 1,024); `<at>#<key>` would be over 1,024.
    const key = `${Array.from({ length: 5 }, (_, i) => `${i}${'k'.repeat(198)}`).join('/')}.json`;

    // Act
    const result = await upload(key, '{"body": "no title"}');

    // Assess
    expect(Buffer.byteLength(key)).toBeGreaterThan(990);
    expect(result).toMatchObject({ key, outcome: 'quarantined', reason: 'JSON article has no title' });
    expect((await quarantine()).find((r) => r.key === key)?.reason).toBe('JSON article has no title');
  });

  it('records an internal failure in quarantine, retries it on 3 reconciliations, then leaves it there', async () => {
    // Prepare: an ingestion whose article table does not exist (every write fails in DynamoDB).
    const key = 'internal/story.json';
    const body = json({ title: 'Fails for now', body: 'Text.' });
    await putObject(key, body);
    const broken = new IngestService({
      source: new S3ContentSource({ client: s3Client(), bucket }),
      store: new DynamoDbArticleStore({ client: ddb(), tableName: 'NoSuchTable' }),
      quarantine: articleStore(),
      logger: silentLogger,
      defaultLanguage: 'en',
    });

    // Act
    const runs = [];
    for (let run = 0; run <= MAX_INGEST_ATTEMPTS; run++) runs.push(await broken.reconcile({ prefix: 'internal/' }));
    const record = (await quarantine()).find((r) => r.key === key);
    const fixed = await upload(key, json({ title: 'Fixed', body: 'Text.' }));

    // Assess
    expect(runs.map((r) => [r.failed, r.quarantined])).toEqual([
      [1, 0],
      [1, 0],
      [0, 1],
      [0, 1],
    ]);
    expect(record).toMatchObject({ key, attempts: MAX_INGEST_ATTEMPTS, contentHash: sha256(body) });
    expect(record?.reason).toMatch(/^internal: ResourceNotFoundException: .* \(gave up after 3 attempts; upload a new version to try again\)$/);
    expect(fixed).toMatchObject({ key, outcome: 'created', articleId: 'internal-story' });
    expect((await quarantine()).map((r) => r.key)).not.toContain(key);
  });
});

describe('folder markers', () => {
  it('ignores the empty "folder/" objects the S3 console creates', async () => {
    // Act
    const results = await withEvents(() => putObject('markers/2026/', ''));
    const counts = await ingestService().reconcile({ prefix: 'markers/' });

    // Assess
    expect((await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'markers/2026/' }))).ContentLength).toBe(0);
    expect(results).toEqual([]);
    expect(Object.values(counts).every((n) => n === 0)).toBe(true);
    expect((await quarantine()).map((r) => r.key)).not.toContain('markers/2026/');
  });
});

describe('reconciliation', () => {
  it('finds objects whose events were dropped, and finds nothing new the second time', async () => {
    // Prepare: no listener, so these events are lost.
    await putObject('dropped/one.json', json({ title: 'Dropped one', body: 'Text.' }));
    await putObject('dropped/two.md', '# Dropped two\n\nText.\n');
    await putObject('dropped/listing.txt', await fixture('page-listing-teasers-only.txt'));
    await putObject('dropped/broken.json', '[]');
    expect(await articleStore().getArticle('dropped-one')).toBeUndefined();

    // Act
    const first = await ingestService().reconcile({ prefix: 'dropped/' });
    const quarantinedAt = (await quarantine()).find((r) => r.key === 'dropped/broken.json')?.at;
    const second = await ingestService().reconcile({ prefix: 'dropped/' });

    // Assess
    expect(first).toMatchObject({ created: 3, quarantined: 1, unchanged: 0, updated: 0 });
    expect((await storedArticle('dropped-one')).sourceKey).toBe('dropped/one.json');
    expect((await storedArticle('dropped-two')).title).toBe('Dropped two');
    expect((await articleStore().getSourceRecord('dropped/listing.txt'))?.pickIds).toHaveLength(2);
    expect(second).toMatchObject({ created: 0, updated: 0, unchanged: 3, quarantined: 1 });
    // The broken object is still quarantined, since the time it was first found.
    expect(quarantinedAt).toBeDefined();
    expect((await quarantine()).find((r) => r.key === 'dropped/broken.json')?.at).toBe(quarantinedAt);
  });

  it('ingests, not removes, an object whose removal event comes after it was uploaded again', async () => {
    // Prepare: delete, then upload again; the removal's event is handled last.
    const key = 'reordered/story.json';
    await upload(key, json({ title: 'Back again', body: 'Text.' }));

    // Act
    const result = await ingestService().removeObject(key);

    // Assess
    expect(result).toMatchObject({ key, outcome: 'unchanged', articleId: 'reordered-story' });
    expect((await storedArticle('reordered-story')).title).toBe('Back again');
  });

  it('re-reads a quarantined object that was replaced while its event was dropped', async () => {
    // Prepare
    const key = 'dropped-fix/story.json';
    await upload(key, '{');
    await putObject(key, json({ title: 'Fixed quietly', body: 'Text.' }));

    // Act
    const counts = await ingestService().reconcile({ prefix: 'dropped-fix/' });

    // Assess
    expect(counts).toMatchObject({ created: 1, quarantined: 0 });
    expect((await quarantine()).map((r) => r.key)).not.toContain(key);
  });
});

describe('what the next edition takes', () => {
  it('takes the same Editor’s choice teaser on two page exports once', async () => {
    // Prepare
    await closeEdition();
    const second = [
      'Parliament debates the budget',
      '',
      'The debate on the 2027 budget opened on Tuesday.',
      '',
      "Editor's choice",
      'Monday Commentary',
      'ARMENIA AND AZERBAIJAN — the long road to a peace treaty',
      '',
      'For three decades the negotiations have moved in circles.',
      '',
    ].join('\n');

    // Act
    const first = await upload('teasers/media-law.txt', await fixture('page-two-editors-choice.txt'));
    const again = await upload('teasers/budget.txt', second);
    const content = await nextEdition();

    // Assess
    expect(first.picks).toBe(2);
    expect(again.picks).toBe(1);
    const headlines = content.picks.map((p) => p.headline);
    expect(headlines.filter((h) => /peace treaty/i.test(h))).toEqual(['Armenia and Azerbaijan: the long road to a peace treaty']);
    expect(headlines).toContain('Europe must not forget the Black Sea');
    expect(content.picks).toHaveLength(2);
  });

  it('takes a late upload of an older story once, by its ingest time', async () => {
    // Prepare
    await closeEdition();
    await upload('late/old-story.json', json({ title: 'An old story, uploaded late', publishedAt: '2020-01-15', body: 'Text.' }));

    // Act
    const preview = await nextEdition();
    const first = await closeEdition();
    const second = await closeEdition();

    // Assess
    expect(idsOf(preview)).toEqual(['late-old-story']);
    expect(first).toMatchObject({ articles: 1 });
    expect(second).toMatchObject({ articles: 0, state: 'cancelled' });
  });

  it('puts editor’s choice first, then sections in the fixed order, each most recent first', async () => {
    // Prepare
    await closeEdition();
    const stories = [
      { key: 'order/news-old.json', title: 'News, older', section: 'News', publishedAt: '2026-11-20T08:00:00Z' },
      { key: 'order/news-new.json', title: 'News, newer', section: 'News', publishedAt: '2026-11-27T08:00:00Z' },
      { key: 'order/economy.json', title: 'Economy story', section: 'Economy', publishedAt: '2026-11-27T09:00:00Z' },
      { key: 'order/culture.json', title: 'Culture story', section: 'Culture', publishedAt: '2026-11-26T09:00:00Z' },
      { key: 'order/analysis.json', title: 'Analysis story', section: 'Analysis', publishedAt: '2026-11-21T09:00:00Z' },
      { key: 'order/lower-news.json', title: 'News in lower case', section: 'news', publishedAt: '2026-11-25T08:00:00Z' },
      { key: 'order/pick-old.json', title: 'Chosen, older', section: 'Opinion', publishedAt: '2026-11-10T08:00:00Z', editorsChoice: true },
      { key: 'order/pick-new.json', title: 'Chosen, newer', section: 'Economy', publishedAt: '2026-11-28T08:00:00Z', editorsChoice: true },
    ];

    // Act
    await withEvents(async () => {
      for (const { key, ...fields } of stories) await putObject(key, json({ ...fields, body: `${fields.title}.` }));
    });
    const { content, rendered } = await editionService().preview('daily', new Date());

    // Assess
    expect(content.picks.map((p) => p.headline)).toEqual(['Chosen, newer', 'Chosen, older']);
    expect(content.sections.map((s) => [s.name, s.articles.map((a) => a.title)])).toEqual([
      ['News', ['News, newer', 'News in lower case', 'News, older']],
      ['Analysis', ['Analysis story']],
      ['Culture', ['Culture story']],
      ['Economy', ['Economy story']],
    ]);
    const text = rendered.text;
    const at = (s: string): number => text.indexOf(s);
    expect(at('Chosen, newer')).toBeGreaterThan(-1);
    expect(at('Chosen, newer')).toBeLessThan(at('Chosen, older'));
    expect(at('Chosen, older')).toBeLessThan(at('News, newer'));
    expect(at('News, newer')).toBeLessThan(at('News, older'));
    expect(at('News, older')).toBeLessThan(at('Analysis story'));
    expect(at('Analysis story')).toBeLessThan(at('Culture story'));
    expect(at('Culture story')).toBeLessThan(at('Economy story'));
  });
});
