/**
 * Scale benchmark, one size (child process, a fresh one per size so that its peak RSS is the
 * app's alone; the emulators and their data are in the stack's own process, and seeding was
 * done by another process). The edition job builds the edition, renders it once and fans
 * out one send task per subscriber over the local SQS; the send worker drains the queue as
 * the Lambda event source would (pollers of 10-message batches into the `send` handler),
 * sending through the local SES, until every recipient has a final ledger state.
 */
import { childParams, reportResult } from './lib/child.ts';
import { RssSampler } from './lib/memory.ts';

interface Params {
  env: Record<string, string>;
  subscribers: number;
  pollers?: number;
}

const params = childParams<Params>();
const memory = new RssSampler().start(50);
const { useStack } = await import('../infra/local/local-run.ts');
const { getConfig } = await import('../functions/core/config.ts');
const { editionRepository } = await import('../functions/wiring/common.ts');
const { handler: editionHandler } = await import('../functions/edition.ts');
const { handler: sendHandler } = await import('../functions/send.ts');
const { drainQueue } = await import('../infra/local/lambda-driver.ts');
const { isComplete } = await import('../functions/core/delivery/fan-out-service.ts');
useStack(params.env);
const config = getConfig();

const cpu0 = process.cpuUsage();
const t0 = performance.now();
const result = await editionHandler({ job: 'daily', time: new Date().toISOString(), force: true });
const fanOutSeconds = (performance.now() - t0) / 1000;
let lastCheck = 0;
const drained = await drainQueue({
  queueUrl: config.SEND_QUEUE_URL,
  endpoint: params.env.SQS_ENDPOINT ?? '',
  region: config.AWS_REGION,
  handler: sendHandler,
  pollers: params.pollers ?? 8,
  done: async () => {
    // Every poller asks between batches: read the edition at most every 200 ms.
    const now = performance.now();
    if (now - lastCheck < 200) return false;
    lastCheck = now;
    const e = await editionRepository().get(result.edition);
    return !e || isComplete(e);
  },
  timeoutMs: 60 * 60_000,
});
const seconds = (performance.now() - t0) / 1000;
const used = process.cpuUsage(cpu0);
const edition = await editionRepository().get(result.edition);
const peak = memory.stop();
reportResult({
  subscribers: params.subscribers,
  seconds,
  fanOutSeconds,
  cpuSeconds: (used.user + used.system) / 1e6,
  peakRssMb: peak.peakMb,
  heapUsedMb: process.memoryUsage().heapUsed / 1024 / 1024,
  invocations: drained.invocations,
  records: drained.records,
  edition: { state: edition?.state, total: edition?.total, sent: edition?.sent, failed: edition?.failed, skipped: edition?.skipped },
});
