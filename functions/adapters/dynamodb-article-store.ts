/**
 * ArticleStore and QuarantineRepository on the articles table (single-table layout):
 * - article  pk ART#<id>   sk ARTICLE     gsi1 INGEST#<day> / <ingestedAt>#A#<id>
 * - teaser   pk PICK#<id>  sk PICK        gsi1 INGEST#<day> / <ingestedAt>#P#<id>
 * - object   pk OBJ#<key>  sk OBJECT      (content hash, what it produced)
 * - quarantine pk QUAR#<key> sk QUARANTINE gsi1 QUARANTINE / <at>#<key> (a key too long for a
 *   sort key is indexed by its sha256)
 * Editions query gsi1 one ingest day at a time, so no scan is ever needed.
 *
 * Key sizes: an S3 key is at most 1,024 bytes, and the core keeps article ids within 512 bytes
 * (functions/core/articles/parsing/limits.ts), so every partition key (at most 2,048 bytes)
 * and sort key (at most 1,024 bytes) fits.
 */
import { createHash } from 'node:crypto';
import { conditional, queryPages } from './dynamodb-support.ts';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand, type AwsCaller } from './aws-commands.ts';
import type { ArticleStore, IngestedItem, QuarantineRepository, SourceObjectRecord } from '../core/articles/ports.ts';
import type { QuarantineRecord, StoredArticle, StoredPick } from '../core/articles/types.ts';

/** DynamoDB items are limited to 400 KB; bodies are trimmed well below that. */
const MAX_BODY_CHARS = 100_000;
const MAX_KEYWORDS = 3_000;
/**
 * What an article item may take, in UTF-8 bytes of its JSON (more than DynamoDB counts):
 * characters are not bytes, and a Georgian or Armenian body of 100,000 characters alone is
 * 200-300 KB.
 */
const MAX_ITEM_BYTES = 350_000;
/** Of which the keyword list may take this much. */
const MAX_KEYWORD_BYTES = 64_000;

const utf8Bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

/** The longest start of `s` within `bytes` UTF-8 bytes, never splitting a character. */
function cutUtf8(s: string, bytes: number): string {
  if (bytes <= 0) return '';
  if (utf8Bytes(s) <= bytes) return s;
  return Buffer.from(s, 'utf8').subarray(0, bytes).toString('utf8').replace(/\uFFFD+$/u, '');
}

/**
 * The article as it fits in one item: at most 3,000 keywords (and 64 KB of them); a body
 * longer than 100,000 characters is cut (text) or dropped (HTML); then, while the item is
 * still too large, the HTML body is dropped and the text body cut. Title, summary and the
 * other fields the editions show are never touched.
 */
function fitArticleItem(article: StoredArticle): StoredArticle {
  const fitted: StoredArticle = { ...article };
  const keywords: string[] = [];
  let keywordBytes = 0;
  for (const keyword of article.keywords.slice(0, MAX_KEYWORDS)) {
    keywordBytes += utf8Bytes(keyword) + 3;
    if (keywordBytes > MAX_KEYWORD_BYTES) break;
    keywords.push(keyword);
  }
  fitted.keywords = keywords;
  if (fitted.bodyText.length > MAX_BODY_CHARS) fitted.bodyText = fitted.bodyText.slice(0, MAX_BODY_CHARS);
  if (fitted.bodyHtml !== undefined && fitted.bodyHtml.length > MAX_BODY_CHARS) delete fitted.bodyHtml;
  const size = (): number => utf8Bytes(JSON.stringify(fitted)) + 1_000; // keys and index attributes
  if (size() <= MAX_ITEM_BYTES) return fitted;
  delete fitted.bodyHtml;
  const excess = size() - MAX_ITEM_BYTES;
  if (excess > 0) fitted.bodyText = cutUtf8(fitted.bodyText, utf8Bytes(fitted.bodyText) - excess);
  return fitted;
}

const day = (iso: string): string => iso.slice(0, 10);

/** DynamoDB's limit on a sort key, in bytes. */
const MAX_SORT_KEY_BYTES = 1024;

/** The quarantine index's sort key: time, then the key, or its sha256 when that would not fit. */
function quarantineSortKey(record: QuarantineRecord): string {
  const plain = `${record.at}#${record.key}`;
  return utf8Bytes(plain) <= MAX_SORT_KEY_BYTES ? plain : `${record.at}#sha256:${createHash('sha256').update(record.key, 'utf8').digest('hex')}`;
}

/** A quarantine record from its item (keys and index attributes left out). */
function toQuarantineRecord(item: Record<string, unknown>): QuarantineRecord {
  const record: QuarantineRecord = { key: item.key as string, reason: item.reason as string, at: item.at as string };
  if (typeof item.attempts === 'number') record.attempts = item.attempts;
  if (typeof item.contentHash === 'string') record.contentHash = item.contentHash;
  return record;
}

function strip<T extends Record<string, unknown>>(item: T): Omit<T, 'pk' | 'sk' | 'gsi1pk' | 'gsi1sk' | 'type'> {
  const { pk: _pk, sk: _sk, gsi1pk: _g, gsi1sk: _s, type: _t, ...rest } = item;
  return rest;
}

