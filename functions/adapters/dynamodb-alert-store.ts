/**
 * AlertStore on the alerts table (AlertsTable, docs/alerts.md). Per subscriber:
 * - pending match `pk SUB#<subscriber>` / `sk M#<article key>`: keywords (String Set), due
 *   time, the follower's settings; in the due index (gsi1 `DUE#<shard>` /
 *   `<dueAt>#<subscriber>#<article key>`, keys only) and the window index (gsi2
 *   `PEND#<subscriber>` / `<article key>`) while pending. Frozen into a digest, it keeps
 *   `sentIn` and leaves both indexes: a tombstone, so the article is never pending again;
 * - claim `sk CLAIM`: the flush working on the window, and since when; in the due index at the
 *   time it goes stale (`<staleAt>#<subscriber>#~claim`);
 * - cap `sk CAP#<local day>`: the flushes whose digests count that day (a String Set);
 * - digest `sk DIGEST#<flush>`: a frozen alert digest.
 * Expiry (TTL `expiresAt`): tombstones 400 days after the match, caps 3 days, claims 1 day,
 * digests 30 days (resend-failed works on them that long).
 */
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand, type AwsCaller } from './aws-commands.ts';
import type { AlertStore, NewMatch } from '../core/alerts/ports.ts';
import { CLAIM_ENTRY, dueShardOf, type ActiveCadence, type AlertClaim, type AlertDigestRecord, type DueEntry, type PendingMatch } from '../core/alerts/types.ts';
import { conditional, decodeCursor, encodeCursor, isConditionFailure, queryPages } from './dynamodb-support.ts';

const DAY_S = 86_400;
const CAP_RETENTION_S = 3 * DAY_S;
const CLAIM_RETENTION_S = DAY_S;
const DIGEST_RETENTION_S = 30 * DAY_S;

const pk = (subscriberId: string) => `SUB#${subscriberId}`;
const matchKey = (subscriberId: string, articleKey: string) => ({ pk: pk(subscriberId), sk: `M#${articleKey}` });
const dueSortKey = (dueAt: string, subscriberId: string, articleKey: string) => `${dueAt}#${subscriberId}#${articleKey}`;
const epoch = (iso: string) => Math.floor(Date.parse(iso) / 1000);

function toPending(item: Record<string, unknown>): PendingMatch {
  const keywords = item.keywords instanceof Set ? [...item.keywords].map(String).sort() : [];
  return {
    subscriberId: String(item.subscriberId),
    articleKey: String(item.articleKey),
    articleId: String(item.articleId),
    keywords,
    matchedAt: String(item.matchedAt),
    dueAt: String(item.dueAt),
    cadence: item.cadence as ActiveCadence,
    timezone: String(item.timezone),
    alertHour: Number(item.alertHour),
  };
}

function toDigest(item: Record<string, unknown>): AlertDigestRecord {
  const { pk: _p, sk: _s, expiresAt: _e, ...rest } = item;
  return rest as unknown as AlertDigestRecord;
}

/**
 * @example
 * ```ts
 * const store = new DynamoDbAlertStore({ client: dynamoDocumentClient(config), tableName: config.ALERTS_TABLE });
 * ```
 */
export class DynamoDbAlertStore implements AlertStore {
  readonly #ddb: AwsCaller;
  readonly #table: string;

  public constructor(options: { client: AwsCaller; tableName: string }) {
    this.#ddb = options.client;
    this.#table = options.tableName;
  }

