/**
 * `npm run bench` (full) and `npm run bench -- --quick`: runs every measurement, prints a
 * table and writes
 * - bench/results/latest.json: the figures the "Benchmarks" issue asks for, exactly;
 * - bench/results/latest-extra.json: reconciliation over 10,000 objects (full mode);
 * - bench/results/latest-details.json: how they were obtained (every round, the machine,
 *   the checks), for the record.
 *
 * Each measurement that needs its own process runs in one (bench/*.ts children); the local
 * emulators run in a process of their own (bench/lib/stack-process.ts), and so does the SES
 * stand-in of the send runs (infra/local/ses-front-process.ts). Loopback only; no real mail.
 *
 * Options: --quick, --only=a,b (personalize, transport, send, rate, scale, cold, timeline, limited, edition, reconcile, bundles,
 * alerts; quick mode leaves transport and reconcile out unless named), --sizes=1000,10000 (scale sizes instead of the
 * mode's), --verbose (children's logs), --profile=DIR (V8 CPU profiles of the scale runs'
 * processes and their stack, for bench/lib/profile-summary.ts), --heap-snapshots=DIR (a heap
 * snapshot of each send container at the end of each scale run, after the forced GC, in
 * DIR/<readers>/, for bench/lib/heap-diff.ts), --send-flags="FLAGS" (extra Node/V8 flags for
 * the scale runs' send containers, e.g. "--trace-opt --trace-deopt"; not for figures of
 * record), --send-output=DIR (each send container's standard output, where V8's traces go,
 * in DIR/<readers>/send-container-PID.log).
 *
 * Progress lines on stderr show the elapsed time and the CPU time the whole machine used
 * meanwhile (from /proc/stat), which tells a run bound by this machine's cores from one that
 * waits, and the steal (vCPU time the host gave to other guests) once there is any; the run's
 * steal is in latest.json (`settings.machineSteal`), and a run that lost 3 % or more of its
 * vCPU time to it says so under the table.
 */
import { spawn } from 'node:child_process';
import { writeFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT, runChild, startService, type Service } from './lib/child.ts';
import type { TransportResult } from './transport.ts';
import { ensurePackages, measureBundles, unpackAll, type BundleFigures, type Packaging } from './lib/bundles.ts';
import { prepareRateCap, rateCapRuns, type RateCapRig, type RateCapRun } from './lib/rate-cap.ts';
import { Seeder, type StackTask } from './lib/seeder.ts';
import { removePrebuilt } from './lib/prebuilt.ts';
import { lambdaNodeArgs } from './lib/lambda-memory.ts';
import { sqsEventSource } from '../infra/local/lambda-driver.ts';
import { median, round, table } from './lib/stats.ts';
import type { SendRound } from './lib/send-round.ts';
import type { Tally } from './lib/dynamodb-tally.ts';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    sizes: { type: 'string' },
    verbose: { type: 'boolean', default: false },
    profile: { type: 'string' },
    'heap-snapshots': { type: 'string' },
    'send-flags': { type: 'string' },
    'send-output': { type: 'string' },
  },
});
const quick = values.quick;
const only = new Set((values.only ?? `personalize,${values.quick ? '' : 'transport,'}send,rate,scale,cold,timeline,limited,edition,${values.quick ? '' : 'reconcile,'}bundles,alerts`).split(',').map((s) => s.trim()));
const verbose = values.verbose;
/** --profile=DIR: the scale runs' processes write V8 CPU profiles there (see bench/lib/profile-summary.ts). */
const profileArgs = values.profile ? ['--cpu-prof', `--cpu-prof-dir=${values.profile}`] : [];
/** --send-flags="FLAGS": extra Node/V8 flags of the scale runs' send containers (investigations: the run says so). */
const sendFlags = values['send-flags']?.split(/\s+/).filter(Boolean) ?? [];
/** --send-output=DIR: the scale run of `subscribers` writes each send container's standard output under DIR/<readers>/. */
function sendOutputDir(subscribers: number): { containerOutputDir?: string } {
  if (!values['send-output']) return {};
  const dir = join(values['send-output'], String(subscribers));
  mkdirSync(dir, { recursive: true });
  return { containerOutputDir: dir };
}
/** --heap-snapshots=DIR: where the send containers of a scale run of `subscribers` write their heap snapshots (lambda-container.mjs). */
function heapSnapshotEnv(subscribers: number): Record<string, string> {
  if (!values['heap-snapshots']) return {};
  const dir = join(values['heap-snapshots'], String(subscribers));
  mkdirSync(dir, { recursive: true });
  return { BENCH_HEAP_SNAPSHOT_DIR: dir };
}

/** What each mode runs (quick: the issue's smaller sizes, fewer rounds; see docs/performance.md for run times). */
const PLAN: {
  personalize: { rounds: number; recipients: number; ours: number; composer: number; naive: number };
  /** The send worker's hot calls through the SDK and the lean path, side by side (not in quick mode unless --only names it). */
  transport: { calls: number; rounds: number };
  send: { concurrency: number; throughput: { rounds: number; perRound: number; warmup: number }; rate: { rounds: number; seconds: number; cap: number }; checkEvery: number };
  /** Four workers sharing the DynamoDB send-slot store; the SES front enforcing each cap. */
  /** Each cap for `seconds`, and for `minMessages` messages at least (bench/lib/rate-cap.ts says why). */
  rateCap: { caps: number[]; seconds: number; minMessages: number };
  scale: { subscribers: number; runs: number }[];
  /** Fresh processes of the bundled send handler, each to its first SES request. */
  coldStart: { runs: number };
  /** Schedule firing to first and last accepted message, fan-out and sends overlapping. */
  timeline: { subscribers: number; caps: number[] };
  /** A send run with each container's CPU limited to Lambda's share at 512 MB. */
  cpuLimited: { subscribers: number; share: number };
  edition: { articles: number; runs: number };
  /** Reconciliation over this many objects (an extra figure; not in quick mode unless --only names it). */
  reconcile: { objects: number };
  bundleRuns: number;
  /** Keyword alerts: assembly per recipient vs MJML per recipient; matching at ingest; one flush. */
  alerts: {
    assemble: { rounds: number; recipients: number; mjml: number; check: number; articles: number };
    match: { subscribers: number; perSubscriber: number; vocabulary: number; zipfS: number; articles: number; mentions: number; concurrency: number };
    flush: { windows: number; articles: number; check: number };
  };
} = quick
  ? {
      personalize: { rounds: 3, recipients: 100, ours: 10_000, composer: 100, naive: 5 },
      transport: { calls: 500, rounds: 2 },
      send: { concurrency: 128, throughput: { rounds: 3, perRound: 1000, warmup: 500 }, rate: { rounds: 0, seconds: 0, cap: 50 }, checkEvery: 200 },
      rateCap: { caps: [14, 50, 200], seconds: 3, minMessages: 100 },
      scale: [{ subscribers: 1000, runs: 1 }],
      coldStart: { runs: 20 },
      timeline: { subscribers: 2000, caps: [200] },
      // 400: four batches of 100, one per container (500 made five: one container sent two, the others waited).
      cpuLimited: { subscribers: 400, share: 0.29 },
      edition: { articles: 1000, runs: 1 },
      reconcile: { objects: 2000 },
      bundleRuns: 1,
      alerts: {
        assemble: { rounds: 3, recipients: 200, mjml: 5, check: 10, articles: 30 },
        match: { subscribers: 1000, perSubscriber: 10, vocabulary: 5000, zipfS: 1, articles: 3, mentions: 2, concurrency: 32 },
        flush: { windows: 300, articles: 30, check: 10 },
      },
    }
  : {
      personalize: { rounds: 5, recipients: 200, ours: 20_000, composer: 200, naive: 10 },
      transport: { calls: 1000, rounds: 3 },
      send: { concurrency: 128, throughput: { rounds: 5, perRound: 3000, warmup: 3000 }, rate: { rounds: 0, seconds: 0, cap: 50 }, checkEvery: 500 },
      rateCap: { caps: [14, 50, 200], seconds: 10, minMessages: 100 },
      scale: [{ subscribers: 1000, runs: 3 }, { subscribers: 10_000, runs: 1 }, { subscribers: 100_000, runs: 1 }],
      coldStart: { runs: 20 },
      timeline: { subscribers: 2000, caps: [50, 200] },
      cpuLimited: { subscribers: 2000, share: 0.29 },
      edition: { articles: 1000, runs: 3 },
      reconcile: { objects: 10_000 },
      bundleRuns: 5,
      alerts: {
        assemble: { rounds: 5, recipients: 2000, mjml: 30, check: 100, articles: 60 },
        match: { subscribers: 100_000, perSubscriber: 10, vocabulary: 5000, zipfS: 1, articles: 5, mentions: 2, concurrency: 32 },
        flush: { windows: 20_000, articles: 60, check: 50 },
      },
    };

if (values.sizes) PLAN.scale = values.sizes.split(',').map((n) => ({ subscribers: Number(n), runs: 1 }));

const started = performance.now();
/**
 * CPU time the whole machine has spent since boot (s), and of it the time the hypervisor gave
 * this VM's vCPUs to other guests (steal: the VM was ready to run and did not), from
 * /proc/stat; undefined elsewhere.
 */
function machineCpu(): { used: number; steal: number } | undefined {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]?.trim().split(/\s+/).slice(1).map(Number) ?? [];
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
    return { used: (user + nice + system + irq + softirq + steal) / 100, steal: steal / 100 };
  } catch {
    return undefined;
  }
}
const cpuAtStart = machineCpu();
/** Progress on stderr: elapsed time, the CPU the machine has used meanwhile, and the steal when there was any. */
const log = (line: string) => {
  const cpu = machineCpu();
  const used = cpu && cpuAtStart ? `, cpu ${(cpu.used - cpuAtStart.used).toFixed(0).padStart(3)} s` : '';
  const stolen = cpu && cpuAtStart ? cpu.steal - cpuAtStart.steal : 0;
  process.stderr.write(`[${((performance.now() - started) / 1000).toFixed(1).padStart(5)} s${used}${stolen >= 1 ? `, steal ${stolen.toFixed(0)} s` : ''}] ${line}\n`);
};
const childOptions = { verbose };

// ---------- helpers ----------

interface StackInfo {
  env: Record<string, string>;
  endpoints: Record<string, string>;
  tallyUrl: string;
}

/**
 * A local stack in its own process, with the app's settings (loopback URLs, a random secret).
 * `keepEvery`: the SES front keeps every n-th accepted message (with its bytes) to check.
 */
async function startStack(options: { keepEvery?: number; maxSendRate?: number; keepCaptured?: boolean } = {}): Promise<{ service: Service<StackInfo>; env: Record<string, string> }> {
  // s3rver makes ListObjectsV2 continuation tokens with DES, which Node 20's OpenSSL 3 only
  // has in its legacy provider: without it a bucket of more than 1,000 objects cannot be listed.
  const service = await startService<StackInfo>('bench/lib/stack-process.ts', [JSON.stringify({ maxSendRate: options.maxSendRate ?? 100_000, ...options })], {
    readyTimeoutMs: 60_000,
    nodeArgs: ['--openssl-legacy-provider', ...profileArgs],
  });
  const { localAppEnv } = await import('../infra/local/app-env.ts');
  const env = localAppEnv({ env: service.info.env }, { httpPort: 9, logLevel: 'ERROR' });
  return { service, env };
}

// ---------- measurements ----------

interface PersonalizeResult {
  /** CPU ms per message per approach; `wall` the wall ms beside them. */
  rounds: { ours: number; composer: number; naive: number; wall?: { ours: number; composer: number; naive: number } }[];
  stories: number;
  shown: number;
  htmlBytes: number;
  messageBytes: { ours: number; composer: number };
  naiveCompilesPerMessage: number;
  checked: { messages: number; problems: string[] };
}

