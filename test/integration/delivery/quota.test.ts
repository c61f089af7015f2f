/**
 * The account's 24-hour quota running out: the workers stop and leave the work queued (not
 * in the dead-letter queue), the fan-out holds, and both carry on once the quota frees.
 */
import { describe, expect, it } from 'vitest';
import { getConfig } from '../../../functions/core/config.ts';
import { FANOUT_HELD_REASON } from '../../../functions/core/delivery/fan-out-service.ts';
import type { SendService } from '../../../functions/core/delivery/send-service.ts';
import { createSendHandler } from '../../../functions/send.ts';
import { editionRepository } from '../../../functions/wiring/common.ts';
import { buildSendService, dailyQuota } from '../../../functions/wiring/send.ts';
import { deliveryAdmin, deliveryRecovery } from '../../../functions/wiring/delivery.ts';
import { useStack } from '../../../infra/local/local-run.ts';
import { drainEdition, expectExactlyOnce, mailsByRecipient, queueDepth, runEdition, useDeliveryStack, type DeliveryStack, type Readers } from './harness.ts';

/** Quota-stopped tasks come back after 2 s here, not 15 minutes. */
const QUOTA_RETRY_SECONDS = 2;

/** A send handler as one Lambda container would run it: one service for its life. */
function container() {
  let service: Promise<SendService> | undefined;
  return createSendHandler(() => (service ??= buildSendService({ quotaRetryDelaySeconds: QUOTA_RETRY_SECONDS })));
}

describe('delivery when the daily quota runs out', () => {
  let h: DeliveryStack;
  let readers: Readers;
  useDeliveryStack('quota', 12, (stack, seeded) => ([h, readers] = [stack, seeded]));

  it('stops when SES says the daily quota is exceeded, leaves the rest queued (not dead-lettered), and finishes once it frees', async () => {
    // Prepare: the worker last looked at the quota when plenty was left; then only 5 remain
    h.stack.ses.setFaults({ maxSendRate: 50 });
    useStack(h.env);
    expect(await dailyQuota().remaining()).toBeGreaterThan(1_000);
    h.stack.ses.setFaults({ maxSendRate: 50, quotaRemaining: 5 });
    const run = await runEdition(h, { time: '2031-05-01T06:00:00.000Z' });
    const queueUrl = getConfig().SEND_QUEUE_URL;
    const dlqUrl = getConfig().SEND_DLQ_URL as string;

    // Act 1: drain until 5 went out and the other 7 wait in the queue
    await drainEdition(h, run.edition, {
      handler: container(),
      pollers: 1,
      done: async () => {
        const status = await deliveryAdmin().status(run.edition);
        const depth = await queueDepth(h, queueUrl);
        return status.sent === 5 && status.sending === 0 && depth.visible + depth.inFlight + depth.delayed === 7;
      },
    });

    // Assess 1
    expect(mailsByRecipient(h, run.edition).size).toBe(5);
    expect(h.stack.ses.stats().throttled).toBeGreaterThanOrEqual(1); // "Daily message quota exceeded."
    const stopped = await deliveryAdmin().status(run.edition);
    expect(stopped).toMatchObject({ state: 'sending', total: 12, sent: 5, pending: 7, sending: 0, failed: 0 });
    expect(stopped.reason).toMatch(/^daily sending quota exhausted/);
    const depth = await queueDepth(h, queueUrl);
    expect(depth.visible + depth.inFlight + depth.delayed).toBe(7);
    expect(await queueDepth(h, dlqUrl)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    expect(await editionRepository().get(run.edition)).toMatchObject({ total: 12 }); // re-queued tasks are not counted again

    // Act 2: the next day (a new container looks at the quota afresh)
    h.stack.ses.setFaults({ maxSendRate: 50 });
    useStack(h.env);
    await drainEdition(h, run.edition, { handler: container() });

    // Assess 2
    const done = await expectExactlyOnce(h, run.edition, { eligible: readers.daily, absent: [...readers.suppressed, ...readers.weekly] });
    expect(done.reason).toBeUndefined();
    expect(await queueDepth(h, dlqUrl)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });

  it('holds the fan-out while the quota is exhausted, and the reconciler resumes it once the quota frees', async () => {
    // Prepare: an edition whose fan-out stopped before its first page (the edition Lambda yielded)
    h.stack.ses.setFaults({ maxSendRate: 50, quotaRemaining: 0 });
    useStack(h.env);
    const run = await runEdition(h, { time: '2031-05-02T06:00:00.000Z', yieldAtOnce: true });
    expect(run).toMatchObject({ state: 'sending', recipients: 0 });

    // Act 1: the reconciler finds it, but the quota is gone
    const held = await deliveryRecovery({ staleFanOutMs: 0, settleMs: 1_000 }).recoverEdition(run.edition);

    // Assess 1
    expect(held).toMatchObject({ resumed: true, fanoutDone: false });
    expect(await editionRepository().get(run.edition)).toMatchObject({ state: 'sending', total: 0, fanoutDone: false, reason: FANOUT_HELD_REASON });
    expect(await queueDepth(h, getConfig().SEND_QUEUE_URL)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });

    // Act 2: the quota frees; the next reconciler run (a fresh look at the quota) resumes it
    h.stack.ses.setFaults({ maxSendRate: 50 });
    useStack(h.env);
    const resumed = await deliveryRecovery({ staleFanOutMs: 0, settleMs: 1_000 }).recoverEdition(run.edition);
    await drainEdition(h, run.edition);

    // Assess 2
    expect(resumed).toMatchObject({ resumed: true, fanoutDone: true });
    const status = await expectExactlyOnce(h, run.edition, { eligible: readers.daily, absent: [...readers.suppressed, ...readers.weekly] });
    expect(status.reason).toBeUndefined();
  });
});
