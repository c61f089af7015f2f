/**
 * KeywordIndex on the alerts table (AlertsTable, docs/alerts.md):
 * - follower entry `pk KW#<phrase>` / `sk S#<subscriber>`: label, cadence, zone, hour;
 * - head `pk KWTOK#<first token>` / `sk HEAD`: `phrases`, a String Set of the followed phrases
 *   starting with that token, grown with `ADD` (idempotent) and never shrunk: a stale phrase
 *   costs one empty follower query when an article contains it (docs/alerts.md, "Cleanup").
 * Entries are written and deleted with BatchWriteItem (25 a call), heads read with
 * BatchGetItem (100 a call); keys DynamoDB leaves unprocessed are asked again with backoff.
 */
import { BatchGetCommand, BatchWriteCommand, QueryCommand, UpdateCommand, type AwsCaller } from './aws-commands.ts';
import type { KeywordIndex } from '../core/alerts/ports.ts';
import type { ActiveCadence, FollowerEntry } from '../core/alerts/types.ts';
import { mapBounded } from '../core/concurrency.ts';
import { decodeCursor, encodeCursor } from './dynamodb-support.ts';

const WRITE_BATCH = 25;
const GET_BATCH = 100;
const ROUNDS = 10;

const followerKey = (phrase: string, subscriberId: string) => ({ pk: `KW#${phrase}`, sk: `S#${subscriberId}` });
const headKey = (token: string) => ({ pk: `KWTOK#${token}`, sk: 'HEAD' });

const backoff = (round: number): Promise<void> => new Promise((r) => setTimeout(r, Math.min(1000, 25 * 2 ** round)));

/**
 * @example
 * ```ts
 * const index = new DynamoDbKeywordIndex({ client: dynamoDocumentClient(config), tableName: config.ALERTS_TABLE });
 * await index.follow([{ phrase: 'minsk', subscriberId: 's_1', label: 'Minsk', cadence: 'instant', timezone: 'UTC', alertHour: 7 }]);
 * ```
 */
export class DynamoDbKeywordIndex implements KeywordIndex {
  readonly #ddb: AwsCaller;
  readonly #table: string;

  public constructor(options: { client: AwsCaller; tableName: string }) {
    this.#ddb = options.client;
    this.#table = options.tableName;
  }

  public async follow(entries: readonly FollowerEntry[]): Promise<void> {
    // One write per phrase and subscriber, the last of the list (as writing them in turn
    // would leave): BatchWriteItem refuses a batch naming a key twice, and batches run at once.
    const last = new Map(entries.map((e) => [`${e.phrase}\u0000${e.subscriberId}`, e]));
    const puts = [...last.values()].map((e) => ({
      PutRequest: {
        Item: { ...followerKey(e.phrase, e.subscriberId), subscriberId: e.subscriberId, label: e.label, cadence: e.cadence, timezone: e.timezone, alertHour: e.alertHour },
      },
    }));
    await this.#batchWrite(puts);
    const heads = new Map<string, Set<string>>();
    for (const e of entries) {
      const first = e.phrase.split(' ')[0] ?? '';
      if (first === '') continue;
      const set = heads.get(first) ?? new Set<string>();
      set.add(e.phrase);
      heads.set(first, set);
    }
    await mapBounded([...heads], 8, ([token, phrases]) =>
      this.#ddb.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: headKey(token),
          UpdateExpression: 'ADD phrases :p',
          ExpressionAttributeValues: { ':p': phrases },
        }),
      ),
    );
  }

  public async unfollow(subscriberId: string, phrases: readonly string[]): Promise<void> {
    // Each phrase once: BatchWriteItem refuses a batch naming a key twice.
    await this.#batchWrite([...new Set(phrases)].map((phrase) => ({ DeleteRequest: { Key: followerKey(phrase, subscriberId) } })));
  }

  public async phrasesStartingWith(tokens: readonly string[]): Promise<string[]> {
    const unique = [...new Set(tokens)];
    const batches: string[][] = [];
    for (let i = 0; i < unique.length; i += GET_BATCH) batches.push(unique.slice(i, i + GET_BATCH));
    const found = new Set<string>();
    await mapBounded(batches, 4, async (batch) => {
      let keys: Record<string, unknown>[] = batch.map(headKey);
      for (let round = 0; keys.length > 0; round += 1) {
        if (round >= ROUNDS) throw new Error(`BatchGetItem left ${keys.length} phrase heads unprocessed`);
        if (round > 0) await backoff(round);
        const out = await this.#ddb.send(
          new BatchGetCommand({ RequestItems: { [this.#table]: { Keys: keys, ProjectionExpression: 'phrases' } } }),
        );
        for (const item of out.Responses?.[this.#table] ?? []) {
          const phrases = item.phrases;
          if (phrases instanceof Set) for (const p of phrases) found.add(String(p));
        }
        keys = out.UnprocessedKeys?.[this.#table]?.Keys ?? [];
      }
    });
    return [...found];
  }

  public async followers(phrase: string, options: { limit: number; cursor?: string }): Promise<{ followers: FollowerEntry[]; cursor?: string }> {
    const start = decodeCursor(options.cursor, ['pk', 'sk']);
    const out = await this.#ddb.send(
      new QueryCommand({
        TableName: this.#table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `KW#${phrase}` },
        Limit: options.limit,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    const followers = (out.Items ?? []).map((item) => ({
      phrase,
      subscriberId: String(item.subscriberId),
      label: String(item.label),
      cadence: item.cadence as ActiveCadence,
      timezone: String(item.timezone),
      alertHour: Number(item.alertHour),
    }));
    const cursor = encodeCursor(out.LastEvaluatedKey);
    return cursor === undefined ? { followers } : { followers, cursor };
  }

  async #batchWrite(requests: ReadonlyArray<Record<string, unknown>>): Promise<void> {
    const batches: Array<Record<string, unknown>[]> = [];
    for (let i = 0; i < requests.length; i += WRITE_BATCH) batches.push(requests.slice(i, i + WRITE_BATCH));
    await mapBounded(batches, 4, async (batch) => {
      let pending = batch;
      for (let round = 0; pending.length > 0; round += 1) {
        if (round >= ROUNDS) throw new Error(`BatchWriteItem left ${pending.length} index writes unprocessed`);
        if (round > 0) await backoff(round);
        const out = await this.#ddb.send(new BatchWriteCommand({ RequestItems: { [this.#table]: pending } }));
        pending = (out.UnprocessedItems?.[this.#table] ?? []) as Array<Record<string, unknown>>;
      }
    });
  }
}
