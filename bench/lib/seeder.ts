/**
 * The set-up's seeder: one long-lived `bench/stack-tasks.ts --serve` process that seeds
 * every stack of a run (see that file for the protocol and why one process), started on
 * first use and stopped by `stop()`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { ROOT } from './child.ts';
import { entryArgs } from './prebuilt.ts';
import type { StackTask, StackTaskResult } from '../stack-tasks.ts';

export type { StackTask, StackTaskResult };

interface Reply {
  id: number;
  result?: StackTaskResult;
  error?: string;
}

/**
 * @example
 * ```ts
 * const seeder = new Seeder({ verbose: false });
 * const { seconds } = await seeder.run({ env, upload: 15, ingest: true, subscribers: 1000 });
 * await seeder.stop();
 * ```
 */
export class Seeder {
  readonly #verbose: boolean;
  #child: ChildProcess | undefined;
  #ready: Promise<void> | undefined;
  readonly #pending = new Map<number, { resolve: (r: StackTaskResult) => void; reject: (e: Error) => void }>();
  #next = 1;
  #stderr = '';

  public constructor(options: { verbose?: boolean } = {}) {
    this.#verbose = options.verbose ?? false;
  }

  #start(): Promise<void> {
    // The seeder measures nothing: run from a prebuilt file (bench/lib/prebuilt.ts).
    this.#ready ??= entryArgs('bench/stack-tasks.ts').then((entry) => new Promise<void>((resolve, reject) => {
      const child = spawn(process.execPath, [...entry, '--serve'], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
      this.#child = child;
      child.stderr?.on('data', (c: Buffer) => {
        this.#stderr = (this.#stderr + c.toString()).slice(-20_000);
        if (this.#verbose) process.stderr.write(c.toString().replace(/^/gm, '  [seeder] '));
      });
      let ready = false;
      createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
        if (!ready) {
          if (line === 'READY') {
            ready = true;
            resolve();
          } else if (this.#verbose) process.stderr.write(`  [seeder] ${line}\n`);
          return;
        }
        if (!line.startsWith('{')) return;
        const reply = JSON.parse(line) as Reply;
        const waiting = this.#pending.get(reply.id);
        if (!waiting) return;
        this.#pending.delete(reply.id);
        if (reply.result) waiting.resolve(reply.result);
        else waiting.reject(new Error(`stack task failed: ${reply.error ?? 'no result'}`));
      });
      child.once('exit', (code) => {
        const error = new Error(`the seeder exited with ${code}\n${this.#stderr.trim()}`);
        if (!ready) reject(error);
        for (const w of this.#pending.values()) w.reject(error);
        this.#pending.clear();
      });
      child.on('error', reject);
    }));
    return this.#ready;
  }

  /** Runs one task (tasks of different stacks run side by side). */
  public async run(task: StackTask): Promise<StackTaskResult> {
    await this.#start();
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#child?.stdin?.write(`${JSON.stringify({ id, task })}\n`);
    });
  }

  /** Ends the process (closing its stdin) and waits for it. */
  public async stop(): Promise<void> {
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.stdin?.end();
    await exited;
  }
}
