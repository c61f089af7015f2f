/**
 * An alert flush in a process of its own, for tests that kill one mid-flush: it runs the
 * `alerts` handler once (`time` and `dueBy` from the arguments) and prints its result.
 *
 * Run with `node --import tsx test/helpers/alert-flush-process.ts TIME DUE_BY`, the app's
 * environment (the local stack's) in its environment. Prints `ready` before it starts.
 *
 * @example
 * ```ts
 * const child = spawn(process.execPath, ['--import', 'tsx', ALERT_FLUSH_SCRIPT, time, dueBy], { env: { ...process.env, ...env } });
 * ```
 */
import { fileURLToPath } from 'node:url';
import { handler } from '../../functions/alerts.ts';

/** The path of this script, to spawn it. */
export const ALERT_FLUSH_SCRIPT = fileURLToPath(import.meta.url);

async function main(): Promise<void> {
  const [time, dueBy] = process.argv.slice(2);
  process.stdout.write('ready\n');
  const result = await handler({ time, dueBy });
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

if (process.argv[1] === ALERT_FLUSH_SCRIPT) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}
