/**
 * The rate-cap benchmark's orchestration: a local stack in its own process (dynalite holding
 * the shared send-slot sequence), the SES front in another (enforcing MaxSendRate, stamping
 * requests on arrival, answering `Throttling` above the rate), and four send-worker processes
 * (bench/rate-worker.ts) started together for each cap.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface, type Interface } from 'node:readline';
import { ROOT, startService } from './child.ts';
import { entryArgs } from './prebuilt.ts';
import { tightestSpan } from '../../infra/local/sliding-second.ts';

export interface RateCapRun {
  cap: number;
  workers: number;
  messages: number;
  /** (n − 1) / (last − first) over the arrival times at the SES front. */
  achieved: number;
  achievedShare: number;
  maxPerSlidingSecond: number;
  maxPerCalendarSecond: number;
  /**
   * The shortest time from one arrival to the cap-th after it (cap + 1 arrivals in a row), ms:
   * under 1,000 a sliding second would hold more than the cap. The slots put 1,000 ÷ 0.98 ≈
   * 1,020 ms there; what is missing from that is how far the sends' jitter (late starts,
   * the way to SES, the stand-in's stamping) ate into the limiter's margin.
   */
  tightestSpanMs: number;
  throttles: number;
  /** Distinct recipients among the accepted messages (each must be there once). */
  distinctRecipients: number;
  workerCpuMsPerMessage: number;
  outcomes: Record<string, number>;
  /** Gaps between arrivals, counted in slots (a slot given up by a late worker, or not used). */
  missedSlots: number;
  /**
   * Slots the workers gave up, by the check that gave them up (bench/rate-worker.ts counts them
   * around the limiter and the provider): `beforeCall`, the send was more than 8 ms late when
   * it looked before the call; `atWrite`, its request could not be written by then (the
   * start-by time). Each is a slot of the shared sequence that went unused.
   */
  slotsGivenUp: { beforeCall: number; atWrite: number };
}

interface Worker {
  child: ChildProcess;
  lines: Interface;
  next(): Promise<string>;
}