interface SendResult {
  throughput: SendRound[];
  rate: { messages: number; achieved: number; maxPerCalendarSecond: number; maxPerSlidingSecond: number }[];
  cap: number;
  concurrency: number;
  checked: { messages: number; leanBodies: number; problems: string[] };
  messageBytes: number;
  stores: string;
}

interface MemoryFigures {
  peakMb: number;
  heapTotalMb: number;
  heapUsedMb: number;
  externalMb: number;
  arrayBuffersMb: number;
}
interface RoleRun {
  role: 'fan-out' | 'send';
  seconds: number;
  cpuSeconds: number;
  cpuMsPerMessage?: number;
  /** The send containers' CPU split by phase (bench/lib/containers.ts, cpuByPhase). */
  cpuByPhase?: { firstInvocationMsPerMessage: number; secondHalfMsPerMessage: number; warmUpMsPerContainer: number; betweenInvocationsMsPerContainer: number };
  containers?: { cpuMs: number; liveHeapMb: number; peakRssMb: number }[];
  dynamodb?: Tally;
  bundled?: boolean;
  memory: MemoryFigures;
  liveHeapAtEndMb?: number;
  /** The code_space (V8's machine code) of the send container whose live heap is largest. */
  codeSpaceAtEndMb?: number;
  checked?: { messages: number; problems: string[] };
  result?: { edition: string; state: string; recipients: number };
  edition?: { state?: string; total?: number; sent?: number; failed?: number; skipped?: number };
}
interface ScaleRun {
  subscribers: number;
  /** Fan-out + sending. */
  seconds: number;
  /** The larger of the two processes' peaks. */
  peakRssMb: number;
  fanOut: RoleRun;
  send: RoleRun;
  seedSeconds: number;
}

interface EditionRun {
  articles: number;
  outcomes: Record<string, number>;
  ingestSeconds: number;
  buildSeconds: number;
  seconds: number;
  mjmlCompiles: number;
  render?: { shown: number; omitted: number; htmlBytes: number };
}

interface ReconcileRun {
  objects: number;
  seconds: number;
  peakRssMb: number;
  counts: Record<string, number>;
}

interface AlertAssembleRun {
  rounds: Array<{ ours: number; mjml: number }>;
  assembleMsPerRecipient: number;
  mjmlMsPerRecipient: number;
  meanArticlesPerDigest: number;
  lastMessageBytes: number;
  checked: { recipients: number; problems: string[] };
}
interface AlertMatchRun {
  articles: number;
  seconds: number;
  articlesPerSec: number;
  pendingMatchesPerSec: number;
  recorded: number;
  lookupMsNoMatch: number;
  perArticle: Array<{ seconds: number; phrases: number; recorded: number }>;
  peakRssMb: number;
  problems: string[];
}
interface AlertFlushRun {
  seconds: number;
  windows: number;
  digests: number;
  articles: number;
  mjmlCompiles: number;
  peakRssMb: number;
  heapUsedMb: number;
  queued: number;
  checked: number;
  problems: string[];
}
interface AlertRuns {
  assemble?: AlertAssembleRun;
  match?: AlertMatchRun;
  flush?: AlertFlushRun;
  seed?: { indexSeconds: number; entries: number; topFollowers: number[]; windowsSeconds: number; pendingMatches: number };
}

const details: Record<string, unknown> = {};
const problems: string[] = [];

async function personalizeBench(): Promise<PersonalizeResult> {
  log('personalise: ours vs MailComposer vs MJML per recipient …');
  // Ours in a process of its own (as in the send worker), then MailComposer and MJML in
  // another, back to back in this run (bench/personalize.ts says why they are not interleaved).
  const a = await runChild<PersonalizeResult>('personalize.ts', { ...PLAN.personalize, composer: 0, naive: 0 }, childOptions);
  const b = await runChild<PersonalizeResult>('personalize.ts', { ...PLAN.personalize, ours: 0 }, childOptions);
  const r: PersonalizeResult = {
    ...b,
    rounds: b.rounds.map((x, i) => {
      const o = a.rounds[i] ?? { ours: Number.NaN, wall: { ours: Number.NaN } };
      return { ...x, ours: o.ours, wall: { ours: o.wall?.ours ?? Number.NaN, composer: x.wall?.composer ?? Number.NaN, naive: x.wall?.naive ?? Number.NaN } };
    }),
    messageBytes: { ours: a.messageBytes.ours, composer: b.messageBytes.composer },
    checked: { messages: a.checked.messages + b.checked.messages, problems: [...a.checked.problems, ...b.checked.problems] },
  };
  if (r.checked.problems.length > 0) problems.push(...r.checked.problems.map((p) => `personalise: ${p}`));
  return r;
}

/** The send run's SES stand-in (its own process, 100 ms latency), started by the set-up (not measured). */
function startSendStandIn(): Promise<Service<{ url: string }>> {
  return startService<{ url: string }>('infra/local/ses-front-process.ts', [
    '--latency', '100', '--max-send-rate', '100000', '--quota', '100000000',
    '--no-forward', '--no-mailbox', '--no-raw', '--stop-on-stdin-close',
  ]);
}

interface SendPrepared {
  ses: Service<{ url: string }>;
  /** The throughput run's worker, its imports done and the fixture edition read, waiting for go. */
  child: GatedChild<SendResult>;
}

/**
 * The send run's set-up: its SES stand-in, then its worker started on it and held at the gate
 * (its imports are not part of the run; nothing it measures starts before go).
 * `onRatePhase`: called when the worker is done with the throughput rounds.
 */
function prepareSend(standIn: Promise<Service<{ url: string }>>, onRatePhase?: () => void): Promise<SendPrepared> {
  const done = standIn.then(async (ses) => {
    // Node's default heap settings here: no memory is measured, and Lambda's CPU share is not
    // modelled either (with the 512 MB function's heap limits the worker spends more on GC).
    // The edition was rendered by the set-up (the worker reads it, as a send worker reads it from S3).
    const child = startGated<SendResult>('send-worker.ts', { sesUrl: ses.info.url, ...PLAN.send, renderedFile: await renderedFixture() }, {
      ...childOptions,
      nodeArgs: profileArgs,
      onLine: (line) => {
        if (line !== 'PHASE rate') return;
        log(`send: throughput done; rate cap at ${PLAN.send.rate.cap}/s …`);
        onRatePhase?.();
      },
    });
    try {
      await child.ready;
    } catch (error) {
      await ses.stop();
      throw error;
    }
    return { ses, child };
  });
  return inSetUp(done);
}

/** Throughput then rate cap, in one worker process (started ahead by the set-up). */
async function sendBench(prepared: Promise<SendPrepared>): Promise<SendResult> {
  log('send: SES stand-in (own process, 100 ms latency) + one send worker …');
  const { ses, child } = await prepared;
  try {
    child.go();
    const r = await child.result;
    if (r.checked.problems.length > 0) problems.push(...r.checked.problems.map((p) => `send: ${p}`));
    for (const t of r.throughput) if (t.accepted !== t.messages) problems.push(`send: the stand-in accepted ${t.accepted} of ${t.messages}`);
    return r;
  } finally {
    await ses.stop();
  }
}

interface Prepared {
  service: Service<StackInfo>;
  env: Record<string, string>;
  seedSeconds: number;
  /** The edition the set-up built and fanned out (a preparation with `fanOut`). */
  fanOut?: { edition: string; state: string; recipients: number };
}

/** Seeds every stack of the run from one process (bench/stack-tasks.ts --serve). */
const seeder = new Seeder({ verbose });

/**
 * The kit's fixture edition, rendered once by the seeder (which imports MJML for its
 * fan-outs anyway) into a file that the throughput worker and the four rate-cap workers read
 * (bench/lib/rendered-fixture.ts): none of them imports MJML or compiles the template.
 */
const RENDERED_FIXTURE_FILE = join(tmpdir(), `news-digest-bench-edition-${process.pid}.json`);
let renderedFixtureFile: Promise<string> | undefined;
function renderedFixture(): Promise<string> {
  renderedFixtureFile ??= seeder.run({ env: {}, renderTo: RENDERED_FIXTURE_FILE }).then(() => RENDERED_FIXTURE_FILE);
  return renderedFixtureFile;
}

/**
 * Set-up work (a stack of its own, seeded) runs on at most three lanes: each lane takes the
 * next preparation asked for as soon as it is free. `setupDone` settles when every
 * preparation asked for so far has. (A lane waits on one process at a time, the stack's or
 * the seeder's: a third lane keeps the two cores busier while one waits on the other.)
 */
const SETUP_LANES = 3;
const setupQueue: (() => Promise<void>)[] = [];
const setupAll: Promise<unknown>[] = [];
let setupActive = 0;
function pumpSetup(): void {
  while (setupActive < SETUP_LANES && setupQueue.length > 0) {
    const job = setupQueue.shift() as () => Promise<void>;
    setupActive += 1;
    void job().finally(() => {
      setupActive -= 1;
      pumpSetup();
    });
  }
}
function onSetupLane<T>(work: () => Promise<T>): Promise<T> {
  const done = new Promise<T>((resolve, reject) => {
    setupQueue.push(() => work().then(resolve, reject));
  });
  pumpSetup();
  return inSetUp(done);
}
const setupDone = () => Promise.all(setupAll);
function prepareStack(task: Omit<StackTask, 'env'>, stackOptions: Parameters<typeof startStack>[0] = {}): Promise<Prepared> {
  return onSetupLane(async () => {
    const t0 = performance.now();
    const stack = await startStack(stackOptions);
    const started = performance.now();
    try {
      const seeded = await seeder.run({ env: stack.env, ...task });
      const fanOut = seeded.fanOutSeconds !== undefined ? `, fanned out in ${seeded.fanOutSeconds.toFixed(1)} s` : '';
      log(`set-up: stack ${JSON.stringify(task)} started in ${((started - t0) / 1000).toFixed(1)} s, seeded in ${((performance.now() - started) / 1000).toFixed(1)} s (${seeded.seconds.toFixed(1)} s of it writing${fanOut})`);
      return { ...stack, seedSeconds: seeded.seconds, ...(seeded.fanOut ? { fanOut: seeded.fanOut } : {}) };
    } catch (error) {
      await stack.service.stop();
      throw error;
    }
  });
}

/** Stacks are stopped in the background (their shutdown is not part of any run); awaited at the end. */
const stopping: Promise<void>[] = [];
function stopLater(service: Service<StackInfo>): void {
  stopping.push(service.stop().catch(() => undefined));
}

/** Waits until a child started ahead on a stack is ready; if it ends first, stops the stack and throws its error. */
async function whenReady(service: Service<StackInfo>, child: GatedChild<unknown>): Promise<void> {
  try {
    await child.ready;
  } catch (error) {
    stopLater(service);
    throw error;
  }
}

/** Counts `done` as part of the set-up (`setupDone` waits for it; its failure is for whoever awaits `done`). */
function inSetUp<T>(done: Promise<T>): Promise<T> {
  setupAll.push(done.catch(() => undefined));
  return done;
}

/** A benchmark child started ahead of its run, waiting (after its imports) for `go` before anything measured. */
interface GatedChild<T> {
  /** Settles when the child is ready (it printed `PHASE ready`); rejects if it ends first. */
  ready: Promise<void>;
  /** Lets it run (`line`: one JSON line for it, e.g. `{"edition":…}`). */
  go(line?: string): void;
  result: Promise<T>;
}
function startGated<T>(script: string, params: Record<string, unknown>, options: Parameters<typeof runChild>[2] = {}): GatedChild<T> {
  let go: (line: string) => void = () => undefined;
  const input = new Promise<string>((resolve) => (go = resolve));
  let isReady: () => void = () => undefined;
  const readyLine = new Promise<void>((resolve) => (isReady = resolve));
  const result = runChild<T>(script, { ...params, gated: true }, {
    ...options,
    input,
    onLine: (line) => {
      if (line === 'PHASE ready') {
        if (verbose) log(`${script} ready at its gate`);
        isReady();
      }
      options.onLine?.(line);
    },
  });
  result.catch(() => undefined);
  // A child that fails before it is ready rejects `ready` with its error.
  const ready = Promise.race([readyLine, result.then(() => undefined)]);
  ready.catch(() => undefined);
  return { ready, go: (line = '{}') => go(line), result };
}

