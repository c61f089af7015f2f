/**
 * `send`: SQS send queue → one message per recipient. Reports partial batch failures
 * (ReportBatchItemFailures): only the tasks to retry go back to the queue; quota-stopped
 * tasks are re-queued with a delay by the service and reported done, so a day without quota
 * never pushes them into the dead-letter queue.
 * Batch handling is our own rather than Powertools' BatchProcessor because the batch needs
 * bounded concurrency, one quota stop for all its records and one counter update per edition.
 */
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import * as z from 'zod/mini'; // as config.ts: the send bundle carries no classic zod
import { TaskOutcome, type SendService } from './core/delivery/send-service.ts';
import { sendService } from './wiring/send.ts';
import type { SendTask } from './core/delivery/types.ts';

/**
 * No send starts in the last seconds of an invocation (an SES call, then the ledger write);
 * a call that is running is aborted 5 s before the end (SendService).
 */
const DEADLINE_MARGIN_MS = 10_000;

const id = () => z.string().check(z.minLength(1), z.maxLength(200));
const Task = z.object({ editionId: id(), subscriberId: id(), retryFailed: z.optional(z.boolean()) });

/**
 * A send handler over a given service (tests build one with a short quota delay).
 *
 * @example
 * ```ts
 * const handler = createSendHandler(() => buildSendService({ quotaRetryDelaySeconds: 2 }));
 * ```
 */
export function createSendHandler(
  service: () => Promise<SendService>,
): (event: SQSEvent, context?: Pick<Context, 'getRemainingTimeInMillis'>) => Promise<SQSBatchResponse> {
  return async (event, context) => {
    const failures: string[] = [];
    const tasks: SendTask[] = [];
    const ids: string[] = [];
    for (const record of event.Records) {
      const parsed = Task.safeParse(safeJson(record.body));
      // A malformed message cannot succeed: it goes to the dead-letter queue for a human.
      if (!parsed.success) failures.push(record.messageId);
      else {
        tasks.push(parsed.data);
        ids.push(record.messageId);
      }
    }
    // Tasks not started before the deadline are re-queued (not failed: that would count
    // towards the dead-letter queue when the account rate is low and batches are long).
    // `end` bounds every SES call, so none outlives the invocation.
    const end = context ? Date.now() + context.getRemainingTimeInMillis() : undefined;
    const timing = end !== undefined ? { deadline: end - DEADLINE_MARGIN_MS, end } : {};
    const outcomes = tasks.length > 0 ? await (await service()).processBatch(tasks, timing) : [];
    outcomes.forEach((outcome, i) => {
      if (outcome === TaskOutcome.RETRY) failures.push(ids[i] as string);
    });
    return { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) };
  };
}

/**
 * The Lambda handler (SQS event source, ReportBatchItemFailures).
 *
 * @example
 * ```ts
 * const { batchItemFailures } = await handler(sqsEvent, context);
 * ```
 */
export const handler = createSendHandler(sendService);

function safeJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}
