/**
 * One job end to end on a local stack, through the same handlers AWS invokes: upload a
 * content folder (S3 events → `ingest`), import subscribers, run the job (`edition`:
 * render once, fan out over SQS), drain the send queue into `send`, and read back what the
 * local SES received, raw MIME exactly as sent.
 */
import { createReadStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { useEnvironment, getConfig } from '../../functions/core/config.ts';
import { resetWiring, subscriberRepository, editionRepository, articleStore } from '../../functions/wiring/common.ts';
import { alertFollowing } from '../../functions/wiring/keyword-alerts.ts';
import { handler as ingestHandler } from '../../functions/ingest.ts';
import { handler as editionHandler } from '../../functions/edition.ts';
import { handler as sendHandler } from '../../functions/send.ts';
import { handler as alertsHandler } from '../../functions/alerts.ts';
import { importSubscribers, type ImportResult } from '../../functions/core/subscribers/import-subscribers.ts';
import { isComplete } from '../../functions/core/delivery/fan-out-service.ts';
import { EditionState, JobName } from '../../functions/core/editions/types.ts';
import type { QuarantineRecord } from '../../functions/core/articles/types.ts';
import { forwardS3Events, forwardSesEvents, drainQueue, sqsEventSource } from './lambda-driver.ts';
import type { CapturedMessage, LocalStack } from './stack.ts';

/** The summary line of `digest run` (`editorsChoice`: newsletter jobs only). */
export interface RunSummary {
  job: JobName;
  edition: string;
  articles: number;
  editorsChoice?: number;
  recipients: number;
  sent: number;
  skipped: number;
  failed: number;
  quarantined: number;
}

/** Every file under `dir` (recursively), as object keys relative to it with `/`. */
export async function listFiles(dir: string): Promise<Array<{ path: string; key: string }>> {
  const out: Array<{ path: string; key: string }> = [];
  const walk = async (d: string): Promise<void> => {
    const entries = await readdir(d, { withFileTypes: true });
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const e of entries) {
      const full = join(d, e.name);
      if (e.isDirectory()) await walk(full);
      else if (e.isFile()) out.push({ path: full, key: relative(dir, full).split(sep).join('/') });
    }
  };
  await walk(dir);
  return out;
}

/**
 * Uploads a folder into the content bucket; the stack's S3 events run `ingest`.
 *
 * @example
 * ```ts
 * const quarantined = await uploadContent(stack, 'infra/local/sample/content');
 * ```
 */
export async function uploadContent(stack: LocalStack, dir: string): Promise<QuarantineRecord[]> {
  const files = await listFiles(dir);
  const s3 = new S3Client({ region: getConfig().AWS_REGION, endpoint: stack.endpoints.s3, forcePathStyle: true });
  const events = forwardS3Events(stack, ingestHandler);
  try {
    for (const file of files) {
      await s3.send(new PutObjectCommand({ Bucket: getConfig().CONTENT_BUCKET, Key: file.key, Body: await readFile(file.path) }));
    }
    await events.flush();
  } finally {
    events.stop();
    s3.destroy();
  }
  const quarantined: QuarantineRecord[] = [];
  for await (const record of articleStore().list()) quarantined.push(record);
  return quarantined;
}

/**
 * Imports a subscribers CSV into the stack.
 *
 * @example
 * ```ts
 * const { imported, errors } = await importSubscribersFile('infra/local/sample/subscribers.csv');
 * ```
 */
export async function importSubscribersFile(file: string, now = new Date()): Promise<ImportResult> {
  return importSubscribers(subscriberRepository(), createReadStream(file), { now, following: alertFollowing() });
}

/** What runJob and runAlerts may be told besides the job. */
interface RunOptions {
  now: Date;
  quarantined: number;
  onProgress?: (p: { sent: number; failed: number; skipped: number; total: number }) => void;
  /** Hand SES's Send events to `feedback` while sending (default true; `npm start` forwards them all the time). */
  forwardSendEvents?: boolean;
}

