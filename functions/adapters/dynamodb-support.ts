/**
 * What every DynamoDB adapter needs in the same way: recognising a failed condition (the
 * one sign that a conditional write lost a race), and opaque paging cursors that are
 * validated before they are parsed (a cursor comes from outside: a CLI argument, a URL).
 */
import type { QueryCommandInput, QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import { ValidationError } from '../core/errors.ts';
import { QueryCommand, type AwsCaller } from './aws-commands.ts';

/** A failed condition, as the SDK and the lean client both report it (the old item in wire form when asked for). */
export interface ConditionFailure extends Error {
  name: 'ConditionalCheckFailedException';
  Item?: Record<string, unknown>;
}

/**
 * Whether an error is DynamoDB's ConditionalCheckFailedException: read by its name, which the
 * SDK's exception class and the lean client's {@link AwsServiceError} both carry.
 *
 * @example
 * ```ts
 * try { await ddb.send(put); } catch (error) { if (!isConditionFailure(error)) throw error; }
 * ```
 */
export function isConditionFailure(error: unknown): error is ConditionFailure {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

/**
 * Every page of a query, following LastEvaluatedKey (what the SDK's `paginateQuery` does,
 * over any {@link AwsCaller}).
 *
 * @example
 * ```ts
 * for await (const page of queryPages(ddb, { TableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': pk } })) count += page.Items?.length ?? 0;
 * ```
 */
export async function* queryPages(client: AwsCaller, input: QueryCommandInput): AsyncGenerator<QueryCommandOutput> {
  let start = input.ExclusiveStartKey;
  do {
    const page = await client.send(new QueryCommand(start === undefined ? input : { ...input, ExclusiveStartKey: start }));
    yield page;
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
}

/**
 * Runs a conditional write: true when it was made, false when its condition failed; any
 * other error is thrown.
 *
 * @example
 * ```ts
 * const created = await conditional(() => ddb.send(new PutCommand({ …, ConditionExpression: 'attribute_not_exists(pk)' })));
 * ```
 */
export async function conditional(run: () => Promise<unknown>): Promise<boolean> {
  try {
    await run();
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/** Longest cursor accepted before any work is done (a key of a few attributes is far less). */
const MAX_CURSOR_LENGTH = 2048;

/**
 * Encodes a LastEvaluatedKey as an opaque base64url cursor.
 *
 * @example
 * ```ts
 * encodeCursor({ pk: 'SUB#s_1', sk: 'PROFILE' }); // 'eyJwayI6…'
 * ```
 */
export function encodeCursor(key: Record<string, unknown> | undefined): string | undefined {
  return key === undefined ? undefined : Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/**
 * Decodes a cursor made by {@link encodeCursor}, accepting only the key attributes the
 * table's keys use, each a string or a number. Checked before `JSON.parse` sees it.
 *
 * @throws ValidationError('cursor: malformed') for anything encodeCursor did not make.
 * @example
 * ```ts
 * const startKey = decodeCursor(options.cursor, ['pk', 'sk', 'gsi1pk', 'gsi1sk']);
 * ```
 */
export function decodeCursor(cursor: string | undefined, attributes: readonly string[]): Record<string, string | number> | undefined {
  if (cursor === undefined) return undefined;
  try {
    if (cursor.length === 0 || cursor.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw new Error('not base64url');
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
    const entries = Object.entries(value);
    const allowed = new Set(attributes);
    if (entries.length === 0 || !entries.every(([k, v]) => allowed.has(k) && (typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v))))) {
      throw new Error('unexpected attributes');
    }
    return Object.fromEntries(entries) as Record<string, string | number>;
  } catch (cause) {
    throw new ValidationError('cursor: malformed', { cause });
  }
}
