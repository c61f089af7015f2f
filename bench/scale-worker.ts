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
 *   state. The handler (the bundle `serverless package` built) runs in container processes
 *   of its own, one per concurrent invocation (bench/lib/containers.ts): their CPU time and
 *   heap are the function's, apart from the SQS polling done here.
 */
import { pathToFileURL } from 'node:url';
import { childParams, nextInputLine, reportResult, signal } from './lib/child.ts';
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
  /** The bundled handler of the role's function (`.mjs`, from `serverless package`); else the source. */
  handlerFile?: string;
  /** Node arguments of the send containers (the function's heap limits). */
  containerNodeArgs?: string[];
  /** The stack's DynamoDB tally (bench/lib/stack-process.ts). */
  tallyUrl?: string;
  /** The schedule's time (fan-out; default now). */
  time?: string;
  /** The fan-out runs at the same time (the edition may not exist yet when sending starts). */
  overlapFanOut?: boolean;
  /** Where each send container's standard output goes (a file each; bench/run.ts --send-output). */
  containerOutputDir?: string;
  /** A cgroup CPU quota for each send container (share of one CPU, e.g. 0.29). */
  cpuShare?: number;
  /**
   * Started ahead of its run: once ready (the handler imported; the send role's containers
   * started), signal `ready` and wait for a line on stdin (`{"edition":…}` may name the
   * edition) before anything measured.
   */
  gated?: boolean;
}

const params = childParams<Params>();
const memory = new RssSampler().start(50);
const { useStack } = await import('./lib/use-stack.ts');
useStack(params.env);
// With --expose-gc (as Lambda starts node): the live heap once the work is done and measured,
// to tell memory held per recipient from garbage not yet collected.
const gc = (globalThis as { gc?: () => void }).gc;
const liveHeapMb = () => {
  gc?.();
  return process.memoryUsage().heapUsed / 1024 / 1024;
};