/** Stack + seeding for one scale run: the 15-article edition's stories ingested, `subscribers` confirmed readers. */
function prepareScale(subscribers: number, options: { fanOut?: boolean } = {}): Promise<Prepared> {
  // About 20 accepted messages are kept, with their bytes, for the MIME check. The account
  // rate is 1,000/s: far above what the machine can send, so the run measures CPU, with the
  // send slots working as they do at any real rate. `fanOut`: the set-up also fans the
  // edition out (a run that measures the sending only).
  return prepareStack({ upload: 15, ingest: true, subscribers, ...(options.fanOut ? { fanOut: {} } : {}) }, { keepEvery: Math.max(1, Math.floor(subscribers / 20)), maxSendRate: 1000 });
}

interface ScalePrepared extends Prepared {
  /** The fan-out and the send processes (the send role's containers started), imported, waiting for go. */
  fanOutChild: GatedChild<RoleRun>;
  sendChild: GatedChild<RoleRun>;
}

/**
 * A scale run's stack, seeded, and its two processes started on it and held at their gate
 * (their imports and the send containers' start are not part of the run), as part of the
 * set-up when it asks for it.
 */
function prepareScaleRun(subscribers: number): Promise<ScalePrepared> {
  const done = prepareScale(subscribers).then(async (prepared) => {
    const { env, service } = prepared;
    const editionArgs = await lambdaNodeArgs('edition');
    const sendArgs = await lambdaNodeArgs('send');
    const handlerFile = await sendBundle();
    // Both processes are started together and wait, imports done (the send role's containers
    // started), until their turn: the fan-out first, then the sending, as before; nothing
    // measured overlaps. The containers count their CPU from the go (scale-worker.ts).
    const fanOutChild = startGated<RoleRun>('scale-worker.ts', { role: 'fan-out', env, subscribers }, { ...childOptions, nodeArgs: ['--expose-gc', ...profileArgs, ...editionArgs.nodeArgs] });
    const sendChild = startGated<RoleRun>('scale-worker.ts', {
      role: 'send', env: { ...env, ...heapSnapshotEnv(subscribers) }, subscribers, eventSource: await sqsEventSource('send'),
      ...(handlerFile ? { handlerFile } : {}), containerNodeArgs: [...profileArgs, ...sendArgs.nodeArgs, ...sendFlags], tallyUrl: service.info.tallyUrl, ...sendOutputDir(subscribers),
    }, { ...childOptions, nodeArgs: profileArgs });
    await Promise.all([whenReady(service, fanOutChild), whenReady(service, sendChild)]);
    return { ...prepared, fanOutChild, sendChild };
  });
  return inSetUp(done);
}

async function scaleRun(prepared: Promise<ScalePrepared>, subscribers: number): Promise<ScaleRun> {
  const { service, seedSeconds, fanOutChild, sendChild } = await prepared;
  try {
    log(`scale: ${subscribers.toLocaleString('en')} subscribers (seeded in ${seedSeconds.toFixed(1)} s) through fan-out and sending …`);
    await fetch(`${service.info.tallyUrl}/tally/reset`, { method: 'POST' });
    fanOutChild.go();
    const fanOut = await fanOutChild.result;
    if (!fanOut.result || fanOut.result.recipients !== subscribers) problems.push(`scale ${subscribers}: fan-out ${JSON.stringify(fanOut.result)}`);
    sendChild.go(JSON.stringify({ edition: fanOut.result?.edition }));
    const send = await sendChild.result;
    if (send.edition?.sent !== subscribers || send.edition.state !== 'sent') problems.push(`scale ${subscribers}: edition ended ${JSON.stringify(send.edition)}`);
    problems.push(...(send.checked?.problems ?? []).map((p) => `scale ${subscribers}: ${p}`));
    const r: ScaleRun = { subscribers, seconds: fanOut.seconds + send.seconds, peakRssMb: Math.max(fanOut.memory.peakMb, send.memory.peakMb), fanOut, send, seedSeconds };
    log(`scale: ${subscribers.toLocaleString('en')} in ${r.seconds.toFixed(1)} s (fan-out ${fanOut.seconds.toFixed(1)} s), peak RSS fan-out ${fanOut.memory.peakMb.toFixed(0)} MB, send ${send.memory.peakMb.toFixed(0)} MB`);
    return r;
  } finally {
    stopLater(service);
  }
}

interface EditionPrepared extends Prepared {
  /** The edition run's process, its imports done, waiting for go. */
  child: GatedChild<EditionRun>;
}

/**
 * A stack whose content bucket holds the edition run's articles (not ingested), and the
 * run's process started on it, waiting (its imports are not part of the run).
 */
function prepareEdition(): Promise<EditionPrepared> {
  const done = prepareStack({ upload: PLAN.edition.articles }).then(async (prepared) => {
    const { articleFile } = await import('../test/kit/fixtures/index.ts');
    const keys = Array.from({ length: PLAN.edition.articles }, (_, i) => articleFile(i, new Date()).key);
    const child = startGated<EditionRun>('edition-build.ts', { env: prepared.env, keys }, { ...childOptions, nodeArgs: (await lambdaNodeArgs('edition')).nodeArgs });
    await whenReady(prepared.service, child);
    return { ...prepared, child };
  });
  return inSetUp(done);
}

async function editionBench(prepared: Promise<EditionPrepared>): Promise<EditionRun> {
  const stack = await prepared;
  try {
    log(`edition: ingest ${PLAN.edition.articles} articles from the bucket + build one edition …`);
    stack.child.go();
    const r = await stack.child.result;
    if ((r.outcomes.created ?? 0) !== PLAN.edition.articles) problems.push(`edition: ingest outcomes ${JSON.stringify(r.outcomes)}`);
    return r;
  } finally {
    stopLater(stack.service);
  }
}

async function reconcileBench(): Promise<ReconcileRun> {
  const stack = await startStack();
  try {
    log(`reconcile: uploading ${PLAN.reconcile.objects.toLocaleString('en')} objects …`);
    await runChild('stack-tasks.ts', { env: stack.env, upload: PLAN.reconcile.objects }, childOptions);
    log('reconcile: sweeping the bucket …');
    const r = await runChild<ReconcileRun>('reconcile.ts', { env: stack.env, objects: PLAN.reconcile.objects }, { ...childOptions, nodeArgs: (await lambdaNodeArgs('reconcile')).nodeArgs });
    if ((r.counts.created ?? 0) !== PLAN.reconcile.objects) problems.push(`reconcile: outcomes ${JSON.stringify(r.counts)}`);
    return r;
  } finally {
    await stack.service.stop();
  }
}


/**
 * Every function of the package, unzipped once as soon as the packaging is there (during the
 * set-up): the import times' phase and the runs of the send and edition bundles use them.
 */
const UNPACKED_DIR = mkdtempSync(join(tmpdir(), 'news-digest-bench-bundles-'));
let unpackedFiles: Promise<Record<string, string> | undefined> | undefined;
function unpacked(): Promise<Record<string, string> | undefined> {
  unpackedFiles ??= (packaging ?? Promise.resolve(undefined)).then((p) => (p ? unpackAll(p.functions, UNPACKED_DIR) : undefined)).catch(() => undefined);
  return unpackedFiles;
}
/** The bundled send handler (unzipped once), when the run packages; else the source is used. */
function sendBundle(): Promise<string | undefined> {
  return unpacked().then((files) => files?.send);
}
function editionBundle(): Promise<string | undefined> {
  return unpacked().then((files) => files?.edition);
}

/** The rate-cap runs' stack and four workers, started and warmed up on a set-up lane. */
function prepareRate(): Promise<RateCapRig> {
  return onSetupLane(async () => {
    const t0 = performance.now();
    const rig = await prepareRateCap({ verbose, renderedFile: renderedFixture() });
    log(`set-up: rate-cap stack and 4 workers started and warmed up in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    return rig;
  });
}

async function rateCapBench(prepared?: Promise<RateCapRig>): Promise<RateCapRun[]> {
  const rig = prepared ? await prepared : undefined;
  log(`rate cap: ${PLAN.rateCap.caps.join(', ')}/s, 4 worker processes sharing the DynamoDB send slots, SES front enforcing the cap …`);
  // The stack stays up when the cold starts use it (their edition was seeded on it during the set-up).
  const runs = await rateCapRuns({ caps: PLAN.rateCap.caps, seconds: PLAN.rateCap.seconds, minMessages: PLAN.rateCap.minMessages, log, verbose, keepStack: rig !== undefined && preparedCold !== undefined }, rig);
  for (const r of runs) {
    if (r.distinctRecipients !== r.messages || (r.outcomes.sent ?? 0) !== r.messages) problems.push(`rate cap ${r.cap}: ${r.messages} accepted, ${r.distinctRecipients} recipients, outcomes ${JSON.stringify(r.outcomes)}`);
  }
  return runs;
}

interface ColdStartResult {
  firstRequestMs: number[];
  problems: string[];
}

/** A stack with an edition ready to send (15 stories, `subscribers` readers, fanned out). */
function prepareReadyEdition(subscribers: number, stackOptions: Parameters<typeof startStack>[0], options: { fanOut?: boolean } = {}): Promise<Prepared> {
  return prepareStack({ upload: 15, ingest: true, subscribers, ...(options.fanOut ? { fanOut: {} } : {}) }, stackOptions);
}

interface ColdPrepared extends Prepared {
  /** The cold-start run's process (it spawns the fresh processes one at a time), imported, waiting for go. */
  child?: GatedChild<ColdStartResult>;
}

/**
 * The cold starts' edition (15 stories, 20 readers, fanned out) seeded on the rate-cap runs'
 * stack, which is started anyway with the same settings (its SES front keeps every record):
 * one stack fewer to start during the set-up. The rate caps run first; their data on it is
 * the send slots only (their workers' other stores are in memory), and the SES front is set
 * back to the stack's first settings after them (bench/lib/rate-cap.ts, `keepStack`).
 */
async function coldOnRateStack(rig: Promise<RateCapRig>): Promise<Prepared> {
  const { stack } = await rig;
  const { localAppEnv } = await import('../infra/local/app-env.ts');
  const env = localAppEnv({ env: stack.info.env }, { httpPort: 9, logLevel: 'ERROR' });
  const t0 = performance.now();
  const seeded = await seeder.run({ env, upload: 15, ingest: true, subscribers: PLAN.coldStart.runs, fanOut: {} });
  log(`set-up: the cold starts' edition on the rate-cap stack, seeded in ${((performance.now() - t0) / 1000).toFixed(1)} s (fanned out in ${(seeded.fanOutSeconds ?? 0).toFixed(1)} s)`);
  return { service: stack as unknown as Service<StackInfo>, env, seedSeconds: seeded.seconds, ...(seeded.fanOut ? { fanOut: seeded.fanOut } : {}) };
}

/** The cold-start stack (its edition fanned out to 20 readers) and the run's process started on it, waiting. */
function prepareCold(rig?: Promise<RateCapRig>): Promise<ColdPrepared> {
  const stack = rig ? coldOnRateStack(rig) : prepareReadyEdition(PLAN.coldStart.runs, { keepCaptured: true }, { fanOut: true });
  const done = stack.then(async (prepared): Promise<ColdPrepared> => {
    const handlerFile = await sendBundle();
    if (!handlerFile) return prepared;
    const { subscriberIdFor } = await import('../functions/core/subscribers/identity.ts');
    const child = startGated<ColdStartResult>('cold-start.ts', {
      env: prepared.env, handlerFile, nodeArgs: (await lambdaNodeArgs('send')).nodeArgs, edition: prepared.fanOut?.edition,
      subscriberIds: Array.from({ length: PLAN.coldStart.runs }, (_, i) => subscriberIdFor(`reader${i}@news-digest.test`)),
    }, childOptions);
    await whenReady(prepared.service, child);
    return { ...prepared, child };
  });
  return inSetUp(done);
}

async function coldStartBench(prepared: Promise<ColdPrepared>): Promise<ColdStartResult | undefined> {
  const { service, fanOut, child } = await prepared;
  try {
    if (!child) {
      problems.push('cold start: no bundle (run with packaging)');
      return undefined;
    }
    // The edition was built and fanned out by the set-up (not measured).
    if (fanOut?.recipients !== PLAN.coldStart.runs) problems.push(`cold start: the set-up's fan-out ${JSON.stringify(fanOut)}`);
    log(`cold start: ${PLAN.coldStart.runs} fresh processes of the bundled send handler, each to its first SES request …`);
    child.go();
    const r = await child.result;
    problems.push(...r.problems.map((p) => `cold start: ${p}`));
    return r;
  } finally {
    stopLater(service);
  }
}

interface TimelineRun {
  cap: number;
  subscribers: number;
  firstMs: number;
  lastMs: number;
  targetLastMs: number;
  accepted: number;
  distinctRecipients: number;
  throttles: number;
  /** Where the time to the first message goes: each step's moment, ms after the schedule fired. */
  steps: TimelineSteps;
}

/** Moments of one timeline run, ms after the schedule fired (the edition process spawned). */
interface TimelineSteps {
  /** The edition process's node started (its performance.timeOrigin). */
  processStarted: number;
  /** The edition handler imported (the bundle's init). */
  handlerImported: number;
  /** The edition record created (the handler's first write). */
  editionCreated: number;
  /** Built, rendered, artefacts written, the edition `sending`. */
  rendered: number;
  /** The first send task on the queue (its SentTimestamp). */
  firstQueued: number;
  /** The event source received its first record. */
  firstReceived: number;
  /** The SES stand-in accepted the first message. */
  firstAccepted: number;
  /** The last send task on the queue. */
  lastQueued: number;
  /** The edition function returned (fan-out done). */
  editionReturned: number;
  /** The SES stand-in accepted the last message. */
  lastAccepted: number;
}

/**
 * The edition function started cold, as the schedule starts it: a fresh `node` (no loader:
 * Lambda's runtime imports the bundle with node alone) with the function's heap limits and
 * the app's environment, importing the bundle and running one event. Resolves with its
 * moments (ms since the epoch) and the handler's result.
 */
function coldEditionProcess(handlerFile: string, env: Record<string, string>, event: unknown, nodeArgs: string[]): Promise<{ startedAt: number; importedAt: number; returnedAt: number; result: { edition: string; state: string; recipients: number } }> {
  // Inline (no tsx): the same steps as Lambda's runtime, import then invoke.
  const code = [
    'const { pathToFileURL } = await import("node:url");',
    'const { handler } = await import(pathToFileURL(process.env.BENCH_HANDLER_FILE).href);',
    'const importedAt = Date.now();',
    'const result = await handler(JSON.parse(process.env.BENCH_EVENT));',
    'process.stdout.write(JSON.stringify({ startedAt: performance.timeOrigin, importedAt, returnedAt: Date.now(), result }) + "\\n");',
  ].join('\n');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, '--input-type=module', '-e', code], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...env, BENCH_HANDLER_FILE: handlerFile, BENCH_EVENT: JSON.stringify(event) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => {
      err = (err + c.toString()).slice(-20_000);
      if (verbose) process.stderr.write(c.toString().replace(/^/gm, '  [edition] '));
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const line = out.trim().split('\n').at(-1) ?? '';
      if (code !== 0 || !line.startsWith('{')) reject(new Error(`the edition process exited with ${code}\n${err.trim()}`));
      else resolve(JSON.parse(line) as Awaited<ReturnType<typeof coldEditionProcess>>);
    });
  });
}

