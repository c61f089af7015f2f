/**
 * A Lambda container stand-in (child process, IPC): imports one handler (the bundled `.mjs`
 * from `serverless package`, or a source file through tsx) with the environment it was
 * started with, and runs the invocations its parent sends, one at a time, as Lambda runs
 * them in a container. Its CPU time is the function's own: the event source (the SQS
 * polling of infra/local/lambda-driver.ts) runs in the parent.
 *
 * Messages from the parent: `{ id, event, remainingMs }` (an invocation) and `{ id, stats: true }`
 * (CPU time so far, the live heap after a forced collection, peak RSS).
 */
import { pathToFileURL } from 'node:url';
import { RssSampler } from './memory.ts';

const file = process.argv[2];
if (!file || !process.send) throw new Error('usage: node --import tsx lambda-container.ts HANDLER_FILE (with an IPC channel)');
const memory = new RssSampler().start(50);
const start = process.cpuUsage();
const { handler } = (await import(pathToFileURL(file).href)) as { handler: (event: unknown, context: unknown) => Promise<unknown> };
// The function's CPU per message is counted from here: the import (Lambda's init phase) is reported apart.
const cpu0 = process.cpuUsage();
const initCpuMs = (cpu0.user - start.user + cpu0.system - start.system) / 1000;
const gc = (globalThis as { gc?: () => void }).gc;

interface Invocation {
  id: number;
  event?: unknown;
  remainingMs?: number;
  stats?: boolean;
}

process.on('message', (message: Invocation) => {
  void (async () => {
    if (message.stats) {
      const used = process.cpuUsage(cpu0);
      gc?.();
      const liveHeapMb = process.memoryUsage().heapUsed / 1024 / 1024;
      process.send?.({ id: message.id, stats: { cpuMs: (used.user + used.system) / 1000, initCpuMs, liveHeapMb, memory: memory.stop() } });
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
process.send({ ready: true });
