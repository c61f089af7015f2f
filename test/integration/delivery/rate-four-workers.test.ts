/**
 * Four send workers, one account rate: four worker processes (as serverless.yml runs four
 * send invocations at a time) take their send slots from the one sequence in the deliveries
 * table, and the local SES enforces MaxSendRate as SES does (a request that arrives when
 * MaxSendRate messages were accepted in the second before it is answered `Throttling`,
 * "Maximum sending rate exceeded."). Small: a cap of 20/s for about 10 s. The local SES runs in
 * a process of its own (infra/local/ses-front-remote.ts), as the rate-cap benchmark's does: in
 * this process it would stamp arrivals only when an event loop busy with dynalite, s3rver and
 * local SQS got to them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { loadavg } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pollUntil } from '../../helpers/poll.ts';
import { SEND_WORKER_SCRIPT } from '../../helpers/send-worker-process.ts';
import { startSesFrontProcess, type RemoteSesFront } from '../../../infra/local/ses-front-remote.ts';
import { tightestSpan } from '../../../infra/local/sliding-second.ts';
import { expectExactlyOnce, ledgerSettled, runEdition, seedReaders, startDeliveryStack, type DeliveryStack, type Readers } from './harness.ts';

const CAP = 20;
const WORKERS = 4;

/** The most arrival times in any sliding one-second window [t, t + 1000). */
function busiestSecond(times: readonly number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let a = 0, b = 0; a < sorted.length; a++) {
    while (b < sorted.length && (sorted[b] as number) < (sorted[a] as number) + 1000) b++;
    most = Math.max(most, b - a);
  }
  return most;
}

describe('four send workers under one account rate', () => {
  let h: DeliveryStack;
  let readers: Readers;
  let ses: RemoteSesFront | undefined;
  const workers: ChildProcess[] = [];

  beforeAll(async () => {
    h = await startDeliveryStack({ SEND_CONCURRENCY: '32' });
    readers = await seedReaders(h, 'rate4', CAP * 10);
    ses = await startSesFrontProcess();
  }, 120_000);

  afterAll(async () => {
    for (const w of workers) {
      if (w.exitCode === null && w.signalCode === null) {
        const exited = once(w, 'exit');
        w.kill('SIGTERM');
        await exited;
      }
    }
    await ses?.stop();
    await h?.stop();
  });

  it('keeps every sliding second at or under MaxSendRate, with no throttling, and sends each reader once', async () => {
    // Prepare: SES enforces 20/s; the edition is fanned out before the workers start
    const front = ses as RemoteSesFront;
    await front.setFaults({ maxSendRate: CAP, enforceRate: true });
    const run = await runEdition(h, { time: '2031-06-01T06:00:00.000Z' });

    // Act: four worker processes drain the send queue together
    let stderr = '';
    for (let i = 0; i < WORKERS; i++) {
      const w = spawn(process.execPath, ['--import', 'tsx', SEND_WORKER_SCRIPT], {
        env: { ...process.env, ...h.env, SES_ENDPOINT: front.url, WORKER_TIMEOUT_MS: '90000' },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      w.stderr?.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      workers.push(w);
    }
    await pollUntil(() => ledgerSettled(run.edition), { timeoutMs: 90_000, intervalMs: 200, message: 'every reader to be sent to' }).catch((error: unknown) => {
      throw new Error(`${String(error)}; the workers' stderr ends: ${stderr.slice(-1500)}`);
    });
    await pollUntil(async () => (await import('../../../functions/wiring/common.ts')).editionRepository().get(run.edition).then((e) => e?.state === 'sent'), { timeoutMs: 10_000, message: 'the edition to close' });

    // Assess
    const stats = await front.stats();
    // On a starved machine a request can still be read tens of milliseconds after it was
    // written (vitest.config.ts runs this file alone, last).
    const messages = await front.messages();
    const arrivals = messages.filter((m) => m.tags.edition === run.edition).map((m) => m.receivedAt);
    const context = `of ${stats.requests} requests (${CAP + 1} in a row span ${tightestSpan([...arrivals].sort((a, b) => a - b), CAP)} ms at the least, the slots 1020); load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`;
    expect(stats.throttled, `throttled ${context}`).toBe(0);
    expect(stats.overRate, `over the rate ${context}`).toBe(0);
    expect(arrivals).toHaveLength(readers.daily.length);
    expect(busiestSecond(arrivals)).toBeLessThanOrEqual(CAP);
    await expectExactlyOnce(h, run.edition, { eligible: readers.daily, absent: [...readers.suppressed, ...readers.weekly], messages });
  }, 150_000);
});
