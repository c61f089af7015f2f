/**
 * The behaviour every ArticleStore and QuarantineRepository must have
 * (functions/core/articles/article-store.ts), run against each implementation by
 * test/contract/articles.test.ts.
 */
import { describe, expect } from 'vitest';
import type { ArticleStore, IngestedItem, QuarantineRepository } from '../../functions/core/articles/ports.ts';
import type { QuarantineRecord, StoredPick } from '../../functions/core/articles/types.ts';
import { makeArticle } from '../kit/fixtures/index.ts';
import { contractTest } from './contract-test.ts';

/** The two ports, kept in one store (as on DynamoDB, one table). */
export type ArticlesSubject = ArticleStore & QuarantineRepository;

function makeTeaser(n: number, overrides: Partial<StoredPick> = {}): StoredPick {
  return {
    id: `pick-${n}`,
    headline: `Pick ${n}: Zürich and Tbilisi sign a cultural exchange`,
    section: 'Culture',
    teaser: `Teaser ${n}.`,
    ingestedAt: '2026-11-28T05:00:00.000Z',
    sourceKey: `pages/listing-${n}.txt`,
    ...overrides,
  };
}

/** What listIngested yields for a period, as `A:<id>` / `P:<id>`. */
async function ingested(store: ArticleStore, from: string, to: string): Promise<string[]> {
  const out: string[] = [];
  for await (const item of store.listIngested(new Date(from), new Date(to))) out.push(label(item));
  return out;
}

const label = (item: IngestedItem): string => (item.type === 'article' ? `A:${item.article.id}` : `P:${item.pick.id}`);

async function quarantined(store: QuarantineRepository): Promise<QuarantineRecord[]> {
  const out: QuarantineRecord[] = [];
  for await (const record of store.list()) out.push(record);
  return out;
}

/**
 * Declares the ArticleStore and QuarantineRepository contract for one implementation.
 *
 * @example
 * ```ts
 * describeArticlesContract('InMemoryArticleStore', async () => new InMemoryArticleStore());
 * ```
 */
