/**
 * A Lambda container stand-in (child process, IPC): imports one handler (the bundled `.mjs`
 * from `serverless package`, or a source file when started with `--import tsx`) with the
 * environment it was started with, and runs the invocations its parent sends, one at a time,
 * as Lambda runs them in a container. Its CPU time is the function's own: the event source
 * (the SQS polling of infra/local/lambda-driver.ts) runs in the parent.
 *
 * Plain JavaScript, so that a bundle runs under plain `node` as on Lambda: a TypeScript
 * loader (tsx) registered in the process would stay in it, on a thread of its own, and its
 * hooks and source-map handling would be counted as the function's CPU.
 *
 * Messages from the parent: `{ id, event, remainingMs }` (an invocation) and `{ id, stats: true }`
 * (CPU time so far and per invocation, the live heap after a forced collection and its V8 spaces, peak RSS; with
 * BENCH_HEAP_SNAPSHOT_DIR set, a heap snapshot there too).
 */
import { pathToFileURL } from 'node:url';

const file = process.argv[2];
if (!file || !process.send) throw new Error('usage: node lambda-container.mjs HANDLER_FILE (with an IPC channel)');
// Peak RSS: the kernel's high-water mark, and the resident size sampled every 250 ms (only the
// RSS: a whole process.memoryUsage() walks the V8 heap and cost this process measurable CPU;
// sampled every 50 ms, the RSS reads alone were 2.4 % of a send container's CPU in a profile of
// the 10,000-reader run, counted as the function's).
let sampledRss = process.memoryUsage.rss();
const sampler = setInterval(() => {
  sampledRss = Math.max(sampledRss, process.memoryUsage.rss());
}, 250);
sampler.unref();
const start = process.cpuUsage();
/** @type {{ handler: (event: unknown, context: unknown) => Promise<unknown> }} */
const { handler } = await import(pathToFileURL(file).href);
// The function's CPU per message is counted from here (or from a `resetCpu` message: a
// container started ahead of its run does not count the waiting): the import (Lambda's init
// phase) is reported apart.
let cpu0 = process.cpuUsage();
const initCpuMs = (cpu0.user - start.user + cpu0.system - start.system) / 1000;
/**
 * Each invocation's own CPU time (the process's, all threads, from the call to the handler to
 * its answer) and its record count, in order: how the cost of a message changes as the
 * container warms up.
 * @type {[number, number][]}
 */
const invocations = [];
/** @type {(() => void) | undefined} */
const gc = /** @type {{ gc?: () => void }} */ (globalThis).gc;
const MB = 1024 * 1024;

process.on('message', (/** @type {{ id: number; event?: unknown; remainingMs?: number; stats?: boolean; resetCpu?: boolean }} */ message) => {
  void (async () => {
    if (message.resetCpu) {
      cpu0 = process.cpuUsage();
      invocations.length = 0;
      process.send?.({ id: message.id });
      return;
    }
    if (message.stats) {
      const used = process.cpuUsage(cpu0);
      gc?.();
      const liveHeapMb = process.memoryUsage().heapUsed / MB;
      // Which V8 spaces hold it (compiled code apart), loaded only now: not in the counted CPU.
      const { getHeapSpaceStatistics } = await import('node:v8');
      /** @type {Record<string, number>} */
      const spacesMb = {};
      for (const space of getHeapSpaceStatistics()) spacesMb[space.space_name] = Math.round((space.space_used_size / MB) * 1000) / 1000;
      clearInterval(sampler);
      sampledRss = Math.max(sampledRss, process.memoryUsage.rss());
      const maxRssMb = process.resourceUsage().maxRSS / 1024;
      const memory = { peakMb: Math.max(sampledRss / MB, maxRssMb), sampledMb: sampledRss / MB, maxRssMb };
      // bench --heap-snapshots=DIR: the heap as measured (after the RSS readings: writing one takes memory), for bench/lib/heap-diff.ts (what grew between two sizes).
      const snapshots = process.env.BENCH_HEAP_SNAPSHOT_DIR;
      if (snapshots) (await import('node:v8')).writeHeapSnapshot(`${snapshots}/send-${process.pid}.heapsnapshot`);
      process.send?.({ id: message.id, stats: { cpuMs: (used.user + used.system) / 1000, initCpuMs, liveHeapMb, spacesMb, memory, invocations } });
      return;
    }
    const end = Date.now() + (message.remainingMs ?? 60_000);
    const before = process.cpuUsage();
    try {
      const result = await handler(message.event, { getRemainingTimeInMillis: () => end - Date.now() });
      const used = process.cpuUsage(before);
      const records = /** @type {{ Records?: unknown[] }} */ (message.event)?.Records?.length ?? 0;
      invocations.push([(used.user + used.system) / 1000, records]);
      process.send?.({ id: message.id, result });
    } catch (error) {
      process.send?.({ id: message.id, error: error instanceof Error ? error.stack ?? error.message : String(error) });
    }
  })();
});
// A container does not outlive its parent (the event source).
process.on('disconnect', () => process.exit(0));
// Stopped by the pool: exit normally, so that --cpu-prof (bench --profile) writes its profile.
process.on('SIGTERM', () => process.exit(0));
process.send({ ready: true });
