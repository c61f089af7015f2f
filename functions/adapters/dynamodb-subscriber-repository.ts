/**
 * Adapter: the SubscriberRepository and OnceStore ports on SubscribersTable (DynamoDB).
 *
 * Items: profile `pk SUB#<id>`, `sk PROFILE`, with
 * `gsi1pk NEWS#<status>#<newsletter>` / `gsi1sk <id>` and `gsi2pk ALERT#<status>#<cadence>` /
 * `gsi2sk <id>`, so that a sending job pages through e.g. confirmed daily subscribers with a
 * Query, and a revision attribute `rev` for optimistic updates. One-time keys:
 * `pk ONCE#<key>`, `sk ONCE`, `expiresAt` (epoch seconds, for a TTL).
 */
import { conditional, decodeCursor, encodeCursor, isConditionFailure, queryPages } from './dynamodb-support.ts';
import { randomUUID } from 'node:crypto';
import { BatchGetCommand, BatchWriteCommand, DeleteCommand, GetCommand, PutCommand, QueryCommand, ScanCommand, type AwsCaller } from './aws-commands.ts';
import { ConflictError, ValidationError } from '../core/errors.ts';
import type { OnceStore, SubscriberRepository } from '../core/subscribers/ports.ts';
import type { Segment, Subscriber, SubscriberPage, SubscriberStatus } from '../core/subscribers/types.ts';

export interface DynamoDbSubscriberRepositoryOptions {
  tableName: string;
  client: AwsCaller;
}

const PROFILE = 'PROFILE';
const KEY_ATTRIBUTES = ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'rev'] as const;
/** Attempts of an optimistic update before giving up with a ConflictError. */
const MAX_UPDATE_ATTEMPTS = 8;
const MAX_PAGE = 1000;
/** Keys per BatchGetItem call (the DynamoDB maximum). */
const BATCH_GET_KEYS = 100;
/** Rounds of re-asking for keys DynamoDB left unprocessed (throttling) before giving up. */
const BATCH_GET_ROUNDS = 8;
/** Items per BatchWriteItem call (the DynamoDB maximum). */
const BATCH_WRITE_ITEMS = 25;

/** Partition key of a subscriber's profile item. */
export function subscriberPk(id: string): string {
  return `SUB#${id}`;
}

/** gsi1 partition key: one newsletter segment in one status. */
export function newsletterIndexKey(status: SubscriberStatus, newsletter: string): string {
  return `NEWS#${status}#${newsletter}`;
}

/** gsi2 partition key: one alerts segment in one status. */
export function alertsIndexKey(status: SubscriberStatus, cadence: string): string {
  return `ALERT#${status}#${cadence}`;
}

/** The stored item of a subscriber (keys, index keys, revision, attributes without undefined). */
function toItem(subscriber: Subscriber, rev: string): Record<string, unknown> {
  const attributes = Object.fromEntries(Object.entries(subscriber).filter(([, v]) => v !== undefined));
  if (subscriber.consent) {
    attributes.consent = Object.fromEntries(Object.entries(subscriber.consent).filter(([, v]) => v !== undefined));
  }
  return {
    ...attributes,
    pk: subscriberPk(subscriber.id),
    sk: PROFILE,
    gsi1pk: newsletterIndexKey(subscriber.status, subscriber.newsletter),
    gsi1sk: subscriber.id,
    gsi2pk: alertsIndexKey(subscriber.status, subscriber.alerts),
    gsi2sk: subscriber.id,
    rev,
  };
}

function fromItem(item: Record<string, unknown>): Subscriber {
  const copy: Record<string, unknown> = { ...item };
  for (const key of KEY_ATTRIBUTES) delete copy[key];
  const subscriber = copy as unknown as Subscriber;
  if (!Array.isArray(subscriber.keywords)) subscriber.keywords = [];
  return subscriber;
}

function pageLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 1) throw new ValidationError('limit: must be a positive integer');
  return Math.min(limit, MAX_PAGE);
}

/**
 * Subscribers on DynamoDB.
 *
 * @example
 * ```ts
 * const repo = new DynamoDbSubscriberRepository({ tableName: config.SUBSCRIBERS_TABLE, client: documentClient });
 * const page = await repo.pageSegment({ kind: 'newsletter', newsletter: 'daily' }, { limit: 500 });
 * ```
 */
