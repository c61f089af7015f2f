/**
 * DeliveryLedger on the deliveries table: pk EDITION#<edition>, sk SUB#<subscriber>.
 *
 * Writes per message. A delivered message costs two writes of one item (about 300 bytes,
 * one write unit each): the lease and the completion. Only the rare final states `failed`,
 * `skipped` and `cancelled` are in gsi1 (<edition>#<state> / <subscriber>, KEYS_ONLY), where
 * resend-failed pages through them; `sending` and `sent` entries carry no index key, so no
 * index entry moves with them (that was three more write units a message). Counting by state
 * and finding `sending` entries read the edition's own partition instead (one Query, paged),
 * which the reconciler does every few minutes while an edition sends: a read unit costs a
 * fifth of a write unit and covers 8 KB of entries.
 * Every move is a conditional write (the same idea as Powertools' idempotency records: an
 * "in progress" lease with an expiry that a later attempt may take over once it has expired).
 * A recorded Send event is two attributes of the entry (`sendEventMessageId`, `sendEventAt`),
 * so the acquire that takes an entry over returns it without another read.
 */
import { conditional, decodeCursor, encodeCursor, isConditionFailure, queryPages } from './dynamodb-support.ts';
import { GetCommand, QueryCommand, UpdateCommand, type AwsCaller } from './aws-commands.ts';
import type { DeliveryLedger, LedgerResult } from '../core/delivery/ports.ts';
import { DeliveryState, type LedgerEntry, type SendEvent, type SendTask } from '../core/delivery/types.ts';

/** Ledger entries are kept 180 days (TTL), long enough for every resend and audit. */
const RETENTION_S = 180 * 86_400;
/** The key attributes a pageByState cursor may hold (the table's and gsi1's). */
const CURSOR_ATTRIBUTES = ['pk', 'sk', 'gsi1pk', 'gsi1sk'] as const;

const key = (t: SendTask) => ({ pk: `EDITION#${t.editionId}`, sk: `SUB#${t.subscriberId}` });

function toEntry(item: Record<string, unknown>): LedgerEntry {
  return {
    editionId: String(item.editionId),
    subscriberId: String(item.subscriberId),
    state: item.state as DeliveryState,
    attempts: Number(item.attempts ?? 0),
    updatedAt: String(item.updatedAt ?? ''),
    ...(item.leaseUntil !== undefined ? { leaseUntil: Number(item.leaseUntil) } : {}),
    ...(item.messageId ? { messageId: String(item.messageId) } : {}),
    ...(item.reason ? { reason: String(item.reason) } : {}),
    ...(item.sendEventMessageId ? { sendEvent: { messageId: String(item.sendEventMessageId), at: String(item.sendEventAt ?? '') } } : {}),
  };
}

/**
 * @example
 * ```ts
 * const ledger = new DynamoDbDeliveryLedger({ client: dynamoDocumentClient(config), tableName: config.DELIVERIES_TABLE });
 * ```
 */
export class DynamoDbDeliveryLedger implements DeliveryLedger {
  readonly #ddb: AwsCaller;
  readonly #table: string;

  public constructor(options: { client: AwsCaller; tableName: string }) {
    this.#ddb = options.client;
    this.#table = options.tableName;
  }

  public async acquire(
    task: SendTask,
    options: { leaseUntil: number; now: number; retryFailed?: boolean },
  ): Promise<{ granted: boolean; entry: LedgerEntry | undefined }> {
    const nowIso = new Date(options.now).toISOString();
    try {
      const out = await this.#ddb.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: key(task),
          UpdateExpression:
            // No index key: a `sending` entry is found through its edition's partition. A `failed`
            // entry taken again leaves the index.
            'SET #state = :sending, leaseUntil = :lease, attempts = if_not_exists(attempts, :zero) + :one, editionId = :e, subscriberId = :s, updatedAt = :now, expiresAt = if_not_exists(expiresAt, :exp) REMOVE reason, gsi1pk, gsi1sk',
          ConditionExpression: `attribute_not_exists(pk) OR #state = :pending OR (#state = :sending AND leaseUntil < :nowMs)${options.retryFailed ? ' OR #state = :failed' : ''}`,
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: {
            ':sending': DeliveryState.SENDING,
            ':pending': DeliveryState.PENDING,
            ':lease': options.leaseUntil,
            ':nowMs': options.now,
            ':zero': 0,
            ':one': 1,
            ':e': task.editionId,
            ':s': task.subscriberId,
            ':now': nowIso,
            ':exp': Math.floor(options.now / 1000) + RETENTION_S,
            ...(options.retryFailed ? { ':failed': DeliveryState.FAILED } : {}),
          },
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { granted: true, entry: toEntry(out.Attributes ?? {}) };
    } catch (error) {
      if (isConditionFailure(error)) {
        return { granted: false, entry: error.Item ? toEntry(unmarshallLoose(error.Item)) : undefined };
      }
      throw error;
    }
  }

