/**
 * The command line of the news digest: argument parsing, usage, dispatch and error
 * reporting. The commands that work on a configured environment are in commands.ts; the
 * entry point (infra/local/digest.ts) passes in the ones that start an embedded local stack
 * (`run`, `render`).
 *
 *   digest run --job daily|weekly|alerts [--content DIR] [--subscribers FILE] --out DIR [--now ISO-8601]
 *   digest render [--content DIR] --out DIR [--now ISO-8601]
 *   digest quarantine list
 *   digest subscribers import FILE [--newsletter daily|weekly|none] [--alerts instant|hourly|daily|weekly|none] | export
 *   digest edition preview|test|send|status|cancel|resend-failed|resume … [--endpoint URL --token TOKEN]
 *   digest alerts status
 */
import { stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { DigestError } from '../core/errors.ts';

/** A failure to report in one line, with an exit code. */
export class CliError extends Error {
  public readonly exitCode: number;
  public constructor(message: string, exitCode = 2) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

/** The options of every command (parsed by cli.ts). */
export interface CliOptions {
  job?: string | undefined;
  content?: string | undefined;
  subscribers?: string | undefined;
  out?: string | undefined;
  now?: string | undefined;
  quiet?: boolean | undefined;
  /** The editors' API of a deployed stack, and an editor's access token. */
  endpoint?: string | undefined;
  token?: string | undefined;
  /** `edition send`: the code the dry run printed. */
  confirm?: string | undefined;
  /** `edition test`: the addresses; `edition preview`: the recipient. */
  to?: string | undefined;
  /** `edition status`: follow the edition until it is no longer sending. */
  watch?: boolean | undefined;
  /** `edition stats`: print one JSON line instead of the report. */
  json?: boolean | undefined;
  /** The running `npm start`'s editors' API, when there is one (set by the entry point). */
  localEditorApi?: (() => Promise<{ endpoint: string; token: () => Promise<string> } | undefined>) | undefined;
  /** `subscribers import`: the newsletter of rows whose file does not say (default daily). */
  newsletter?: string | undefined;
  /** `subscribers import`: the alerts cadence of rows whose file does not say (default none). */
  alerts?: string | undefined;
}

/** One command: its positionals after the command name, and the options. */
export type Command = (args: string[], options: CliOptions) => Promise<number>;

/** Whether a path is a readable regular file. */
export async function isFile(path: string): Promise<boolean> {
  return stat(path).then((s) => s.isFile(), () => false);
}


export const USAGE = `usage:
  digest run --job daily|weekly|alerts [--content DIR] [--subscribers FILE] --out DIR [--now ISO-8601]
  digest render [--content DIR] --out DIR [--now ISO-8601]
  digest quarantine list
  digest subscribers import FILE [--newsletter daily|weekly|none] [--alerts instant|hourly|daily|weekly|none] [--quiet]
  digest subscribers export
  digest edition preview daily|weekly|ID [--to ADDRESS] [--out FILE]
  digest edition test daily|weekly|ID --to ADDRESS[,ADDRESS…]
  digest edition send daily|weekly                 (a dry run: prints the intent and a code)
  digest edition send daily|weekly --confirm CODE  (sends, quoting the code)
  digest edition status ID [--watch]
  digest edition stats ID [--json]
  digest edition cancel ID
  digest edition resend-failed ID
  digest edition resume ID
  digest alerts status
  The edition commands use the editors' API: --endpoint URL --token TOKEN (or DIGEST_ENDPOINT,
  DIGEST_TOKEN), else the running npm start's.`;

export interface CliSetup {
  /** Commands that bring their own environment (an embedded stack), by name. */
  standalone: Readonly<Record<string, Command>>;
  /** Called once before a command that uses the configured environment. */
  connect(): Promise<void>;
  /** The running `npm start`'s editors' API and a token for it, when there is one. */
  localEditorApi?: () => Promise<{ endpoint: string; token: () => Promise<string> } | undefined>;
}

/**
 * Runs one command line; returns the exit code (0 ok, 1 failure, 2 bad usage).
 *
 * @example
 * ```ts
 * process.exitCode = await runCli(process.argv.slice(2), { standalone: {}, connect: async () => {} });
 * ```
 */
export async function runCli(argv: string[], setup: CliSetup): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        job: { type: 'string' },
        content: { type: 'string' },
        subscribers: { type: 'string' },
        out: { type: 'string' },
        now: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        quiet: { type: 'boolean', short: 'q' },
        endpoint: { type: 'string' },
        token: { type: 'string' },
        confirm: { type: 'string' },
        to: { type: 'string' },
        watch: { type: 'boolean' },
        json: { type: 'boolean' },
        newsletter: { type: 'string' },
        alerts: { type: 'string' },
      },
    });
  } catch (error) {
    process.stderr.write(`digest: ${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (parsed.values.help || parsed.positionals.length === 0) {
    process.stdout.write(`${USAGE}\n`);
    return parsed.values.help ? 0 : 2;
  }
  const [name = '', ...args] = parsed.positionals;
  try {
    const standalone = setup.standalone[name];
    if (standalone) return await standalone(args, parsed.values);
    // Loaded on demand: `--help` and a bad command line answer without loading the SDK clients.
    const { environmentCommands } = await import('./commands.ts');
    const command = environmentCommands[name];
    if (!command) throw new CliError(`unknown command "${name}" (try digest --help)`);
    await setup.connect();
    return await command(args, { ...parsed.values, ...(setup.localEditorApi ? { localEditorApi: setup.localEditorApi } : {}) });
  } catch (error) {
    if (error instanceof CliError) {
      process.stderr.write(`digest: ${error.message}\n`);
      return error.exitCode;
    }
    if (error instanceof DigestError && error.expose) {
      process.stderr.write(`digest: ${error.message}\n`);
      return 1;
    }
    process.stderr.write(`digest: ${(error as Error).stack ?? String(error)}\n`);
    return 1;
  }
}
