/**
 * Use case: import subscribers from CSV (CLI `digest subscribers import FILE`).
 */
import { parseSubscribersCsv, type SubscriberCsvError, type SubscriberCsvRow } from './subscriber-csv.ts';
import { subscriberIdFor } from './identity.ts';
import type { AlertFollowing, SubscriberRepository } from './ports.ts';
import { SubscriberStatus, type Subscriber } from './types.ts';

/** Statuses an import never lifts: the owner of the address said no, or it cannot receive. */
export const SUPPRESSED_STATUSES: readonly SubscriberStatus[] = [
  SubscriberStatus.UNSUBSCRIBED,
  SubscriberStatus.BOUNCED,
  SubscriberStatus.COMPLAINED,
];

export interface ImportResult {
  imported: number;
  errors: SubscriberCsvError[];
}

/** Rows written at once. */
const CONCURRENCY = 8;

function merge(row: SubscriberCsvRow, existing: Subscriber | undefined, at: string): Subscriber {
  const suppressedBefore = existing !== undefined && SUPPRESSED_STATUSES.includes(existing.status);
  const requested = row.status ?? SubscriberStatus.CONFIRMED;
  let status: SubscriberStatus;
  if (suppressedBefore) status = existing.status;
  else if (SUPPRESSED_STATUSES.includes(requested)) status = requested;
  else if (existing?.status === SubscriberStatus.CONFIRMED) status = SubscriberStatus.CONFIRMED;
  else status = requested;

  const subscriber: Subscriber = {
    ...existing,
    id: subscriberIdFor(row.email),
    email: row.email,
    status,
    newsletter: row.newsletter,
    alerts: row.alerts,
    keywords: row.keywords,
    createdAt: existing?.createdAt ?? at,
    updatedAt: at,
  };
  if (row.name !== undefined) subscriber.name = row.name;
  else delete subscriber.name;
  // A file without these columns keeps what is stored.
  if (row.timezone !== undefined) subscriber.timezone = row.timezone;
  if (row.alertHour !== undefined) subscriber.alertHour = row.alertHour;
  if (
    status === SubscriberStatus.CONFIRMED &&
    (existing?.status !== SubscriberStatus.CONFIRMED || existing.consent === undefined)
  ) {
    subscriber.consent = { at, method: 'import' };
  }
  return subscriber;
}

/**
 * Imports subscriber CSV: valid rows become `confirmed` subscribers with consent
 * `{ method: 'import', at }`; invalid rows are reported by line and skipped. Re-importing an
 * address updates its name and preferences but never re-confirms an unsubscribed, bounced or
 * complained address. A `status` column (from an export) carries suppressions over. With
 * `following`, the alerts' keyword index is kept in step row by row.
 *
 * @example
 * ```ts
 * const { imported, errors } = await importSubscribers(repo, await readFile(file, 'utf8'), new Date());
 * for (const e of errors) console.error(`line ${e.line}: ${e.reason}`);
 * ```
 */
export async function importSubscribers(
  repo: SubscriberRepository,
  csvText: string,
  now: Date,
  options: { following?: AlertFollowing } = {},
): Promise<ImportResult> {
  const { rows, errors } = parseSubscribersCsv(csvText);
  const at = now.toISOString();
  let imported = 0;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < rows.length) {
      const row = rows[next++]!;
      const existing = await repo.get(subscriberIdFor(row.email));
      const merged = merge(row, existing, at);
      await repo.put(merged);
      // Imported rows are confirmed: their keywords join the alerts' index.
      await options.following?.sync(existing, merged);
      imported += 1;
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, rows.length) }, worker));
  return { imported, errors: [...errors].sort((a, b) => a.line - b.line) };
}
