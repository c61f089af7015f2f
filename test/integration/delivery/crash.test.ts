/**
 * A send worker killed in the middle of a batch: its leases expire, the queue redelivers its
 * messages and the reconciler re-queues expired leases; the rest go out exactly once, and
 * the counters the dead worker never updated are recounted from the ledger.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { setInterval as every } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { SetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getConfig } from '../../../functions/core/config.ts';
import { deliveryLedger, editionRepository } from '../../../functions/wiring/common.ts';
import { deliveryAdmin, deliveryRecovery } from '../../../functions/wiring/delivery.ts';
import { pollUntil } from '../../helpers/poll.ts';
import { drainEdition, expectExactlyOnce, mailsByRecipient, queueDepth, runEdition, seedReaders, startDeliveryStack, type DeliveryStack, type Readers } from './harness.ts';

const WORKER = fileURLToPath(new URL('../../helpers/send-worker-process.ts', import.meta.url));
/** Leases and redelivery short enough for a test: lease 2 s, queue visibility 3 s. */
const LEASE_SECONDS = 2;
const VISIBILITY_SECONDS = 3;

describe('delivery when a worker dies mid-batch', () => {
  let h: DeliveryStack;
  let readers: Readers;
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    h = await startDeliveryStack({ SEND_LEASE_SECONDS: String(LEASE_SECONDS) });
    const sqs = new SQSClient({ region: getConfig().AWS_REGION, endpoint: h.stack.endpoints.sqs });
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: getConfig().SEND_QUEUE_URL, Attributes: { VisibilityTimeout: String(VISIBILITY_SECONDS) } }));
    sqs.destroy();
    readers = await seedReaders(h, 'crash', 30);
  });

  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await h?.stop();
  });

  it('sends the rest exactly once after the worker is killed, and recounts what it never counted', async () => {
    // Prepare: a slow account rate, so a batch takes a while; some throttling, so a worker often
    // holds a lease while it backs off between attempts
    h.stack.ses.setFaults({ maxSendRate: 8, throttleShare: 0.3, seed: 3 });
    const run = await runEdition(h, { time: '2031-04-01T06:00:00.000Z' });
    const worker = spawn(process.execPath, ['--import', 'tsx', WORKER], { env: { ...process.env, ...h.env, WORKER_TIMEOUT_MS: '30000' }, stdio: ['ignore', 'pipe', 'pipe'] });
    child = worker;
    let stderr = '';
    worker.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = once(worker, 'exit');

    // Act 1: once some mail went out, freeze the worker where no send is half-recorded (SES
    // accepted but the ledger not yet written: a window no system can close, see
    // docs/delivery.md) while it still holds leases, and kill it there.
    const ledger = deliveryLedger();
    let heldAtKill = 0;
    await pollUntil(async () => {
      if (mailsByRecipient(h, run.edition).size < 3) return false;
      worker.kill('SIGSTOP');
      // Quiet: nothing in flight and no new request for five looks in a row (250 ms). A request
      // the frozen worker wrote before it stopped may still sit in the kernel's buffers unseen by
      // the stand-in (for a while when the machine is busy); killed, it would still arrive and
      // be accepted after the check below, unrecorded: the window no system can close.
      let requests = -1;
      let stillLooks = 0;
      await pollUntil(async () => {
        const { requests: now, inFlight } = h.stack.ses.stats();
        stillLooks = inFlight === 0 && now === requests ? stillLooks + 1 : 0;
        requests = now;
        return stillLooks >= 5;
      }, { intervalMs: 50, timeoutMs: 5_000, message: 'SES to go quiet' });
      const accepted = [...mailsByRecipient(h, run.edition).values()].flat();
      const entries = await Promise.all(accepted.map((m) => ledger.get({ editionId: run.edition, subscriberId: m.tags.subscriber ?? '' })));
      const recorded = entries.every((e, i) => e?.state === 'sent' && e.messageId === accepted[i]?.messageId);
      heldAtKill = (await ledger.countByState(run.edition)).sending;
      if (recorded && heldAtKill > 0) return true;
      worker.kill('SIGCONT');
      return false;
    }, { timeoutMs: 20_000, intervalMs: 20, message: `a moment to kill the worker mid-batch (worker stderr: ${stderr})` });
    worker.kill('SIGKILL');
    await exited;
    const sentByDeadWorker = mailsByRecipient(h, run.edition).size;

    // Act 2: the queue redelivers (after its visibility timeout) into a new worker, while the
    // reconciler re-queues leases that expired; then it recounts and closes the edition.
    const recovery = deliveryRecovery({ settleMs: LEASE_SECONDS * 1000, staleFanOutMs: 60_000 });
    let draining = true;
    const reconciler = (async () => {
      for await (const _ of every(300)) {
        if (!draining) break;
        await recovery.recoverEdition(run.edition);
      }
    })();
    try {
      await drainEdition(h, run.edition, { timeoutMs: 30_000 });
    } finally {
      draining = false;
      await reconciler;
    }
    await pollUntil(async () => {
      await recovery.recoverEdition(run.edition);
      return (await editionRepository().get(run.edition))?.state === 'sent';
    }, { timeoutMs: 10_000, intervalMs: 250, message: 'the reconciler to recount and close the edition' });

    // Assess
    expect(heldAtKill).toBeGreaterThan(0);
    expect(sentByDeadWorker).toBeGreaterThanOrEqual(3);
    expect(sentByDeadWorker).toBeLessThan(readers.daily.length);
    const status = await expectExactlyOnce(h, run.edition, { eligible: readers.daily, absent: [...readers.suppressed, ...readers.weekly] });
    expect(status).toEqual(await deliveryAdmin().status(run.edition));
    expect(await queueDepth(h, getConfig().SEND_DLQ_URL as string)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });
});
