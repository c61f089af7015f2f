/**
 * The SES front in a process of its own (`ses-front-process.ts`), driven from this one over
 * its HTTP routes. For runs that judge timing by when requests reach SES (the four-worker
 * rate test, the rate-cap benchmark): in the stack's process the front shares its event loop
 * with dynalite, s3rver, local SQS and whatever the test runs there, and a request is stamped
 * only when that loop gets to it (stalls of 10–20 ms were measured there), which reads as a
 * send that came late. In its own process the front has nothing else to do.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { setPriority } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { CapturedMessage, SesFaults, SesStats } from './ses-front.ts';

/**
 * V8 flags of the front process. It is the rate's clock: a request is stamped only when its
 * event loop gets to it, so every pause of its own delays stamps. With V8's defaults its
 * collections took up to 32 ms in a rate run under load (keeping raw bytes) and 7–13 ms
 * without raw bytes; with a young generation and an initial old space this large it
 * collected about three times a run, 7 ms at the longest (test/integration/delivery/rate-four-workers.test.ts,
 * two busy loops beside it).
 */
const STAMPING_NODE_ARGS = ['--min-semi-space-size=16', '--initial-old-space-size=64'];

/**
 * The front's scheduling priority where the OS allows it (root or CAP_SYS_NICE; else it stays
 * as it is): under load, its event loop waited up to 22 ms for a vCPU behind the workers it
 * judges (p99 5 ms), with nice −10 up to 10 ms (p99 2–3 ms). An instrument that stamps late
 * reads a send as late.
 */
const STAMPING_NICE = -10;

function raisePriority(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    setPriority(pid, STAMPING_NICE);
  } catch {
    // Not permitted here: the front runs at the default priority.
  }
}

const SCRIPT = fileURLToPath(new URL('./ses-front-process.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A running SES front process. */
export interface RemoteSesFront {
  url: string;
  /** Replaces every fault (absent ones are off), as `SesFront.setFaults` does. */
  setFaults(faults: SesFaults): Promise<void>;
  stats(): Promise<SesStats>;
  /** The accepted messages it kept (raw bytes only when started with `keepRaw`). */
  messages(): Promise<CapturedMessage[]>;
  /** Drops the kept messages. */
  clear(): Promise<void>;
  /** Ends the process (also ended when this process exits: it stops when its stdin closes). */
  stop(): Promise<void>;
}

/** Options of {@link startSesFrontProcess}. */
export interface RemoteSesFrontOptions {
  faults?: SesFaults;
  /** Keep each accepted message's raw bytes (default false: its fields and times only). */
  keepRaw?: boolean;
  /**
   * Node's arguments that run `ses-front-process.ts` (default through tsx; the benchmarks
   * pass a prebuilt file of it, bench/lib/prebuilt.ts).
   */
  entry?: string[];
  /** V8 flags of the process (default: a larger young generation and old space, see STAMPING_NODE_ARGS). */
  nodeArgs?: string[];
  /** How long to wait for the process to say it is listening (default 30 s). */
  readyTimeoutMs?: number;
}

async function call<T>(url: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${url}${path}`, body === undefined ? {} : { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  if (!response.ok) throw new Error(`SES front ${path}: HTTP ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/**
 * Starts the SES front in a child process on 127.0.0.1 (a free port, no mailbox, nothing
 * forwarded) and waits until it listens.
 *
 * @example
 * ```ts
 * const ses = await startSesFrontProcess({ faults: { maxSendRate: 20, enforceRate: true } });
 * const env = { ...stack.env, SES_ENDPOINT: ses.url };
 * const { throttled } = await ses.stats();
 * await ses.stop();
 * ```
 */
export async function startSesFrontProcess(options: RemoteSesFrontOptions = {}): Promise<RemoteSesFront> {
  const child: ChildProcess = spawn(process.execPath, [
    ...(options.nodeArgs ?? STAMPING_NODE_ARGS), ...(options.entry ?? ['--import', 'tsx', SCRIPT]), '--port', '0', '--no-mailbox', '--no-forward', ...(options.keepRaw ? [] : ['--no-raw']), '--stop-on-stdin-close',
  ], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = once(child, 'exit');
  raisePriority(child.pid);
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.stdin?.end();
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };
  try {
    const line = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the SES front process did not start in ${options.readyTimeoutMs ?? 30_000} ms: ${stderr}`)), options.readyTimeoutMs ?? 30_000);
      child.once('exit', (code) => reject(new Error(`the SES front process exited (${code}) before it was ready: ${stderr}`)));
      createInterface({ input: child.stdout as NodeJS.ReadableStream }).once('line', (l) => {
        clearTimeout(timer);
        resolve(l);
      });
    });
    const { url } = JSON.parse(line) as { url: string };
    const front: RemoteSesFront = {
      url,
      setFaults: async (faults) => {
        await call(url, '/faults', faults);
      },
      stats: () => call<SesStats>(url, '/stats'),
      messages: async () => (await call<Array<Omit<CapturedMessage, 'raw'> & { raw: string }>>(url, '/raw'))
        .map((m) => ({ ...m, raw: Buffer.from(m.raw, 'base64') })),
      clear: async () => {
        await call(url, '/raw/clear', {});
      },
      stop,
    };
    if (options.faults) await front.setFaults(options.faults);
    return front;
  } catch (error) {
    await stop();
    throw error;
  }
}