  public async recordMatch(m: NewMatch): Promise<boolean> {
    const created = await conditional(() =>
      this.#ddb.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: matchKey(m.subscriberId, m.articleKey),
          UpdateExpression:
            'ADD #kw :kw SET #sub = :sub, #ak = :ak, #aid = :aid, #cad = :cad, #tz = :tz, #hour = :hour, ' +
            '#mat = if_not_exists(#mat, :mat), #due = if_not_exists(#due, :due), ' +
            'gsi1pk = if_not_exists(gsi1pk, :g1pk), gsi1sk = if_not_exists(gsi1sk, :g1sk), gsi2pk = :g2pk, gsi2sk = :ak, ' +
            'expiresAt = if_not_exists(expiresAt, :exp)',
          ConditionExpression: 'attribute_not_exists(sentIn)',
          ExpressionAttributeNames: {
            '#kw': 'keywords', '#sub': 'subscriberId', '#ak': 'articleKey', '#aid': 'articleId', '#cad': 'cadence',
            '#tz': 'timezone', '#hour': 'alertHour', '#mat': 'matchedAt', '#due': 'dueAt',
          },
          ExpressionAttributeValues: {
            ':kw': new Set([m.keyword]),
            ':sub': m.subscriberId,
            ':ak': m.articleKey,
            ':aid': m.articleId,
            ':cad': m.cadence,
            ':tz': m.timezone,
            ':hour': m.alertHour,
            ':mat': m.matchedAt,
            ':due': m.dueAt,
            ':g1pk': `DUE#${dueShardOf(m.subscriberId)}`,
            ':g1sk': dueSortKey(m.dueAt, m.subscriberId, m.articleKey),
            ':g2pk': `PEND#${m.subscriberId}`,
            ':exp': m.expiresAt,
          },
        }),
      ),
    );
    if (created && m.breaking) await this.#bringForward(m.subscriberId, m.articleKey, m.dueAt);
    return created;
  }

  /** A breaking article: its pending match becomes due at `dueAt` if that is earlier. */
  async #bringForward(subscriberId: string, articleKey: string, dueAt: string): Promise<void> {
    await conditional(() =>
      this.#ddb.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: matchKey(subscriberId, articleKey),
          UpdateExpression: 'SET #due = :due, gsi1sk = :g1sk',
          ConditionExpression: 'attribute_not_exists(sentIn) AND #due > :due',
          ExpressionAttributeNames: { '#due': 'dueAt' },
          ExpressionAttributeValues: { ':due': dueAt, ':g1sk': dueSortKey(dueAt, subscriberId, articleKey) },
        }),
      ),
    );
  }

  public async pageDue(shard: number, dueBy: string, options: { limit: number; cursor?: string }): Promise<{ entries: DueEntry[]; cursor?: string }> {
    const start = decodeCursor(options.cursor, ['pk', 'sk', 'gsi1pk', 'gsi1sk']);
    const out = await this.#ddb.send(
      new QueryCommand({
        TableName: this.#table,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk < :by',
        // '$' sorts after '#': every entry due at exactly `dueBy` is in.
        ExpressionAttributeValues: { ':pk': `DUE#${shard}`, ':by': `${dueBy}$` },
        Limit: options.limit,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    const entries = (out.Items ?? []).map((item) => {
      const [dueAt = '', subscriberId = '', articleKey = ''] = String(item.gsi1sk).split('#');
      return { dueAt, subscriberId, articleKey };
    });
    const cursor = encodeCursor(out.LastEvaluatedKey);
    return cursor === undefined ? { entries } : { entries, cursor };
  }

  public async pending(subscriberId: string): Promise<PendingMatch[]> {
    const found: PendingMatch[] = [];
    const pages = queryPages(this.#ddb, {
        TableName: this.#table,
        IndexName: 'gsi2',
        KeyConditionExpression: 'gsi2pk = :pk',
        ExpressionAttributeValues: { ':pk': `PEND#${subscriberId}` },
      },
    );
    for await (const page of pages) {
      for (const item of page.Items ?? []) if (item.sentIn === undefined) found.push(toPending(item));
    }
    return found;
  }

  public async postpone(subscriberId: string, articleKeys: readonly string[], dueAt: string): Promise<void> {
    for (const articleKey of articleKeys) {
      await conditional(() =>
        this.#ddb.send(
          new UpdateCommand({
            TableName: this.#table,
            Key: matchKey(subscriberId, articleKey),
            UpdateExpression: 'SET #due = :due, gsi1sk = :g1sk',
            ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(sentIn)',
            ExpressionAttributeNames: { '#due': 'dueAt' },
            ExpressionAttributeValues: { ':due': dueAt, ':g1sk': dueSortKey(dueAt, subscriberId, articleKey) },
          }),
        ),
      );
    }
  }

  public async claim(subscriberId: string, flushId: string, options: { now: string; staleBefore: string; staleAt: string }): Promise<{ granted: boolean; previous?: AlertClaim }> {
    try {
      const out = await this.#ddb.send(
        new PutCommand({
          TableName: this.#table,
          Item: {
            pk: pk(subscriberId), sk: 'CLAIM', subscriberId, flushId, claimedAt: options.now, expiresAt: epoch(options.now) + CLAIM_RETENTION_S,
            // Found by a later flush once stale (its flush died): see AlertStore.claim.
            gsi1pk: `DUE#${dueShardOf(subscriberId)}`, gsi1sk: dueSortKey(options.staleAt, subscriberId, CLAIM_ENTRY),
          },
          ConditionExpression: 'attribute_not_exists(pk) OR flushId = :f OR claimedAt < :stale',
          ExpressionAttributeValues: { ':f': flushId, ':stale': options.staleBefore },
          ReturnValues: 'ALL_OLD',
        }),
      );
      const old = out.Attributes;
      return old ? { granted: true, previous: { subscriberId, flushId: String(old.flushId), claimedAt: String(old.claimedAt) } } : { granted: true };
    } catch (error) {
      if (isConditionFailure(error)) return { granted: false };
      throw error;
    }
  }

  public releaseClaim(subscriberId: string, flushId: string): Promise<boolean> {
    return conditional(() =>
      this.#ddb.send(
        new DeleteCommand({
          TableName: this.#table,
          Key: { pk: pk(subscriberId), sk: 'CLAIM' },
          ConditionExpression: 'flushId = :f',
          ExpressionAttributeValues: { ':f': flushId },
        }),
      ),
    );
  }

  public countDigest(subscriberId: string, day: string, flushId: string, cap: number): Promise<boolean> {
    return conditional(() =>
      this.#ddb.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: { pk: pk(subscriberId), sk: `CAP#${day}` },
          UpdateExpression: 'ADD digests :f SET expiresAt = :exp',
          // Under a cap of 0 nothing is counted, not even in a day without a count yet: only a
          // flush counted before (the cap was lowered since) stays counted.
          ConditionExpression: cap > 0 ? 'attribute_not_exists(digests) OR size(digests) < :cap OR contains(digests, :fid)' : 'contains(digests, :fid)',
          ExpressionAttributeValues: { ':f': new Set([flushId]), ':fid': flushId, ...(cap > 0 ? { ':cap': cap } : {}), ':exp': epoch(`${day}T00:00:00Z`) + CAP_RETENTION_S },
        }),
      ),
    );
  }

  public async uncountDigest(subscriberId: string, day: string, flushId: string): Promise<void> {
    // Only a day that was counted (else the update would create a key-only item that never expires).
    await conditional(() =>
      this.#ddb.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: { pk: pk(subscriberId), sk: `CAP#${day}` },
          UpdateExpression: 'DELETE digests :f',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':f': new Set([flushId]) },
        }),
      ),
    );
  }

  public async putDigest(record: AlertDigestRecord): Promise<{ created: boolean; digest: AlertDigestRecord }> {
    try {
      await this.#ddb.send(
        new PutCommand({
          TableName: this.#table,
          Item: this.#digestItem(record),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return { created: true, digest: record };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return { created: false, digest: (await this.getDigest(record.subscriberId, record.flushId)) ?? record };
    }
  }

  public async replaceDigest(record: AlertDigestRecord): Promise<void> {
    await this.#ddb.send(new PutCommand({ TableName: this.#table, Item: this.#digestItem(record) }));
  }

  public async getDigest(subscriberId: string, flushId: string): Promise<AlertDigestRecord | undefined> {
    const out = await this.#ddb.send(
      new GetCommand({ TableName: this.#table, Key: { pk: pk(subscriberId), sk: `DIGEST#${flushId}` }, ConsistentRead: true }),
    );
    return out.Item ? toDigest(out.Item) : undefined;
  }

  public freeze(subscriberId: string, articleKey: string, flushId: string): Promise<boolean> {
    return conditional(() =>
      this.#ddb.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: matchKey(subscriberId, articleKey),
          UpdateExpression: 'SET sentIn = :f REMOVE gsi1pk, gsi1sk, gsi2pk, gsi2sk',
          ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(sentIn) OR sentIn = :f)',
          ExpressionAttributeValues: { ':f': flushId },
        }),
      ),
    );
  }

  #digestItem(record: AlertDigestRecord): Record<string, unknown> {
    return { ...record, pk: pk(record.subscriberId), sk: `DIGEST#${record.flushId}`, expiresAt: epoch(record.createdAt) + DIGEST_RETENTION_S };
  }
}
