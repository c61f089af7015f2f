/**
 * The editors' records on EditorsTable (infra/editors.yml):
 * - audit record  pk AUDIT             sk <at>#<id>   gsi1 AUDIT#<edition> / <at>#<id>
 * - send intent   pk INTENT#<id>       sk INTENT      expires (TTL `ttl`) a day after its expiry
 * Audit records are never changed and never expire; one partition holds them all (editor
 * actions are a few a minute at most, far below a partition's limits).
 */
import { randomBytes } from 'node:crypto';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand, type AwsCaller } from './aws-commands.ts';
import type { AuditLog, IntentStore } from '../core/editors/ports.ts';
import type { AuditRecord, SendIntent } from '../core/editors/types.ts';
import { conditional, decodeCursor, encodeCursor } from './dynamodb-support.ts';

const AUDIT_PK = 'AUDIT';
const CURSOR_ATTRIBUTES = ['pk', 'sk', 'gsi1pk', 'gsi1sk'] as const;
/** An intent is kept this long after it expires (then DynamoDB's TTL removes it). */
const INTENT_KEPT_S = 86_400;

const intentKey = (id: string) => ({ pk: `INTENT#${id}`, sk: 'INTENT' });

function toAudit(item: Record<string, unknown>): AuditRecord {
  const { pk: _pk, sk: _sk, gsi1pk: _g, gsi1sk: _s, ...rest } = item;
  return rest as unknown as AuditRecord;
}

function toIntent(item: Record<string, unknown>): SendIntent {
  const { pk: _pk, sk: _sk, ttl: _ttl, ...rest } = item;
  return rest as unknown as SendIntent;
}

/**
 * @example
 * ```ts
 * const audit = new DynamoDbAuditLog({ client: dynamoDocumentClient(config), tableName: config.EDITORS_TABLE });
 * const { records } = await audit.list({ limit: 50 });
 * ```
 */
export class DynamoDbAuditLog implements AuditLog {
  readonly #ddb: AwsCaller;
  readonly #table: string;

  public constructor(options: { client: AwsCaller; tableName: string }) {
    this.#ddb = options.client;
    this.#table = options.tableName;
  }

  public async record(entry: Omit<AuditRecord, 'id'>): Promise<AuditRecord> {
    const id = `${entry.at}#${randomBytes(6).toString('hex')}`;
    const record: AuditRecord = { id, ...entry };
    await this.#ddb.send(
      new PutCommand({
        TableName: this.#table,
        Item: { pk: AUDIT_PK, sk: id, ...(entry.edition ? { gsi1pk: `AUDIT#${entry.edition}`, gsi1sk: id } : {}), ...record },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return record;
  }

  public async list(options: { limit: number; cursor?: string; edition?: string }): Promise<{ records: AuditRecord[]; cursor?: string }> {
    const startKey = decodeCursor(options.cursor, CURSOR_ATTRIBUTES);
    const byEdition = options.edition !== undefined;
    const out = await this.#ddb.send(
      new QueryCommand({
        TableName: this.#table,
        ...(byEdition ? { IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :pk', ExpressionAttributeValues: { ':pk': `AUDIT#${options.edition}` } } : { KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': AUDIT_PK } }),
        ScanIndexForward: false,
        Limit: Math.min(Math.max(1, Math.floor(options.limit)), 200),
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    const cursor = encodeCursor(out.LastEvaluatedKey);
    return { records: (out.Items ?? []).map(toAudit), ...(cursor ? { cursor } : {}) };
  }
}

/**
 * @example
 * ```ts
 * const intents = new DynamoDbIntentStore({ client: dynamoDocumentClient(config), tableName: config.EDITORS_TABLE });
 * if (await intents.confirm(id, 'ann', new Date().toISOString())) start();
 * ```
 */
export class DynamoDbIntentStore implements IntentStore {
  readonly #ddb: AwsCaller;
  readonly #table: string;

  public constructor(options: { client: AwsCaller; tableName: string }) {
    this.#ddb = options.client;
    this.#table = options.tableName;
  }

  public async put(intent: SendIntent): Promise<void> {
    const ttl = Math.floor(Date.parse(intent.expiresAt) / 1000) + INTENT_KEPT_S;
    await this.#ddb.send(new PutCommand({ TableName: this.#table, Item: { ...intentKey(intent.id), ...intent, ttl }, ConditionExpression: 'attribute_not_exists(pk)' }));
  }

  public async get(id: string): Promise<SendIntent | undefined> {
    const out = await this.#ddb.send(new GetCommand({ TableName: this.#table, Key: intentKey(id), ConsistentRead: true }));
    return out.Item ? toIntent(out.Item) : undefined;
  }

  public confirm(id: string, by: string, at: string): Promise<boolean> {
    return conditional(() =>
      this.#ddb.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: intentKey(id),
          UpdateExpression: 'SET confirmedAt = :at, confirmedBy = :by',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(confirmedAt)',
          ExpressionAttributeValues: { ':at': at, ':by': by },
        }),
      ),
    );
  }

  public async setOutcome(id: string, outcome: string): Promise<void> {
    await conditional(() =>
      this.#ddb.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: intentKey(id),
          UpdateExpression: 'SET outcome = :outcome',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':outcome': outcome.slice(0, 500) },
        }),
      ),
    );
  }
}