async function timelineBench(prepared: Promise<Prepared>): Promise<TimelineRun[]> {
  const { service, env } = await prepared;
  const ses = service.info.endpoints.ses ?? '';
  const call = async (path: string, body?: unknown) =>
    (await fetch(`${ses}${path}`, body === undefined ? {} : { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } })).json();
  const runs: TimelineRun[] = [];
  try {
    const sendFile = await sendBundle();
    const editionFile = await editionBundle();
    if (!editionFile) throw new Error('timeline: no bundle of the edition function (run with packaging)');
    const editionArgs = await lambdaNodeArgs('edition');
    const sendArgs = await lambdaNodeArgs('send');
    // This process reads the stack with clients of its own (the app's configuration would
    // write the stack's settings into process.env, which every later child inherits).
    const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
    const { DeleteCommand, DynamoDBDocumentClient } = await import('@aws-sdk/lib-dynamodb');
    const { DynamoDbEditionRepository } = await import('../functions/adapters/dynamodb-edition-repository.ts');
    const { DEFAULT_SCHEDULES, editionIdFor, parseJobSchedule } = await import('../functions/core/editions/schedule.ts');
    const { JobName } = await import('../functions/core/editions/types.ts');
    const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: env.AWS_REGION ?? 'us-east-1', endpoint: env.DYNAMODB_ENDPOINT, credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID ?? 'local', secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? 'local' } }));
    const { SdkCaller } = await import('../functions/adapters/aws-sdk-caller.ts');
    const editions = new DynamoDbEditionRepository({ client: new SdkCaller(doc), tableName: env.EDITIONS_TABLE ?? '' });
    // The job's time zone names the edition's day (as the app's configuration reads it).
    const dailyZone = parseJobSchedule(env.DAILY_SCHEDULE ?? DEFAULT_SCHEDULES.daily).zone;
    for (const [i, cap] of PLAN.timeline.caps.entries()) {
      const n = PLAN.timeline.subscribers;
      // Each run builds an edition of the same stories (dated a day earlier each time): the
      // previous run's watermark would leave it nothing new, so it is removed first.
      if (i > 0) await doc.send(new DeleteCommand({ TableName: env.EDITIONS_TABLE, Key: { pk: 'JOB#daily', sk: 'WATERMARK' } }));
      log(`timeline: ${n.toLocaleString('en')} readers at ${cap}/s, from the schedule firing (a cold edition process) to the last message …`);
      await call('/faults', { maxSendRate: cap, enforceRate: true, latencyMs: 50, max24HourSend: 100_000_000 });
      await call('/raw/clear', {});
      const before = (await call('/stats')) as { throttled: number };
      const time = new Date(Date.now() - i * 86_400_000).toISOString();
      // The id the edition function will give the edition (the job's time zone names its day).
      const editionId = editionIdFor(JobName.DAILY, new Date(time), dailyZone);
      // The send function's side first: its event source polling the queue and its containers
      // initialised (the handler imported), as Lambda's pollers wait on a queue before any
      // message comes. (A container's own cold start is sendColdStartMs.)
      let polling: () => void = () => undefined;
      const ready = new Promise<void>((resolve) => (polling = resolve));
      const send = runChild<RoleRun & { queue?: { firstReceivedAt?: number; firstSentAt?: number; lastSentAt?: number } }>('scale-worker.ts', {
        role: 'send', env, subscribers: n, edition: editionId, eventSource: await sqsEventSource('send'), overlapFanOut: true,
        ...(sendFile ? { handlerFile: sendFile } : {}), containerNodeArgs: sendArgs.nodeArgs,
      }, { ...childOptions, onLine: (line) => line === 'PHASE polling' && polling() });
      await Promise.race([ready, send]);
      // The schedule fires: the edition function starts cold and fans out while the sends run.
      const t0 = Date.now();
      const fanOut = coldEditionProcess(editionFile, env, { job: 'daily', time, force: true }, editionArgs.nodeArgs);
      const [f, s] = await Promise.all([fanOut, send]);
      const after = (await call('/stats')) as { throttled: number };
      const captured = (await call('/raw')) as { at: number; destinations: string[]; tags: Record<string, string> }[];
      const mine = captured.filter((c) => c.tags.edition === f.result.edition);
      const times = mine.map((c) => c.at).sort((a, b) => a - b);
      const record = await editions.get(f.result.edition);
      const at = (ms: number | string | undefined) => (ms === undefined ? NaN : (typeof ms === 'string' ? Date.parse(ms) : ms) - t0);
      const steps: TimelineSteps = {
        processStarted: at(f.startedAt),
        handlerImported: at(f.importedAt),
        editionCreated: at(record?.createdAt),
        rendered: at(record?.sendingAt),
        firstQueued: at(s.queue?.firstSentAt),
        firstReceived: at(s.queue?.firstReceivedAt),
        firstAccepted: at(times[0]),
        lastQueued: at(s.queue?.lastSentAt),
        editionReturned: at(f.returnedAt),
        lastAccepted: at(times.at(-1)),
      };
      const run: TimelineRun = {
        cap, subscribers: n, firstMs: steps.firstAccepted, lastMs: steps.lastAccepted, targetLastMs: ((n / cap) * 1.03 + 10) * 1000,
        accepted: mine.length, distinctRecipients: new Set(mine.map((c) => c.destinations[0])).size, throttles: after.throttled - before.throttled, steps,
      };
      if (f.result.edition !== editionId) problems.push(`timeline ${cap}: the edition function made ${f.result.edition}, the senders waited for ${editionId}`);
      if (run.accepted !== n || run.distinctRecipients !== n || s.edition?.sent !== n) problems.push(`timeline ${cap}: ${run.accepted} accepted, ${run.distinctRecipients} recipients, edition ${JSON.stringify(s.edition)}`);
      problems.push(...(s.checked?.problems ?? []).map((p) => `timeline ${cap}: ${p}`));
      const sec = (ms: number) => (ms / 1000).toFixed(2);
      log(`timeline ${cap}/s: first ${sec(run.firstMs)} s, last ${(run.lastMs / 1000).toFixed(1)} s (target ${(run.targetLastMs / 1000).toFixed(1)} s), throttles ${run.throttles}`);
      log(`  node started ${sec(steps.processStarted)}, handler imported ${sec(steps.handlerImported)}, edition created ${sec(steps.editionCreated)}, rendered ${sec(steps.rendered)}, first task queued ${sec(steps.firstQueued)}, received ${sec(steps.firstReceived)}, accepted ${sec(steps.firstAccepted)}; last queued ${sec(steps.lastQueued)}, edition function returned ${sec(steps.editionReturned)}`);
      runs.push(run);
    }
    doc.destroy();
    return runs;
  } finally {
    stopLater(service);
  }
}

type LimitedSend = RoleRun & { cpuLimited?: boolean };
interface LimitedPrepared extends Prepared {
  /** The send process, its containers started (each held to the share) during the set-up, waiting for go. */
  child: GatedChild<LimitedSend>;
  concurrency: number;
}

/**
 * The CPU-limited run's set-up: the stack with its edition fanned out, then its send process
 * and containers started (importing the bundle at the CPU share takes seconds), waiting.
 * Settles once they are ready, as part of the set-up (`setupDone`).
 */
function prepareLimited(): Promise<LimitedPrepared> {
  const done = prepareScale(PLAN.cpuLimited.subscribers, { fanOut: true }).then(async (prepared) => {
    const handlerFile = await sendBundle();
    const eventSource = await sqsEventSource('send');
    const child = startGated<LimitedSend>('scale-worker.ts', {
      role: 'send', env: prepared.env, subscribers: PLAN.cpuLimited.subscribers, edition: prepared.fanOut?.edition, eventSource, cpuShare: PLAN.cpuLimited.share,
      ...(handlerFile ? { handlerFile } : {}), containerNodeArgs: (await lambdaNodeArgs('send')).nodeArgs,
    }, childOptions);
    await whenReady(prepared.service, child);
    return { ...prepared, child, concurrency: eventSource.concurrency };
  });
  return inSetUp(done);
}

