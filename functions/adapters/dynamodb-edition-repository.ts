/**
 * EditionRepository on the editions table:
 * - edition    pk EDITION#<id>  sk EDITION    gsi1 JOB#<job> / <scheduledAt>
 * - watermark  pk JOB#<job>     sk WATERMARK
 * Creation and every state move are conditional writes, so concurrent runs agree.
 */
import { conditional } from './dynamodb-support.ts';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand, type AwsCaller } from './aws-commands.ts';
import type { EditionRecord, EditionRepository } from '../core/editions/ports.ts';
import type { EditionState, JobName } from '../core/editions/types.ts';
import { NotFoundError } from '../core/errors.ts';

const key = (id: string) => ({ pk: `EDITION#${id}`, sk: 'EDITION' });

function toRecord(item: Record<string, unknown>): EditionRecord {
  const { pk: _pk, sk: _sk, gsi1pk: _g, gsi1sk: _s, ...rest } = item;
  return rest as unknown as EditionRecord;
}

/**
 * @example
 * ```ts
 * const editions = new DynamoDbEditionRepository({ client: dynamoDocumentClient(config), tableName: config.EDITIONS_TABLE });
 * ```
 */
export class DynamoDbEditionRepository implements EditionRepository {
  readonly #ddb: AwsCaller;
  readonly #table: string;

  public constructor(options: { client: AwsCaller; tableName: string }) {
    this.#ddb = options.client;
    this.#table = options.tableName;
  }

  public async createIfAbsent(record: EditionRecord): Promise<{ created: boolean; edition: EditionRecord }> {
    const created = await conditional(() =>
      this.#ddb.send(
        new PutCommand({
          TableName: this.#table,
          Item: { ...key(record.id), gsi1pk: `JOB#${record.job}`, gsi1sk: record.scheduledAt, ...record },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
    if (created) return { created, edition: record };
    const existing = await this.get(record.id);
    if (!existing) throw new NotFoundError(`edition ${record.id} vanished while being created`);
    return { created, edition: existing };
  }

  public async get(id: string): Promise<EditionRecord | undefined> {
    const out = await this.#ddb.send(new GetCommand({ TableName: this.#table, Key: key(id), ConsistentRead: true }));
    return out.Item ? toRecord(out.Item) : undefined;
  }

  public async update(id: string, fields: Partial<EditionRecord>): Promise<void> {
    const entries = Object.entries({ ...fields, updatedAt: new Date().toISOString() }).filter(([, v]) => v !== undefined);
    const removed = Object.entries(fields).filter(([, v]) => v === undefined).map(([k]) => k);
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const sets = entries.map(([k, v], i) => {
      names[`#f${i}`] = k;
      values[`:v${i}`] = v;
      return `#f${i} = :v${i}`;
    });
    const removes = removed.map((k, i) => {
      names[`#r${i}`] = k;
      return `#r${i}`;
    });
    await this.#ddb.send(
      new UpdateCommand({
        TableName: this.#table,
        Key: key(id),
        UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  }

  public advanceCursor(id: string, expectedPages: number, next: string | undefined, added: number): Promise<boolean> {
    return conditional(() =>
      this.#ddb.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: key(id),
          UpdateExpression: `SET #total = #total + :n, pages = :next, updatedAt = :now${next !== undefined ? ', #cursor = :cursor' : ' REMOVE #cursor'}`,
          ConditionExpression: 'pages = :expected',
          ExpressionAttributeNames: { '#total': 'total', '#cursor': 'cursor' },
          ExpressionAttributeValues: {
            ':n': added,
            ':expected': expectedPages,
            ':next': expectedPages + 1,
            ':now': new Date().toISOString(),
            ...(next !== undefined ? { ':cursor': next } : {}),
          },
        }),
      ),
    );
  }

  public async addCounts(id: string, counts: { sent?: number; failed?: number; skipped?: number; cancelled?: number }): Promise<EditionRecord> {
    // `cancelled` is added only when given, so records of editions never cancelled stay as they were.
    const cancelled = counts.cancelled ? ', cancelled :cancelled' : '';
    const out = await this.#ddb.send(
      new UpdateCommand({
        TableName: this.#table,
        Key: key(id),
        UpdateExpression: `ADD sent :sent, failed :failed, skipped :skipped${cancelled}`,
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: {
          ':sent': counts.sent ?? 0,
          ':failed': counts.failed ?? 0,
          ':skipped': counts.skipped ?? 0,
          ...(counts.cancelled ? { ':cancelled': counts.cancelled } : {}),
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return toRecord(out.Attributes ?? {});
  }

  public setCounts(
    id: string,
    counts: { sent: number; failed: number; skipped: number },
    expected: { sent: number; failed: number; skipped: number },
  ): Promise<boolean> {
    return conditional(() =>
      this.#ddb.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: key(id),
          UpdateExpression: 'SET sent = :sent, failed = :failed, skipped = :skipped, updatedAt = :now',
          ConditionExpression: 'attribute_exists(pk) AND sent = :expSent AND failed = :expFailed AND skipped = :expSkipped',
          ExpressionAttributeValues: {
            ':sent': counts.sent,
            ':failed': counts.failed,
            ':skipped': counts.skipped,
            ':expSent': expected.sent,
            ':expFailed': expected.failed,
            ':expSkipped': expected.skipped,
            ':now': new Date().toISOString(),
          },
        }),
      ),
    );
  }

  public transition(id: string, from: EditionState, to: EditionState): Promise<boolean> {
    return conditional(() =>
      this.#ddb.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: key(id),
          UpdateExpression: 'SET #state = :to, updatedAt = :now',
          ConditionExpression: '#state = :from',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':to': to, ':from': from, ':now': new Date().toISOString() },
        }),
      ),
    );
  }

  public async getWatermark(job: JobName): Promise<string | undefined> {
    const out = await this.#ddb.send(new GetCommand({ TableName: this.#table, Key: { pk: `JOB#${job}`, sk: 'WATERMARK' }, ConsistentRead: true }));
    return out.Item?.to as string | undefined;
  }

  public async advanceWatermark(job: JobName, to: string): Promise<void> {
    await conditional(() =>
      this.#ddb.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: { pk: `JOB#${job}`, sk: 'WATERMARK' },
          UpdateExpression: 'SET #to = :to',
          ConditionExpression: 'attribute_not_exists(#to) OR #to < :to',
          ExpressionAttributeNames: { '#to': 'to' },
          ExpressionAttributeValues: { ':to': to },
        }),
      ),
    );
  }

  public async listRecent(job: JobName, limit: number): Promise<EditionRecord[]> {
    const out = await this.#ddb.send(
      new QueryCommand({
        TableName: this.#table,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': `JOB#${job}` },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return (out.Items ?? []).map(toRecord);
  }
}
