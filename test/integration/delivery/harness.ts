/**
 * Shared set-up of the delivery integration tests: one local stack per test file, the app
 * pointed at it in-process, subscribers imported from CSV, editions run through the real
 * `edition` handler, the send queue drained into the real `send` handler, the local SES's
 * Send events handed to the real `feedback` handler (as SNS would), and the "exactly once"
 * assertions every scenario ends with.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, expect } from 'vitest';
import { getConfig } from '../../../functions/core/config.ts';
import type { EditionStatus } from '../../../functions/core/delivery/delivery-admin.ts';
import type { EditionRunResult } from '../../../functions/core/editions/edition-service.ts';
import { subscriberIdFor } from '../../../functions/core/subscribers/identity.ts';
import { handler as editionHandler } from '../../../functions/edition.ts';
import { handler as feedbackHandler } from '../../../functions/feedback.ts';
import { handler as sendHandler } from '../../../functions/send.ts';
import { deliveryLedger, editionRepository } from '../../../functions/wiring/common.ts';
import { deliveryAdmin } from '../../../functions/wiring/delivery.ts';
import { localAppEnv } from '../../../infra/local/app-env.ts';
import { drainQueue, forwardSesEvents } from '../../../infra/local/lambda-driver.ts';
import { importSubscribersFile, uploadContent, useStack } from '../../../infra/local/local-run.ts';
import { startLocalStack, type CapturedMessage, type LocalStack } from '../../../infra/local/stack.ts';

/** The configuration set every SES call must carry. */
export const CONFIGURATION_SET = 'digest-local';

