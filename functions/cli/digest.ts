#!/usr/bin/env node
/**
 * `digest`: the command line of the news digest.
 *
 *   digest run --job daily|weekly|alerts [--content DIR] [--subscribers FILE] --out DIR [--now ISO-8601]
 *   digest render [--content DIR] --out DIR [--now ISO-8601]
 *   digest quarantine list
 *   digest subscribers import FILE | export
 *   digest edition status ID | resend-failed ID
 *
 * `run` and `render` start the embedded local stack in-process on free ports and run the
 * very handlers that AWS invokes. The other commands work on the configured environment
 * (AWS variables) or on the stack of a running `npm start`.
 */
import { parseArgs } from 'node:util';
import { CliError, runCommand } from './commands.ts';
import { DigestError } from '../core/errors.ts';

const USAGE = `usage:
  digest run --job daily|weekly|alerts [--content DIR] [--subscribers FILE] --out DIR [--now ISO-8601]
  digest render [--content DIR] --out DIR [--now ISO-8601]
  digest quarantine list
  digest subscribers import FILE
  digest subscribers export
  digest edition status ID
  digest edition resend-failed ID`;

async function main(argv: string[]): Promise<number> {
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
  try {
    return await runCommand(parsed.positionals, parsed.values);
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

process.exitCode = await main(process.argv.slice(2));