/**
 * @example
 * ```ts
 * const store = new DynamoDbArticleStore({ client: dynamoDocumentClient(config), tableName: config.ARTICLES_TABLE });
 * ```
 */
export class DynamoDbArticleStore implements ArticleStore, QuarantineRepository {
  readonly #ddb: AwsCaller;
  readonly #table: string;

  public constructor(options: { client: AwsCaller; tableName: string }) {
    this.#ddb = options.client;
    this.#table = options.tableName;
  }

  public async getSourceRecord(key: string): Promise<SourceObjectRecord | undefined> {
    const out = await this.#ddb.send(new GetCommand({ TableName: this.#table, Key: { pk: `OBJ#${key}`, sk: 'OBJECT' }, ConsistentRead: true }));
    return out.Item ? (strip(out.Item) as SourceObjectRecord) : undefined;
  }

  public async putSourceRecord(record: SourceObjectRecord): Promise<void> {
    await this.#ddb.send(new PutCommand({ TableName: this.#table, Item: { pk: `OBJ#${record.key}`, sk: 'OBJECT', ...record } }));
  }

  public async deleteSourceRecord(key: string): Promise<void> {
    await this.#ddb.send(new DeleteCommand({ TableName: this.#table, Key: { pk: `OBJ#${key}`, sk: 'OBJECT' } }));
  }

  public async getArticle(id: string): Promise<StoredArticle | undefined> {
    const out = await this.#ddb.send(new GetCommand({ TableName: this.#table, Key: { pk: `ART#${id}`, sk: 'ARTICLE' }, ConsistentRead: true }));
    if (!out.Item || out.Item.removedAt) return undefined;
    return strip(out.Item) as unknown as StoredArticle;
  }

  public async putArticle(article: StoredArticle): Promise<void> {
    const trimmed = fitArticleItem(article);
    await this.#ddb.send(
      new PutCommand({
        TableName: this.#table,
        Item: {
          pk: `ART#${article.id}`,
          sk: 'ARTICLE',
          type: 'article',
          gsi1pk: `INGEST#${day(article.ingestedAt)}`,
          gsi1sk: `${article.ingestedAt}#A#${article.id}`,
          ...trimmed,
        },
      }),
    );
  }

  public async removeArticle(id: string): Promise<void> {
    // An article that was never stored has nothing to take out.
    await conditional(() =>
      this.#ddb.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: { pk: `ART#${id}`, sk: 'ARTICLE' },
          UpdateExpression: 'SET removedAt = :now REMOVE gsi1pk, gsi1sk',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':now': new Date().toISOString() },
        }),
      ),
    );
  }

  public putPickIfAbsent(pick: StoredPick): Promise<boolean> {
    return conditional(() =>
      this.#ddb.send(
        new PutCommand({
          TableName: this.#table,
          Item: { pk: `PICK#${pick.id}`, sk: 'PICK', type: 'pick', gsi1pk: `INGEST#${day(pick.ingestedAt)}`, gsi1sk: `${pick.ingestedAt}#P#${pick.id}`, ...pick },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
  }

  public async *listIngested(from: Date, to: Date): AsyncIterable<IngestedItem> {
    const fromIso = from.toISOString();
    const toIso = to.toISOString();
    for (let d = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate())); d < to; d = new Date(d.getTime() + 86_400_000)) {
      const pages = queryPages(this.#ddb, {
          TableName: this.#table,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':pk': `INGEST#${day(d.toISOString())}`, ':from': fromIso, ':to': toIso },
        },
      );
      for await (const page of pages) {
        for (const item of page.Items ?? []) {
          if ((item.gsi1sk as string) >= toIso) continue; // the period is [from, to)
          if (item.type === 'article') yield { type: 'article', article: strip(item) as unknown as StoredArticle };
          else if (item.type === 'pick') yield { type: 'pick', pick: strip(item) as unknown as StoredPick };
        }
      }
    }
  }

  // QuarantineRepository

  public async put(record: QuarantineRecord): Promise<void> {
    await this.#ddb.send(
      new PutCommand({ TableName: this.#table, Item: { pk: `QUAR#${record.key}`, sk: 'QUARANTINE', gsi1pk: 'QUARANTINE', gsi1sk: quarantineSortKey(record), ...record } }),
    );
  }

  public async remove(key: string): Promise<void> {
    await this.#ddb.send(new DeleteCommand({ TableName: this.#table, Key: { pk: `QUAR#${key}`, sk: 'QUARANTINE' } }));
  }

  public async get(key: string): Promise<QuarantineRecord | undefined> {
    const out = await this.#ddb.send(new GetCommand({ TableName: this.#table, Key: { pk: `QUAR#${key}`, sk: 'QUARANTINE' }, ConsistentRead: true }));
    return out.Item ? toQuarantineRecord(out.Item) : undefined;
  }

  public async *list(): AsyncIterable<QuarantineRecord> {
    const pages = queryPages(this.#ddb, { TableName: this.#table, IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :pk', ExpressionAttributeValues: { ':pk': 'QUARANTINE' }, ScanIndexForward: false },
    );
    for await (const page of pages) {
      for (const item of page.Items ?? []) yield toQuarantineRecord(item);
    }
  }

}