/** A send run of the scale kind with each container held to Lambda's CPU share (cgroup quota). */
async function limitedBench(prepared: Promise<LimitedPrepared>): Promise<(LimitedSend & { perWorkerPerSec: number }) | undefined> {
  const { service, fanOut, child, concurrency } = await prepared;
  try {
    const n = PLAN.cpuLimited.subscribers;
    log(`cpu-limited: ${n.toLocaleString('en')} readers, each send container held to ${PLAN.cpuLimited.share} of a CPU (cgroup) …`);
    // The edition was built and fanned out by the set-up (only the sending is measured).
    if (fanOut?.recipients !== n) problems.push(`cpu-limited: the set-up's fan-out ${JSON.stringify(fanOut)}`);
    child.go();
    const send = await child.result;
    if (send.edition?.sent !== n) problems.push(`cpu-limited: edition ended ${JSON.stringify(send.edition)}`);
    problems.push(...(send.checked?.problems ?? []).map((p) => `cpu-limited: ${p}`));
    const perWorkerPerSec = n / send.seconds / concurrency;
    log(`cpu-limited: ${(n / send.seconds).toFixed(0)} messages/s with ${concurrency} workers (${perWorkerPerSec.toFixed(0)} per worker), limited: ${send.cpuLimited ? 'yes' : 'no (cgroups not writable)'}`);
    return { ...send, perWorkerPerSec };
  } finally {
    stopLater(service);
  }
}

async function alertAssembleBench(): Promise<AlertAssembleRun> {
  log('alerts: assembly per recipient vs MJML per recipient …');
  const r = await runChild<AlertAssembleRun>('alert-assemble.ts', PLAN.alerts.assemble, childOptions);
  problems.push(...r.checked.problems.map((p) => `alerts assemble: ${p}`));
  return r;
}

interface AlertsPrepared extends Prepared {
  dueAt: string;
  seed: NonNullable<AlertRuns['seed']>;
  /** The matching and the flush processes, started once the stack is seeded, imported, waiting for go. */
  match: GatedChild<AlertMatchRun>;
  flush: GatedChild<AlertFlushRun>;
}

/** A stack with the keyword index seeded (followers) and the flush's due windows written. */
function prepareAlerts(): Promise<AlertsPrepared> {
  return onSetupLane(async () => {
    const stack = await startStack();
    try {
      const { match, flush } = PLAN.alerts;
      // The keyword index (alert-match) and the due windows (alert-flush) are independent: seeded side by side.
      const dueAt = new Date(Date.now() - 60_000).toISOString();
      const [index, windows] = await Promise.all([
        runChild<{ seconds: number; entries: number; topFollowers: number[] }>('alert-match.ts', { ...match, phase: 'seed', env: stack.env }, childOptions),
        runChild<{ seconds: number; pendingMatches: number }>('alert-flush.ts', { ...flush, phase: 'seed', env: stack.env, dueAt }, childOptions),
      ]);
      const seed = { indexSeconds: index.seconds, entries: index.entries, topFollowers: index.topFollowers, windowsSeconds: windows.seconds, pendingMatches: windows.pendingMatches };
      log(`set-up: alerts stack, keyword index seeded in ${index.seconds.toFixed(1)} s, ${flush.windows} windows in ${windows.seconds.toFixed(1)} s`);
      const matchChild = startGated<AlertMatchRun>('alert-match.ts', { ...match, phase: 'match', env: stack.env }, { ...childOptions, nodeArgs: (await lambdaNodeArgs('ingest')).nodeArgs });
      const flushChild = startGated<AlertFlushRun>('alert-flush.ts', { ...flush, phase: 'flush', env: stack.env, dueAt }, { ...childOptions, nodeArgs: (await lambdaNodeArgs('alerts')).nodeArgs });
      await Promise.all([matchChild.ready, flushChild.ready]);
      return { ...stack, seedSeconds: Math.max(index.seconds, windows.seconds), dueAt, seed, match: matchChild, flush: flushChild };
    } catch (error) {
      await stack.service.stop();
      throw error;
    }
  });
}

async function alertStackBench(prepared: Promise<AlertsPrepared>): Promise<Pick<AlertRuns, 'match' | 'flush' | 'seed'>> {
  const stack = await prepared;
  try {
    const { match: m, flush: f } = PLAN.alerts;
    log(`alerts: matching ${m.articles} articles against ${m.subscribers.toLocaleString('en')} subscribers × ${m.perSubscriber} keywords (index seeded in ${stack.seed.indexSeconds.toFixed(1)} s; top keywords followed by ${stack.seed.topFollowers.slice(0, 3).join(', ')}) …`);
    stack.match.go();
    const match = await stack.match.result;
    problems.push(...match.problems.map((p) => `alerts match: ${p}`));
    log(`alerts: ${match.articlesPerSec.toFixed(3)} articles/s (${Math.round(match.pendingMatchesPerSec)} pending matches/s); flushing ${f.windows.toLocaleString('en')} due windows …`);
    stack.flush.go();
    const flush = await stack.flush.result;
    problems.push(...flush.problems.map((p) => `alerts flush: ${p}`));
    log(`alerts: flush of ${f.windows.toLocaleString('en')} windows in ${flush.seconds.toFixed(1)} s, peak RSS ${flush.peakRssMb.toFixed(0)} MB`);
    return { match, flush, seed: stack.seed };
  } finally {
    stopLater(stack.service);
  }
}

// ---------- run ----------
// One measurement at a time, each with the machine to itself. Set-up (packaging, starting and
// seeding the stacks of the scale and edition runs, two at a time) runs between the
// personalisation and the send runs, where nothing is measured; the bundles' import times
// (one process at a time) are taken during the rate-cap run, which keeps one worker busy
// with 50 messages a second (a few per cent of one core).

let packaging: Promise<Packaging> | undefined;
function startPackaging(): Promise<Packaging> | undefined {
  if (['bundles', 'scale', 'cold', 'timeline', 'limited'].some((m) => only.has(m))) packaging ??= ensurePackages(log);
  return packaging;
}
let bundleTiming: Promise<Record<string, BundleFigures>> | undefined;
function startBundleTiming(): void {
  const pkg = startPackaging();
  bundleTiming ??= pkg?.then(async (p) => {
    log(`bundles: import time of ${p.functions.length} handlers in fresh processes …`);
    details.packaging = { dir: p.dir.replace(ROOT, ''), packagedSeconds: p.packagedSeconds };
    return measureBundles(p.functions, PLAN.bundleRuns, await unpacked());
  });
}

// Set-up ahead of time: the first two scale stacks, the first edition stack and the stacks of
// the cold-start, timeline and CPU-limited runs; larger sizes and further runs are prepared
// when their turn comes (their data would sit idle meanwhile).
const scaleSizes = only.has('scale') ? PLAN.scale.flatMap((size) => Array.from({ length: size.runs }, () => size.subscribers)) : [];
let preparedScale: (Promise<ScalePrepared> | undefined)[] = [];
let preparedEditions: (Promise<EditionPrepared> | undefined)[] = [];
let preparedCold: Promise<ColdPrepared> | undefined;
let preparedTimeline: Promise<Prepared> | undefined;
let preparedLimited: Promise<LimitedPrepared> | undefined;
let preparedAlerts: Promise<AlertsPrepared> | undefined;
let preparedRate: Promise<RateCapRig> | undefined;
let sendStandIn: Promise<Service<{ url: string }>> | undefined;
let preparedSend: Promise<SendPrepared> | undefined;
function startSetUp(): void {
  startPackaging();
  void unpacked();
  // The fixture edition for the send workers, and the send run's SES stand-in: started now, idle until their run.
  if (only.has('send') || only.has('rate')) void renderedFixture().catch(() => undefined);
  sendStandIn = only.has('send') ? startSendStandIn() : undefined;
  sendStandIn?.catch(() => undefined);
  preparedSend = sendStandIn ? prepareSend(sendStandIn, () => startBundleTiming()) : undefined;
  // The longest preparations first (the alerts' keyword index and windows; the rate-cap
  // workers, each importing the send path and rendering the edition), each on a lane of its
  // own while the third lane takes the next ones; each lane then takes the next in order.
  preparedAlerts = only.has('alerts') ? prepareAlerts() : undefined;
  preparedRate = only.has('rate') ? prepareRate() : undefined;
  preparedScale = scaleSizes.map((n, i) => (i < 2 && n <= 10_000 ? prepareScaleRun(n) : undefined));
  preparedEditions = only.has('edition') ? Array.from({ length: PLAN.edition.runs }, (_, i) => (i === 0 ? prepareEdition() : undefined)) : [];
  preparedCold = only.has('cold') ? prepareCold(preparedRate) : undefined;
  preparedTimeline = only.has('timeline') ? prepareReadyEdition(PLAN.timeline.subscribers, { keepCaptured: true }) : undefined;
  preparedLimited = only.has('limited') ? prepareLimited() : undefined;
}

// The personalisation runs alone, before the set-up starts: beside packaging and seeding its
// per-recipient figure measured three times what it does alone (CPU time too: the two cores'
// caches and memory bandwidth are shared). The full mode also keeps the alert assembly apart
// from the set-up; quick mode runs it once the set-up is done (beside it, it measured five
// times its figure: 1.0 → 5.5 ms).
const personalize = only.has('personalize') ? await personalizeBench() : undefined;
if (only.has('transport')) log('transport: SDK vs lean signed HTTP, UpdateItem and SendRawEmail …');
const transport = only.has('transport') ? await runChild<TransportResult>('transport.ts', PLAN.transport, childOptions) : undefined;
const alerts: AlertRuns = {};
if (!quick && only.has('alerts')) alerts.assemble = await alertAssembleBench();
startSetUp();
if (quick && only.has('alerts')) {
  log('set-up: waiting for the stacks before the alert assembly …');
  await Promise.all([setupDone(), packaging?.catch(() => undefined)]);
  alerts.assemble = await alertAssembleBench();
}
if (only.has('send') || only.has('rate')) {
  log('set-up: stacks of the later runs …');
  await Promise.all([setupDone(), packaging?.catch(() => undefined)]);
}
const send = preparedSend ? await sendBench(preparedSend) : undefined;
// The bundles' timing must not overlap a measurement that needs the machine.
if (bundleTiming) {
  log('bundles: finishing the import times …');
  await bundleTiming;
}
const rateCap = only.has('rate') ? await rateCapBench(preparedRate) : undefined;

const scale: { subscribers: number; runs: ScaleRun[] }[] = [];
for (const [i, subscribers] of scaleSizes.entries()) {
  const run = await scaleRun(preparedScale[i] ?? prepareScaleRun(subscribers), subscribers);
  const entry = scale.find((s) => s.subscribers === subscribers);
  if (entry) entry.runs.push(run);
  else scale.push({ subscribers, runs: [run] });
}
const coldStart = preparedCold ? await coldStartBench(preparedCold) : undefined;
const timeline = preparedTimeline ? await timelineBench(preparedTimeline) : undefined;
const limited = preparedLimited ? await limitedBench(preparedLimited) : undefined;

const editionRuns: EditionRun[] = [];
for (const prepared of preparedEditions) editionRuns.push(await editionBench(prepared ?? prepareEdition()));
const reconcile = only.has('reconcile') ? await reconcileBench() : undefined;
if (preparedAlerts) Object.assign(alerts, await alertStackBench(preparedAlerts));

if (only.has('bundles')) startBundleTiming();
const bundles = bundleTiming ? await bundleTiming : undefined;
if (bundles?.send?.hasMjml) problems.push('bundles: the send worker contains MJML');
await Promise.all([...stopping, seeder.stop()]);
await removePrebuilt();
rmSync(UNPACKED_DIR, { recursive: true, force: true });
rmSync(RENDERED_FIXTURE_FILE, { force: true });

