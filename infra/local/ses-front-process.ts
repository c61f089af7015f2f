/**
 * The SES front in its own process (for benchmarks that must not share an event loop with
 * the code under test). Prints one JSON line `{"port":N,"url":...,"mailboxUrl":...}` when
 * ready; stops on SIGINT/SIGTERM (and when stdin closes, with --stop-on-stdin-close, so a
 * parent that dies takes it along).
 *
 * node --import tsx infra/local/ses-front-process.ts --port 0 --latency 100 --throttle 0.05 \
 *   --server-errors 0.01 --reject a@x.org,b@x.org --quota 1000 --max-send-rate 500 --enforce-rate --seed 7 \
 *   --no-forward --no-mailbox --no-raw --stop-on-stdin-close
 *
 * Faults can be changed later with `POST /faults`; counts are at `GET /stats`.
 */
import { parseArgs } from 'node:util';
import { startSesFront } from './ses-front.ts';
import type { SesFaults } from './ses-faults.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
    latency: { type: 'string' },
    throttle: { type: 'string' },
    'server-errors': { type: 'string' },
    reject: { type: 'string' },
    quota: { type: 'string' },
    'max-send-rate': { type: 'string' },
    'enforce-rate': { type: 'boolean', default: false },
    seed: { type: 'string' },
    'no-forward': { type: 'boolean', default: false },
    'no-mailbox': { type: 'boolean', default: false },
    'no-raw': { type: 'boolean', default: false },
    'stop-on-stdin-close': { type: 'boolean', default: false },
  },
});

function number(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new Error(`--${name} must be a number, got "${raw}"`);
  return value;
}

const faults: SesFaults = Object.fromEntries(Object.entries({
  latencyMs: number('latency', values.latency),
  throttleShare: number('throttle', values.throttle),
  serverErrorShare: number('server-errors', values['server-errors']),
  rejectAddresses: values.reject?.split(',').map((a) => a.trim()).filter(Boolean),
  quotaRemaining: number('quota', values.quota),
  maxSendRate: number('max-send-rate', values['max-send-rate']),
  seed: number('seed', values.seed),
  enforceRate: values['enforce-rate'] ? true : undefined,
}).filter(([, v]) => v !== undefined));

const front = await startSesFront({
  host: values.host,
  port: number('port', values.port) ?? 0,
  faults,
  forwardToMailbox: !values['no-forward'],
  mailbox: !values['no-mailbox'],
  keepRaw: !values['no-raw'],
});

let stopping = false;
async function shutdown(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await front.stop();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());
if (values['stop-on-stdin-close']) {
  process.stdin.on('end', () => void shutdown());
  process.stdin.resume();
}

process.stdout.write(`${JSON.stringify({ port: front.port, url: front.url, mailboxUrl: front.mailboxUrl ?? null })}\n`);
