/**
 * Scale benchmark, one size (child process). Phase `seed`: articles and N confirmed daily
 * subscribers into the local stack (in its own process). Phase `run` (a fresh process, so
 * that its peak RSS is the app's alone): the edition job (build, render once, fan out N send
 * tasks over the local SQS) and the send worker draining the queue into the local SES, as
 * the Lambda event sources would, until the ledger has a final state for every recipient.
 */
import { childParams, reportResult } from './lib/child.ts';
import { RssSampler } from './lib/memory.ts';
import { seedSubscribers, uploadArticles } from './lib/seed.ts';

interface Params {
  phase: 'seed' | 'run';
  env: Record<string, string>;
  subscribers: number;
  articles?: number;
  pollers?: number;
}

const params = childParams<Params>();

if (params.phase === 'seed') {
  const { useStack } = await import('../infra/local/local-run.ts');
  const { ingestService } = await import('../functions/wiring/ingest.ts');
  useStack(params.env);
  const t0 = performance.now();
  const keys = await uploadArticles(params.env, params.articles ?? 15);
  for (const key of keys) await ingestService().ingestObject({ key });
  await seedSubscribers(params.env, params.subscribers);
  reportResult({ seedSeconds: (performance.now() - t0) / 1000 });
} else {
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
  const afterLoad = memory.stop();
  memory.start(50);

  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const result = await editionHandler({ job: 'daily', time: new Date().toISOString(), force: true });
  const fanOutSeconds = (performance.now() - t0) / 1000;
  let checked = 0;
  const drained = await drainQueue({
    queueUrl: config.SEND_QUEUE_URL,
    endpoint: params.env.SQS_ENDPOINT ?? '',
    region: config.AWS_REGION,
    handler: sendHandler,
    pollers: params.pollers ?? 8,
    done: async () => {
      // Checked by every poller between batches: read the edition at most every 200 ms.
      const now = performance.now();
      if (now - checked < 200) return false;
      checked = now;
      const e = await editionRepository().get(result.edition);
      return !e || isComplete(e);
    },
    timeoutMs: 30 * 60_000,
  });
  const seconds = (performance.now() - t0) / 1000;
  const edition = await editionRepository().get(result.edition);
  const peak = memory.stop();
  reportResult({
    subscribers: params.subscribers,
    seconds,
    cpuSeconds: ((c) => (c.user + c.system) / 1e6)(process.cpuUsage(cpu0)),
    fanOutSeconds,
    peakRssMb: peak.peakMb,
    rssAfterLoadMb: afterLoad.peakMb,
    heapUsedMb: process.memoryUsage().heapUsed / 1024 / 1024,
    invocations: drained.invocations,
    records: drained.records,
    state: edition?.state,
    total: edition?.total,
    sent: edition?.sent,
    failed: edition?.failed,
    skipped: edition?.skipped,
  });
}