// ---------- results ----------

const pick = <T>(values: T[], f: (v: T) => number) => median(values.map(f));
const percentile = (values: readonly number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
};

/** Lambda's vCPU share at 512 MB (1,769 MB is one vCPU). */
const SEND_CPU_SHARE = 512 / 1769;
/**
 * Prices used for costPer100kUsd (AWS us-east-1, on-demand, as published in November 2026):
 * DynamoDB on-demand since the November 2024 cut, Lambda on Arm (serverless.yml deploys every
 * function with `architecture: arm64`; x86 would be $0.0000166667 per GB-second), SQS
 * standard, SNS standard.
 */
const PRICES = {
  dynamodbPerMillionWriteUnits: 0.625,
  dynamodbPerMillionReadUnits: 0.125,
  lambdaPerGbSecond: 0.0000133334,
  lambdaPerMillionRequests: 0.2,
  sqsPerMillionRequests: 0.4,
  snsPerMillionPublishes: 0.5,
} as const;

// The 10,000-reader scale run (or the largest there is) is the one the per-message figures come from.
const costRun = scale.find((x) => x.subscribers === 10_000)?.runs[0] ?? scale.at(-1)?.runs[0];
// (quick mode has only the 1,000-reader run: its per-message figures carry more of the start-up.)
const units = (() => {
  const t = costRun?.send.dynamodb;
  if (!costRun || !t) return undefined;
  const n = costRun.subscribers;
  let write = 0;
  let read = 0;
  for (const [key, e] of Object.entries(t)) {
    write += e.writeUnits + e.indexWriteUnits;
    // Queries (the fan-out's pages of 100 keys, KEYS_ONLY): at most 2 read units a page.
    read += key.startsWith('Query') ? e.calls * 2 : e.readUnits;
  }
  // The feedback function's handling of each message's Send event (not run by the scale
  // benchmark): one eventually consistent GetItem (half a read unit); the entry is already
  // `sent` nearly always, and then nothing is written (an event that comes first, rare, writes one unit).
  const sendEventWrites = 0;
  const sendEventReads = 0.5;
  return { writePerMessage: write / n + sendEventWrites, readPerMessage: read / n + sendEventReads, sendEventWrites, byCall: t };
})();
const sendCpuMs = costRun?.send.cpuMsPerMessage;
const fanOutCpuMs = costRun ? (costRun.fanOut.cpuSeconds * 1000) / costRun.subscribers : undefined;
const cost = (() => {
  if (!units || sendCpuMs === undefined || fanOutCpuMs === undefined) return undefined;
  const per = 100_000;
  // Lambda: billed time = the CPU the function used ÷ its vCPU share (a worker that waits for
  // send slots is billed for the wait too; see docs/performance.md).
  const sendGbS = (per * (sendCpuMs / SEND_CPU_SHARE)) / 1000 * 0.5;
  const fanOutGbS = (per * (fanOutCpuMs / (1024 / 1769))) / 1000 * 1;
  const lambda = (sendGbS + fanOutGbS) * PRICES.lambdaPerGbSecond;
  const dynamodb = (per * units.writePerMessage * PRICES.dynamodbPerMillionWriteUnits + per * units.readPerMessage * PRICES.dynamodbPerMillionReadUnits) / 1e6;
  // SQS: SendMessageBatch of 10 (fan-out), ReceiveMessage and DeleteMessageBatch of up to 10 (the event source).
  const sqsRequestsPerMessage = 0.3;
  const sqs = (per * sqsRequestsPerMessage * PRICES.sqsPerMillionRequests) / 1e6;
  // Not in costPer100kUsd: the Send events (one SNS publish and one feedback invocation per message) and Lambda's request fees.
  const sendEvents = (per * PRICES.snsPerMillionPublishes + per * PRICES.lambdaPerMillionRequests) / 1e6;
  const requests = ((costRun?.send as { invocations?: number } | undefined)?.invocations ?? per / 100) * (per / (costRun?.subscribers ?? per)) * PRICES.lambdaPerMillionRequests / 1e6;
  return { lambda, dynamodb, sqs, total: lambda + dynamodb + sqs, sendEventsAndRequests: sendEvents + requests, sqsRequestsPerMessage };
})();