  public extend(task: SendTask, leaseUntil: number, newLeaseUntil: number): Promise<boolean> {
    return conditional(() =>
      this.#ddb.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: key(task),
          UpdateExpression: 'SET leaseUntil = :next, updatedAt = :now',
          ConditionExpression: '#state = :sending AND leaseUntil = :lease',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: {
            ':sending': DeliveryState.SENDING,
            ':lease': leaseUntil,
            ':next': newLeaseUntil,
            ':now': new Date().toISOString(),
          },
        }),
      ),
    );
  }

  public complete(
    task: SendTask,
    leaseUntil: number,
    result: LedgerResult,
  ): Promise<boolean> {
    return conditional(() =>
      this.#ddb.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: key(task),
          // `sent` (nearly every entry) stays out of the index; `failed`, `skipped` and `cancelled` go in.
          UpdateExpression:
            'messageId' in result
              ? 'SET #state = :state, updatedAt = :now, messageId = :detail REMOVE leaseUntil, reason'
              : 'SET #state = :state, updatedAt = :now, gsi1pk = :g, gsi1sk = :s, reason = :detail REMOVE leaseUntil',
          ConditionExpression: '#state = :sending AND leaseUntil = :lease',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: {
            ':state': result.state,
            ':sending': DeliveryState.SENDING,
            ':lease': leaseUntil,
            ':now': new Date().toISOString(),
            ':detail': 'messageId' in result ? result.messageId : result.reason.slice(0, 500),
            ...('messageId' in result ? {} : { ':g': `${task.editionId}#${result.state}`, ':s': task.subscriberId }),
          },
        }),
      ),
    );
  }

  public async release(task: SendTask, leaseUntil: number, reason: string): Promise<void> {
    // Not ours any more (completed, or taken over after expiry): nothing to give back.
    await conditional(() =>
      this.#ddb.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: key(task),
          UpdateExpression: 'SET #state = :pending, reason = :reason, updatedAt = :now REMOVE leaseUntil',
          ConditionExpression: '#state = :sending AND leaseUntil = :lease',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: {
            ':pending': DeliveryState.PENDING,
            ':sending': DeliveryState.SENDING,
            ':lease': leaseUntil,
            ':reason': reason.slice(0, 500),
            ':now': new Date().toISOString(),
          },
        }),
      ),
    );
  }

  public markUnknown(task: SendTask, leaseUntil: number, options: { until: number; reason: string }): Promise<boolean> {
    return conditional(() =>
      this.#ddb.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: key(task),
          UpdateExpression: 'SET leaseUntil = :until, reason = :reason, updatedAt = :now',
          ConditionExpression: '#state = :sending AND leaseUntil = :lease',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: {
            ':sending': DeliveryState.SENDING,
            ':lease': leaseUntil,
            ':until': options.until,
            ':reason': options.reason.slice(0, 500),
            ':now': new Date().toISOString(),
          },
        }),
      ),
    );
  }

  public async recordSendEvent(task: SendTask, event: SendEvent): Promise<{ recorded: boolean; entry: LedgerEntry | undefined }> {
    // Nearly every event arrives after its entry was completed `sent`: a state nothing takes
    // over, so the event would never be read. A read (half a read unit; it may lag, never lead:
    // `sent` is final) spares the write (one write unit) for those.
    const seen = await this.#ddb.send(new GetCommand({ TableName: this.#table, Key: key(task) }));
    if (!seen.Item) return { recorded: false, entry: undefined };
    const current = toEntry(seen.Item);
    if (current.state === DeliveryState.SENT) return { recorded: false, entry: current };
    try {
      const out = await this.#ddb.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: key(task),
          // State, lease and updatedAt stay as they are: no holder's conditional write can fail because of it.
          UpdateExpression: 'SET sendEventMessageId = :m, sendEventAt = :at',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(sendEventMessageId)',
          ExpressionAttributeValues: { ':m': event.messageId, ':at': event.at },
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { recorded: true, entry: toEntry(out.Attributes ?? {}) };
    } catch (error) {
      if (isConditionFailure(error)) {
        return { recorded: false, entry: error.Item ? toEntry(unmarshallLoose(error.Item)) : undefined };
      }
      throw error;
    }
  }

  public async get(task: SendTask): Promise<LedgerEntry | undefined> {
    const out = await this.#ddb.send(new GetCommand({ TableName: this.#table, Key: key(task), ConsistentRead: true }));
    return out.Item ? toEntry(out.Item) : undefined;
  }

  public async countByState(editionId: string): Promise<Record<'sending' | 'sent' | 'failed' | 'skipped' | 'cancelled', number>> {
    // One pass over the edition's partition (only the state of each entry is read).
    const counts = { sending: 0, sent: 0, failed: 0, skipped: 0, cancelled: 0 };
    const pages = queryPages(this.#ddb, { TableName: this.#table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeNames: { '#state': 'state' }, ExpressionAttributeValues: { ':pk': `EDITION#${editionId}` }, ProjectionExpression: '#state' },
    );
    for await (const page of pages) {
      for (const item of page.Items ?? []) {
        const state = String(item.state) as keyof typeof counts;
        if (state in counts) counts[state] += 1;
      }
    }
    return counts;
  }

  public async lastChange(editionId: string): Promise<number | undefined> {
    let last: number | undefined;
    const pages = queryPages(this.#ddb, { TableName: this.#table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `EDITION#${editionId}` }, ProjectionExpression: 'updatedAt' },
    );
    for await (const page of pages) {
      for (const item of page.Items ?? []) {
        const at = Date.parse(String(item.updatedAt ?? ''));
        if (Number.isFinite(at) && (last === undefined || at > last)) last = at;
      }
    }
    return last;
  }

  public async pageByState(
    editionId: string,
    state: DeliveryState,
    options: { limit: number; cursor?: string },
  ): Promise<{ subscriberIds: string[]; cursor?: string }> {
    const cursor = options.cursor ? { ExclusiveStartKey: decodeCursor(options.cursor, CURSOR_ATTRIBUTES) } : {};
    if (state === DeliveryState.FAILED || state === DeliveryState.SKIPPED || state === DeliveryState.CANCELLED) {
      const out = await this.#ddb.send(
        new QueryCommand({
          TableName: this.#table,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :g',
          ExpressionAttributeValues: { ':g': `${editionId}#${state}` },
          Limit: options.limit,
          ...cursor,
        }),
      );
      return {
        subscriberIds: (out.Items ?? []).map((i) => String(i.gsi1sk)),
        ...(out.LastEvaluatedKey ? { cursor: encodeCursor(out.LastEvaluatedKey) } : {}),
      };
    }
    // Not indexed: the edition's partition, filtered (ten entries read for each one wanted).
    // A page may hold fewer than `limit` (even none) and still have a cursor: callers page
    // until there is none. One with more is cut at `limit`, its cursor at the last one kept.
    const pk = `EDITION#${editionId}`;
    const out = await this.#ddb.send(
      new QueryCommand({
        TableName: this.#table,
        KeyConditionExpression: 'pk = :pk',
        FilterExpression: '#state = :state',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':pk': pk, ':state': state },
        ProjectionExpression: 'subscriberId, sk',
        Limit: options.limit * 10,
        ...cursor,
      }),
    );
    const items = out.Items ?? [];
    if (items.length > options.limit) {
      const kept = items.slice(0, options.limit);
      return { subscriberIds: kept.map((i) => String(i.subscriberId)), cursor: encodeCursor({ pk, sk: String(kept.at(-1)?.sk) }) };
    }
    return {
      subscriberIds: items.map((i) => String(i.subscriberId)),
      ...(out.LastEvaluatedKey ? { cursor: encodeCursor(out.LastEvaluatedKey) } : {}),
    };
  }
}

/** The item on a failed condition comes back in the low-level attribute-value shape. */
function unmarshallLoose(item: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(item).map(([k, v]) => {
      const av = v as Record<string, unknown>;
      const value = av.S ?? (av.N !== undefined ? Number(av.N) : av.BOOL);
      return [k, value];
    }),
  );
}
