/**
 * The `digest` commands that start an embedded local stack of their own, on free ports, so
 * that they can run beside `npm start`, the tests and each other:
 * - `run`: import subscribers, upload a content folder (ingest, and keyword alerts matched),
 *   run a job through the same handlers AWS invokes (`alerts`: every window flushed as if due
 *   now), write each message the local SES received as an `.eml` file;
 * - `render`: write the next edition's email, web page and metadata for a quick look.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CliError, isFile, type CliOptions, type Command } from '../../functions/cli/cli.ts';
import { ProgressBar } from '../../functions/cli/progress.ts';
import { JobName, Token } from '../../functions/core/editions/types.ts';
import { links } from '../../functions/wiring/common.ts';
import { editionService } from '../../functions/wiring/edition.ts';
import { localAppEnv } from './app-env.ts';
import { importSubscribersFile, isDirectory, receivedMail, runAlerts, runJob, uploadContent, useStack } from './local-run.ts';
import { startLocalStack, type LocalStack } from './stack.ts';

const SAMPLE_DIR = fileURLToPath(new URL('./sample/', import.meta.url));
const SAMPLE_CONTENT = join(SAMPLE_DIR, 'content');
const SAMPLE_SUBSCRIBERS = join(SAMPLE_DIR, 'subscribers.csv');
const NEWSLETTER_JOBS: readonly string[] = [JobName.DAILY, JobName.WEEKLY];

function parseNow(value: string | undefined): Date {
  if (value === undefined) return new Date();
  const date = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(date.getTime())) {
    throw new CliError(`--now must be an ISO-8601 date-time, not "${value}"`);
  }
  return date;
}

async function checkInputs(options: CliOptions, needSubscribers: boolean): Promise<{ content: string; subscribers: string; out: string; now: Date }> {
  if (!options.out) throw new CliError('--out DIR is required');
  const content = resolve(options.content ?? SAMPLE_CONTENT);
  const subscribers = resolve(options.subscribers ?? SAMPLE_SUBSCRIBERS);
  if (!(await isDirectory(content))) throw new CliError(`--content: ${content} is not a readable directory`);
  if (needSubscribers && !(await isFile(subscribers))) throw new CliError(`--subscribers: ${subscribers} is not a readable file`);
  if (needSubscribers) await readFile(subscribers).catch(() => {
    throw new CliError(`--subscribers: cannot read ${subscribers}`);
  });
  const out = resolve(options.out);
  await mkdir(out, { recursive: true }).catch((e: Error) => {
    throw new CliError(`--out: cannot create ${out} (${e.message})`);
  });
  return { content, subscribers, out, now: parseNow(options.now) };
}

async function withLocalStack<T>(fn: (stack: LocalStack) => Promise<T>): Promise<T> {
  // Free ports: a run can go on beside `npm start`, the tests and another run.
  const stack = await startLocalStack({ forwardToMailbox: false });
  try {
    useStack(localAppEnv(stack, { httpPort: 3000, logLevel: 'ERROR' }));
    return await fn(stack);
  } finally {
    await stack.stop();
  }
}

const run: Command = async (_args, options) => {
  const job = options.job;
  if (!job) throw new CliError('--job daily|weekly|alerts is required');
  if (job !== JobName.ALERTS && !NEWSLETTER_JOBS.includes(job)) throw new CliError(`--job must be daily, weekly or alerts, not "${job}"`);
  const inputs = await checkInputs(options, true);

  const summary = await withLocalStack(async (stack) => {
    // Subscribers first: keyword alerts are matched when the content is ingested.
    const imported = await importSubscribersFile(inputs.subscribers, inputs.now);
    for (const e of imported.errors) process.stderr.write(`${inputs.subscribers}: line ${e.line}: ${e.reason} (skipped)\n`);
    const quarantined = await uploadContent(stack, inputs.content);
    for (const q of quarantined) process.stderr.write(`quarantined ${q.key}: ${q.reason}\n`);
    const bar = options.quiet || !process.stderr.isTTY ? undefined : new ProgressBar(process.stderr);
    const progress = bar ? { onProgress: (p: { sent: number; failed: number; skipped: number; total: number }) => bar.update(p) } : {};
    const result =
      job === JobName.ALERTS
        ? await runAlerts(stack, { now: inputs.now, quarantined: quarantined.length, ...progress })
        : await runJob(stack, { job: job as JobName, now: inputs.now, quarantined: quarantined.length, ...progress });
    bar?.finish();
    const mail = receivedMail(stack);
    await Promise.all(mail.map((m, i) => writeFile(join(inputs.out, `${String(i + 1).padStart(4, '0')}-${m.messageId}.eml`), m.raw)));
    return result;
  });
  process.stdout.write(`${JSON.stringify(summary)}\n`);
  return 0;
};

const render: Command = async (_args, options) => {
  const job = options.job ?? JobName.DAILY;
  if (!NEWSLETTER_JOBS.includes(job)) throw new CliError(`--job must be daily or weekly, not "${job}"`);
  const inputs = await checkInputs(options, false);
  const files = await withLocalStack(async (stack) => {
    const quarantined = await uploadContent(stack, inputs.content);
    for (const q of quarantined) process.stderr.write(`quarantined ${q.key}: ${q.reason}\n`);
    const { rendered, page } = await editionService().preview(job as JobName, inputs.now);
    // A quick look: tokens filled with example values.
    const sample: Record<string, string> = {
      [Token.NAME]: 'Reader',
      [Token.UNSUBSCRIBE_URL]: links().unsubscribe('preview'),
      [Token.PREFERENCES_URL]: links().preferences('preview'),
      [Token.WEB_VIEW_URL]: links().editionPage(rendered.editionId),
    };
    const fill = (s: string) => s.replace(/%%\{[a-z_]+\}%%/g, (t) => sample[t] ?? t);
    const written = {
      'email.html': fill(rendered.html),
      'email.txt': fill(rendered.text),
      'web.html': page,
      'meta.json': JSON.stringify({ subject: rendered.subject, preheader: rendered.preheader, shown: rendered.shown, omitted: rendered.omitted, htmlBytes: Buffer.byteLength(rendered.html) }, null, 2),
    };
    await Promise.all(Object.entries(written).map(([name, body]) => writeFile(join(inputs.out, name), body)));
    return Object.keys(written).map((n) => join(inputs.out, n));
  });
  for (const f of files) process.stdout.write(`${f}\n`);
  return 0;
};

/** The commands with an embedded stack of their own, by name. */
export const standaloneCommands: Readonly<Record<string, Command>> = { run, render };
