/**
 * `reconcile` (hourly): pages through the content bucket and ingests whatever the S3 events
 * missed. Idempotent: unchanged objects are no-ops.
 */
import { ingestService } from './wiring/ingest.ts';

export async function handler(): Promise<Record<string, number>> {
  return ingestService().reconcile();
}
