/**
 * Drives the project's Lambda handlers locally the way AWS invokes them: S3 notifications
 * from s3rver go to `ingest`, and the send queue is polled in batches into `send`, with
 * partial batch failures left on the queue for redelivery, as the SQS event source does.
 */
import { ChangeMessageVisibilityBatchCommand, DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { S3Event, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { LocalStack } from './stack.ts';

/** Collects s3rver's notifications and hands them to a handler, in order. */
export function forwardS3Events(stack: Pick<LocalStack, 's3Events'>, handler: (event: S3Event) => Promise<unknown>) {
  let chain: Promise<unknown> = Promise.resolve();
  const errors: unknown[] = [];
  const listener = (event: S3Event): void => {
    chain = chain.then(() => handler(event)).catch((error: unknown) => errors.push(error));
  };
  stack.s3Events.on('event', listener);
  return {
    /** Waits for every event received so far to be handled; throws the first handler error. */
    async flush(): Promise<void> {
      await chain;
      if (errors.length > 0) throw errors[0];
    },
    stop(): void {
      stack.s3Events.off('event', listener);
    },
  };
}

export interface DrainOptions {
  queueUrl: string;
  endpoint: string;
  region: string;
  handler: (event: SQSEvent) => Promise<SQSBatchResponse>;
  /** Pollers in parallel (like Lambda's concurrent invocations). */
  pollers?: number;
  /** Records per invocation (SQS returns at most 10 per receive). */
  batchSize?: number;
  /** Stop when this says so (checked between batches), e.g. the edition is complete. */
  done: () => Promise<boolean>;
  /** Give up after this long. */
  timeoutMs?: number;
  /** Visibility of a failed record before it is redelivered (seconds). */
  retryAfterSeconds?: number;
}

/**
 * Polls the send queue into the send handler until `done()` or the deadline.
 *
 * @example
 * ```ts
 * await drainQueue({ queueUrl, endpoint, region, handler: send.handler, done: async () => isComplete(await editions.get(id)) });
 * ```
 */
export async function drainQueue(options: DrainOptions): Promise<{ invocations: number; records: number }> {
  const sqs = new SQSClient({ region: options.region, endpoint: options.endpoint });
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  const stats = { invocations: 0, records: 0 };
  let finished = false;
  const poller = async (): Promise<void> => {
    while (!finished) {
      if (Date.now() > deadline) throw new Error('the send queue did not drain before the deadline');
      if (await options.done()) {
        finished = true;
        return;
      }
      const out = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: options.queueUrl,
          MaxNumberOfMessages: Math.min(10, options.batchSize ?? 10),
          WaitTimeSeconds: 1,
          MessageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp'],
        }),
      );
      const messages = out.Messages ?? [];
      if (messages.length === 0) continue;
      const records: SQSRecord[] = messages.map((m) => ({
        messageId: m.MessageId ?? '',
        receiptHandle: m.ReceiptHandle ?? '',
        body: m.Body ?? '',
        attributes: {
          ApproximateReceiveCount: m.Attributes?.ApproximateReceiveCount ?? '1',
          SentTimestamp: m.Attributes?.SentTimestamp ?? String(Date.now()),
          SenderId: 'local',
          ApproximateFirstReceiveTimestamp: String(Date.now()),
        },
        messageAttributes: {},
        md5OfBody: m.MD5OfBody ?? '',
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn:aws:sqs:local',
        awsRegion: options.region,
      }));
      stats.invocations += 1;
      stats.records += records.length;
      let failed: Set<string>;
      try {
        const response = await options.handler({ Records: records });
        failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
      } catch {
        failed = new Set(records.map((r) => r.messageId)); // the whole batch is retried
      }
      const ok = records.filter((r) => !failed.has(r.messageId));
      const retry = records.filter((r) => failed.has(r.messageId));
      if (ok.length > 0) {
        await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: options.queueUrl, Entries: ok.map((r, i) => ({ Id: String(i), ReceiptHandle: r.receiptHandle })) }));
      }
      if (retry.length > 0) {
        await sqs.send(
          new ChangeMessageVisibilityBatchCommand({
            QueueUrl: options.queueUrl,
            Entries: retry.map((r, i) => ({ Id: String(i), ReceiptHandle: r.receiptHandle, VisibilityTimeout: options.retryAfterSeconds ?? 1 })),
          }),
        );
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: options.pollers ?? 4 }, poller));
  } finally {
    finished = true;
    sqs.destroy();
  }
  return stats;
}
