/**
 * A hung SES call, end to end on the local stack: SES takes the request and never answers.
 * The worker aborts the call within the invocation's deadline, leaves the entry `sending`
 * marked unknown (not failed), and once the settle period has passed and no Send event came,
 * the task is sent again: exactly one message.
 */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getConfig } from '../../../functions/core/config.ts';
import { subscriberIdFor } from '../../../functions/core/subscribers/identity.ts';
import { handler as sendHandler } from '../../../functions/send.ts';
import { deliveryLedger } from '../../../functions/wiring/common.ts';
import { deliveryAdmin } from '../../../functions/wiring/delivery.ts';
import { pollUntil } from '../../helpers/poll.ts';
import { drainEdition, expectExactlyOnce, mailsByRecipient, queueDepth, runEdition, seedReaders, startDeliveryStack, type DeliveryStack, type Readers } from './harness.ts';

/** Each invocation has this long (a short Lambda timeout: sends start in its first 1.5 s; calls end 5 s before it). */
const INVOCATION_MS = 11_500;

describe('delivery when an SES call hangs', () => {
  let h: DeliveryStack;
  let readers: Readers;

  beforeAll(async () => {
    h = await startDeliveryStack({ SEND_SETTLE_SECONDS: '1' });
    readers = await seedReaders(h, 'hung', 4);
  });

  afterAll(async () => {
    await h?.stop();
  });

  it('aborts the hung call within the invocation, marks its outcome unknown without failing it, then sends it exactly once', async () => {
    // Prepare: SES never answers the second reader's SendRawEmail (and does not accept it)
    const victim = readers.daily[1] as string;
    h.stack.ses.setFaults({ maxSendRate: 50, hangAddresses: [victim] });
    const run = await runEdition(h, { time: '2031-05-01T06:00:00.000Z' });
    const victimTask = { editionId: run.edition, subscriberId: subscriberIdFor(victim) };
    const invocations: number[] = [];
    const timedHandler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
      const started = Date.now();
      const end = started + INVOCATION_MS;
      try {
        return await sendHandler(event, { getRemainingTimeInMillis: () => end - Date.now() });
      } finally {
        invocations.push(Date.now() - started);
      }
    };

    // Act: drain; once the hung call's outcome is recorded as unknown, SES answers again
    const drained = drainEdition(h, run.edition, { handler: timedHandler, timeoutMs: 40_000 });
    const unknown = await pollUntil(async () => {
      const entry = await deliveryLedger().get(victimTask);
      return entry?.reason?.startsWith('outcome unknown') ? entry : undefined;
    }, { timeoutMs: 20_000, message: 'the hung call to be recorded as an unknown outcome' });
    const statusWhileUnknown = await deliveryAdmin().status(run.edition);
    h.stack.ses.setFaults({ maxSendRate: 50 });
    await drained;

    // Assess: the call was aborted ~6.5 s into an 11.5 s invocation (5 s before its end), not at its 10 s timeout
    expect(h.stack.ses.stats().hung).toBe(1);
    const longest = Math.max(...invocations);
    expect(longest).toBeGreaterThanOrEqual(6_000);
    expect(longest).toBeLessThan(INVOCATION_MS - 4_000);
    expect(unknown).toMatchObject({ state: 'sending', attempts: 1 });
    expect(unknown.reason).toMatch(/^outcome unknown: AbortError/);
    expect(statusWhileUnknown).toMatchObject({ failed: 0, sending: 1 });

    const status = await expectExactlyOnce(h, run.edition, { eligible: readers.daily, absent: [...readers.suppressed, ...readers.weekly] });
    expect(status.failed).toBe(0);
    expect(await deliveryLedger().get(victimTask)).toMatchObject({ state: 'sent', attempts: 2 });
    expect(mailsByRecipient(h, run.edition).get(victim)).toHaveLength(1);
    expect(await queueDepth(h, getConfig().SEND_DLQ_URL as string)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });
});
