/**
 * The local stack (dynalite, s3rver, local SQS, SES front) in a process of its own, so that
 * the app process under measurement holds none of the emulators' data. Prints one JSON line
 * `{ env, endpoints }` when ready; stops when stdin closes.
 *
 *   node --import tsx bench/lib/stack-process.ts '{"maxSendRate":100000}'
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startSesFrontProcess } from '../../infra/local/ses-front-remote.ts';
import { startLocalStack } from '../../infra/local/stack.ts';
import { countRequest, type Tally } from './dynamodb-tally.ts';

const params = JSON.parse(process.argv[2] ?? '{}') as {
  maxSendRate?: number;
  latencyMs?: number;
  /** Keep the SES front's records (else dropped every second). */
  keepCaptured?: boolean;
  /** Keep a record of every n-th accepted message only, with its raw bytes (a sample to check). */
  keepEvery?: number;
  /**
   * Run the SES front in a process of its own, with these node arguments (those that run
   * infra/local/ses-front-process.ts), and point `env` and `endpoints.ses` at it: the rate-cap
   * runs judge sends by when they reach SES, and here the front would share its event loop
   * with dynalite (the send slots, the ledger), whose stalls read as late sends. It stops
   * with this process.
   */
  sesProcess?: string[];
};
let tally: Tally = {};
const sesFaults = { maxSendRate: params.maxSendRate ?? 100_000, max24HourSend: 10_000_000, ...(params.latencyMs ? { latencyMs: params.latencyMs } : {}) };
const stack = await startLocalStack({
  forwardToMailbox: false,
  keepRaw: params.keepEvery !== undefined,
  ...(params.keepEvery !== undefined ? { keepEvery: params.keepEvery } : {}),
  faults: sesFaults,
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
const sesProcess = params.sesProcess ? await startSesFrontProcess({ faults: sesFaults, entry: params.sesProcess }) : undefined;
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
  await sesProcess?.stop().catch(() => undefined);
  await stack.stop().catch(() => undefined);
  process.exit(0);
}
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());
process.stdin.on('end', () => void shutdown());
process.stdin.resume();
const env = sesProcess ? { ...stack.env, SES_ENDPOINT: sesProcess.url } : stack.env;
const endpoints = sesProcess ? { ...stack.endpoints, ses: sesProcess.url } : stack.endpoints;
process.stdout.write(`${JSON.stringify({ env, endpoints, tallyUrl })}\n`);
