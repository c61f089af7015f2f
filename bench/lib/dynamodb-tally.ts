/**
 * Counts what the send path asks of DynamoDB, from the requests dynalite receives
 * (LocalStackOptions.observeDynamoDb): calls by operation and table, items read, and the
 * write units they cost on AWS. A write of an item under 1 KB costs one write unit on the
 * table, whether its condition holds or not; each global secondary index entry it adds or
 * removes costs one more, and a key that changes costs two (a delete and a put). The index
 * entries a write moves are known from the attributes its expression sets or removes
 * (`gsi1pk` on the deliveries table; an acquire that sets it on a new entry adds one).
 * Items are checked to stay under 1 KB by the benchmark (bench/scale-worker.ts).
 */

export interface TallyEntry {
  calls: number;
  /** Items read (GetItem, BatchGetItem keys, Query/Scan results are not known here: calls only). */
  itemsRead: number;
  /** Table write units (one per write call of an item under 1 KB). */
  writeUnits: number;
  /** Index write units (index entries added, removed or moved). */
  indexWriteUnits: number;
  /** Read units of consistent single-item reads (one per item under 4 KB), half that when eventually consistent. */
  readUnits: number;
}

export type Tally = Record<string, TallyEntry>;

/** Index entries one ledger update moves, from its expression. */
function indexWrites(body: Record<string, unknown>): number {
  const expression = String(body.UpdateExpression ?? '');
  const [set = '', remove = ''] = expression.split(/\bREMOVE\b/);
  const acquire = /if_not_exists\(attempts/.test(set);
  // An acquire removes the index key only from a failed entry taken again (resend-failed);
  // removing a key an entry does not have writes nothing.
  if (/\bgsi1pk\b/.test(remove)) return acquire && !String(body.ConditionExpression ?? '').includes(':failed') ? 0 : 1;
  if (!/\bgsi1pk\s*=/.test(set)) return 0;
  // An acquire on a new entry adds the index entry; every other write of gsi1pk moves it
  // (a completion to failed or skipped adds it to an entry that has none: one).
  if (acquire) return 1;
  return /:g\b/.test(set) && /gsi1sk = :s/.test(set) ? 1 : 2;
}

/**
 * Adds one request to the tally.
 *
 * @example
 * ```ts
 * const tally: Tally = {};
 * startLocalStack({ observeDynamoDb: (op, body) => countRequest(tally, op, body) });
 * ```
 */
export function countRequest(tally: Tally, operation: string, body: Record<string, unknown>): void {
  const add = (table: string, f: (e: TallyEntry) => void) => {
    const key = `${operation} ${table}`;
    const e = (tally[key] ??= { calls: 0, itemsRead: 0, writeUnits: 0, indexWriteUnits: 0, readUnits: 0 });
    f(e);
  };
  const table = String(body.TableName ?? '');
  switch (operation) {
    case 'UpdateItem':
    case 'PutItem':
    case 'DeleteItem':
      add(table, (e) => {
        e.calls += 1;
        e.writeUnits += 1;
        e.indexWriteUnits += operation === 'UpdateItem' ? indexWrites(body) : 0;
      });
      return;
    case 'GetItem':
      add(table, (e) => {
        e.calls += 1;
        e.itemsRead += 1;
        e.readUnits += body.ConsistentRead ? 1 : 0.5;
      });
      return;
    case 'BatchGetItem':
      for (const [name, request] of Object.entries((body.RequestItems ?? {}) as Record<string, { Keys?: unknown[]; ConsistentRead?: boolean }>)) {
        add(name, (e) => {
          e.calls += 1;
          const n = request.Keys?.length ?? 0;
          e.itemsRead += n;
          e.readUnits += n * (request.ConsistentRead ? 1 : 0.5);
        });
      }
      return;
    case 'BatchWriteItem':
      for (const [name, requests] of Object.entries((body.RequestItems ?? {}) as Record<string, unknown[]>)) {
        add(name, (e) => {
          e.calls += 1;
          e.writeUnits += requests.length;
        });
      }
      return;
    default:
      add(table, (e) => {
        e.calls += 1;
      });
  }
}
