/**
 * A pool of Lambda container stand-ins (bench/lib/lambda-container.mjs): each runs one
 * invocation at a time, as Lambda does; an invocation goes to an idle container.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ContainerStats {
  /** CPU time since the handler was imported (user + system). */
  cpuMs: number;
  /** CPU time of the import (Lambda's init phase). */
  initCpuMs: number;
  liveHeapMb: number;
  /** Used size per V8 heap space after the forced GC (code_space: compiled code; old_space: data). */
  spacesMb?: Record<string, number>;
  memory: { peakMb: number };
  /** Each invocation's CPU time (ms, the whole process during the call) and record count, in order. */
  invocations?: [number, number][];
}

/**
 * How a run's CPU per message splits between a container's warm-up and its steady state,
 * from its invocations: the first invocation's CPU per message, the second half's (each
 * container's later half of its invocations, once V8 has compiled the hot code), and the
 * warm-up (what the container used beyond the second half's rate for its records), per container.
 *
 * @example
 * ```ts
 * cpuByPhase([{ cpuMs: 500, initCpuMs: 30, liveHeapMb: 7, memory: { peakMb: 90 }, invocations: [[300, 100], [100, 100], [100, 100]] }]);
 * // { firstInvocationMsPerMessage: 3, secondHalfMsPerMessage: 1, warmUpMsPerContainer: 200, betweenInvocationsMsPerContainer: 0 }
 * ```
 */
export function cpuByPhase(stats: readonly ContainerStats[]): { firstInvocationMsPerMessage: number; secondHalfMsPerMessage: number; warmUpMsPerContainer: number; betweenInvocationsMsPerContainer: number } | undefined {
  const withCalls = stats.filter((s) => (s.invocations?.length ?? 0) >= 2);
  if (withCalls.length === 0) return undefined;
  const sum = (list: [number, number][], i: 0 | 1) => list.reduce((a, x) => a + x[i], 0);
  let first = 0;
  let firstRecords = 0;
  let late = 0;
  let lateRecords = 0;
  for (const s of withCalls) {
    const calls = s.invocations as [number, number][];
    first += calls[0]?.[0] ?? 0;
    firstRecords += calls[0]?.[1] ?? 0;
    const half = calls.slice(Math.floor(calls.length / 2));
    late += sum(half, 0);
    lateRecords += sum(half, 1);
  }
  const steady = late / Math.max(1, lateRecords);
  let warmUp = 0;
  let between = 0;
  for (const s of withCalls) {
    const calls = s.invocations as [number, number][];
    warmUp += sum(calls, 0) - steady * sum(calls, 1);
    between += s.cpuMs - sum(calls, 0);
  }
  return {
    firstInvocationMsPerMessage: first / Math.max(1, firstRecords),
    secondHalfMsPerMessage: steady,
    warmUpMsPerContainer: warmUp / withCalls.length,
    betweenInvocationsMsPerContainer: between / withCalls.length,
  };
}

interface Container {
  child: ChildProcess;
  busy: boolean;
  /** Its cgroup (v1 cpu controller), when its CPU is limited. */
  group?: string;
}

const CGROUP_CPU = '/sys/fs/cgroup/cpu';
const PERIOD_US = 100_000;

/**
 * Puts process `pid` in a cgroup of its own with a CPU quota of `share` of one CPU (cgroup v1
 * `cpu.cfs_quota_us`), as Lambda gives a function a share of a vCPU by its memory size.
 * Returns the cgroup's folder, or undefined where cgroups cannot be written (then the run is
 * not limited, and says so).
 */
function limitCpu(pid: number, share: number): string | undefined {
  const dir = `${CGROUP_CPU}/news-digest-bench-${process.pid}-${pid}`;
  try {
    mkdirSync(dir);
    writeFileSync(`${dir}/cpu.cfs_period_us`, String(PERIOD_US));
    writeFileSync(`${dir}/cpu.cfs_quota_us`, String(Math.round(PERIOD_US * share)));
    writeFileSync(`${dir}/cgroup.procs`, String(pid));
    return dir;
  } catch {
    try {
      rmdirSync(dir);
    } catch {
      // never made
    }
    return undefined;
  }
}

/**
 * @example
 * ```ts
 * const pool = await ContainerPool.start(4, '/tmp/send/functions/send.mjs', env, ['--expose-gc']);
 * await pool.invoke(sqsEvent);
 * ```
 */
export class ContainerPool {
  readonly #containers: Container[];
  readonly #waiting: ((c: Container) => void)[] = [];
  readonly #replies = new Map<number, (reply: { result?: unknown; error?: string; stats?: ContainerStats }) => void>();
  #next = 1;

