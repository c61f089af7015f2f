/**
 * An unsubscribe that arrives while an edition is going out: the worker checks the status
 * at send time, so a subscriber whose task is not taken yet gets nothing and is counted
 * skipped.
 */
import { describe, expect, it } from 'vitest';
import { subscriberIdFor } from '../../../functions/core/subscribers/identity.ts';
import { deliveryLedger, subscriberRepository } from '../../../functions/wiring/common.ts';
import { pollUntil } from '../../helpers/poll.ts';
import { drainEdition, expectExactlyOnce, mailsByRecipient, runEdition, useDeliveryStack, type DeliveryStack, type Readers } from './harness.ts';

describe('delivery while subscribers leave', () => {
  let h: DeliveryStack;
  let readers: Readers;
  useDeliveryStack('unsubscribe', 24, (stack, seeded) => ([h, readers] = [stack, seeded]));

  it('sends nothing to a subscriber who unsubscribes while the edition is sending, and counts them skipped', async () => {
    // Prepare: slow SES and one worker taking five tasks at a time, so most tasks wait in the queue
    h.stack.ses.setFaults({ maxSendRate: 20, latencyMs: 100 });
    const run = await runEdition(h, { time: '2031-03-01T06:00:00.000Z' });
    const draining = drainEdition(h, run.edition, { pollers: 1, batchSize: 5 });
    await pollUntil(async () => mailsByRecipient(h, run.edition).size > 0, { timeoutMs: 10_000, message: 'the first message to go out' });

    // Act: unsubscribe a reader whose task no worker has taken yet. The worker reads the status
    // after it takes the lease, so an entry still absent after the change guarantees the skip.
    let leaver: string | undefined;
    const raced: string[] = [];
    for (const email of [...readers.daily].reverse()) {
      const task = { editionId: run.edition, subscriberId: subscriberIdFor(email) };
      if (await deliveryLedger().get(task)) continue;
      await subscriberRepository().setStatus(task.subscriberId, 'unsubscribed');
      if (!(await deliveryLedger().get(task))) {
        leaver = email;
        break;
      }
      raced.push(email); // taken between the two reads: its outcome is whatever the ledger says
    }
    await draining;

    // Assess
    expect(leaver).toBeDefined();
    expect(await deliveryLedger().get({ editionId: run.edition, subscriberId: subscriberIdFor(leaver as string) })).toMatchObject({ state: 'skipped', reason: 'subscriber is unsubscribed' });
    const skipped = [leaver as string];
    for (const email of raced) {
      const entry = await deliveryLedger().get({ editionId: run.edition, subscriberId: subscriberIdFor(email) });
      if (entry?.state === 'skipped') skipped.push(email);
    }
    await expectExactlyOnce(h, run.edition, { eligible: readers.daily, absent: [...readers.suppressed, ...readers.weekly], skipped });
  });
});