export function describeArticlesContract(name: string, setup: () => Promise<ArticlesSubject>): void {
  const it = contractTest(setup);
  describe(`Contract: ArticleStore (${name})`, () => {
    describe('Method: putSourceRecord', () => {
      it('remembers a source object by key until it is deleted, the last put winning', async ({ subject: store }) => {
        // Prepare
        const record = { key: 'news/a.json', contentHash: 'h1', articleId: 'a', pickIds: ['pick-1'], ingestedAt: '2026-11-28T05:00:00.000Z' };

        // Act
        await store.putSourceRecord(record);
        const first = await store.getSourceRecord('news/a.json');
        await store.putSourceRecord({ ...record, contentHash: 'h2', pickIds: [] });
        const second = await store.getSourceRecord('news/a.json');
        await store.deleteSourceRecord('news/a.json');
        await store.deleteSourceRecord('news/never.json');

        // Assess
        expect(first).toStrictEqual(record);
        expect(second).toStrictEqual({ ...record, contentHash: 'h2', pickIds: [] });
        expect(await store.getSourceRecord('news/a.json')).toBeUndefined();
      });
    });

    describe('Method: putArticle', () => {
      it('stores an article that getArticle reads back without undefined attributes, the last put winning', async ({ subject: store }) => {
        // Prepare
        const article = makeArticle(1, { ingestedAt: '2026-11-28T05:00:00.000Z', bodyHtml: undefined, image: { url: 'https://x.test/1.jpg', alt: 'One', caption: undefined } });
        const { bodyHtml: _html, ...stored } = article;
        const expected = { ...stored, image: { url: 'https://x.test/1.jpg', alt: 'One' } };

        // Act
        await store.putArticle(article);
        const first = await store.getArticle(article.id);
        await store.putArticle({ ...article, title: 'Changed', updated: true, updatedAt: '2026-11-28T09:00:00.000Z' });

        // Assess
        expect(first).toStrictEqual(expected);
        expect(await store.getArticle(article.id)).toStrictEqual({ ...expected, title: 'Changed', updated: true, updatedAt: '2026-11-28T09:00:00.000Z' });
        expect(await store.getArticle('https://www.commonspace.eu/never')).toBeUndefined();
      });
    });

    describe('Method: removeArticle', () => {
      it('takes an article out of reads and editions until it is put again', async ({ subject: store }) => {
        // Prepare
        const article = makeArticle(1, { ingestedAt: '2026-11-28T05:00:00.000Z' });
        await store.putArticle(article);

        // Act
        await store.removeArticle(article.id);
        await store.removeArticle('https://www.commonspace.eu/never');
        const whileRemoved = { read: await store.getArticle(article.id), listed: await ingested(store, '2026-11-28T00:00:00.000Z', '2026-11-29T00:00:00.000Z') };
        await store.putArticle(article);

        // Assess
        expect(whileRemoved).toEqual({ read: undefined, listed: [] });
        expect(await store.getArticle(article.id)).toStrictEqual(article);
        expect(await ingested(store, '2026-11-28T00:00:00.000Z', '2026-11-29T00:00:00.000Z')).toEqual([`A:${article.id}`]);
        expect(await store.getArticle('https://www.commonspace.eu/never')).toBeUndefined();
      });
    });

    describe('Method: putPickIfAbsent', () => {
      it('stores a teaser once; the first one stays', async ({ subject: store }) => {
        // Act
        const first = await store.putPickIfAbsent(makeTeaser(1));
        const again = await store.putPickIfAbsent(makeTeaser(1, { teaser: 'Another teaser.', ingestedAt: '2026-11-28T07:00:00.000Z' }));

        // Assess
        expect([first, again]).toEqual([true, false]);
        const items: IngestedItem[] = [];
        for await (const item of store.listIngested(new Date('2026-11-28T00:00:00.000Z'), new Date('2026-11-29T00:00:00.000Z'))) items.push(item);
        expect(items).toEqual([{ type: 'pick', pick: makeTeaser(1) }]);
      });
    });

    describe('Method: listIngested', () => {
      it('yields what was first ingested in [from, to), in ingest order across days, articles and teasers together', async ({ subject: store }) => {
        // Prepare
        const at = (iso: string, n: number) => makeArticle(n, { id: `a-${n}`, ingestedAt: iso });
        await store.putArticle(at('2026-11-27T05:59:59.999Z', 1)); // before the period
        await store.putArticle(at('2026-11-27T06:00:00.000Z', 2)); // at its start: in
        await store.putArticle(at('2026-11-27T23:59:59.999Z', 3));
        await store.putPickIfAbsent(makeTeaser(4, { ingestedAt: '2026-11-28T00:00:00.000Z' }));
        await store.putArticle(at('2026-11-28T00:00:00.000Z', 5));
        await store.putArticle(at('2026-11-28T12:00:00.000Z', 6));
        await store.putPickIfAbsent(makeTeaser(7, { ingestedAt: '2026-11-29T05:00:00.000Z' }));
        await store.putArticle(at('2026-11-29T06:00:00.000Z', 8)); // at its end: out
        await store.putArticle(at('2026-11-30T01:00:00.000Z', 9)); // after it

        // Act
        const listed = await ingested(store, '2026-11-27T06:00:00.000Z', '2026-11-29T06:00:00.000Z');

        // Assess
        expect(listed).toEqual(['A:a-2', 'A:a-3', 'A:a-5', 'P:pick-4', 'A:a-6', 'P:pick-7']);
      });

      it('yields nothing for an empty period, and leaves quarantine records out', async ({ subject: store }) => {
        // Prepare
        await store.putArticle(makeArticle(1, { ingestedAt: '2026-11-28T05:00:00.000Z' }));
        await store.put({ key: 'news/bad.json', reason: 'invalid JSON', at: '2026-11-28T05:00:00.000Z' });

        // Act
        const empty = await ingested(store, '2026-11-28T05:00:00.000Z', '2026-11-28T05:00:00.000Z');
        const day = await ingested(store, '2026-11-28T00:00:00.000Z', '2026-11-29T00:00:00.000Z');

        // Assess
        expect(empty).toEqual([]);
        expect(day).toEqual([`A:${makeArticle(1).id}`]);
      });
    });
  });

  describe(`Contract: QuarantineRepository (${name})`, () => {
    describe('Method: put', () => {
      it('keeps one record per object key, the last put winning, listed newest first', async ({ subject: store }) => {
        // Act
        await store.put({ key: 'news/a.json', reason: 'invalid JSON', at: '2026-11-28T05:00:00.000Z' });
        await store.put({ key: 'news/b.md', reason: 'no title', at: '2026-11-28T06:00:00.000Z' });
        await store.put({ key: 'news/c.txt', reason: 'not UTF-8', at: '2026-11-28T04:00:00.000Z' });
        await store.put({ key: 'news/a.json', reason: 'empty file', at: '2026-11-28T07:00:00.000Z' });

        // Assess
        expect(await quarantined(store)).toStrictEqual([
          { key: 'news/a.json', reason: 'empty file', at: '2026-11-28T07:00:00.000Z' },
          { key: 'news/b.md', reason: 'no title', at: '2026-11-28T06:00:00.000Z' },
          { key: 'news/c.txt', reason: 'not UTF-8', at: '2026-11-28T04:00:00.000Z' },
        ]);
      });
    });

    describe('Method: get', () => {
      it('reads one key\'s record with every field it was put with, and nothing for another key', async ({ subject: store }) => {
        // Prepare
        await store.put({ key: 'news/a.json', reason: 'internal: boom (attempt 1 of 3)', at: '2026-11-28T05:00:00.000Z', attempts: 1, contentHash: 'ab12' });
        await store.put({ key: 'news/b.md', reason: 'no title', at: '2026-11-28T06:00:00.000Z' });

        // Act
        const found = await store.get('news/a.json');
        const plain = await store.get('news/b.md');
        const missing = await store.get('news/none.json');

        // Assess
        expect(found).toStrictEqual({ key: 'news/a.json', reason: 'internal: boom (attempt 1 of 3)', at: '2026-11-28T05:00:00.000Z', attempts: 1, contentHash: 'ab12' });
        expect(plain).toStrictEqual({ key: 'news/b.md', reason: 'no title', at: '2026-11-28T06:00:00.000Z' });
        expect(missing).toBeUndefined();
      });
    });

    describe('Method: remove', () => {
      it('takes an object out of quarantine, and accepts a key that is not in it', async ({ subject: store }) => {
        // Prepare
        await store.put({ key: 'news/a.json', reason: 'invalid JSON', at: '2026-11-28T05:00:00.000Z' });
        await store.putArticle(makeArticle(1, { ingestedAt: '2026-11-28T05:00:00.000Z' }));

        // Act
        await store.remove('news/a.json');
        await store.remove('news/never.json');

        // Assess
        expect(await quarantined(store)).toEqual([]);
      });
    });
  });
}
