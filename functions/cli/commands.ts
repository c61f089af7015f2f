/**
 * The `digest` commands. Each checks its arguments first and fails with a one-line reason.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DigestError } from '../core/errors.ts';
import { getConfig } from '../core/config.ts';
import { JobName } from '../core/editions/types.ts';
import { Token } from '../core/rendering/types.ts';
import { toSubscribersCsv } from '../core/subscribers/subscriber-csv.ts';
import { articleStore, subscriberRepository } from '../wiring/common.ts';
import { deliveryAdmin } from '../wiring/send.ts';
import { editionService } from '../wiring/edition.ts';
import { startLocalStack, type LocalStack } from '../../infra/local/stack.ts';
import { localAppEnv } from '../../infra/local/app-env.ts';
import { importSubscribersFile, isDirectory, isFile, receivedMail, runJob, uploadContent, useStack } from '../../infra/local/local-run.ts';
import { readLocalState } from '../../infra/local/local-state.ts';
import { ProgressBar } from './progress.ts';

/** A failure to report in one line, with an exit code. */
export class CliError extends Error {
  public readonly exitCode: number;
  public constructor(message: string, exitCode = 2) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

export interface CliOptions {
  job?: string | undefined;
  content?: string | undefined;
  subscribers?: string | undefined;
  out?: string | undefined;
  now?: string | undefined;
  quiet?: boolean | undefined;
}

const SAMPLE_DIR = fileURLToPath(new URL('../../infra/local/sample/', import.meta.url));
const SAMPLE_CONTENT = join(SAMPLE_DIR, 'content');
const SAMPLE_SUBSCRIBERS = join(SAMPLE_DIR, 'subscribers.csv');
const NEWSLETTER_JOBS: readonly string[] = [JobName.DAILY, JobName.WEEKLY];

/** Runs one command line (positionals and options already parsed). */
export async function runCommand(positionals: string[], options: CliOptions): Promise<number> {
  const [command, sub, arg] = positionals;
  switch (command) {
    case 'run':
      return run(options);
    case 'render':
      return render(options);
    case 'quarantine':
      if (sub !== 'list') throw new CliError('usage: digest quarantine list');
      return quarantineList();
    case 'subscribers':
      if (sub === 'import' && arg) return subscribersImport(arg);
      if (sub === 'export') return subscribersExport();
      throw new CliError('usage: digest subscribers import FILE | digest subscribers export');
    case 'edition':
      if (sub === 'status' && arg) return editionStatus(arg);
      if (sub === 'resend-failed' && arg) return resendFailed(arg);
      throw new CliError('usage: digest edition status ID | digest edition resend-failed ID');
    default:
      throw new CliError(`unknown command "${command}" (try digest --help)`);
  }
}

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

async function run(options: CliOptions): Promise<number> {
  const job = options.job;
  if (!job) throw new CliError('--job daily|weekly|alerts is required');
  if (job === JobName.ALERTS) throw new CliError('--job alerts is not available yet (keyword alerts are a later issue)');
  if (!NEWSLETTER_JOBS.includes(job)) throw new CliError(`--job must be daily, weekly or alerts, not "${job}"`);
  const inputs = await checkInputs(options, true);

  const summary = await withLocalStack(async (stack) => {
    const quarantined = await uploadContent(stack, inputs.content);
    for (const q of quarantined) process.stderr.write(`quarantined ${q.key}: ${q.reason}\n`);
    const imported = await importSubscribersFile(inputs.subscribers, inputs.now);
    for (const e of imported.errors) process.stderr.write(`${inputs.subscribers}: line ${e.line}: ${e.reason} (skipped)\n`);
    const bar = options.quiet || !process.stderr.isTTY ? undefined : new ProgressBar(process.stderr);
    const result = await runJob(stack, { job: job as JobName, now: inputs.now, quarantined: quarantined.length, ...(bar ? { onProgress: (p) => bar.update(p) } : {}) });
    bar?.finish();
    const mail = receivedMail(stack);
    await Promise.all(mail.map((m, i) => writeFile(join(inputs.out, `${String(i + 1).padStart(4, '0')}-${m.messageId}.eml`), m.raw)));
    return result;
  });
  process.stdout.write(`${JSON.stringify(summary)}\n`);
  return 0;
}

async function render(options: CliOptions): Promise<number> {
  const job = options.job ?? JobName.DAILY;
  if (!NEWSLETTER_JOBS.includes(job)) throw new CliError(`--job must be daily or weekly, not "${job}"`);
  const inputs = await checkInputs(options, false);
  const files = await withLocalStack(async (stack) => {
    const quarantined = await uploadContent(stack, inputs.content);
    for (const q of quarantined) process.stderr.write(`quarantined ${q.key}: ${q.reason}\n`);
    const { rendered, page } = await editionService().preview(job as JobName, inputs.now);
    // A quick look: tokens filled with example values.
    const base = getConfig().PUBLIC_BASE_URL;
    const sample: Record<string, string> = {
      [Token.NAME]: 'Reader',
      [Token.UNSUBSCRIBE_URL]: `${base}/unsubscribe?token=preview`,
      [Token.PREFERENCES_URL]: `${base}/preferences?token=preview`,
      [Token.WEB_VIEW_URL]: `${getConfig().ARCHIVE_BASE_URL}/editions/${rendered.editionId}.html`,
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
}

/** Uses the configured environment, or the stack of a running `npm start`. */
async function connect(): Promise<void> {
  const state = await readLocalState();
  if (state) useStack(state.env);
  try {
    getConfig();
  } catch (error) {
    throw new CliError(`no environment to work on: start the local stack with "npm start", or set the AWS variables (${(error as DigestError).message})`);
  }
}

async function quarantineList(): Promise<number> {
  await connect();
  let n = 0;
  for await (const q of articleStore().list()) {
    process.stdout.write(`${q.at}\t${q.key}\t${q.reason}\n`);
    n++;
  }
  process.stderr.write(`${n} object(s) in quarantine\n`);
  return 0;
}

async function subscribersImport(file: string): Promise<number> {
  if (!(await isFile(file))) throw new CliError(`${file} is not a readable file`);
  await connect();
  const result = await importSubscribersFile(file);
  for (const e of result.errors) process.stderr.write(`${file}: line ${e.line}: ${e.reason} (skipped)\n`);
  process.stdout.write(`${JSON.stringify({ imported: result.imported, skipped: result.errors.length })}\n`);
  return 0;
}

async function subscribersExport(): Promise<number> {
  await connect();
  let cursor: string | undefined;
  let header = true;
  do {
    const page = await subscriberRepository().pageAll({ limit: 500, ...(cursor ? { cursor } : {}) });
    process.stdout.write(toSubscribersCsv(page.subscribers, { header }));
    header = false;
    cursor = page.cursor;
  } while (cursor);
  return 0;
}

async function editionStatus(id: string): Promise<number> {
  await connect();
  process.stdout.write(`${JSON.stringify(await deliveryAdmin().status(id))}\n`);
  return 0;
}

async function resendFailed(id: string): Promise<number> {
  await connect();
  const n = await deliveryAdmin().resendFailed(id);
  process.stdout.write(`${JSON.stringify({ edition: id, requeued: n })}\n`);
  return 0;
}
