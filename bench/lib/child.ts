/**
 * Child processes of the benchmarks. Each measurement that needs its own event loop, its
 * own RSS or a fresh module cache runs as `node --import tsx bench/<script>.ts`, gets its
 * parameters as one JSON argument, logs to stderr, and ends by printing one line
 * `BENCH_RESULT {json}` on stdout.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { entryArgs } from './prebuilt.ts';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const RESULT = 'BENCH_RESULT ';

/** Tells the parent that a phase starts (a `runChild` `onLine` callback sees it). */
export function signal(phase: string): void {
  process.stdout.write(`PHASE ${phase}\n`);
}

/** Prints the result of a benchmark child (its last stdout line). */
export function reportResult(value: unknown): void {
  process.stdout.write(`${RESULT}${JSON.stringify(value)}\n`);
}

/** The JSON parameters a child was started with. */
export function childParams<T>(): T {
  const raw = process.argv[2];
  if (!raw) throw new Error('expected one JSON argument');
  return JSON.parse(raw) as T;
}

export interface RunOptions {
  env?: Record<string, string>;
  nodeArgs?: string[];
  /** Give up after this long (ms). */
  timeoutMs?: number;
  /** Forward the child's stderr to ours (default: only when it fails). */
  verbose?: boolean;
  /** Called with each stdout line that is not the result (progress signals). */
  onLine?: (line: string) => void;
  /**
   * A line for the child's stdin, written when it resolves (the child reads it with
   * `nextInputLine()`): a child started ahead of its run waits for it before the measured part.
   */
  input?: Promise<string>;
}

let inputLines: AsyncIterator<string> | undefined;
/**
 * The next line the parent wrote to this child's stdin (`RunOptions.input`).
 *
 * @example
 * ```ts
 * const go = JSON.parse(await nextInputLine()) as { edition?: string };
 * ```
 */
export async function nextInputLine(): Promise<string> {
  inputLines ??= createInterface({ input: process.stdin })[Symbol.asyncIterator]();
  const { value, done } = await inputLines.next();
  if (done) throw new Error('stdin closed before the parent said go');
  return String(value);
}

/**
 * Runs `bench/<script>` in a fresh Node process with tsx and returns what it reported.
 *
 * @example
 * ```ts
 * const r = await runChild<{ ms: number }>('personalize.ts', { rounds: 3 });
 * ```
 */
export function runChild<T>(script: string, params: unknown, options: RunOptions = {}): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [...(options.nodeArgs ?? []), '--import', 'tsx', fileURLToPath(new URL(`../${script}`, import.meta.url)), JSON.stringify(params)],
      { cwd: ROOT, env: { ...process.env, ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] },
    );
    // stdin: closed at once, unless a line is to come (`input`).
    if (options.input) {
      options.input.then(
        (line) => child.stdin.end(`${line}\n`),
        () => child.stdin.end(),
      );
    } else child.stdin.end();
    let result: T | undefined;
    let stderr = '';
    const timer = options.timeoutMs
      ? setTimeout(() => {
          child.kill('SIGKILL');
          reject(new Error(`${script} took longer than ${options.timeoutMs} ms`));
        }, options.timeoutMs)
      : undefined;
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line.startsWith(RESULT)) result = JSON.parse(line.slice(RESULT.length)) as T;
      else {
        options.onLine?.(line);
        if (options.verbose) process.stderr.write(`  [${script}] ${line}\n`);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      stderr = (stderr + text).slice(-20_000);
      if (options.verbose) process.stderr.write(text.replace(/^/gm, `  [${script}] `));
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (timer) clearTimeout(timer);
      if (code === 0 && result !== undefined) resolve(result);
      else reject(new Error(`${script} exited with ${code}${result === undefined ? ' without a result' : ''}\n${stderr.trim()}`));
    });
  });
}

/** A long-lived helper process that prints one JSON line when ready and stops when its stdin closes. */
export interface Service<T> {
  info: T;
  process: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Starts a helper process (`node <path relative to the repository, prebuilt> ...args`) that
 * prints one JSON line when ready; stops it by closing its stdin (then SIGTERM, then SIGKILL).
 */
export async function startService<T>(path: string, args: string[], options: { env?: Record<string, string>; readyTimeoutMs?: number; nodeArgs?: string[] } = {}): Promise<Service<T>> {
  // These helpers measure nothing: run from a prebuilt file (bench/lib/prebuilt.ts says why).
  const entry = await entryArgs(path);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), ...entry, ...args], {
      cwd: ROOT,
      env: { ...process.env, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-10_000);
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${path} was not ready in time\n${stderr}`));
    }, options.readyTimeoutMs ?? 30_000);
    let stopping = false;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      const message = `${path} exited with ${code ?? signal}\n${stderr.trim()}`;
      if (!stopping) process.stderr.write(`${message}\n`);
      reject(new Error(message));
    });
    child.on('error', reject);
    const lines = createInterface({ input: child.stdout });
    lines.once('line', (line) => {
      clearTimeout(timer);
      let info: T;
      try {
        info = JSON.parse(line) as T;
      } catch {
        reject(new Error(`${path} printed ${line}`));
        return;
      }
      resolve({
        info,
        process: child,
        stop: async () => {
          stopping = true;
          if (child.exitCode !== null || child.signalCode !== null) return;
          child.stdin.end();
          const soft = setTimeout(() => child.kill('SIGTERM'), 3_000);
          const hard = setTimeout(() => child.kill('SIGKILL'), 6_000);
          await exited;
          clearTimeout(soft);
          clearTimeout(hard);
        },
      });
    });
  });
}
