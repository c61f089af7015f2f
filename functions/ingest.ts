/**
 * `ingest`: S3 ObjectCreated / ObjectRemoved events on the content bucket (async invocations).
 * One object never stops the others: bad content is quarantined, and so is an unexpected
 * error (`internal: …`, tried again by the hourly reconciliation). Only an object that could
 * be neither ingested nor recorded, or a failed removal, makes the invocation fail once every
 * record was handled: Lambda then retries the event, and sends it to the function's failure
 * destination (the ingest dead-letter queue, infra/queues.yml) when the retries fail too.
 */
import type { S3Event } from 'aws-lambda';
import { ingestService } from './wiring/ingest.ts';
import { isFolderMarker, type IngestResult } from './core/articles/ingest-service.ts';
import { IngestFailedError } from './core/errors.ts';

/** S3 URL-encodes keys in events, with `+` for spaces. */
const decodeKey = (key: string): string => decodeURIComponent(key.replace(/\+/g, ' '));

export async function handler(event: S3Event): Promise<{ results: IngestResult[] }> {
  const service = ingestService();
  const results: IngestResult[] = [];
  const failed: Array<{ key: string; error: unknown }> = [];
  for (const record of event.Records ?? []) {
    const raw = record.s3.object.key;
    try {
      const key = decodeKey(raw);
      // "Create folder" in the S3 console makes an empty `name/` object: not content.
      if (isFolderMarker(key)) continue;
      results.push(
        record.eventName.startsWith('ObjectRemoved')
          ? await service.removeObject(key)
          : await service.ingestObject({ key, ...(record.s3.object.size !== undefined ? { size: record.s3.object.size } : {}) }),
      );
    } catch (error) {
      failed.push({ key: raw, error });
    }
  }
  const [first] = failed;
  if (first) throw new IngestFailedError(failed.map((f) => f.key), { cause: first.error instanceof IngestFailedError ? first.error.cause : first.error });
  return { results };
}
