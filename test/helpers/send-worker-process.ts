/**
 * A send worker in a process of its own, for tests that kill one mid-batch: it polls the
 * send queue into `functions/send.ts`'s handler the way Lambda's SQS event source does,
 * until it is killed or `WORKER_TIMEOUT_MS` (default 60 s) passes.
 *
 * Run with `node --import tsx test/helpers/send-worker-process.ts`, the app's environment
 * (the local stack's, e.g. `localAppEnv(stack, …)`) in its environment. Prints `ready` once
 * it is about to poll.
 *
 * @example
 * ```ts
 * const child = spawn(process.execPath, ['--import', 'tsx', SEND_WORKER_SCRIPT], { env: { ...process.env, ...env } });
 * ```
 */
import { fileURLToPath } from 'node:url';
import { getConfig } from '../../functions/core/config.ts';
import { handler } from '../../functions/send.ts';
import { drainQueue } from '../../infra/local/lambda-driver.ts';

/** The path of this script, to spawn it. */
export const SEND_WORKER_SCRIPT = fileURLToPath(import.meta.url);

async function main(): Promise<void> {
  const config = getConfig();
  if (!config.SQS_ENDPOINT) throw new Error('SQS_ENDPOINT must point at the local stack');
  process.stdout.write('ready\n');
  await drainQueue({
    queueUrl: config.SEND_QUEUE_URL,
    endpoint: config.SQS_ENDPOINT,
    region: config.AWS_REGION,
    handler,
    pollers: Number(process.env.WORKER_POLLERS ?? 1),
    batchSize: 10,
    done: async () => false,
    timeoutMs: Number(process.env.WORKER_TIMEOUT_MS ?? 60_000),
  });
}

if (process.argv[1] === SEND_WORKER_SCRIPT) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}
