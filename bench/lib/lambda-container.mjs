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
 * (CPU time so far, the live heap after a forced collection, peak RSS).
 */
import { pathToFileURL } from 'node:url';

const file = process.argv[2];
if (!file || !process.send) throw new Error('usage: node lambda-container.mjs HANDLER_FILE (with an IPC channel)');
// Peak RSS: the kernel's high-water mark, and the resident size sampled every 50 ms (only the
// RSS: a whole process.memoryUsage() walks the V8 heap and cost this process measurable CPU).
let sampledRss = process.memoryUsage.rss();
const sampler = setInterval(() => {
  sampledRss = Math.max(sampledRss, process.memoryUsage.rss());
}, 50);
sampler.unref();
const start = process.cpuUsage();
/** @type {{ handler: (event: unknown, context: unknown) => Promise<unknown> }} */
const { handler } = await import(pathToFileURL(file).href);
// The function's CPU per message is counted from here (or from a `resetCpu` message: a
// container started ahead of its run does not count the waiting): the import (Lambda's init
// phase) is reported apart.
let cpu0 = process.cpuUsage();
const initCpuMs = (cpu0.user - start.user + cpu0.system - start.system) / 1000;
/** @type {(() => void) | undefined} */
const gc = /** @type {{ gc?: () => void }} */ (globalThis).gc;
const MB = 1024 * 1024;

process.on('message', (/** @type {{ id: number; event?: unknown; remainingMs?: number; stats?: boolean; resetCpu?: boolean }} */ message) => {
  void (async () => {
    if (message.resetCpu) {
      cpu0 = process.cpuUsage();
      process.send?.({ id: message.id });
      return;
    }
    if (message.stats) {
      const used = process.cpuUsage(cpu0);
      gc?.();
      const liveHeapMb = process.memoryUsage().heapUsed / MB;
      clearInterval(sampler);
      sampledRss = Math.max(sampledRss, process.memoryUsage.rss());
      const maxRssMb = process.resourceUsage().maxRSS / 1024;
      const memory = { peakMb: Math.max(sampledRss / MB, maxRssMb), sampledMb: sampledRss / MB, maxRssMb };
      process.send?.({ id: message.id, stats: { cpuMs: (used.user + used.system) / 1000, initCpuMs, liveHeapMb, memory } });
      return;
    }
    const end = Date.now() + (message.remainingMs ?? 60_000);
    try {
      const result = await handler(message.event, { getRemainingTimeInMillis: () => end - Date.now() });
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
