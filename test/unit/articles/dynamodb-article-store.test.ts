/**
 * The key sizes of the article store on DynamoDB. dynalite checks a table's own keys but not
 * an index's, so the index entries are checked here on the commands the adapter sends.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { SdkCaller } from '../../../functions/adapters/aws-sdk-caller.ts';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbArticleStore } from '../../../functions/adapters/dynamodb-article-store.ts';
import { ArticleLimits } from '../../../functions/core/articles/parsing/index.ts';
import type { StoredArticle } from '../../../functions/core/articles/types.ts';

const ddb = mockClient(DynamoDBDocumentClient);
const client = new SdkCaller(DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })));
const bytes = (value: unknown): number => Buffer.byteLength(String(value), 'utf8');
/** The longest key S3 allows: 1,024 bytes (Georgian letters are 3 bytes each). */
const LONGEST_KEY = `news/${'ა'.repeat(338)}.json`;

describe('Class: DynamoDbArticleStore', () => {
  let store: DynamoDbArticleStore;
  beforeEach(() => {
    ddb.reset();
    ddb.on(PutCommand).resolves({});
    store = new DynamoDbArticleStore({ client, tableName: 'articles' });
  });

  describe('Method: put (quarantine)', () => {
    it('indexes the longest S3 key within the 1,024 bytes of a sort key, and keeps the key whole', async () => {
      // Act
      await store.put({ key: LONGEST_KEY, reason: 'JSON article has no title', at: '2026-11-28T06:00:00.000Z' });

      // Assess
      expect(bytes(LONGEST_KEY)).toBe(1024);
      const item = ddb.commandCalls(PutCommand)[0]?.args[0].input.Item ?? {};
      expect(bytes(item.pk)).toBeLessThanOrEqual(2048);
      expect(bytes(item.gsi1sk)).toBeLessThanOrEqual(1024);
      expect(item.gsi1sk).toMatch(/^2026-11-28T06:00:00\.000Z#sha256:[0-9a-f]{64}$/);
      expect(item.key).toBe(LONGEST_KEY);
    });

    it('keeps the key itself in the index entry when it fits', async () => {
      // Act
      await store.put({ key: 'news/a.json', reason: 'r', at: '2026-11-28T06:00:00.000Z', attempts: 2, contentHash: 'abc' });

      // Assess
      expect(ddb.commandCalls(PutCommand)[0]?.args[0].input.Item).toMatchObject({
        pk: 'QUAR#news/a.json',
        gsi1sk: '2026-11-28T06:00:00.000Z#news/a.json',
        attempts: 2,
        contentHash: 'abc',
      });
    });
  });

  describe('Method: list (quarantine)', () => {
    it('returns attempts and content hash only for the records that have them', async () => {
      // Prepare
      ddb.on(QueryCommand).resolves({
        Items: [
          { pk: 'QUAR#a', key: 'a', reason: 'internal: x (attempt 1 of 3; the hourly reconciliation tries again)', at: 't2', attempts: 1, contentHash: 'h' },
          { pk: 'QUAR#b', key: 'b', reason: 'empty file', at: 't1' },
        ],
      });

      // Act
      const records = [];
      for await (const record of store.list()) records.push(record);

      // Assess
      expect(records).toStrictEqual([
        { key: 'a', reason: 'internal: x (attempt 1 of 3; the hourly reconciliation tries again)', at: 't2', attempts: 1, contentHash: 'h' },
        { key: 'b', reason: 'empty file', at: 't1' },
      ]);
    });
  });

  describe('Method: putArticle', () => {
    it('keeps the keys of the longest id within DynamoDB’s limits', async () => {
      // Prepare
      const id = 'ა'.repeat(Math.floor(ArticleLimits.ID_BYTES / 3));
      const article: StoredArticle = {
        id, title: 'T', section: 'News', summary: '', bodyText: '', tags: [], editorsChoice: false, breaking: false, language: 'ka',
        publishedAt: '2026-11-28T06:00:00.000Z', ingestedAt: '2026-11-28T06:00:00.000Z', updated: false, sourceKey: LONGEST_KEY, contentHash: 'h', keywords: [],
      };

      // Act
      await store.putArticle(article);

      // Assess
      const item = ddb.commandCalls(PutCommand)[0]?.args[0].input.Item ?? {};
      expect(bytes(id)).toBeLessThanOrEqual(ArticleLimits.ID_BYTES);
      expect(bytes(item.pk)).toBeLessThanOrEqual(2048);
      expect(bytes(item.gsi1sk)).toBeLessThanOrEqual(1024);
    });
  });
});