  private constructor(containers: Container[]) {
    this.#containers = containers;
    for (const c of containers) {
      c.child.on('message', (m: { id?: number; result?: unknown; error?: string; stats?: ContainerStats }) => {
        if (m.id === undefined) return;
        this.#replies.get(m.id)?.(m);
        this.#replies.delete(m.id);
      });
    }
  }

  /**
   * Starts `count` containers of `handlerFile` (a `.mjs` bundle, or a `.ts` source run through
   * tsx); with `outputDir`, each container's standard output goes to a file there.
   */
  public static async start(count: number, handlerFile: string, env: Record<string, string>, nodeArgs: string[] = [], options: { verbose?: boolean; cpuShare?: number; outputDir?: string } = {}): Promise<ContainerPool> {
    const verbose = options.verbose ?? false;
    const script = fileURLToPath(new URL('./lambda-container.mjs', import.meta.url));
    // A bundle runs under plain node, as on Lambda; only a TypeScript source needs the loader.
    const loader = /\.[cm]?ts$/.test(handlerFile) ? ['--import', 'tsx'] : [];
    const containers = await Promise.all(
      Array.from({ length: count }, async () => {
        const child = fork(script, [handlerFile], {
          env: { PATH: process.env.PATH ?? '', ...env },
          execArgv: [...nodeArgs, ...loader],
          stdio: ['ignore', options.outputDir ? 'pipe' : verbose ? 'inherit' : 'ignore', 'pipe', 'ipc'],
        });
        // V8's --trace-* flags write to standard output: one file per container.
        if (options.outputDir) child.stdout?.pipe(createWriteStream(join(options.outputDir, `send-container-${child.pid}.log`)));
        let stderr = '';
        child.stderr?.on('data', (c: Buffer) => {
          stderr = (stderr + c.toString()).slice(-4000);
          if (verbose) process.stderr.write(c.toString().replace(/^/gm, '  [container] '));
        });
        await new Promise<void>((resolve, reject) => {
          child.once('message', () => resolve());
          child.once('exit', (code) => reject(new Error(`container exited with ${code}: ${stderr}`)));
        });
        const group = options.cpuShare && child.pid ? limitCpu(child.pid, options.cpuShare) : undefined;
        return { child, busy: false, ...(group ? { group } : {}) };
      }),
    );
    return new ContainerPool(containers);
  }

  /** Whether every container runs under a cgroup CPU quota. */
  public get cpuLimited(): boolean {
    return this.#containers.every((c) => c.group !== undefined);
  }

  #send(c: Container, message: object): Promise<{ result?: unknown; error?: string; stats?: ContainerStats }> {
    const id = this.#next++;
    return new Promise((resolve) => {
      this.#replies.set(id, resolve);
      c.child.send({ id, ...message });
    });
  }

  /** Runs one invocation on an idle container (waits for one). */
  public async invoke(event: unknown, remainingMs = 60_000): Promise<unknown> {
    const idle = this.#containers.find((c) => !c.busy);
    const c = idle ?? (await new Promise<Container>((r) => this.#waiting.push(r)));
    c.busy = true;
    try {
      const reply = await this.#send(c, { event, remainingMs });
      if (reply.error) {
        process.stderr.write(`container: the invocation failed: ${reply.error.slice(0, 2000)}\n`);
        throw new Error(reply.error);
      }
      return reply.result;
    } finally {
      c.busy = false;
      const w = this.#waiting.shift();
      if (w) {
        c.busy = true;
        w(c);
      }
    }
  }

  /**
   * Each container counts its CPU from now (it counted from the end of its import): a pool
   * started ahead of its run (held at a gate) does not count the waiting.
   */
  public async resetCpu(): Promise<void> {
    await Promise.all(this.#containers.map((c) => this.#send(c, { resetCpu: true })));
  }

  /** Each container's CPU time, live heap after a forced collection, and peak RSS. */
  public stats(): Promise<ContainerStats[]> {
    return Promise.all(this.#containers.map(async (c) => (await this.#send(c, { stats: true })).stats as ContainerStats));
  }

  public async stop(): Promise<void> {
    await Promise.all(this.#containers.map((c) => new Promise<void>((r) => {
      if (c.child.exitCode !== null) return r();
      c.child.once('exit', () => r());
      c.child.kill('SIGTERM');
    })));
    for (const c of this.#containers) {
      try {
        if (c.group) rmdirSync(c.group);
      } catch {
        // still in use for a moment: the kernel keeps an empty cgroup; harmless
      }
    }
  }
}
