/**
 * Work on the local stack that must not be measured (child process): seeding subscribers
 * and articles, uploading article files, and (set-up only) a fan-out whose time is not a
 * figure. Runs in its own process so that the measured process's peak memory holds none of it.
 *
 * Two ways to run it:
 * - `node --import tsx bench/stack-tasks.ts '{"env":…,"upload":15}'`: one task, then exits
 *   (`BENCH_RESULT {json}` on stdout, as every benchmark child);
 * - `node --import tsx bench/stack-tasks.ts --serve`: a long-lived seeder for the set-up
 *   (bench/lib/seeder.ts). It prints `READY`, then takes one task per stdin line
 *   `{"id":1,"task":{…}}` and answers each with `{"id":1,"result":{…}}` or
 *   `{"id":1,"error":"…"}`; tasks of different stacks run side by side. One process for
 *   every stack of a run: starting a tsx process and importing the ingest wiring cost about
 *   2.5 s of CPU each (measured: 2.6 s for the wiring's import alone), paid once instead of
 *   once per stack.
 */
import { createInterface } from 'node:readline';
import { childParams, reportResult } from './lib/child.ts';
import { seedSubscribers, uploadArticles } from './lib/seed.ts';

export interface StackTask {
  env: Record<string, string>;
  /** Article files to put in the content bucket. */
  upload?: number;
  /** Ingest the uploaded files (so that an edition has stories). */
  ingest?: boolean;
  /** Confirmed daily subscribers to write. */
  subscribers?: number;
  /**
   * Then run the edition function (from source) once: build the edition and fan it out to
   * every subscriber, for a run that measures the sending only (the result's `fanOut`).
   */
  fanOut?: { time?: string };
  /**
   * Only render the kit's fixture edition (MJML) and write it to this file, for the send
   * workers of the throughput and rate-cap runs (bench/lib/rendered-fixture.ts); `env` unused.
   */
  renderTo?: string;
}

export interface StackTaskResult {
  /** Seconds the writing took (uploads, ingest, subscribers). */
  seconds: number;
  uploaded: number;
  /** What the edition function returned (task.fanOut). */
  fanOut?: { edition: string; state: string; recipients: number };
  fanOutSeconds?: number;
}

/**
 * The app's configuration and wiring are this process's (functions/core/config.ts reads one
 * environment): work that goes through them (ingest, fan-out) runs one stack at a time.
 */
let wiringTurn: Promise<unknown> = Promise.resolve();
function withStackWiring<T>(env: Record<string, string>, work: () => Promise<T>): Promise<T> {
  const run = wiringTurn.then(async () => {
    const { useStack } = await import('./lib/use-stack.ts');
    useStack(env);
    return work();
  });
  wiringTurn = run.catch(() => undefined);
  return run;
}

async function runTask(task: StackTask): Promise<StackTaskResult> {
  const t0 = performance.now();
  if (task.renderTo) {
    const { writeFixtureEdition } = await import('./lib/rendered-fixture.ts');
    await writeFixtureEdition(task.renderTo);
    return { seconds: (performance.now() - t0) / 1000, uploaded: 0 };
  }
  const keys = task.upload ? await uploadArticles(task.env, task.upload) : [];
  if (task.ingest && keys.length > 0) {
    await withStackWiring(task.env, async () => {
      const { ingestService } = await import('../functions/wiring/ingest.ts');
      const { mapBounded } = await import('../functions/core/concurrency.ts');
      // Eight at a time (the articles are independent; one at a time took most of a small stack's set-up).
      await mapBounded(keys, 8, (key) => ingestService().ingestObject({ key }));
    });
  }
  if (task.subscribers) await seedSubscribers(task.env, task.subscribers);
  const seconds = (performance.now() - t0) / 1000;
  if (!task.fanOut) return { seconds, uploaded: keys.length };
  const fanOut = task.fanOut;
  const t1 = performance.now();
  const result = await withStackWiring(task.env, async () => {
    const { handler } = await import('../functions/edition.ts');
    return (await handler({ job: 'daily', time: fanOut.time ?? new Date().toISOString(), force: true })) as StackTaskResult['fanOut'];
  });
  return { seconds, uploaded: keys.length, ...(result ? { fanOut: result } : {}), fanOutSeconds: (performance.now() - t1) / 1000 };
}

if (process.argv[2] === '--serve') {
  process.stdout.write('READY\n');
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    if (!line.trim()) return;
    const { id, task } = JSON.parse(line) as { id: number; task: StackTask };
    runTask(task).then(
      (result) => process.stdout.write(`${JSON.stringify({ id, result })}\n`),
      (error: unknown) => process.stdout.write(`${JSON.stringify({ id, error: error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error) })}\n`),
    );
  });
  lines.on('close', () => process.exit(0));
} else {
  const params = childParams<StackTask>();
  const { useStack } = await import('./lib/use-stack.ts');
  useStack(params.env);
  reportResult(await runTask(params));
}