/** The index, its partition key and the key's value that hold a segment's confirmed subscribers. */
function segmentIndex(segment: Segment): readonly [string, string, string] {
  return segment.kind === 'newsletter'
    ? (['gsi1', 'gsi1pk', newsletterIndexKey('confirmed', segment.newsletter)] as const)
    : (['gsi2', 'gsi2pk', alertsIndexKey('confirmed', segment.cadence)] as const);
}

export class DynamoDbSubscriberRepository implements SubscriberRepository {
  readonly #tableName: string;
  readonly #client: AwsCaller;

  public constructor(options: DynamoDbSubscriberRepositoryOptions) {
    this.#tableName = options.tableName;
    this.#client = options.client;
  }

  /** Strongly consistent read: the send path checks the status at send time with it. */
  public async get(id: string): Promise<Subscriber | undefined> {
    return (await this.#getItem(id))?.subscriber;
  }

  /** BatchGetItem, 100 keys a call, strongly consistent; unprocessed keys are asked again with backoff. */
  public async getMany(ids: readonly string[]): Promise<Map<string, Subscriber>> {
    const found = new Map<string, Subscriber>();
    const unique = [...new Set(ids)];
    for (let i = 0; i < unique.length; i += BATCH_GET_KEYS) {
      let keys: Record<string, unknown>[] = unique.slice(i, i + BATCH_GET_KEYS).map((id) => ({ pk: subscriberPk(id), sk: PROFILE }));
      for (let round = 0; keys.length > 0; round += 1) {
        if (round >= BATCH_GET_ROUNDS) throw new Error(`BatchGetItem left ${keys.length} subscriber keys unprocessed`);
        if (round > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 25 * 2 ** round)));
        const result = await this.#client.send(
          new BatchGetCommand({ RequestItems: { [this.#tableName]: { Keys: keys, ConsistentRead: true } } }),
        );
        for (const item of result.Responses?.[this.#tableName] ?? []) {
          const subscriber = fromItem(item);
          found.set(subscriber.id, subscriber);
        }
        keys = result.UnprocessedKeys?.[this.#tableName]?.Keys ?? [];
      }
    }
    return found;
  }

  public async put(subscriber: Subscriber): Promise<void> {
    await this.#client.send(new PutCommand({ TableName: this.#tableName, Item: toItem(subscriber, randomUUID()) }));
  }

  /** BatchWriteItem, 25 puts a call; unprocessed items are sent again with backoff. */
  public async putMany(subscribers: readonly Subscriber[]): Promise<void> {
    for (let i = 0; i < subscribers.length; i += BATCH_WRITE_ITEMS) {
      let requests: Array<{ PutRequest: { Item: Record<string, unknown> } }> = subscribers
        .slice(i, i + BATCH_WRITE_ITEMS)
        .map((s) => ({ PutRequest: { Item: toItem(s, randomUUID()) } }));
      for (let round = 0; requests.length > 0; round += 1) {
        if (round >= BATCH_GET_ROUNDS) throw new Error(`BatchWriteItem left ${requests.length} subscribers unprocessed`);
        if (round > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 25 * 2 ** round)));
        const result = await this.#client.send(new BatchWriteCommand({ RequestItems: { [this.#tableName]: requests } }));
        requests = (result.UnprocessedItems?.[this.#tableName] ?? []) as typeof requests;
      }
    }
  }

  public async setStatus(
    id: string,
    status: SubscriberStatus,
    options: { unlessIn?: SubscriberStatus[] } = {},
  ): Promise<boolean> {
    let changed = false;
    await this.update(id, (current) => {
      changed = false;
      if (!current || current.status === status || options.unlessIn?.includes(current.status)) return undefined;
      changed = true;
      return { ...current, status, updatedAt: new Date().toISOString() };
    });
    return changed;
  }

  public async update(
    id: string,
    mutate: (current: Subscriber | undefined) => Subscriber | undefined,
  ): Promise<Subscriber | undefined> {
    for (let attempt = 1; attempt <= MAX_UPDATE_ATTEMPTS; attempt += 1) {
      const stored = await this.#getItem(id);
      const next = mutate(stored?.subscriber);
      if (next === undefined) return stored?.subscriber;
      if (next.id !== id) throw new ValidationError('update: the id of a subscriber cannot change');
      try {
        await this.#client.send(
          new PutCommand({
            TableName: this.#tableName,
            Item: toItem(next, randomUUID()),
            ...(stored === undefined
              ? { ConditionExpression: 'attribute_not_exists(pk)' }
              : stored.rev === undefined
                ? { ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(rev)' }
                : { ConditionExpression: 'rev = :rev', ExpressionAttributeValues: { ':rev': stored.rev } }),
          }),
        );
        return next;
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
    }
    throw new ConflictError('subscriber changed concurrently too often; try again');
  }

  public async countSegment(segment: Segment): Promise<number> {
    const [indexName, pkName, pkValue] = segmentIndex(segment);
    let count = 0;
    const pages = queryPages(this.#client, { TableName: this.#tableName, IndexName: indexName, KeyConditionExpression: '#pk = :pk', ExpressionAttributeNames: { '#pk': pkName }, ExpressionAttributeValues: { ':pk': pkValue }, Select: 'COUNT' },
    );
    for await (const page of pages) count += page.Count ?? 0;
    return count;
  }

  public async pageSegment(segment: Segment, options: { limit: number; cursor?: string }): Promise<SubscriberPage> {
    const [indexName, pkName, pkValue] = segmentIndex(segment);
    const startKey = decodeCursor(options.cursor, KEY_ATTRIBUTES);
    const result = await this.#client.send(
      new QueryCommand({
        TableName: this.#tableName,
        IndexName: indexName,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': pkName },
        ExpressionAttributeValues: { ':pk': pkValue },
        Limit: pageLimit(options.limit),
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    return this.#page(result.Items, result.LastEvaluatedKey);
  }

  /** A Scan of profile items; a page may hold fewer than `limit` even when more follow. */
  public async pageAll(options: { limit: number; cursor?: string }): Promise<SubscriberPage> {
    const startKey = decodeCursor(options.cursor, KEY_ATTRIBUTES);
    const result = await this.#client.send(
      new ScanCommand({
        TableName: this.#tableName,
        FilterExpression: 'sk = :profile',
        ExpressionAttributeValues: { ':profile': PROFILE },
        Limit: pageLimit(options.limit),
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    return this.#page(result.Items, result.LastEvaluatedKey);
  }

  #page(items: Record<string, unknown>[] | undefined, lastKey: Record<string, unknown> | undefined): SubscriberPage {
    const page: SubscriberPage = { subscribers: (items ?? []).map(fromItem) };
    const cursor = encodeCursor(lastKey);
    if (cursor !== undefined) page.cursor = cursor;
    return page;
  }

  async #getItem(id: string): Promise<{ subscriber: Subscriber; rev?: string } | undefined> {
    const result = await this.#client.send(
      new GetCommand({ TableName: this.#tableName, Key: { pk: subscriberPk(id), sk: PROFILE }, ConsistentRead: true }),
    );
    if (!result.Item) return undefined;
    const rev = typeof result.Item.rev === 'string' ? result.Item.rev : undefined;
    return rev === undefined ? { subscriber: fromItem(result.Item) } : { subscriber: fromItem(result.Item), rev };
  }
}

/**
 * One-time keys on SubscribersTable (`pk ONCE#<key>`, `sk ONCE`). A claim past its
 * `expiresAt` counts as free again even before a TTL sweep removes it.
 *
 * @example
 * ```ts
 * const once = new DynamoDbOnceStore({ tableName, client });
 * if (!(await once.claim(`confirm#${nonce}`, expiresAt))) throw new InvalidTokenError('expired');
 * ```
 */
export class DynamoDbOnceStore implements OnceStore {
  readonly #tableName: string;
  readonly #client: AwsCaller;
  readonly #nowSeconds: () => number;

  public constructor(options: DynamoDbSubscriberRepositoryOptions & { nowSeconds?: () => number }) {
    this.#tableName = options.tableName;
    this.#client = options.client;
    this.#nowSeconds = options.nowSeconds ?? (() => Math.floor(Date.now() / 1000));
  }

  public claim(key: string, expiresAt: number): Promise<boolean> {
    return conditional(() =>
      this.#client.send(
        new PutCommand({
          TableName: this.#tableName,
          Item: { pk: `ONCE#${key}`, sk: 'ONCE', expiresAt },
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
          ExpressionAttributeValues: { ':now': this.#nowSeconds() },
        }),
      ),
    );
  }

  public async release(key: string): Promise<void> {
    await this.#client.send(new DeleteCommand({ TableName: this.#tableName, Key: { pk: `ONCE#${key}`, sk: 'ONCE' } }));
  }
}