/** `entry`: node's arguments to run bench/rate-worker.ts (its prebuilt file, bench/lib/prebuilt.ts). */
function startWorker(entry: string[], env: Record<string, string>, verbose: boolean, renderedFile?: string): Worker {
  const child = spawn(process.execPath, [...(process.env.RATE_PROF ? ['--cpu-prof', '--cpu-prof-dir=' + process.env.RATE_PROF] : []), ...entry, JSON.stringify(env), ...(renderedFile ? [renderedFile] : [])], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => {
    stderr = (stderr + c.toString()).slice(-5000);
    if (verbose) process.stderr.write(c.toString().replace(/^/gm, '  [rate-worker] '));
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const queue: string[] = [];
  const waiting: ((line: string) => void)[] = [];
  lines.on('line', (line) => {
    const w = waiting.shift();
    if (w) w(line);
    else queue.push(line);
  });
  const exited = new Promise<string>((_, reject) => child.once('exit', (code) => reject(new Error(`rate worker exited with ${code}: ${stderr}`))));
  exited.catch(() => undefined);
  return {
    child,
    lines,
    next: () => Promise.race([queue.length > 0 ? Promise.resolve(queue.shift() as string) : new Promise<string>((r) => waiting.push(r)), exited]),
  };
}

/** The most times in any sliding one-second window [t, t + 1000). */
export function busiestSlidingSecond(times: readonly number[]): number {
  let most = 0;
  for (let a = 0, b = 0; a < times.length; a++) {
    while (b < times.length && (times[b] as number) < (times[a] as number) + 1000) b++;
    most = Math.max(most, b - a);
  }
  return most;
}

/** The stack and the four workers, started and warmed up (the set-up of the rate-cap runs). */
export interface RateCapRig {
  stack: Awaited<ReturnType<typeof startService<{ env: Record<string, string>; endpoints: { ses: string }; tallyUrl: string }>>>;
  workers: Worker[];
  /** The next reader index not yet used. */
  from: number;
  latencyMs: number;
  /** When the last messages sent were done (ms since the epoch): the next run starts at least 1.1 s later. */
  lastDoneAt: number;
  /** Ends the workers and the stack. */
  stop(): Promise<void>;
  /** Ends the workers only (the stack serves a later run: `rateCapRuns`' `keepStack`). */
  stopWorkers(): Promise<void>;
}

async function sesCall(ses: string, path: string, body?: unknown): Promise<unknown> {
  return (await fetch(`${ses}${path}`, body === undefined ? {} : { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } })).json();
}

/** Each worker sends 40 messages with no cap enforced (not measured). */
async function warmUp(rig: RateCapRig, edition: string): Promise<void> {
  await sesCall(rig.stack.info.endpoints.ses, '/faults', { maxSendRate: 100_000, latencyMs: rig.latencyMs, max24HourSend: 100_000_000 });
  for (const w of rig.workers) {
    w.child.stdin?.write(`${JSON.stringify({ cap: 1000, edition, from: rig.from, count: 40, startAt: 0 })}\n`);
    rig.from += 40;
  }
  await Promise.all(rig.workers.map((w) => w.next()));
  rig.lastDoneAt = Date.now();
}

/**
 * Starts the rate-cap runs' stack and `workers` worker processes and warms them up (each
 * sends a few messages, so no cap's run pays for loading and compiling the send path). Not
 * measured: bench/run.ts does it during the set-up.
 *
 * @example
 * ```ts
 * const rig = await prepareRateCap({ verbose: false });
 * const runs = await rateCapRuns({ caps: [14, 50, 200], seconds: 10, log: console.error }, rig);
 * ```
 */
export async function prepareRateCap(options: { workers?: number; latencyMs?: number; verbose?: boolean; renderedFile?: Promise<string> } = {}): Promise<RateCapRig> {
  const n = options.workers ?? 4;
  const latencyMs = options.latencyMs ?? 50;
  // The SES front in a process of its own (bench/lib/stack-process.ts, `sesProcess`): it stamps
  // each request when it arrives, and in the stack's process dynalite's work held it up.
  const sesProcess = await entryArgs('infra/local/ses-front-process.ts');
  const stack = await startService<{ env: Record<string, string>; endpoints: { ses: string }; tallyUrl: string }>('bench/lib/stack-process.ts', [JSON.stringify({ keepCaptured: true, sesProcess })], { readyTimeoutMs: 60_000 });
  // `renderedFile`: the fixture edition the set-up rendered (bench/lib/rendered-fixture.ts); without it each worker renders its own.
  const renderedFile = options.renderedFile ? await options.renderedFile.catch(async (error: unknown) => {
    await stack.stop();
    throw error;
  }) : undefined;
  const entry = await entryArgs('bench/rate-worker.ts');
  const workers = Array.from({ length: n }, () => startWorker(entry, stack.info.env, options.verbose ?? false, renderedFile));
  const stopWorkers = async () => {
    for (const w of workers) w.child.stdin?.end();
    await Promise.all(workers.map((w) => (w.child.exitCode === null ? new Promise((r) => w.child.once('exit', r)) : undefined)));
  };
  const stop = async () => {
    await stopWorkers();
    await stack.stop();
  };
  try {
    for (const w of workers) {
      const line = await w.next();
      if (line !== 'READY') throw new Error(`rate worker: ${line}`);
    }
    const rig: RateCapRig = { stack, workers, from: 0, latencyMs, lastDoneAt: 0, stop, stopWorkers };
    await warmUp(rig, 'rate-warm-up');
    return rig;
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * Runs each cap in turn for about `seconds` with four workers (on `rig` when given, else on
 * a stack and workers of its own), then stops the workers and the stack. A cap runs for
 * `minMessages` messages at least: achieved is (n − 1) ÷ (last − first), so one slot missed
 * costs 100 ÷ (n − 1) points, and at 14/s over 3 s (44 messages) that is 2.2 points, more
 * than the 1 point between the limiter's best (98 %) and the target (97 %). Every run starts
 * with the shared sequence behind the clock, and the workers' first claims can leave a slot
 * of it unused there (docs/performance.md, "Known gaps"): with 100 messages a slot is a
 * point at most.
 *
 * @example
 * ```ts
 * const runs = await rateCapRuns({ caps: [14, 50, 200], seconds: 10, minMessages: 100, log: console.error });
 * ```
 */
export async function rateCapRuns(options: { caps: number[]; seconds: number; minMessages?: number; workers?: number; latencyMs?: number; log: (line: string) => void; verbose?: boolean; keepStack?: boolean }, rig?: RateCapRig): Promise<RateCapRun[]> {
  const prepared = rig ?? (await prepareRateCap(options));
  const { stack, workers } = prepared;
  const n = workers.length;
  const ses = stack.info.endpoints.ses;
  const call = (path: string, body?: unknown) => sesCall(ses, path, body);
  const runs: RateCapRun[] = [];
  try {
    let from = prepared.from;
    for (const cap of options.caps) {
      await call('/faults', { maxSendRate: cap, enforceRate: true, latencyMs: prepared.latencyMs, max24HourSend: 100_000_000 });
      // Throttles are counted from here, the priming messages' included.
      const before = (await call('/stats')) as { throttled: number; accepted: number };
      const count = Math.ceil(Math.max(cap * options.seconds, options.minMessages ?? 0) / n);
      // Each worker prepares its readers and its service, sends one priming message of the
      // run's edition (at this cap, through the shared slots) and says ARMED; then all four are
      // given the same start, half a second ahead (the line reaches each in well under a
      // millisecond; the rest lets each settle, as the fixed 1.5 s margin did), and more than a
      // second after the previous run's last message, so that no sliding second at the
      // stand-in holds messages of two runs.
      for (const w of workers) {
        w.child.stdin?.write(`${JSON.stringify({ cap, edition: `rate-${cap}`, from, count, startAt: 'go' })}\n`);
        from += count;
      }
      for (const w of workers) {
        const line = await w.next();
        if (line !== 'ARMED') throw new Error(`rate worker: ${line}`);
      }
      // Each worker primed itself with one message of the run's edition (bench/rate-worker.ts):
      // the stand-in's records are taken from here on, so only the run's messages count.
      await call('/raw/clear', {});
      const startAt = Math.max(Date.now() + 500, prepared.lastDoneAt + 1100);
      for (const w of workers) w.child.stdin?.write(`${JSON.stringify({ startAt })}\n`);
      const results = await Promise.all(workers.map(async (w) => JSON.parse((await w.next()).replace(/^DONE /, '')) as { outcomes: Record<string, number>; cpuMs: number; slots: { givenUpBeforeCall: number; givenUpAtWrite: number } }));
      prepared.lastDoneAt = Date.now();
      const after = (await call('/stats')) as { throttled: number; accepted: number };
      const captured = (await call('/raw')) as { at: number; receivedAt: number; destinations: string[]; tags: Record<string, string> }[];
      const mine = captured.filter((c) => c.tags.edition === `rate-${cap}`);
      const times = mine.map((c) => c.receivedAt).sort((a, b) => a - b);
      const calendar = new Map<number, number>();
      for (const t of times) calendar.set(Math.floor(t / 1000), (calendar.get(Math.floor(t / 1000)) ?? 0) + 1);
      const outcomes: Record<string, number> = {};
      for (const r of results) for (const [k, v] of Object.entries(r.outcomes)) outcomes[k] = (outcomes[k] ?? 0) + v;
      const spacing = 1000 / cap;
      let missedSlots = 0;
      for (let i = 1; i < times.length; i++) missedSlots += Math.max(0, Math.round(((times[i] as number) - (times[i - 1] as number)) / spacing / 1.02) - 1);
      const achieved = times.length > 1 ? ((times.length - 1) * 1000) / ((times.at(-1) as number) - (times[0] as number)) : 0;
      const run: RateCapRun = {
        cap,
        workers: n,
        messages: times.length,
        achieved,
        achievedShare: achieved / cap,
        maxPerSlidingSecond: busiestSlidingSecond(times),
        maxPerCalendarSecond: Math.max(0, ...calendar.values()),
        tightestSpanMs: tightestSpan(times, cap),
        throttles: after.throttled - before.throttled,
        distinctRecipients: new Set(mine.map((c) => c.destinations[0])).size,
        workerCpuMsPerMessage: results.reduce((a, r) => a + r.cpuMs, 0) / Math.max(1, times.length),
        outcomes,
        missedSlots,
        slotsGivenUp: { beforeCall: results.reduce((a, r) => a + r.slots.givenUpBeforeCall, 0), atWrite: results.reduce((a, r) => a + r.slots.givenUpAtWrite, 0) },
      };
      if (process.env.RATE_DEBUG) options.log(JSON.stringify(await (await fetch(stack.info.tallyUrl)).json()));
      if (process.env.RATE_DEBUG) {
        const gaps: string[] = [];
        for (let i = 1; i < times.length; i++) {
          const d = (times[i] as number) - (times[i - 1] as number);
          if (d > 1.6 * spacing) gaps.push(`@${((times[i - 1] as number) - (times[0] as number)).toFixed(0)}ms+${d.toFixed(0)}`);
        }
        options.log(`gaps (spacing ${spacing.toFixed(1)} ms, span ${((times.at(-1) as number) - (times[0] as number)).toFixed(0)} ms): ${gaps.join(' ')}`);
      }
      options.log(`rate cap ${cap}/s, ${n} workers: ${achieved.toFixed(2)}/s (${(100 * run.achievedShare).toFixed(1)} %), most in a sliding second ${run.maxPerSlidingSecond} (the tightest ${cap + 1} in a row span ${run.tightestSpanMs} ms), throttles ${run.throttles}, slots missed ${missedSlots} (given up ${run.slotsGivenUp.beforeCall} before the call, ${run.slotsGivenUp.atWrite} at the write)`);
      runs.push(run);
    }
  } finally {
    if (options.keepStack) {
      // The stack serves a later run (bench/run.ts: the cold starts): the SES front back to the
      // stack's first settings (no cap enforced, no latency) and its records dropped.
      await prepared.stopWorkers();
      await call('/faults', { maxSendRate: 100_000, max24HourSend: 10_000_000 });
      await call('/raw/clear', {});
    } else await prepared.stop();
  }
  return runs;
}
