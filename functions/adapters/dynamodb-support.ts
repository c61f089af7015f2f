/**
 * What every DynamoDB adapter needs in the same way: recognising a failed condition (the
 * one sign that a conditional write lost a race), and opaque paging cursors that are
 * validated before they are parsed (a cursor comes from outside: a CLI argument, a URL).
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { ValidationError } from '../core/errors.ts';

/**
 * Whether an error is DynamoDB's ConditionalCheckFailedException (also when it crossed a
 * module boundary and lost its class, as errors deserialised by another SDK copy do).
 *
 * @example
 * ```ts
 * try { await ddb.send(put); } catch (error) { if (!isConditionFailure(error)) throw error; }
 * ```
 */
export function isConditionFailure(error: unknown): error is ConditionalCheckFailedException {
  return error instanceof ConditionalCheckFailedException || (error instanceof Error && error.name === 'ConditionalCheckFailedException');
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
