/**
 * Use case: import subscribers from CSV (CLI `digest subscribers import FILE`), streaming.
 *
 * Rows are read one by one (subscriber-csv.ts) and written in batches: one batched read of
 * the batch's subscribers, then the writes, a few at a time. Only one batch is held at once,
 * and every problem goes to `onIssue` as soon as it is found, so the memory an import needs
 * does not grow with the file (a fingerprint per address, ~30 bytes, is all that is kept,
 * to report duplicates). docs/performance.md has the figures for a million rows.
 */
import { subscriberIdFor } from './identity.ts';
import type { AlertFollowing, SubscriberRepository } from './ports.ts';
import { readSubscribersCsv, type CsvDefaults, type CsvInput, type CsvIssue, type CsvSource, type SubscriberCsvRow } from './subscriber-csv.ts';
import { SubscriberStatus, type Subscriber } from './types.ts';

/** Statuses an import never lifts: the owner of the address said no, or it cannot receive. */
export const SUPPRESSED_STATUSES: readonly SubscriberStatus[] = [
  SubscriberStatus.UNSUBSCRIBED,
  SubscriberStatus.BOUNCED,
  SubscriberStatus.COMPLAINED,
];

/** Rows per batch (one batched read). */
const BATCH_SIZE = 100;
/** Writes in flight at once (single puts, or batched writes of {@link WRITE_CHUNK}). */
const CONCURRENCY = 16;
/** Subscribers per batched write (putMany). */
const WRITE_CHUNK = 25;
/** Issues kept in the result; all of them go to `onIssue`. */
export const MAX_KEPT_ISSUES = 1000;

/** How far an import got. */
export interface ImportProgress {
  /** Rows read (valid or not). */
  rows: number;
  imported: number;
  skipped: number;
  /** Bytes of the input read so far (when the input is bytes or text). */
  bytes: number;
}

export interface ImportOptions {
  now: Date;
  /** Newsletter and alerts for files that do not say (Mailchimp, listmonk). */
  defaults?: CsvDefaults;
  /** Every issue, as soon as it is found, in line order. */
  onIssue?: (issue: CsvIssue) => void;
  /** After every batch. */
  onProgress?: (progress: ImportProgress) => void;
  /** The kind of file, once the header is read. */
  onSource?: (source: CsvSource) => void;
  /** Keeps the alerts' keyword index in step (imported rows are confirmed: their keywords join it). */
  following?: AlertFollowing;
}

export interface ImportResult {
  imported: number;
  /** Rows left out. */
  skipped: number;
  /** The first {@link MAX_KEPT_ISSUES} rows left out, by line. */
  errors: Array<{ line: number; reason: string }>;
  /** The first {@link MAX_KEPT_ISSUES} rows imported without a field (a name that breaks the rules). */
  warnings: Array<{ line: number; reason: string }>;
}

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

/** A 28-bit fingerprint of a subscriber id (hex after `s_`), kept per address to spot duplicates. */
function fingerprint(id: string): number {
  return Number.parseInt(id.slice(2, 9), 16);
}

/** Counts the bytes of an input as it is read. */
async function* counted(input: AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>, add: (n: number) => void): AsyncGenerator<string | Uint8Array> {
  for await (const chunk of input) {
    add(typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength);
    yield chunk;
  }
}

/**
 * Imports subscriber CSV: valid rows become `confirmed` subscribers with consent
 * `{ method: 'import', at }`; invalid rows are reported by line and skipped. Re-importing an
 * address updates its name and preferences but never re-confirms an unsubscribed, bounced or
 * complained address. A `status` column (from an export), or the kind of a Mailchimp or
 * listmonk export, carries suppressions over. An address that appears twice is imported from
 * its first line; the later ones are reported. With `following`, the alerts' keyword index is
 * kept in step with every subscriber written.
 *
 * @example
 * ```ts
 * const result = await importSubscribers(repo, createReadStream(file), {
 *   now: new Date(),
 *   onIssue: (e) => console.error(`line ${e.line}: ${e.reason}`),
 * });
 * ```
 */
export async function importSubscribers(repo: SubscriberRepository, input: CsvInput, options: ImportOptions): Promise<ImportResult> {
  const at = options.now.toISOString();
  const result: ImportResult = { imported: 0, skipped: 0, errors: [], warnings: [] };
  const progress: ImportProgress = { rows: 0, imported: 0, skipped: 0, bytes: 0 };
  /** First line of every address imported in this run, by fingerprint. */
  const firstLines = new Map<number, number>();

  const report = (issue: CsvIssue): void => {
    const kept = issue.skipped ? result.errors : result.warnings;
    if (kept.length < MAX_KEPT_ISSUES) kept.push({ line: issue.line, reason: issue.reason });
    if (issue.skipped) result.skipped += 1;
    options.onIssue?.(issue);
  };

  const flush = async (batch: SubscriberCsvRow[]): Promise<void> => {
    // Batches run one after another, so an address imported by an earlier batch is already
    // stored with this run's time when a later batch reads it.
    const ids = batch.map((row) => subscriberIdFor(row.email));
    const existing = await repo.getMany([...new Set(ids)]);
    const writes: Subscriber[] = [];
    const before: Array<Subscriber | undefined> = [];
    const inBatch = new Map<string, number>();
    for (const [i, row] of batch.entries()) {
      const id = ids[i]!;
      const current = existing.get(id);
      const earlier = inBatch.get(id) ?? (current?.updatedAt === at ? firstLines.get(fingerprint(id)) : undefined);
      if (earlier !== undefined) {
        report({ line: row.line, reason: `email: duplicate of line ${earlier}`, skipped: true });
        continue;
      }
      inBatch.set(id, row.line);
      if (!firstLines.has(fingerprint(id))) firstLines.set(fingerprint(id), row.line);
      writes.push(merge(row, current, at));
      before.push(current);
    }
    const putMany = repo.putMany?.bind(repo);
    const chunks: Subscriber[][] = [];
    for (let i = 0; i < writes.length; i += putMany ? WRITE_CHUNK : 1) chunks.push(writes.slice(i, i + (putMany ? WRITE_CHUNK : 1)));
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < chunks.length) {
        const chunk = chunks[next++]!;
        if (putMany) await putMany(chunk);
        else await repo.put(chunk[0]!);
        result.imported += chunk.length;
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, chunks.length) }, worker));
    const following = options.following;
    if (following) {
      let at = 0;
      const sync = async (): Promise<void> => {
        while (at < writes.length) {
          const i = at++;
          await following.sync(before[i], writes[i]!);
        }
      };
      await Promise.all(Array.from({ length: Math.min(CONCURRENCY, writes.length) }, sync));
    }
  };

  const source =
    typeof input === 'string'
      ? (progress.bytes = Buffer.byteLength(input), input)
      : counted(input, (n) => {
          progress.bytes += n;
        });
  let batch: SubscriberCsvRow[] = [];
  const tell = (): void => {
    progress.imported = result.imported;
    progress.skipped = result.skipped;
    options.onProgress?.({ ...progress });
  };
  for await (const item of readSubscribersCsv(source, {
    ...(options.defaults ? { defaults: options.defaults } : {}),
    ...(options.onSource ? { onSource: options.onSource } : {}),
  })) {
    if (item.kind === 'issue') {
      if (item.issue.skipped) progress.rows += 1;
      report(item.issue);
      continue;
    }
    progress.rows += 1;
    batch.push(item.row);
    if (batch.length >= BATCH_SIZE) {
      await flush(batch);
      batch = [];
      tell();
    }
  }
  if (batch.length > 0) await flush(batch);
  tell();
  return result;
}
