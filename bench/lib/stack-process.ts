/**
 * The local stack (dynalite, s3rver, local SQS, SES front) in a process of its own, so that
 * the app process under measurement holds none of the emulators' data. Prints one JSON line
 * `{ env, endpoints }` when ready; stops when stdin closes.
 *
 *   node --import tsx bench/lib/stack-process.ts '{"maxSendRate":100000}'
 */
import { startLocalStack } from '../../infra/local/stack.ts';

const params = JSON.parse(process.argv[2] ?? '{}') as { maxSendRate?: number; latencyMs?: number; keepCaptured?: boolean };
const stack = await startLocalStack({
  forwardToMailbox: false,
  keepRaw: false,
  faults: { maxSendRate: params.maxSendRate ?? 100_000, max24HourSend: 10_000_000, ...(params.latencyMs ? { latencyMs: params.latencyMs } : {}) },
});

// The SES front keeps a record of every accepted message (for `GET /raw`); the benchmarks
// read counts from GET /stats instead, so the records are dropped as they come: each one
// holds on to its whole request body (its address and tags are slices of it), about 100 KB.
const clearing = params.keepCaptured ? undefined : setInterval(() => stack.ses.clear(), 1000);

let stopping = false;
async function shutdown(): Promise<void> {
  if (stopping) return;
  stopping = true;
  if (clearing) clearInterval(clearing);
  await stack.stop().catch(() => undefined);
  process.exit(0);
}
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());
process.stdin.on('end', () => void shutdown());
process.stdin.resume();
process.stdout.write(`${JSON.stringify({ env: stack.env, endpoints: stack.endpoints })}\n`);