const latest = {
  personalizeMsPerRecipient: personalize ? round(pick(personalize.rounds, (r) => r.ours), 4) : null,
  mailComposerMsPerRecipient: personalize ? round(pick(personalize.rounds, (r) => r.composer)) : null,
  /** MailComposer ÷ ours, per round, median (same run, taking turns). */
  personalizeSpeedupVsMailComposer: personalize ? round(pick(personalize.rounds, (r) => r.composer / r.ours)) : null,
  naiveMjmlMsPerRecipient: personalize ? round(pick(personalize.rounds, (r) => r.naive)) : null,
  personalizeWallMsPerRecipient: personalize ? round(pick(personalize.rounds, (r) => r.wall?.ours ?? Number.NaN), 4) : null,
  /** Renamed meaning kept: one process, 128 in flight, in-memory stores, a whole core. */
  sendThroughputPerSec: send ? Math.round(pick(send.throughput, (r) => r.perSecond)) : null,
  sendCpuMsPerMessage: sendCpuMs !== undefined ? round(sendCpuMs) : null,
  /**
   * The same run's CPU by phase: per message in each container's first invocation and in the
   * second half of its invocations, and the warm-up (CPU beyond the second half's rate) per container.
   */
  sendCpuMsPerMessageByPhase: costRun?.send.cpuByPhase
    ? {
        firstInvocation: round(costRun.send.cpuByPhase.firstInvocationMsPerMessage),
        secondHalf: round(costRun.send.cpuByPhase.secondHalfMsPerMessage),
        warmUpMsPerContainer: Math.round(costRun.send.cpuByPhase.warmUpMsPerContainer),
        betweenInvocationsMsPerContainer: Math.round(costRun.send.cpuByPhase.betweenInvocationsMsPerContainer),
      }
    : null,
  /** CPU ms per call of the send worker's hot calls, through the SDK and the lean signed-HTTP path, on our HTTP/1.1 client and on Node's `http` (bench/transport.ts). */
  transportCpuMsPerCall: transport
    ? Object.fromEntries((['updateItem', 'sendRawEmail'] as const).map((call) => [call, { sdk: round(transport[call].sdk, 3), lean: round(transport[call].lean, 3), leanOnNodeHttp: round(transport[call].nodeHttp, 3), ratio: round(transport[call].ratio), nodeHttpRatio: round(transport[call].httpRatio) }]))
    : null,
  sendPerWorkerPerSec: sendCpuMs ? Math.round((1000 * SEND_CPU_SHARE) / sendCpuMs) : null,
  sendPerWorkerPerSecCpuLimited: limited ? Math.round(limited.perWorkerPerSec) : null,
  rateCap: rateCap ? rateCap.map((r) => ({ cap: r.cap, achieved: round(r.achieved), achievedShare: round(r.achievedShare), maxPerSlidingSecond: r.maxPerSlidingSecond, maxPerCalendarSecond: r.maxPerCalendarSecond, tightestSpanMs: r.tightestSpanMs, throttles: r.throttles, messages: r.messages, slotsGivenUp: r.slotsGivenUp })) : null,
  // The earlier single figures, now from the four-worker run at 50/s.
  rateCapTarget: rateCap?.find((r) => r.cap === 50) ? 50 : null,
  rateCapAchieved: rateCap?.find((r) => r.cap === 50) ? round(rateCap.find((r) => r.cap === 50)?.achieved ?? NaN) : null,
  rateCapMaxPerSecond: rateCap?.find((r) => r.cap === 50)?.maxPerSlidingSecond ?? null,
  dynamodbWriteUnitsPerMessage: units ? round(units.writePerMessage) : null,
  dynamodbReadUnitsPerMessage: units ? round(units.readPerMessage) : null,
  costPer100kUsd: cost ? round(cost.total, 4) : null,
  costPer100kBreakdownUsd: cost ? { lambda: round(cost.lambda, 4), dynamodb: round(cost.dynamodb, 4), sqs: round(cost.sqs, 4), notIncludedSendEventsAndRequests: round(cost.sendEventsAndRequests, 4) } : null,
  timeline: timeline ? timeline.map((t) => ({ cap: t.cap, subscribers: t.subscribers, firstSeconds: round(t.firstMs / 1000), lastSeconds: round(t.lastMs / 1000), targetLastSeconds: round(t.targetLastMs / 1000), throttles: t.throttles, stepsSeconds: Object.fromEntries(Object.entries(t.steps).map(([k, v]) => [k, round(v / 1000)])) })) : null,
  sendColdStartMs: coldStart && coldStart.firstRequestMs.length > 0 ? { p50: Math.round(percentile(coldStart.firstRequestMs, 50)), p95: Math.round(percentile(coldStart.firstRequestMs, 95)), runs: coldStart.firstRequestMs.length } : null,
  liveHeapMb: scale.length > 0 ? scale.map((x) => ({ subscribers: x.subscribers, fanOut: round(pick(x.runs, (r) => r.fanOut.liveHeapAtEndMb ?? NaN)), send: round(pick(x.runs, (r) => r.send.liveHeapAtEndMb ?? NaN)), sendCodeSpace: round(pick(x.runs, (r) => r.send.codeSpaceAtEndMb ?? NaN)) })) : null,
  scale: scale.map((x) => ({
    subscribers: x.subscribers,
    seconds: round(pick(x.runs, (r) => r.seconds)),
    peakRssMb: round(pick(x.runs, (r) => r.peakRssMb)),
  })),
  editionBuildSeconds: editionRuns.length > 0 ? round(pick(editionRuns, (r) => r.seconds)) : null,
  mjmlCompilesPerEdition: editionRuns.length > 0 ? Math.max(...editionRuns.map((r) => r.mjmlCompiles)) : null,
  bundles: bundles
    ? Object.fromEntries(Object.entries(bundles).map(([name, b]) => [name, { bytes: b.bytes, initMs: round(b.initMs), hasMjml: b.hasMjml }]))
    : null,
  alertMatchArticlesPerSec: alerts.match ? round(alerts.match.articlesPerSec, 4) : null,
  alertMatchSettings: alerts.match
    ? {
        ...PLAN.alerts.match,
        topFollowers: alerts.seed?.topFollowers ?? [],
        pendingMatchesPerSec: Math.round(alerts.match.pendingMatchesPerSec),
        pendingMatches: alerts.match.recorded,
        lookupMsNoMatch: round(alerts.match.lookupMsNoMatch),
        stores: 'keyword index and pending matches on dynalite (local emulators, own process)',
      }
    : null,
  alertAssembleMsPerRecipient: alerts.assemble ? round(alerts.assemble.assembleMsPerRecipient, 4) : null,
  alertMjmlMsPerRecipient: alerts.assemble ? round(alerts.assemble.mjmlMsPerRecipient) : null,
  alertAssembleSettings: alerts.assemble
    ? { ...PLAN.alerts.assemble, meanArticlesPerDigest: round(alerts.assemble.meanArticlesPerDigest), messageBytes: alerts.assemble.lastMessageBytes, stores: 'none (pieces in memory, as a send worker caches them)' }
    : null,
  alertFlushSeconds: alerts.flush ? round(alerts.flush.seconds) : null,
  alertFlushPeakRssMb: alerts.flush ? round(alerts.flush.peakRssMb) : null,
  alertFlushSettings: alerts.flush
    ? { ...PLAN.alerts.flush, pendingMatches: alerts.seed?.pendingMatches ?? null, mjmlCompiles: alerts.flush.mjmlCompiles, concurrency: 16, stores: 'dynalite, s3rver, local SQS (local emulators, own process)' }
    : null,
  /** How each figure was obtained (docs/performance.md defines them). */
  settings: {
    mode: quick ? 'quick' : 'full',
    /** What this mode runs (sizes, rounds, caps); docs/performance.md compares the two modes. */
    plan: PLAN,
    setUp: `${quick ? 'packaging and the seeded stacks start after the personalisation; every later run (the alert assembly first) waits for them' : 'packaging and the seeded stacks after the personalisation and the alert assembly, before the send runs; nothing measured meanwhile'}; ${SETUP_LANES} lanes, one seeder process; the cold-start and CPU-limited editions fanned out (the cold starts' on the rate-cap stack) and the rate-cap stack and workers started and warmed up in the set-up; the fixture edition rendered once for the send workers; started in the set-up and held at a gate until their turn (nothing measured before it): the throughput run's SES stand-in and worker, the scale run's fan-out and send processes (the containers count their CPU from the go), the CPU-limited run's send process and containers, the cold-start driver, the edition build's process, the alerts' matching and flush processes; the rate-cap workers primed with one message of each cap's edition before it (not counted); the processes that measure nothing (stacks, SES stand-in, seeder, rate-cap workers) run prebuilt by esbuild, not through tsx`,
    machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`,
    personalizeMsPerRecipient: { timed: 'two tokens signed, links, MIME chunks, RawMessage.Data form-encoded and spliced into the request body (one Buffer)', measure: 'process CPU time (user + system, all threads incl. GC) per message; wall time in personalizeWallMsPerRecipient', excluded: 'SDK serialization of the other fields, SigV4 signing, HTTP', process: 'one, a whole core', rounds: PLAN.personalize.rounds, perRound: PLAN.personalize.ours },
    mailComposerMsPerRecipient: { timed: 'the same, with MailComposer building the message and formEncodedBase64 of the whole of it', rounds: PLAN.personalize.rounds, perRound: PLAN.personalize.composer },
    sendThroughputPerSec: { workers: 1, concurrency: PLAN.send.concurrency, stores: 'in memory (ledger, subscribers, editions, artefacts, send slots)', ses: 'stand-in process, 100 ms latency', cpu: 'unlimited (a whole core)' },
    sendCpuMsPerMessage: { handler: costRun?.send.bundled ? 'bundled send handler (serverless package)' : 'functions/send.ts (no package)', stores: 'DynamoDB ledger, subscribers, editions and send slots on dynalite; S3 on s3rver; SQS local', batch: 100, concurrency: 32, containers: 4, cpu: 'process CPU of the 4 containers (user + system), unlimited', subscribers: costRun?.subscribers ?? null, excluded: 'the event source (SQS polling) and the emulators' },
    transportCpuMsPerCall: { timed: 'process CPU (user + system) per call: a conditional UpdateItem (ReturnValues ALL_NEW) on dynalite, a SendRawEmail of a ~128 KB form-encoded message to a loopback server answering as SES', concurrency: 32, calls: PLAN.transport.calls, rounds: PLAN.transport.rounds, figure: 'median of the rounds, SDK, lean (our HTTP/1.1 client) and lean on node:http taking turns after a warm-up round of each', excluded: 'the servers (processes of their own)' },
    sendCpuMsPerMessageByPhase: { from: 'the run of sendCpuMsPerMessage', timed: 'process CPU (user + system, all threads) of a container from the call to the handler to its answer, per invocation', firstInvocation: 'each container\'s first invocation, CPU ÷ its records', secondHalf: 'the later half of each container\'s invocations, CPU ÷ their records', warmUpMsPerContainer: 'a container\'s invocations\' CPU minus secondHalf × its records (mean of the containers)', betweenInvocationsMsPerContainer: 'the container\'s CPU outside its invocations (timers, the event\'s IPC)' },
    sendPerWorkerPerSec: { from: 'sendCpuMsPerMessage at Lambda\'s 512 MB share', cpuShare: round(SEND_CPU_SHARE), cpuLimitedRun: limited ? { subscribers: PLAN.cpuLimited.subscribers, share: PLAN.cpuLimited.share, limited: limited.cpuLimited ?? false, containers: 4 } : null },
    rateCap: { workers: 4, concurrency: 32, batch: 100, slotStore: 'DynamoDB (dynalite)', otherStores: 'in memory', ses: 'stand-in in its own process enforcing MaxSendRate on arrival (sliding second), 50 ms latency', tightestSpanMs: 'shortest time from an arrival to the cap-th after it; the slots put 1000 / 0.98 ms there, under 1000 is over the cap', seconds: PLAN.rateCap.seconds, minMessages: PLAN.rateCap.minMessages, achieved: '(n - 1) / (last - first) over arrival times' },
    dynamodbUnits: { from: 'requests counted at dynalite over the scale run', subscribers: costRun?.subscribers ?? null, model: 'items under 1 KB: 1 write unit per write call (held or not), +1 per index entry added or removed, +2 per index key moved; consistent reads 1 unit per item, eventual 0.5; Query 2 units per page; + the Send event (feedback): 0.5 read unit, no write for an entry already sent', byCall: units?.byCall ?? null },
    costPer100kUsd: { includes: 'Lambda GB-s (send 512 MB, fan-out 1024 MB) at the measured CPU ÷ vCPU share, DynamoDB on-demand (units above), SQS requests (0.3 per message)', excludes: 'SES, the Send events\' SNS publish and feedback invocation, Lambda request fees, time a worker waits for send slots', prices: PRICES },
    timeline: { from: 'the edition function\'s process spawned (a fresh plain node importing the bundle, cold)', to: 'first and last SendRawEmail accepted by the SES stand-in (stamped on arrival)', sendSide: 'the event source polling and the 4 send containers initialised (bundle imported) before the schedule fires, as warm Lambda pollers; each container\'s first invocation builds its service (cold start measured apart: sendColdStartMs)', sendContainers: 4, batch: 100, batchingWindowMs: 1000, ses: 'enforcing the cap, 50 ms latency', caps: PLAN.timeline.caps, subscribers: PLAN.timeline.subscribers, steps: 'stepsSeconds: each step\'s moment after the schedule fired' },
    sendColdStartMs: { processes: PLAN.coldStart.runs, from: 'spawn of a fresh node process (the function\'s heap limits)', to: 'the SES stand-in stamping its SendRawEmail request', includes: 'import of the bundle, configuration, token secret, GetSendQuota, template from S3, lease, subscriber read, message' },
    liveHeapMb: { what: 'heapUsed after a forced GC at the end of the run, per process: the fan-out process, the largest of the 4 send containers; sendCodeSpace: that container\'s code_space (V8 machine code, in heapUsed)' },
  },
};
const reconcileLabel = PLAN.reconcile.objects >= 1000 ? `${PLAN.reconcile.objects / 1000}k` : String(PLAN.reconcile.objects);
const extra = reconcile
  ? { [`reconcile${reconcileLabel}Seconds`]: round(reconcile.seconds), [`reconcile${reconcileLabel}PeakRssMb`]: round(reconcile.peakRssMb) }
  : {};

const cpuModel = (() => {
  try {
    return /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? cpus()[0]?.model ?? 'unknown';
  } catch {
    return cpus()[0]?.model ?? 'unknown';
  }
})();
const totalSeconds = (performance.now() - started) / 1000;
const cpuAtEnd = machineCpu();
/**
 * The run's steal: CPU time the hypervisor gave this VM's vCPUs to other guests while the run
 * wanted them, and its share of the vCPUs' time over the run. Every figure measured while it
 * was high reads slow (wall time and CPU time alike: a stolen moment still counts as the
 * process's own on the clock, and caches are cold after it).
 */
const steal = cpuAtEnd && cpuAtStart ? { seconds: round(cpuAtEnd.steal - cpuAtStart.steal), shareOfVcpuTime: round((cpuAtEnd.steal - cpuAtStart.steal) / (totalSeconds * cpus().length)) } : null;
const machine = { cpus: cpus().length, cpuModel, memoryGb: Math.round(totalmem() / 1024 ** 3), node: process.version, platform: `${process.platform} ${process.arch}`, steal };
Object.assign(latest.settings, { machineSteal: steal, ...(sendFlags.length > 0 ? { sendContainerFlags: sendFlags.join(' ') } : {}) });
Object.assign(details, {
  mode: quick ? 'quick' : 'full',
  at: new Date().toISOString(),
  totalSeconds: round(totalSeconds),
  machine,
  plan: PLAN,
  personalize,
  send,
  rateCap,
  scale,
  coldStart,
  timeline,
  limited,
  cost,
  edition: editionRuns,
  reconcile,
  bundles,
  alerts,
  problems,
});

const resultsDir = join(ROOT, 'bench/results');
mkdirSync(resultsDir, { recursive: true });
writeFileSync(join(resultsDir, 'latest.json'), `${JSON.stringify(latest, null, 2)}\n`);
writeFileSync(join(resultsDir, 'latest-extra.json'), `${JSON.stringify(extra, null, 2)}\n`);
writeFileSync(join(resultsDir, 'latest-details.json'), `${JSON.stringify(details, null, 2)}\n`);

// ---------- table ----------

const ok = (good: boolean | undefined) => (good === undefined ? '' : good ? 'met' : 'NOT MET');
const rows: string[][] = [];
const fmt = (v: number | null | undefined, digits = 3) => (v === null || v === undefined ? '-' : String(round(v, digits)));
if (latest.transportCpuMsPerCall) {
  const t = latest.transportCpuMsPerCall;
  for (const [label, call] of [['UpdateItem', t.updateItem], ['SendRawEmail', t.sendRawEmail]] as const) {
    if (!call) continue;
    rows.push([`${label} CPU per call, SDK / lean on node:http / lean (ms)`, `${fmt(call.sdk)} / ${fmt(call.leanOnNodeHttp)} / ${fmt(call.lean)}`, '', '', `${fmt(call.ratio)}x less than the SDK; ${fmt(call.nodeHttpRatio)}x less than on node:http`]);
  }
}
if (personalize) {
  const runs = `median of ${personalize.rounds.length} rounds`;
  rows.push(["per recipient, bytes out, ours (CPU ms)", fmt(latest.personalizeMsPerRecipient, 4), "<= 0.05", ok((latest.personalizeMsPerRecipient ?? 1) <= 0.05), `tokens, MIME, SES body; 15-story edition, ${Math.round(personalize.messageBytes.ours / 1024)} KB message; ${runs}; wall ${fmt(latest.personalizeWallMsPerRecipient, 4)} ms`]);
  rows.push(['per recipient, bytes out, MailComposer (ms)', fmt(latest.mailComposerMsPerRecipient), '', '', 'same work, same run']);
  rows.push(['  MailComposer / ours', fmt(latest.personalizeSpeedupVsMailComposer), '>= 20', ok((latest.personalizeSpeedupVsMailComposer ?? 0) >= 20), 'median of the rounds\' ratios']);
  rows.push(['personalise, MJML per recipient (ms)', fmt(latest.naiveMjmlMsPerRecipient), '', '', `${personalize.naiveCompilesPerMessage} MJML compile + MailComposer per message, same run`]);
  rows.push(['  MIME-checked with mailparser', String(personalize.checked.messages), '', ok(personalize.checked.problems.length === 0), 'every distinct message built, once']);
}
if (send) {
  const tp = send.throughput;
  rows.push(['send throughput (messages/s)', String(latest.sendThroughputPerSec), '>= 500', ok((latest.sendThroughputPerSec ?? 0) >= 500),
    `1 worker, ${send.concurrency} in flight, real SESClient; stand-in: own process, 100 ms latency; rounds ${tp.map((r) => Math.round(r.perSecond)).join(', ')}`]);
  rows.push(['  worker CPU per message (ms)', fmt(median(tp.map((r) => r.cpuMsPerMessage))), '', '', `stores: in-memory (ledger, subscribers, editions, artefacts)`]);
  rows.push(['  MIME-checked with mailparser', String(send.checked.messages), '', ok(send.checked.problems.length === 0),
    `1 in ${PLAN.send.checkEvery} sent messages, links verified; lean SendRawEmail body = the SDK's, byte for byte (${send.checked.leanBodies} messages)`]);
}
if (rateCap) {
  for (const r of rateCap) {
    const good = r.achievedShare >= 0.97 && r.maxPerSlidingSecond <= r.cap && r.throttles === 0;
    rows.push([`rate cap ${r.cap}/s, 4 workers`, `${fmt(r.achieved)}/s`, '>= 97 %, no sliding s > cap, 0 throttles', ok(good),
      `${fmt(100 * r.achievedShare)} %; most in a sliding second ${r.maxPerSlidingSecond}; ${r.cap + 1} in a row span ${r.tightestSpanMs} ms at the least; throttles ${r.throttles}; ${r.messages} messages, each recipient once`]);
  }
}
if (latest.sendCpuMsPerMessage !== null) {
  rows.push(['send worker CPU per message (ms)', fmt(latest.sendCpuMsPerMessage), '<= 1.0', ok(latest.sendCpuMsPerMessage <= 1.0), `bundled handler, DynamoDB stores on dynalite, 4 containers, ${costRun?.subscribers.toLocaleString('en')} readers`]);
  const phase = latest.sendCpuMsPerMessageByPhase;
  if (phase) rows.push(['  first invocation / second half (ms)', `${fmt(phase.firstInvocation)} / ${fmt(phase.secondHalf)}`, '', '', `same run, per message; a container's warm-up ${phase.warmUpMsPerContainer} ms CPU beyond the second half's rate`]);
  rows.push(['  per worker at 0.29 vCPU (messages/s)', String(latest.sendPerWorkerPerSec), '', '', 'computed from the CPU per message']);
}
if (limited) {
  rows.push(['  per worker, CPU held to 0.29 (messages/s)', String(latest.sendPerWorkerPerSecCpuLimited), '', '', limited.cpuLimited ? `cgroup quota per container, ${PLAN.cpuLimited.subscribers} readers` : 'NOT limited: cgroups not writable here']);
}
if (units && cost) {
  rows.push(['DynamoDB write units per message', fmt(units.writePerMessage), '<= 3', ok(units.writePerMessage <= 3), `incl. the Send event's (none once sent); read units ${fmt(units.readPerMessage)}`]);
  rows.push(['cost per 100,000 messages (USD)', fmt(cost.total, 4), '<= 0.20', ok(cost.total <= 0.2), `Lambda ${fmt(cost.lambda, 4)}, DynamoDB ${fmt(cost.dynamodb, 4)}, SQS ${fmt(cost.sqs, 4)}; not incl. SES, Send events ${fmt(cost.sendEventsAndRequests, 4)}`]);
}
if (timeline) {
  for (const t of timeline) {
    rows.push([`time to inbox, ${t.subscribers} at ${t.cap}/s`, `${fmt(t.firstMs / 1000)} s / ${fmt(t.lastMs / 1000)} s`, `<= 5 s / <= ${fmt(t.targetLastMs / 1000)} s`, ok(t.firstMs <= 5000 && t.lastMs <= t.targetLastMs), `first / last accepted; throttles ${t.throttles}; edition imported ${fmt(t.steps.handlerImported / 1000, 3)} s, rendered ${fmt(t.steps.rendered / 1000, 3)} s, first task queued ${fmt(t.steps.firstQueued / 1000, 3)} s, received ${fmt(t.steps.firstReceived / 1000, 3)} s; last queued ${fmt(t.steps.lastQueued / 1000, 3)} s`]);
  }
}
if (latest.sendColdStartMs) {
  const c = latest.sendColdStartMs;
  rows.push(['send cold start to first SES request (ms)', `p50 ${c.p50}, p95 ${c.p95}`, 'p50 <= 250, p95 <= 500', ok(c.p50 <= 250 && c.p95 <= 500), `${c.runs} fresh processes of the bundle`]);
}
if (latest.liveHeapMb && latest.liveHeapMb.length > 1) {
  const a = latest.liveHeapMb[0];
  const b = latest.liveHeapMb.at(-1);
  if (a && b) {
    for (const role of ['fanOut', 'send'] as const) {
      const growth = b[role] / a[role] - 1;
      const code = role === 'send' ? `; of it V8's machine code ${latest.liveHeapMb.map((x) => fmt(x.sendCodeSpace)).join(' / ')} MB` : '';
      rows.push([`live heap after GC, ${role}`, latest.liveHeapMb.map((x) => `${fmt(x[role])}`).join(' / ') + ' MB', '<= +10 %', ok(growth <= 0.1), `${latest.liveHeapMb.map((x) => x.subscribers.toLocaleString('en')).join(' / ')} readers; ${fmt(100 * growth)} %${code}`]);
    }
  }
}
if (scale.length > 0) {
  const first = latest.scale[0];
  for (const s of latest.scale) {
    const perK = s.seconds / (s.subscribers / 1000);
    const runs = scale.find((x) => x.subscribers === s.subscribers)?.runs.length ?? 1;
    const run = scale.find((x) => x.subscribers === s.subscribers)?.runs[0];
    const live = run?.send.liveHeapAtEndMb;
    rows.push([`scale ${s.subscribers.toLocaleString('en')} subscribers`, `${fmt(s.seconds)} s`, '', '',
      `${fmt(perK)} s per 1,000; peak RSS ${fmt(s.peakRssMb)} MB (fan-out ${fmt(run?.fanOut.memory.peakMb)}, send ${fmt(run?.send.memory.peakMb)})${live ? `; send live heap ${fmt(live)} MB` : ''}${runs > 1 ? `; median of ${runs}` : ''}`]);
  }
  const checkedScale = scale.flatMap((s) => s.runs).reduce((n, r) => n + (r.send.checked?.messages ?? 0), 0);
  const scaleProblems = scale.flatMap((s) => s.runs).some((r) => (r.send.checked?.problems.length ?? 0) > 0);
  rows.push(['  MIME-checked with mailparser', String(checkedScale), '', ok(!scaleProblems), 'about 20 sent messages per run, links verified']);
  const last = latest.scale.at(-1);
  if (first && last && last !== first) {
    const ratio = last.peakRssMb / first.peakRssMb;
    // Not a leak check (the fan-out's process peaks at every size here; the live heap after a
    // forced collection, per process, is: the liveHeapMb rows), so no target.
    rows.push(['  peak RSS largest / 1,000', fmt(ratio), '', '', 'the fan-out process at each size; the leak check is the live heap rows']);
    // Linear: each step's time ratio is at most its size ratio (fixed costs make small sizes dearer per message).
    for (let i = 1; i < latest.scale.length; i++) {
      const a = latest.scale[i - 1];
      const b = latest.scale[i];
      if (!a || !b) continue;
      const growth = b.seconds / a.seconds / (b.subscribers / a.subscribers);
      rows.push([`  time ${a.subscribers / 1000}k → ${b.subscribers / 1000}k vs size`, fmt(growth), '<= 1.2', ok(growth <= 1.2), `time × ${fmt(b.seconds / a.seconds)} for size × ${b.subscribers / a.subscribers}`]);
    }
  }
}
if (editionRuns.length > 0) {
  const r = editionRuns[0];
  rows.push(['edition build, 1,000 articles (s)', fmt(latest.editionBuildSeconds), '', '', `ingest ${fmt(median(editionRuns.map((e) => e.ingestSeconds)))} s + build ${fmt(median(editionRuns.map((e) => e.buildSeconds)))} s; ${r?.render?.shown ?? '?'} shown, ${r?.render?.omitted ?? '?'} left out`]);
  rows.push(['  MJML compiles per edition', String(latest.mjmlCompilesPerEdition), '1', ok(latest.mjmlCompilesPerEdition === 1), '']);
}
if (bundles) {
  for (const [name, b] of Object.entries(bundles)) {
    rows.push([`bundle ${name}`, `${Math.round(b.bytes / 1024)} KB zip`, name === 'send' ? 'no MJML' : '', name === 'send' ? ok(!b.hasMjml) : '',
      `init ${fmt(b.initMs)} ms; handler ${Math.round(b.handlerBytes / 1024)} KB${b.hasMjml ? '; has MJML' : ''}`]);
  }
}
if (alerts.assemble) {
  const a = alerts.assemble;
  rows.push(['alert digest, assembled (ms/recipient)', fmt(latest.alertAssembleMsPerRecipient, 4), '<= 0.5', ok((latest.alertAssembleMsPerRecipient ?? 1) <= 0.5), `pieces compiled once; ${fmt(a.meanArticlesPerDigest, 2)} articles per digest on average; median of ${a.rounds.length} rounds`]);
  rows.push(['alert digest, MJML per recipient (ms)', fmt(latest.alertMjmlMsPerRecipient), '', '', 'same digests, same run']);
  rows.push(['  equal to the direct MJML render, MIME-checked', String(a.checked.recipients), '', ok(a.checked.problems.length === 0), 'HTML and text byte for byte; parsed back with mailparser']);
}
if (alerts.match) {
  const m = alerts.match;
  rows.push(['alert matching at ingest (articles/s)', fmt(latest.alertMatchArticlesPerSec, 4), '', ok(m.problems.length === 0),
    `${PLAN.alerts.match.subscribers.toLocaleString('en')} subscribers × ${PLAN.alerts.match.perSubscriber} keywords (Zipf; top followed by ${(alerts.seed?.topFollowers ?? []).slice(0, 3).join(', ')}); ${Math.round(m.pendingMatchesPerSec)} pending matches/s; ${fmt(m.lookupMsNoMatch, 1)} ms for an article nobody follows`]);
}
if (alerts.flush) {
  const f = alerts.flush;
  rows.push([`alert flush, ${f.windows.toLocaleString('en')} due windows`, `${fmt(f.seconds)} s`, '', ok(f.problems.length === 0), `peak RSS ${fmt(f.peakRssMb)} MB; ${f.mjmlCompiles} MJML compiles; ${f.checked} digests assembled and parsed back`]);
}
if (reconcile) {
  rows.push([`reconcile ${PLAN.reconcile.objects.toLocaleString('en')} objects (extra)`, `${fmt(reconcile.seconds)} s`, '', '', `peak RSS ${fmt(reconcile.peakRssMb)} MB; all new (events missed)`]);
}

process.stdout.write(`\nnews-digest benchmarks (${quick ? 'quick' : 'full'}) — ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGb} GB, Node ${machine.node}\n\n`);
process.stdout.write(`${table(['measure', 'value', 'target', '', 'notes'], rows)}\n\n`);
process.stdout.write(
  [
    'Throughput: one worker process (in-memory stores, 128 in flight) against the SES stand-in. Rate cap: four worker',
    'processes sharing the DynamoDB send slots, the SES stand-in enforcing the cap. Scale runs: the local emulators in their',
    'own process; the fan-out (edition function) in a fresh process, the sending in four containers of the bundled send',
    'handler, each with the heap limits Lambda gives the function. docs/performance.md defines every figure; the settings',
    'are in bench/results/latest.json. Details: bench/results/latest-details.json.',
    '',
  ].join('\n'),
);
if (steal && steal.shareOfVcpuTime >= 0.03) {
  process.stdout.write(`The host took ${(100 * steal.shareOfVcpuTime).toFixed(1)} % of this VM's vCPU time during the run (steal, ${steal.seconds} s): its figures read slower than the machine's own.\n\n`);
}
if (sendFlags.length > 0) process.stdout.write(`The scale runs' send containers ran with ${sendFlags.join(' ')} (--send-flags): their CPU figures are not the deployed function's.\n\n`);
if (problems.length > 0) process.stdout.write(`Problems:\n${problems.map((p) => `  - ${p}`).join('\n')}\n\n`);
process.stdout.write(`Wrote bench/results/latest.json, latest-extra.json, latest-details.json in ${totalSeconds.toFixed(1)} s.\n`);
if (problems.length > 0) process.exitCode = 1;