if (params.role === 'fan-out') {
  // The bundled edition handler when given (it reads the environment this process was started with).
  const { handler: editionHandler } = (params.handlerFile
    ? await import(pathToFileURL(params.handlerFile).href)
    : await import('../functions/edition.ts')) as typeof import('../functions/edition.ts');
  if (params.gated) {
    signal('ready');
    await nextInputLine();
  }
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const result = await editionHandler({ job: 'daily', time: params.time ?? new Date().toISOString(), force: true });
  const seconds = (performance.now() - t0) / 1000;
  const used = process.cpuUsage(cpu0);
  const peak = memory.stop();
  reportResult({ role: params.role, seconds, cpuSeconds: (used.user + used.system) / 1e6, memory: peak, result, ...(gc ? { liveHeapAtEndMb: liveHeapMb() } : {}) });
} else {
  // The send function: the bundled handler (or the source, without packaging) in Lambda
  // container stand-ins, one per concurrent invocation the event source allows, each with the
  // function's heap limits; this process is the event source (SQS polling) and the watcher.
  const { getConfig } = await import('../functions/core/config.ts');
  const { artefactStore, editionRepository, subscriberRepository } = await import('../functions/wiring/common.ts');
  const { checkMessage, sentRecipient } = await import('./lib/mime-check.ts');
  const { drainQueue } = await import('../infra/local/lambda-driver.ts');
  const { isComplete } = await import('../functions/core/delivery/fan-out-service.ts');
  const { ContainerPool, cpuByPhase } = await import('./lib/containers.ts');
  const config = getConfig();
  let editionId = params.edition ?? '';
  const containers = params.eventSource?.concurrency ?? 4;
  const handlerFile = params.handlerFile ?? new URL('../functions/send.ts', import.meta.url).pathname;
  const pool = await ContainerPool.start(containers, handlerFile, params.env, ['--expose-gc', ...(params.containerNodeArgs ?? [])], { verbose: process.env.BENCH_VERBOSE_CONTAINERS === '1', ...(params.cpuShare ? { cpuShare: params.cpuShare } : {}), ...(params.containerOutputDir ? { outputDir: params.containerOutputDir } : {}) });
  signal('containers');
  if (params.gated) {
    signal('ready');
    const go = JSON.parse(await nextInputLine()) as { edition?: string };
    if (go.edition) editionId = go.edition;
    // The containers count their CPU from the go, not through the wait at the gate.
    await pool.resetCpu();
  }
  const tally = params.tallyUrl;
  // The event source's own reads (is the edition complete?) are not the function's: made
  // through the SDK with a marker header, not counted.
  const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
  const { DynamoDBDocumentClient } = await import('@aws-sdk/lib-dynamodb');
  const { SdkCaller } = await import('../functions/adapters/aws-sdk-caller.ts');
  const { DynamoDbDeliveryLedger } = await import('../functions/adapters/dynamodb-delivery-ledger.ts');
  const { DynamoDbEditionRepository } = await import('../functions/adapters/dynamodb-edition-repository.ts');
  const marked = DynamoDBDocumentClient.from(new DynamoDBClient({ region: config.AWS_REGION, ...(config.DYNAMODB_ENDPOINT ? { endpoint: config.DYNAMODB_ENDPOINT } : {}) }));
  marked.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as { headers?: Record<string, string> };
      if (request.headers) request.headers['x-bench-origin'] = 'driver';
      return next(args);
    },
    { step: 'build', name: 'benchOrigin' },
  );
  const driverEditions = new DynamoDbEditionRepository({ client: new SdkCaller(marked), tableName: config.EDITIONS_TABLE });
  const driverLedger = new DynamoDbDeliveryLedger({ client: new SdkCaller(marked), tableName: config.DELIVERIES_TABLE });
  const ses = params.env.SES_ENDPOINT ?? '';
  const before = (await (await fetch(`${ses}/stats`)).json()) as { accepted: number; throttled: number };
  let ledgerCheckedAt = 0;
  let countersShort: { edition: Record<string, number>; ledger: Record<string, number> } | undefined;
  let stall: { counted: number; since: number } | undefined;
  const t0 = performance.now();
  // The containers have imported the handler and the pollers start now: a run that fires the
  // schedule after this signal starts with warm pollers (as Lambda's are) and warm containers.
  signal('polling');
  const drained = await drainQueue({
    queueUrl: config.SEND_QUEUE_URL,
    endpoint: params.env.SQS_ENDPOINT ?? '',
    region: config.AWS_REGION,
    handler: (event) => pool.invoke(event) as ReturnType<typeof import('../functions/send.ts').handler>,
    ...(params.eventSource ? { eventSource: params.eventSource } : {}),
    done: async () => {
      const e = await driverEditions.get(editionId);
      // While the fan-out runs beside the sending (the timeline), the edition may not exist yet.
      if (!e) return !params.overlapFanOut;
      if (isComplete(e)) return true;
      // The edition's counters can fall short of its ledger (a batch's counter update lost:
      // the reconciler rewrites them on AWS, after the lease's length). So that such a run
      // ends and says so rather than waiting for the deadline, the ledger itself is counted
      // (at most once a second) once the fan-out is done and SES has accepted a message per
      // reader; the run ends when the ledger is complete and the counters have not moved for
      // 10 s (a batch's update comes after its messages' ledger writes: not lost, only late).
      if (!e.fanoutDone || Date.now() - ledgerCheckedAt < 1000) return false;
      ledgerCheckedAt = Date.now();
      const accepted = ((await (await fetch(`${ses}/stats`)).json()) as { accepted: number }).accepted - before.accepted;
      if (accepted < params.subscribers) return false;
      const states = await driverLedger.countByState(editionId);
      const counted = e.sent + e.failed + e.skipped + (e.cancelled ?? 0);
      if (states.sent + states.failed + states.skipped + (states.cancelled ?? 0) < e.total) return false;
      if (!stall || stall.counted !== counted) {
        stall = { counted, since: Date.now() };
        return false;
      }
      if (Date.now() - stall.since < 10_000) return false;
      countersShort = { edition: { sent: e.sent, failed: e.failed, skipped: e.skipped }, ledger: states };
      return true;
    },
    // The run ends when the edition is complete, known to within 50 ms (the pollers may
    // still be waiting on an empty queue then, as idle Lambda pollers do).
    checkEveryMs: 50,
    timeoutMs: 60 * 60_000,
  });
  const seconds = ((drained.doneAt ?? performance.now()) - t0) / 1000;
  const stats = await pool.stats();
  await pool.stop();
  const driver = memory.stop();
  const after = (await (await fetch(`${ses}/stats`)).json()) as { accepted: number; throttled: number };
  const dynamodb = tally ? ((await (await fetch(tally)).json()) as Record<string, unknown>) : undefined;
  const edition = await editionRepository().get(editionId);
  // The MIME check, after the measured part: the sample of accepted messages the SES front kept.
  const rendered = await artefactStore().getEdition(editionId);
  const captured = (await (await fetch(`${ses}/raw`)).json()) as { raw: string; destinations: string[]; tags: Record<string, string> }[];
  const checked = { messages: 0, problems: [] as string[] };
  // (A stack that keeps every record for its arrival time but no bytes, as the timeline's, has nothing to parse.)
  for (const sample of captured.filter((c) => c.tags.edition === editionId && c.raw.length > 0)) {
    const id = sample.tags.subscriber ?? '';
    const subscriber = await subscriberRepository().get(id);
    if (!rendered || !subscriber) {
      checked.problems.push(`${id}: no ${rendered ? 'subscriber' : 'rendered edition'}`);
      continue;
    }
    try {
      const found = await checkMessage(Buffer.from(sample.raw, 'base64'), {
        rendered,
        from: config.FROM_ADDRESS,
        recipient: (mail) =>
          sentRecipient(mail, subscriber, { publicBaseUrl: config.PUBLIC_BASE_URL, webViewUrl: `${config.ARCHIVE_BASE_URL}/editions/${editionId}.html`, tokenSecret: config.TOKEN_SECRET ?? '' }),
      });
      if (sample.destinations[0] !== subscriber.email) found.push(`sent to ${sample.destinations[0]}`);
      checked.problems.push(...found.map((p) => `${id}: ${p}`));
    } catch (error) {
      checked.problems.push(`${id}: ${error instanceof Error ? error.message : String(error)}`);
    }
    checked.messages += 1;
  }
  // Exactly one message per recipient: as many accepted as there are subscribers, every one sent.
  if (countersShort) checked.problems.push(`the edition's counters fell short of its ledger (unchanged for 10 s; the run's time includes that wait): edition ${JSON.stringify(countersShort.edition)}, ledger ${JSON.stringify(countersShort.ledger)}`);
  if (after.accepted - before.accepted !== params.subscribers) checked.problems.push(`SES accepted ${after.accepted - before.accepted} messages for ${params.subscribers} subscribers`);
  const cpuMs = stats.reduce((a, s) => a + s.cpuMs, 0);
  reportResult({
    checked,
    role: params.role,
    seconds,
    cpuSeconds: cpuMs / 1000,
    cpuMsPerMessage: cpuMs / Math.max(1, params.subscribers),
    cpuByPhase: cpuByPhase(stats),
    cpuLimited: pool.cpuLimited,
    containers: stats.map((s) => ({ cpuMs: s.cpuMs, initCpuMs: s.initCpuMs, liveHeapMb: s.liveHeapMb, ...(s.spacesMb ? { spacesMb: s.spacesMb } : {}), peakRssMb: s.memory.peakMb })),
    memory: { ...driver, peakMb: Math.max(...stats.map((s) => s.memory.peakMb)) },
    liveHeapAtEndMb: Math.max(...stats.map((s) => s.liveHeapMb)),
    // Of that container's heap, V8's machine code (grows with how long the code ran hot, not with what it holds).
    codeSpaceAtEndMb: stats.reduce((a, s) => (s.liveHeapMb > a.liveHeapMb ? s : a)).spacesMb?.code_space,
    bundled: params.handlerFile !== undefined,
    invocations: drained.invocations,
    records: drained.records,
    queue: { firstReceivedAt: drained.firstReceivedAt, firstSentAt: drained.firstSentAt, lastSentAt: drained.lastSentAt },
    accepted: after.accepted - before.accepted,
    throttled: after.throttled - before.throttled,
    dynamodb,
    edition: { state: edition?.state, total: edition?.total, sent: edition?.sent, failed: edition?.failed, skipped: edition?.skipped },
  });
}
