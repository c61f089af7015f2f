/**
 * The `digest` commands that work on a configured environment: AWS (the AWS variables), or
 * the stack of a running `npm start` (the entry point connects to it first). They use the
 * core and its adapters through the wiring, as the Lambda handlers do; the commands that
 * start an embedded stack of their own (`run`, `render`) live with the local stack
 * (infra/local/cli-commands.ts). Each checks its arguments first and fails with a one-line
 * reason.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { CliError, isFile, type CliOptions, type Command } from './cli.ts';
import { getConfig } from '../core/config.ts';
import { DigestError } from '../core/errors.ts';
import { AlertCadence, Newsletter } from '../core/subscribers/types.ts';
import { importProgressFormat, ProgressBar, type ImportProgressState } from './progress.ts';
import { AlertAdmin } from '../core/alerts/alert-admin.ts';
import { articleStore, editionRepository, subscriberRepository } from '../wiring/common.ts';
import { alertFollowing, alertStore } from '../wiring/keyword-alerts.ts';
import { editionCommand } from './edition-commands.ts';

/** Fails with a clear message when no environment is configured. */
function requireEnvironment(): void {
  try {
    getConfig();
  } catch (error) {
    throw new CliError(`no environment to work on: start the local stack with "npm start", or set the AWS variables (${(error as DigestError).message})`);
  }
}

async function quarantine([sub]: string[]): Promise<number> {
  if (sub !== 'list') throw new CliError('usage: digest quarantine list');
  requireEnvironment();
  let n = 0;
  for await (const q of articleStore().list()) {
    process.stdout.write(`${q.at}\t${q.key}\t${q.reason}\n`);
    n++;
  }
  process.stderr.write(`${n} object(s) in quarantine\n`);
  return 0;
}

async function subscribers([sub, file]: string[], options: CliOptions): Promise<number> {
  if (sub === 'import' && file) return subscribersImport(file, options);
  if (sub === 'export') return subscribersExport();
  throw new CliError('usage: digest subscribers import FILE | digest subscribers export');
}

const NEWSLETTERS: readonly string[] = Object.values(Newsletter);
const CADENCES: readonly string[] = Object.values(AlertCadence);

/**
 * Streams a CSV into the subscribers table: a progress bar on stderr (on a terminal, unless
 * --quiet), every problem on stderr with its line as soon as it is found, and a JSON summary
 * on stdout.
 */
async function subscribersImport(file: string, options: CliOptions): Promise<number> {
  if (!(await isFile(file))) throw new CliError(`${file} is not a readable file`);
  if (options.newsletter !== undefined && !NEWSLETTERS.includes(options.newsletter)) {
    throw new CliError(`--newsletter must be ${NEWSLETTERS.join(', ')}, not "${options.newsletter}"`);
  }
  if (options.alerts !== undefined && !CADENCES.includes(options.alerts)) {
    throw new CliError(`--alerts must be ${CADENCES.join(', ')}, not "${options.alerts}"`);
  }
  requireEnvironment();
  // Loaded here, not at start-up: the other commands need none of the CSV code.
  const { importSubscribers } = await import('../core/subscribers/import-subscribers.ts');
  const size = (await stat(file)).size;
  const bar = options.quiet || !process.stderr.isTTY ? undefined : new ProgressBar<ImportProgressState>(process.stderr, importProgressFormat(size));
  const say = (line: string): void => (bar ? bar.log(line) : void process.stderr.write(`${line}\n`));
  let source = '';
  const result = await importSubscribers(subscriberRepository(), createReadStream(file), {
    now: new Date(),
    following: alertFollowing(),
    defaults: {
      ...(options.newsletter ? { newsletter: options.newsletter as Newsletter } : {}),
      ...(options.alerts ? { alerts: options.alerts as AlertCadence } : {}),
    },
    onSource: (kind) => {
      source = kind;
    },
    onIssue: (issue) => say(`${file}: line ${issue.line}: ${issue.reason}${issue.skipped ? ' (skipped)' : ''}`),
    ...(bar ? { onProgress: (p: ImportProgressState) => bar.update(p) } : {}),
  });
  bar?.finish();
  process.stdout.write(
    `${JSON.stringify({ format: source, imported: result.imported, skipped: result.skipped, warnings: result.warnings.length })}\n`,
  );
  return 0;
}

async function subscribersExport(): Promise<number> {
  requireEnvironment();
  const { toSubscribersCsv } = await import('../core/subscribers/subscriber-csv.ts');
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

/** `digest edition …` (edition-commands.ts): over the editors' API, else the environment for status and resend-failed. */
const edition: Command = (args, options) => editionCommand(args, options, requireEnvironment);

async function alerts([sub]: string[]): Promise<number> {
  if (sub !== 'status') throw new CliError('usage: digest alerts status');
  requireEnvironment();
  const status = await new AlertAdmin({ store: alertStore(), editions: editionRepository() }).status(new Date());
  process.stdout.write(`${JSON.stringify(status)}\n`);
  return 0;
}

/** The commands that work on the configured environment, by name. */
export const environmentCommands: Readonly<Record<string, Command>> = {
  quarantine,
  subscribers,
  edition,
  alerts,
};
