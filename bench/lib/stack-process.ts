/**
 * The local stack (dynalite, s3rver, local SQS, SES front) in a process of its own, so that
 * the app process under measurement holds none of the emulators' data. Prints one JSON line
 * `{ env, endpoints }` when ready; stops when stdin closes.
 *
 *   node --import tsx bench/lib/stack-process.ts '{"maxSendRate":100000}'
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startLocalStack } from '../../infra/local/stack.ts';
import { countRequest, type Tally } from './dynamodb-tally.ts';

const params = JSON.parse(process.argv[2] ?? '{}') as {
  maxSendRate?: number;
  latencyMs?: number;
  /** Keep the SES front's records (else dropped every second). */
  keepCaptured?: boolean;
  /** Keep a record of every n-th accepted message only, with its raw bytes (a sample to check). */
  keepEvery?: number;
};
let tally: Tally = {};
const stack = await startLocalStack({
  forwardToMailbox: false,
  keepRaw: params.keepEvery !== undefined,
  ...(params.keepEvery !== undefined ? { keepEvery: params.keepEvery } : {}),
  faults: { maxSendRate: params.maxSendRate ?? 100_000, max24HourSend: 10_000_000, ...(params.latencyMs ? { latencyMs: params.latencyMs } : {}) },
  observeDynamoDb: (operation, body, headers) => {
    // Requests of the benchmark's own event source (x-bench-origin) are not the application's.
    if (!headers['x-bench-origin']) countRequest(tally, operation, body);
  },
});
// GET /tally: what DynamoDB was asked since the last POST /tally/reset (bench/lib/dynamodb-tally.ts).
const tallyServer = createServer((req, res) => {
  if (req.method === 'POST' && req.url === '/tally/reset') tally = {};
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify(tally));
});
await new Promise<void>((resolve) => tallyServer.listen(0, '127.0.0.1', () => resolve()));
const tallyUrl = `http://127.0.0.1:${(tallyServer.address() as AddressInfo).port}`;

// The SES front keeps a record of every accepted message (for `GET /raw`); the benchmarks
// read counts from GET /stats instead, so the records are dropped as they come: each one
// holds on to its whole request body (its address and tags are slices of it), about 100 KB.
const clearing = params.keepCaptured || params.keepEvery !== undefined ? undefined : setInterval(() => stack.ses.clear(), 1000);

let stopping = false;
async function shutdown(): Promise<void> {
  if (stopping) return;
  stopping = true;
  if (clearing) clearInterval(clearing);
  tallyServer.close();
  await stack.stop().catch(() => undefined);
  process.exit(0);
}
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());
process.stdin.on('end', () => void shutdown());
process.stdin.resume();
process.stdout.write(`${JSON.stringify({ env: stack.env, endpoints: stack.endpoints, tallyUrl })}\n`);
