/**
 * PickOverrideStore on the editions table, beside the editions and the job's watermark:
 * - pick override  pk JOB#<job>  sk PICKS
 * Every change is conditional on the version it was made from.
 */
import { GetCommand, UpdateCommand, type AwsCaller } from './aws-commands.ts';
import type { PickOverrideStore } from '../core/editions/ports.ts';
import type { JobName, PickOverride, PickOverrideRecord } from '../core/editions/types.ts';
import { conditional } from './dynamodb-support.ts';

const key = (job: JobName) => ({ pk: `JOB#${job}`, sk: 'PICKS' });

function toRecord(item: Record<string, unknown>): PickOverrideRecord {
  return {
    job: item.job as JobName,
    pinned: (item.pinned as string[] | undefined) ?? [],
    unpinned: (item.unpinned as string[] | undefined) ?? [],
    version: Number(item.version ?? 0),
    updatedAt: String(item.updatedAt ?? ''),
    updatedBy: String(item.updatedBy ?? ''),
    ...(typeof item.appliedTo === 'string' ? { appliedTo: item.appliedTo } : {}),
  };
}

/**
 * @example
 * ```ts
 * const picks = new DynamoDbPickOverrideStore({ client: dynamoDocumentClient(config), tableName: config.EDITIONS_TABLE });
 * await picks.put('daily', { pinned: ['https://example.org/a'], unpinned: [], updatedBy: 'ann' }, 0);
 * ```
 */
export class DynamoDbPickOverrideStore implements PickOverrideStore {
  readonly #ddb: AwsCaller;
  readonly #table: string;

  public constructor(options: { client: AwsCaller; tableName: string }) {
    this.#ddb = options.client;
    this.#table = options.tableName;
  }

  public async get(job: JobName): Promise<PickOverrideRecord | undefined> {
    const out = await this.#ddb.send(new GetCommand({ TableName: this.#table, Key: key(job), ConsistentRead: true }));
    return out.Item ? toRecord(out.Item) : undefined;
  }

  public async put(job: JobName, override: PickOverride & { updatedBy: string }, expectedVersion: number): Promise<PickOverrideRecord | undefined> {
    const record: PickOverrideRecord = {
      job,
      pinned: [...override.pinned],
      unpinned: [...override.unpinned],
      version: expectedVersion + 1,
      updatedAt: new Date().toISOString(),
      updatedBy: override.updatedBy,
    };
    const written = await conditional(() =>
      this.#ddb.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: key(job),
          UpdateExpression: 'SET job = :job, pinned = :pinned, unpinned = :unpinned, version = :next, updatedAt = :at, updatedBy = :by REMOVE appliedTo',
          ConditionExpression: expectedVersion === 0 ? 'attribute_not_exists(pk)' : 'version = :expected',
          ExpressionAttributeValues: {
            ':job': job,
            ':pinned': record.pinned,
            ':unpinned': record.unpinned,
            ':next': record.version,
            ':at': record.updatedAt,
            ':by': record.updatedBy,
            ...(expectedVersion === 0 ? {} : { ':expected': expectedVersion }),
          },
        }),
      ),
    );
    return written ? record : undefined;
  }

  public async markApplied(job: JobName, editionId: string, version: number): Promise<void> {
    await conditional(() =>
      this.#ddb.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: key(job),
          UpdateExpression: 'SET appliedTo = :edition',
          ConditionExpression: 'version = :version',
          ExpressionAttributeValues: { ':edition': editionId, ':version': version },
        }),
      ),
    );
  }
}