/**
 * Drives the send queue until the edition (or alert flush) `id` has a final ledger state for
 * every recipient; SES's Send events go to `feedback` meanwhile, as on AWS.
 */
async function sendUntilComplete(stack: LocalStack, id: string, options: RunOptions): Promise<void> {
  const editions = editionRepository();
  // Loaded here, so that CLI commands that send nothing do not load the feedback function.
  const { handler: feedbackHandler } = await import('../../functions/feedback.ts');
  const sendEvents = options.forwardSendEvents === false ? undefined : forwardSesEvents(stack, feedbackHandler);
  try {
    await drainQueue({
      queueUrl: getConfig().SEND_QUEUE_URL,
      endpoint: stack.endpoints.sqs,
      region: getConfig().AWS_REGION,
      handler: sendHandler,
      // As serverless.yml has the event source invoke `send` (batch size, window, concurrency).
      eventSource: await sqsEventSource('send'),
      done: async () => {
        const e = await editions.get(id);
        if (e) options.onProgress?.({ sent: e.sent, failed: e.failed, skipped: e.skipped, total: e.total });
        return !e || isComplete(e);
      },
      timeoutMs: 10 * 60_000,
    });
    await sendEvents?.flush();
  } finally {
    sendEvents?.stop();
  }
}

/**
 * Runs one newsletter job and waits until every recipient has a final ledger state. The local
 * SES's Send events go to the `feedback` function meanwhile, as on AWS.
 *
 * @example
 * ```ts
 * const summary = await runJob(stack, { job: 'daily', now: new Date() });
 * ```
 */
export async function runJob(stack: LocalStack, options: RunOptions & { job: JobName }): Promise<RunSummary> {
  const result = await editionHandler({ job: options.job, time: options.now.toISOString(), force: true });
  if (result.state === EditionState.SENDING) await sendUntilComplete(stack, result.edition, options);
  return summarise(options.job, result.edition, { articles: result.articles, editorsChoice: result.editorsChoice, recipients: result.recipients }, options);
}

/** The run's summary line: the edition's (or flush's) final counts from its record. */
async function summarise(
  job: JobName,
  id: string,
  built: { articles: number; editorsChoice?: number; recipients: number },
  options: RunOptions,
): Promise<RunSummary> {
  const edition = await editionRepository().get(id);
  return {
    job,
    edition: id,
    articles: built.articles,
    ...(built.editorsChoice !== undefined ? { editorsChoice: built.editorsChoice } : {}),
    recipients: edition?.total ?? built.recipients,
    sent: edition?.sent ?? 0,
    skipped: edition?.skipped ?? 0,
    failed: edition?.failed ?? 0,
    quarantined: options.quarantined,
  };
}

/**
 * Runs one alert flush with every window due (as if due now: `dueBy` a week and a day ahead,
 * past any weekly window) and waits until every digest has a final ledger state. Matching
 * happened at ingest (uploadContent), so subscribers must be imported before the content.
 *
 * @example
 * ```ts
 * const summary = await runAlerts(stack, { now: new Date(), quarantined: 0 });
 * ```
 */
export async function runAlerts(stack: LocalStack, options: RunOptions): Promise<RunSummary> {
  const dueBy = new Date(Math.max(options.now.getTime(), Date.now()) + 8 * 86_400_000);
  const result = await alertsHandler({ time: options.now.toISOString(), dueBy: dueBy.toISOString() });
  if (result.state === EditionState.SENDING) await sendUntilComplete(stack, result.flush, options);
  return summarise(JobName.ALERTS, result.flush, { articles: result.articles, recipients: result.recipients }, options);
}

/** Points this process's handlers at a stack (and forgets clients built for another). */
export function useStack(env: Record<string, string>): void {
  useEnvironment(env);
  resetWiring();
}

/** Messages the local SES accepted, oldest first. */
export function receivedMail(stack: LocalStack): CapturedMessage[] {
  return stack.ses.messages();
}

/** Whether a path is a readable directory; for the CLI's argument checks. */
export async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then((s) => s.isDirectory(), () => false);
}