/** A local stack with the app's environment pointed at it. */
export interface DeliveryStack {
  stack: LocalStack;
  env: Record<string, string>;
  dir: string;
  /** Waits until every Send event the local SES emitted so far is in the ledger. */
  sendEventsRecorded(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts a stack and points this process's handlers at it.
 *
 * @example
 * ```ts
 * const h = await startDeliveryStack({ SEND_LEASE_SECONDS: '2' });
 * ```
 */
export async function startDeliveryStack(extraEnv: Record<string, string> = {}): Promise<DeliveryStack> {
  const stack = await startLocalStack({ forwardToMailbox: false });
  const dir = await mkdtemp(join(tmpdir(), 'delivery-test-'));
  const env = {
    ...localAppEnv(stack, { httpPort: 3000, logLevel: 'ERROR' }),
    SES_CONFIGURATION_SET: CONFIGURATION_SET,
    SEND_CONCURRENCY: '16',
    ...extraEnv,
  };
  useStack(env);
  stack.ses.setFaults({ maxSendRate: 50 });
  const sendEvents = forwardSesEvents(stack, feedbackHandler);
  return {
    stack,
    env,
    dir,
    sendEventsRecorded: () => sendEvents.flush(),
    stop: async () => {
      sendEvents.stop();
      await sendEvents.flush().catch(() => undefined);
      await stack.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** One row of the subscribers CSV. */
/**
 * Starts a delivery stack with `daily` seeded readers before a file's tests, hands both to
 * `use`, and stops the stack after the tests.
 *
 * @example
 * ```ts
 * let h: DeliveryStack;
 * let readers: Readers;
 * useDeliveryStack('faults', 24, (stack, seeded) => ([h, readers] = [stack, seeded]));
 * ```
 */
export function useDeliveryStack(tag: string, daily: number, use: (h: DeliveryStack, readers: Readers) => void): void {
  let h: DeliveryStack | undefined;
  beforeAll(async () => {
    h = await startDeliveryStack();
    use(h, await seedReaders(h, tag, daily));
  });
  afterAll(async () => {
    await h?.stop();
  });
}

export interface SubscriberRow {
  email: string;
  newsletter?: 'daily' | 'weekly' | 'none';
  status?: 'confirmed' | 'unsubscribed' | 'bounced' | 'complained';
}

/** The readers of a test file: confirmed daily readers, weekly-only readers and suppressed ones. */
export interface Readers {
  /** Confirmed, on the daily newsletter: every daily edition goes to them. */
  daily: string[];
  /** Confirmed, weekly only: not in a daily edition's segment. */
  weekly: string[];
  /** Daily readers who unsubscribed, bounced or complained: they must get nothing. */
  suppressed: string[];
}

/**
 * Imports `daily` confirmed daily readers (reader01@…), two weekly-only readers and three
 * suppressed ones from a CSV file written for the purpose.
 *
 * @example
 * ```ts
 * const readers = await seedReaders(h, 'faults', 24);
 * ```
 */
export async function seedReaders(h: DeliveryStack, tag: string, daily: number): Promise<Readers> {
  const readers: Readers = {
    daily: Array.from({ length: daily }, (_, i) => `reader${String(i + 1).padStart(2, '0')}@${tag}.example.org`),
    weekly: [`weekly1@${tag}.example.org`, `weekly2@${tag}.example.org`],
    suppressed: [`gone@${tag}.example.org`, `bounced@${tag}.example.org`, `complained@${tag}.example.org`],
  };
  const rows: SubscriberRow[] = [
    ...readers.daily.map((email) => ({ email })),
    ...readers.weekly.map((email) => ({ email, newsletter: 'weekly' as const })),
    { email: readers.suppressed[0] as string, status: 'unsubscribed' },
    { email: readers.suppressed[1] as string, status: 'bounced' },
    { email: readers.suppressed[2] as string, status: 'complained' },
  ];
  const csv = ['email,name,newsletter,alerts,keywords,status', ...rows.map((r) => `${r.email},Reader,${r.newsletter ?? 'daily'},none,,${r.status ?? 'confirmed'}`)].join('\n');
  const file = join(h.dir, `subscribers-${tag}.csv`);
  await writeFile(file, `${csv}\n`);
  const result = await importSubscribersFile(file);
  expect(result.errors).toEqual([]);
  expect(result.imported).toBe(rows.length);
  return readers;
}

let articles = 0;

/**
 * Uploads one new article (so the edition has something new) and runs the `edition`
 * handler for the daily job scheduled at `time`, as an editor would (`force`) unless told.
 *
 * @example
 * ```ts
 * const run = await runEdition(h, { time: '2031-01-05T06:00:00.000Z' });
 * ```
 */
export async function runEdition(
  h: DeliveryStack,
  options: { time: string; force?: boolean; yieldAtOnce?: boolean; upload?: boolean },
): Promise<EditionRunResult> {
  if (options.upload !== false) await uploadArticle(h);
  const context = options.yieldAtOnce ? { getRemainingTimeInMillis: () => 0 } : undefined;
  return editionHandler({ job: 'daily', time: options.time, force: options.force ?? true }, context);
}

/** Puts one new article into the content bucket (ingested through the S3 events). */
export async function uploadArticle(h: DeliveryStack): Promise<void> {
  articles += 1;
  const folder = join(h.dir, `content-${articles}`);
  const { mkdir } = await import('node:fs/promises');
  await mkdir(folder, { recursive: true });
  await writeFile(
    join(folder, `story-${articles}.md`),
    [
      '---',
      `title: Delivery test story number ${articles}`,
      `url: https://news.example.org/story-${articles}`,
      'section: News',
      '---',
      `Story ${articles} tells what happened today, in two sentences. It is long enough for a summary.`,
      '',
    ].join('\n'),
  );
  await uploadContent(h.stack, folder);
}

/** Whether every recipient of the edition is final in the ledger (none pending, none being sent). */
export async function ledgerSettled(editionId: string): Promise<boolean> {
  const status = await deliveryAdmin().status(editionId);
  return status.fanoutDone && status.pending === 0 && status.sending === 0;
}

/**
 * Drains the send queue into a send handler (by default the real one) until every
 * recipient of the edition is final.
 *
 * @example
 * ```ts
 * await drainEdition(h, run.edition);
 * ```
 */
export async function drainEdition(
  h: DeliveryStack,
  editionId: string,
  options: { handler?: (event: SQSEvent) => Promise<SQSBatchResponse>; pollers?: number; batchSize?: number; timeoutMs?: number; done?: () => Promise<boolean> } = {},
): Promise<{ invocations: number; records: number }> {
  return drainQueue({
    queueUrl: getConfig().SEND_QUEUE_URL,
    endpoint: h.stack.endpoints.sqs,
    region: getConfig().AWS_REGION,
    handler: options.handler ?? sendHandler,
    pollers: options.pollers ?? 3,
    batchSize: options.batchSize ?? 10,
    timeoutMs: options.timeoutMs ?? 30_000,
    retryAfterSeconds: 1,
    done: options.done ?? (() => ledgerSettled(editionId)),
  });
}

/**
 * The address a captured message went to, read from its raw MIME `To:` header (from its
 * destination when the front kept no raw bytes).
 */
export function recipientOf(message: CapturedMessage): string {
  if (message.raw.byteLength === 0) return (message.destinations[0] ?? '').toLowerCase();
  const to = /^To: (.*)$/m.exec(message.raw.toString('utf8'))?.[1] ?? '';
  return (/<([^>]+)>/.exec(to)?.[1] ?? to).trim().toLowerCase();
}

/**
 * Messages of one edition the local SES accepted, by recipient (`messages`: those of an SES
 * front in a process of its own, else the stack's).
 */
export function mailsByRecipient(h: DeliveryStack, editionId: string, messages: readonly CapturedMessage[] = h.stack.ses.messages()): Map<string, CapturedMessage[]> {
  const byTo = new Map<string, CapturedMessage[]>();
  for (const m of messages) {
    if (m.tags.edition !== editionId) continue;
    const to = recipientOf(m);
    byTo.set(to, [...(byTo.get(to) ?? []), m]);
  }
  return byTo;
}

/** Messages in a queue: visible, in flight and delayed. */
export async function queueDepth(h: DeliveryStack, queueUrl: string): Promise<{ visible: number; inFlight: number; delayed: number }> {
  const sqs = new SQSClient({ region: getConfig().AWS_REGION, endpoint: h.stack.endpoints.sqs });
  try {
    const { Attributes: a } = await sqs.send(new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
    }));
    return { visible: Number(a?.ApproximateNumberOfMessages ?? 0), inFlight: Number(a?.ApproximateNumberOfMessagesNotVisible ?? 0), delayed: Number(a?.ApproximateNumberOfMessagesDelayed ?? 0) };
  } finally {
    sqs.destroy();
  }
}

/**
 * What every scenario ends with: each eligible subscriber has exactly one message in the
 * local SES store (tagged with the edition and subscriber, with the configuration set),
 * whose id the ledger holds (with its Send event, if that came before the entry was sent); nobody else has any; and the edition's
 * counts — the ledger's and the record's — match.
 *
 * @example
 * ```ts
 * await expectExactlyOnce(h, run.edition, { eligible: readers.daily, absent: [...readers.suppressed, ...readers.weekly] });
 * ```
 */
export async function expectExactlyOnce(
  h: DeliveryStack,
  editionId: string,
  expected: { eligible: readonly string[]; absent: readonly string[]; failed?: readonly string[]; skipped?: readonly string[]; messages?: readonly CapturedMessage[] },
): Promise<EditionStatus> {
  const failed = expected.failed ?? [];
  const skipped = expected.skipped ?? [];
  const receiving = expected.eligible.filter((e) => !failed.includes(e) && !skipped.includes(e));
  const byTo = mailsByRecipient(h, editionId, expected.messages);

  const counts = Object.fromEntries([...byTo].map(([to, mails]) => [to, mails.length]));
  expect(counts).toEqual(Object.fromEntries(receiving.map((to) => [to, 1])));
  for (const absent of [...expected.absent, ...failed, ...skipped]) expect(byTo.has(absent)).toBe(false);
  await h.sendEventsRecorded();
  for (const to of receiving) {
    const [mail] = byTo.get(to) ?? [];
    expect(mail?.destinations).toEqual([to]);
    expect(mail?.tags).toEqual({ edition: editionId, subscriber: subscriberIdFor(to) });
    expect(mail?.configurationSet).toBe(CONFIGURATION_SET);
    const entry = await deliveryLedger().get({ editionId, subscriberId: subscriberIdFor(to) });
    expect(entry).toMatchObject({ state: 'sent', messageId: mail?.messageId });
    // A Send event is recorded only while its entry is not yet sent (a takeover reads it); one that arrives later is not written.
    if (entry?.sendEvent) expect(entry.sendEvent.messageId).toBe(mail?.messageId);
  }

  const status = await deliveryAdmin().status(editionId);
  expect(status).toMatchObject({
    edition: editionId,
    state: 'sent',
    fanoutDone: true,
    total: expected.eligible.length,
    pending: 0,
    sending: 0,
    sent: receiving.length,
    failed: failed.length,
    skipped: skipped.length,
  });
  const record = await editionRepository().get(editionId);
  expect(record).toMatchObject({ state: 'sent', total: status.total, sent: status.sent, failed: status.failed, skipped: status.skipped });
  return status;
}
