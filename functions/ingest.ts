/**
 * `ingest`: S3 ObjectCreated / ObjectRemoved events on the content bucket.
 * Bad content never throws (it is quarantined); an infrastructure error does, so that
 * Lambda retries the event (and the hourly reconciliation catches what is still missed).
 */
import type { S3Event } from 'aws-lambda';
import { ingestService } from './wiring/ingest.ts';
import { isFolderMarker, type IngestResult } from './core/articles/ingest-service.ts';

/** S3 URL-encodes keys in events, with `+` for spaces. */
const decodeKey = (key: string): string => decodeURIComponent(key.replace(/\+/g, ' '));

export async function handler(event: S3Event): Promise<{ results: IngestResult[] }> {
  const service = ingestService();
  const results: IngestResult[] = [];
  for (const record of event.Records ?? []) {
    const key = decodeKey(record.s3.object.key);
    // "Create folder" in the S3 console makes an empty `name/` object: not content.
    if (isFolderMarker(key)) continue;
    results.push(
      record.eventName.startsWith('ObjectRemoved')
        ? await service.removeObject(key)
        : await service.ingestObject({ key, ...(record.s3.object.size !== undefined ? { size: record.s3.object.size } : {}) }),
    );
  }
  return { results };
}
