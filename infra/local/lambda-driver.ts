/**
 * Drives the project's Lambda handlers locally the way AWS invokes them: S3 notifications
 * from s3rver go to `ingest`, the SES stand-in's Send events go to `feedback` as SNS
 * notifications, and the send queue is polled in batches into `send`, with partial batch
 * failures left on the queue for redelivery, as the SQS event source does.
 */
import { randomUUID } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import { ChangeMessageVisibilityBatchCommand, DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import type { S3Event, SNSEvent, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { loadServerlessConfig } from './cfn.ts';
import type { LocalStack } from './stack.ts';

/**
 * Collects s3rver's notifications and hands them to a handler, in order. A handler error is
 * kept for `flush()` to throw, or given to `onError` (a long-running stack reports it and
 * carries on, as Lambda would retry and then drop the event).
 */
export function forwardS3Events(
  stack: Pick<LocalStack, 's3Events'>,
  handler: (event: S3Event) => Promise<unknown>,
  options: { onError?: (error: unknown, event: S3Event) => void } = {},
) {
  let chain: Promise<unknown> = Promise.resolve();
  const errors: unknown[] = [];
  const listener = (event: S3Event): void => {
    chain = chain.then(() => handler(event)).catch((error: unknown) => {
      if (options.onError) options.onError(error, event);
      else errors.push(error);
    });
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

/** The feedback topic's ARN on the local stack (SNS is not emulated: events are handed over directly). */
const LOCAL_FEEDBACK_TOPIC = 'arn:aws:sns:us-east-1:000000000000:news-digest-local-ses-feedback';

/**
 * One SES notification as SNS hands it to a Lambda function (one record per invocation).
 *
 * @example
 * ```ts
 * await feedbackHandler(snsEventOf({ eventType: 'Send', mail: { … } }));
 * ```
 */
export function snsEventOf(notification: unknown): SNSEvent {
  const messageId = randomUUID();
  return {
    Records: [{
      EventSource: 'aws:sns',
      EventVersion: '1.0',
      EventSubscriptionArn: `${LOCAL_FEEDBACK_TOPIC}:${messageId}`,
      Sns: {
        Type: 'Notification',
        MessageId: messageId,
        TopicArn: LOCAL_FEEDBACK_TOPIC,
        Subject: '',
        Message: JSON.stringify(notification),
        Timestamp: new Date().toISOString(),
        SignatureVersion: '1',
        Signature: 'local',
        SigningCertUrl: 'http://127.0.0.1/local.pem',
        UnsubscribeUrl: 'http://127.0.0.1/unsubscribe',
        MessageAttributes: {},
      },
    }],
  };
}

/**
 * Hands the SES stand-in's events (Send, then Delivery or Bounce, and Clicks) to a handler
 * (the `feedback` function), one SNS record per invocation, as the configuration set's event
 * destination and SNS do on AWS: several invocations at once (`concurrency`, default 8), in
 * no guaranteed order.
 *
 * @example
 * ```ts
 * const events = forwardSesEvents(stack, feedbackHandler);
 * // … send …
 * await events.flush();
 * events.stop();
 * ```
 */
export function forwardSesEvents(stack: { ses: { events: EventEmitter } }, handler: (event: SNSEvent) => Promise<unknown>, options: { concurrency?: number } = {}) {
  const limit = options.concurrency ?? 8;
  const waiting: unknown[] = [];
  const running = new Set<Promise<unknown>>();
  const errors: unknown[] = [];
  let idle: Promise<void> = Promise.resolve();
  let settle: (() => void) | undefined;
  const pump = (): void => {
    while (running.size < limit && waiting.length > 0) {
      const notification = waiting.shift();
      const run: Promise<unknown> = handler(snsEventOf(notification))
        .catch((error: unknown) => errors.push(error))
        .finally(() => {
          running.delete(run);
          pump();
        });
      running.add(run);
    }
    if (running.size === 0 && waiting.length === 0) {
      settle?.();
      settle = undefined;
    }
  };
  const listener = (notification: unknown): void => {
    if (running.size === 0 && waiting.length === 0) idle = new Promise<void>((resolve) => (settle = resolve));
    waiting.push(notification);
    pump();
  };
  stack.ses.events.on('event', listener);
  return {
    /** Waits for every event emitted so far to be handled; throws the first handler error. */
    async flush(): Promise<void> {
      await idle;
      if (errors.length > 0) throw errors[0];
    },
    stop(): void {
      stack.ses.events.off('event', listener);
    },
  };
}

export interface DrainOptions {
  queueUrl: string;
  endpoint: string;
  region: string;
  handler: (event: SQSEvent) => Promise<SQSBatchResponse>;
  /**
   * The function's SQS event source (see {@link sqsEventSource}): the defaults of `pollers`,
   * `batchSize` and `batchingWindowMs`.
   */
  eventSource?: SqsEventSource;
  /** Pollers in parallel (like Lambda's concurrent invocations). */
  pollers?: number;
  /**
   * Records per invocation, as the event source's `batchSize` (default 10). SQS returns at most
   * 10 per receive: above 10, receives are repeated until the batch is full, the queue has
   * none left, or `batchingWindowMs` has passed since the first record (the event source's
   * `maximumBatchingWindow`).
   */
  batchSize?: number;
  /** How long a batch may be gathered (default 1,000 ms). */
  batchingWindowMs?: number;
  /** Stop when this says so (checked between batches), e.g. the edition is complete. */
  done: () => Promise<boolean>;
  /** Credentials for the queue (default: the SDK's chain, e.g. the local stack's environment). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /**
   * Also ask `done()` this often (ms) while the pollers wait on the queue, so that the moment
   * it became true (`doneAt`) is known to within this period (default: between batches only).
   */
  checkEveryMs?: number;
  /** Give up after this long. */
  timeoutMs?: number;
  /** Visibility of a failed record before it is redelivered (seconds). */
  retryAfterSeconds?: number;
}

/** What {@link drainQueue} did. */
export interface DrainStats {
  invocations: number;
  records: number;
  /** When `done()` first said yes (performance.now()). */
  doneAt?: number;
  /** Wall clock (ms since the epoch) of the first record received, and the earliest and latest `SentTimestamp` seen. */
  firstReceivedAt?: number;
  firstSentAt?: number;
  lastSentAt?: number;
}

/**
 * Polls the send queue into the send handler until `done()` or the deadline.
 *
 * @example
 * ```ts
 * await drainQueue({ queueUrl, endpoint, region, handler: send.handler, done: async () => isComplete(await editions.get(id)) });
 * ```
 */
export async function drainQueue(options: DrainOptions): Promise<DrainStats> {
  const sqs = new SQSClient({ region: options.region, endpoint: options.endpoint, ...(options.credentials ? { credentials: options.credentials } : {}) });
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  const stats: DrainStats = { invocations: 0, records: 0 };
  let finished = false;
  /** Asks `done()`; notes (performance.now()) when it first said yes. */
  const isDone = async (): Promise<boolean> => {
    if (stats.doneAt !== undefined) return true;
    if (!(await options.done())) return false;
    stats.doneAt ??= performance.now();
    return true;
  };
  const watcher = async (): Promise<void> => {
    const every = options.checkEveryMs;
    if (!every) return;
    while (!finished && !(await isDone())) await new Promise((r) => setTimeout(r, every));
  };
  const batchSize = Math.max(1, options.batchSize ?? options.eventSource?.batchSize ?? 10);
  const batchingWindowMs = options.batchingWindowMs ?? options.eventSource?.batchingWindowMs ?? 1000;
  const receive = (max: number, waitSeconds: number) =>
    sqs
      .send(
        new ReceiveMessageCommand({
          QueueUrl: options.queueUrl,
          MaxNumberOfMessages: Math.min(10, max),
          WaitTimeSeconds: waitSeconds,
          MessageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp'],
          // The local queue (local-aws-sqs) reads only the older, deprecated parameter: without
          // it the records carry no SentTimestamp (the benchmarks' timeline reads it).
          AttributeNames: ['All'],
        }),
      )
      .then((out) => out.Messages ?? []);
  /** One invocation's records: a long poll, then more receives until full, dry or the window ends. */
  const gather = async (): Promise<Message[]> => {
    const messages = await receive(batchSize, 1);
    const windowEnds = Date.now() + batchingWindowMs;
    while (messages.length > 0 && messages.length < batchSize && Date.now() < windowEnds && !finished) {
      const more = await receive(batchSize - messages.length, 0);
      if (more.length === 0) break;
      messages.push(...more);
    }
    return messages;
  };
  const poller = async (): Promise<void> => {
    while (!finished) {
      if (Date.now() > deadline) throw new Error('the send queue did not drain before the deadline');
      if (await isDone()) {
        finished = true;
        return;
      }
      const messages = await gather();
      if (messages.length === 0) continue;
      stats.firstReceivedAt ??= Date.now();
      for (const m of messages) {
        const sentAt = Number(m.Attributes?.SentTimestamp);
        if (!Number.isFinite(sentAt)) continue;
        stats.firstSentAt = Math.min(stats.firstSentAt ?? sentAt, sentAt);
        stats.lastSentAt = Math.max(stats.lastSentAt ?? sentAt, sentAt);
      }
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
      // The batch calls take at most 10 entries each.
      for (let i = 0; i < ok.length; i += 10) {
        const chunk = ok.slice(i, i + 10);
        await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: options.queueUrl, Entries: chunk.map((r, k) => ({ Id: String(k), ReceiptHandle: r.receiptHandle })) }));
      }
      for (let i = 0; i < retry.length; i += 10) {
        const chunk = retry.slice(i, i + 10);
        await sqs.send(
          new ChangeMessageVisibilityBatchCommand({
            QueueUrl: options.queueUrl,
            Entries: chunk.map((r, k) => ({ Id: String(k), ReceiptHandle: r.receiptHandle, VisibilityTimeout: options.retryAfterSeconds ?? 1 })),
          }),
        );
      }
    }
  };
  try {
    await Promise.all([...Array.from({ length: options.pollers ?? options.eventSource?.concurrency ?? 4 }, poller), watcher()]);
  } finally {
    finished = true;
    sqs.destroy();
  }
  return stats;
}

/** How the SQS event source of a function hands it messages. */
export interface SqsEventSource {
  batchSize: number;
  batchingWindowMs: number;
  /** Concurrent invocations (`maximumConcurrency`, else `reservedConcurrency`, else 4). */
  concurrency: number;
}

/**
 * The SQS event source of function `name` as serverless.yml sets it (`events[].sqs`), with
 * Lambda's defaults where it is silent: the options for {@link drainQueue}.
 *
 * @example
 * ```ts
 * await drainQueue({ queueUrl, endpoint, region, handler, done, eventSource: await sqsEventSource('send') });
 * ```
 */
export async function sqsEventSource(name: string, serverlessYml?: string): Promise<SqsEventSource> {
  const config = (await loadServerlessConfig(serverlessYml)) as
    | { functions?: Record<string, { reservedConcurrency?: unknown; events?: { sqs?: Record<string, unknown> }[] } | undefined> }
    | undefined;
  const fn = config?.functions?.[name];
  const sqs = fn?.events?.find((e) => e.sqs)?.sqs ?? {};
  const num = (v: unknown, fallback: number) => (Number.isFinite(Number(v)) && Number(v) > 0 ? Number(v) : fallback);
  return {
    batchSize: num(sqs.batchSize, 10),
    batchingWindowMs: num(sqs.maximumBatchingWindow, 0) * 1000,
    concurrency: num(sqs.maximumConcurrency, num(fn?.reservedConcurrency, 4)),
  };
}
