/**
 * Delivery under SES faults, end to end on the local stack: throttling, random 5xx and a
 * permanently rejected address; then `resend-failed` retries only the failed one.
 */
import { describe, expect, it } from 'vitest';
import { getConfig } from '../../../functions/core/config.ts';
import { deliveryAdmin } from '../../../functions/wiring/delivery.ts';
import { drainEdition, expectExactlyOnce, queueDepth, runEdition, useDeliveryStack, type DeliveryStack, type Readers } from './harness.ts';

describe('delivery under SES faults', () => {
  let h: DeliveryStack;
  let readers: Readers;
  useDeliveryStack('faults', 24, (stack, seeded) => ([h, readers] = [stack, seeded]));

  it('sends every eligible subscriber exactly one message while SES throttles 30% of calls', async () => {
    // Prepare
    h.stack.ses.setFaults({ maxSendRate: 50, throttleShare: 0.3, seed: 11 });
    const run = await runEdition(h, { time: '2031-01-05T06:00:00.000Z' });

    // Act
    await drainEdition(h, run.edition);

    // Assess
    expect(h.stack.ses.stats().throttled).toBeGreaterThan(0);
    await expectExactlyOnce(h, run.edition, { eligible: readers.daily, absent: [...readers.suppressed, ...readers.weekly] });
  });

  it('sends every eligible subscriber exactly one message while SES answers 5xx at random', async () => {
    // Prepare
    h.stack.ses.setFaults({ maxSendRate: 50, serverErrorShare: 0.25, seed: 5 });
    const errorsBefore = h.stack.ses.stats().errors;
    const run = await runEdition(h, { time: '2031-01-06T06:00:00.000Z' });

    // Act
    await drainEdition(h, run.edition);

    // Assess
    expect(h.stack.ses.stats().errors).toBeGreaterThan(errorsBefore);
    await expectExactlyOnce(h, run.edition, { eligible: readers.daily, absent: [...readers.suppressed, ...readers.weekly] });
    expect(await queueDepth(h, getConfig().SEND_DLQ_URL as string)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });

  it('marks a permanently rejected address failed without retrying it, the others unaffected; resend-failed retries only it', async () => {
    // Prepare
    const rejected = readers.daily[6] as string;
    h.stack.ses.setFaults({ maxSendRate: 50, rejectAddresses: [rejected] });
    const run = await runEdition(h, { time: '2031-01-07T06:00:00.000Z' });

    // Act
    await drainEdition(h, run.edition);

    // Assess
    expect(h.stack.ses.stats().rejected).toBe(1); // tried once, never retried
    const status = await expectExactlyOnce(h, run.edition, { eligible: readers.daily, absent: [...readers.suppressed, ...readers.weekly], failed: [rejected] });
    expect(status.failed).toBe(1);
    expect(await queueDepth(h, getConfig().SEND_DLQ_URL as string)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });

    // Act: the address is fixed on the SES side; an editor retries the failed ones
    h.stack.ses.setFaults({ maxSendRate: 50 });
    const requeued = await deliveryAdmin().resendFailed(run.edition);
    await drainEdition(h, run.edition, { done: async () => (await deliveryAdmin().status(run.edition)).sent === readers.daily.length });

    // Assess
    expect(requeued).toBe(1);
    await expectExactlyOnce(h, run.edition, { eligible: readers.daily, absent: [...readers.suppressed, ...readers.weekly] });
  });
});
