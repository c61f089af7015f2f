/**
 * The `digest` commands that work on a configured environment: AWS (the AWS variables), or
 * the stack of a running `npm start` (the entry point connects to it first). They use the
 * core and its adapters through the wiring, as the Lambda handlers do; the commands that
 * start an embedded stack of their own (`run`, `render`) live with the local stack
 * (infra/local/cli-commands.ts). Each checks its arguments first and fails with a one-line
 * reason.
 */
import { readFile } from 'node:fs/promises';
import { CliError, isFile, type Command } from './cli.ts';
import { getConfig } from '../core/config.ts';
import { DigestError } from '../core/errors.ts';
import { importSubscribers } from '../core/subscribers/import-subscribers.ts';
import { toSubscribersCsv } from '../core/subscribers/subscriber-csv.ts';
import { articleStore, subscriberRepository } from '../wiring/common.ts';
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

async function subscribers([sub, file]: string[]): Promise<number> {
  if (sub === 'import' && file) return subscribersImport(file);
  if (sub === 'export') return subscribersExport();
  throw new CliError('usage: digest subscribers import FILE | digest subscribers export');
}

async function subscribersImport(file: string): Promise<number> {
  if (!(await isFile(file))) throw new CliError(`${file} is not a readable file`);
  requireEnvironment();
  const result = await importSubscribers(subscriberRepository(), await readFile(file, 'utf8'), new Date());
  for (const e of result.errors) process.stderr.write(`${file}: line ${e.line}: ${e.reason} (skipped)\n`);
  process.stdout.write(`${JSON.stringify({ imported: result.imported, skipped: result.errors.length })}\n`);
  return 0;
}

async function subscribersExport(): Promise<number> {
  requireEnvironment();
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

/** The commands that work on the configured environment, by name. */
export const environmentCommands: Readonly<Record<string, Command>> = {
  quarantine,
  subscribers,
  edition,
};
