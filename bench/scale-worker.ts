/**
 * Scale benchmark, one role of one size (child process; a fresh one per role and size, so
 * that its peak RSS is that function's alone: the emulators and their data are in the
 * stack's own process, and seeding was done by another one). Each role runs with the heap
 * limits Lambda would give its function (bench/lib/lambda-memory.ts).
 *
 * - `fan-out` (the edition function): builds the edition, renders it once and fans out one
 *   send task per subscriber over the local SQS.
 * - `send` (the send function): drains the queue as the Lambda event source would (as many
 *   concurrent invocations and records per batch as serverless.yml gives the send queue's
 *   event source), sending through the local SES, until every recipient has a final ledger
 *   state.
 */
import { childParams, reportResult } from './lib/child.ts';
import { RssSampler } from './lib/memory.ts';
import type { SqsEventSource } from '../infra/local/lambda-driver.ts';

interface Params {
  role: 'fan-out' | 'send';
  env: Record<string, string>;
  subscribers: number;
  /** The edition the fan-out made (send role). */
  edition?: string;
  /** How the send queue's event source invokes the handler (serverless.yml). */
  eventSource?: SqsEventSource;
}

const params = childParams<Params>();
const memory = new RssSampler().start(50);
const { useStack } = await import('../infra/local/local-run.ts');
useStack(params.env);
// With --expose-gc (as Lambda starts node): the live heap once the work is done and measured,
// to tell memory held per recipient from garbage not yet collected.
const gc = (globalThis as { gc?: () => void }).gc;
const liveHeapMb = () => {
  gc?.();
  return process.memoryUsage().heapUsed / 1024 / 1024;
};

if (params.role === 'fan-out') {
  const { handler: editionHandler } = await import('../functions/edition.ts');
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const result = await editionHandler({ job: 'daily', time: new Date().toISOString(), force: true });
  const seconds = (performance.now() - t0) / 1000;
  const used = process.cpuUsage(cpu0);
  const peak = memory.stop();
  reportResult({ role: params.role, seconds, cpuSeconds: (used.user + used.system) / 1e6, memory: peak, result, ...(gc ? { liveHeapAtEndMb: liveHeapMb() } : {}) });
} else {
  const { getConfig } = await import('../functions/core/config.ts');
  const { artefactStore, editionRepository, ses, subscriberRepository } = await import('../functions/wiring/common.ts');
  const { checkMessage, sentRecipient } = await import('./lib/mime-check.ts');
  const { handler: sendHandler } = await import('../functions/send.ts');
  const { drainQueue } = await import('../infra/local/lambda-driver.ts');
  const { isComplete } = await import('../functions/core/delivery/fan-out-service.ts');
  const config = getConfig();
  const editionId = params.edition ?? '';
  // Keeps about 20 of the messages sent (as the SES client is handed them) for the MIME check.
  const every = Math.max(1, Math.floor(params.subscribers / 20));
  const samples: { raw: Buffer; to: string; subscriber: string }[] = [];
  let seen = 0;
  ses().middlewareStack.add(
    (next) => async (args) => {
      const input = args.input as { RawMessage?: { Data?: Uint8Array }; Destinations?: string[]; Tags?: { Name?: string; Value?: string }[] };
      if (input.RawMessage?.Data && seen++ % every === 0) {
        samples.push({
          raw: Buffer.from(input.RawMessage.Data),
          to: input.Destinations?.[0] ?? '',
          subscriber: input.Tags?.find((t) => t.Name === 'subscriber')?.Value ?? '',
        });
      }
      return next(args);
    },
    { step: 'initialize', name: 'benchSample' },
  );
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const drained = await drainQueue({
    queueUrl: config.SEND_QUEUE_URL,
    endpoint: params.env.SQS_ENDPOINT ?? '',
    region: config.AWS_REGION,
    handler: sendHandler,
    ...(params.eventSource ? { eventSource: params.eventSource } : {}),
    done: async () => {
      const e = await editionRepository().get(editionId);
      return !e || isComplete(e);
    },
    // The run ends when the edition is complete, known to within 50 ms (the pollers may
    // still be waiting on an empty queue then, as idle Lambda pollers do).
    checkEveryMs: 50,
    timeoutMs: 60 * 60_000,
  });
  const seconds = ((drained.doneAt ?? performance.now()) - t0) / 1000;
  const used = process.cpuUsage(cpu0);
  const peak = memory.stop();
  const edition = await editionRepository().get(editionId);
  // The MIME check, after the measured part.
  const rendered = await artefactStore().getEdition(editionId);
  const checked = { messages: 0, problems: [] as string[] };
  for (const sample of samples) {
    const subscriber = await subscriberRepository().get(sample.subscriber);
    if (!rendered || !subscriber) {
      checked.problems.push(`${sample.subscriber}: no ${rendered ? 'subscriber' : 'rendered edition'}`);
      continue;
    }
    try {
      const found = await checkMessage(sample.raw, {
        rendered,
        from: config.FROM_ADDRESS,
        recipient: (mail) =>
          sentRecipient(mail, subscriber, { publicBaseUrl: config.PUBLIC_BASE_URL, webViewUrl: `${config.ARCHIVE_BASE_URL}/editions/${editionId}.html`, tokenSecret: config.TOKEN_SECRET ?? '' }),
      });
      if (sample.to !== subscriber.email) found.push(`sent to ${sample.to}`);
      checked.problems.push(...found.map((p) => `${sample.subscriber}: ${p}`));
    } catch (error) {
      checked.problems.push(`${sample.subscriber}: ${error instanceof Error ? error.message : String(error)}`);
    }
    checked.messages += 1;
  }
  reportResult({
    checked,
    role: params.role,
    seconds,
    cpuSeconds: (used.user + used.system) / 1e6,
    memory: peak,
    invocations: drained.invocations,
    records: drained.records,
    edition: { state: edition?.state, total: edition?.total, sent: edition?.sent, failed: edition?.failed, skipped: edition?.skipped },
    ...(gc ? { liveHeapAtEndMb: liveHeapMb() } : {}),
  });
}
