/**
 * `reconcile` (scheduled): two idempotent sweeps.
 * - content: pages through the content bucket and ingests whatever the S3 events missed
 *   (unchanged objects are no-ops). An object that fails is recorded in quarantine and tried
 *   again by the next runs, 3 attempts at the same bytes at most; it never fails the run;
 * - delivery: for editions still `sending`, re-queues expired send leases, resumes stalled or
 *   quota-held fan-outs, recounts the counters from the ledger and closes finished editions;
 *   starts the edition function again for an edition stuck in `building`; re-queues a
 *   cancelled edition's expired leases.
 * The hourly schedule runs both; a frequent schedule with input `{"content": false}` runs
 * only the delivery sweep (both schedules are in serverless.yml).
 */
import type { Context } from 'aws-lambda';
import type { EditionRecovery } from './core/delivery/recovery.ts';
import { ingestService } from './wiring/ingest.ts';
import { deliveryRecovery } from './wiring/delivery.ts';
import { optionalEditionStarter } from './wiring/starter.ts';

/** What a run did. */
export interface ReconcileResult {
  content?: Record<string, number>;
  delivery?: EditionRecovery[];
}

/** The scheduled event: EventBridge's own (no input) runs both sweeps. */
interface ReconcileEvent {
  content?: unknown;
  delivery?: unknown;
}

/**
 * The scheduled handler.
 *
 * @example
 * ```ts
 * await handler({ content: false }, context); // the delivery sweep only
 * ```
 */
export async function handler(event?: ReconcileEvent | null, context?: Pick<Context, 'getRemainingTimeInMillis'>): Promise<ReconcileResult> {
  const result: ReconcileResult = {};
  // Leave a minute for the last fan-out page; the next run carries on from the cursor.
  const shouldYield = context ? () => context.getRemainingTimeInMillis() < 60_000 : undefined;
  if (event?.delivery !== false) {
    const starter = optionalEditionStarter();
    result.delivery = await deliveryRecovery({ ...(shouldYield ? { shouldYield } : {}), ...(starter ? { starter } : {}) }).run();
  }
  if (event?.content !== false) result.content = await ingestService().reconcile();
  return result;
}
