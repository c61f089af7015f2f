/**
 * Duplicates that must not become duplicate mail: the same SQS message delivered to two
 * workers at once, and the schedule firing twice while an editor starts the same edition.
 */
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { getConfig } from '../../../functions/core/config.ts';
import { createSendHandler } from '../../../functions/send.ts';
import { deliveryLedger, editionRepository } from '../../../functions/wiring/common.ts';
import { subscriberIdFor } from '../../../functions/core/subscribers/identity.ts';
import { buildSendService } from '../../../functions/wiring/send.ts';
import { handler as editionHandler } from '../../../functions/edition.ts';
import { pollUntil } from '../../helpers/poll.ts';
import { drainEdition, expectExactlyOnce, ledgerSettled, queueDepth, runEdition, useDeliveryStack, uploadArticle, type DeliveryStack, type Readers } from './harness.ts';

function toRecord(m: Message): SQSRecord {
  return {
    messageId: m.MessageId ?? '',
    receiptHandle: m.ReceiptHandle ?? '',
    body: m.Body ?? '',
    attributes: { ApproximateReceiveCount: '1', SentTimestamp: String(Date.now()), SenderId: 'local', ApproximateFirstReceiveTimestamp: String(Date.now()) },
    messageAttributes: {},
    md5OfBody: m.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:local',
    awsRegion: getConfig().AWS_REGION,
  };
}

describe('delivery with duplicate deliveries and runs', () => {
  let h: DeliveryStack;
  let readers: Readers;
  useDeliveryStack('concurrency', 20, (stack, seeded) => ([h, readers] = [stack, seeded]));

  it('sends once when the same SQS message is delivered to two workers at the same time', async () => {
    // Prepare: SES answers slowly, so both deliveries are in flight together
    h.stack.ses.setFaults({ maxSendRate: 50, latencyMs: 40 });
    const run = await runEdition(h, { time: '2031-02-01T06:00:00.000Z' });
    const sqs = new SQSClient({ region: getConfig().AWS_REGION, endpoint: h.stack.endpoints.sqs });
    const messages: Message[] = [];
    await pollUntil(async () => {
      const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: getConfig().SEND_QUEUE_URL, MaxNumberOfMessages: 10, VisibilityTimeout: 120 }));
      messages.push(...(out.Messages ?? []));
      return messages.length >= readers.daily.length;
    }, { timeoutMs: 10_000, message: 'every send task to be received' });
    // Two workers (two Lambda containers): separate services over the same tables.
    const workerA = createSendHandler(() => buildSendService());
    const workerB = createSendHandler(() => buildSendService());

    // Act: every batch goes to both workers at once
    const batches: SQSRecord[][] = [];
    for (let i = 0; i < messages.length; i += 10) batches.push(messages.slice(i, i + 10).map(toRecord));
    const responses = await Promise.all(batches.flatMap((Records) => [workerA({ Records }), workerB({ Records })]));
    await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: getConfig().SEND_QUEUE_URL, Entries: messages.slice(0, 10).map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? '' })) }));
    await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: getConfig().SEND_QUEUE_URL, Entries: messages.slice(10).map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? '' })) }));
    sqs.destroy();

    // Assess
    expect(messages).toHaveLength(readers.daily.length);
    expect(responses.flatMap((r) => r.batchItemFailures)).toEqual([]);
    expect(h.stack.ses.stats().maxInFlight).toBeGreaterThan(1);
    // One lease per recipient was ever granted: the other delivery found it held or final.
    const entries = await Promise.all(readers.daily.map((email) => deliveryLedger().get({ editionId: run.edition, subscriberId: subscriberIdFor(email) })));
    expect(entries.map((e) => [e?.state, e?.attempts])).toEqual(readers.daily.map(() => ['sent', 1]));
    await expectExactlyOnce(h, run.edition, { eligible: readers.daily, absent: [...readers.suppressed, ...readers.weekly] });
  });

  it('makes one edition, sent once to each, when the schedule fires twice and an editor starts it at the same moment', async () => {
    // Prepare: scheduled a minute ago (on time, not held)
    h.stack.ses.setFaults({ maxSendRate: 50 });
    await uploadArticle(h);
    const time = new Date(Date.now() - 60_000).toISOString();

    // Act
    const runs = await Promise.all([
      editionHandler({ job: 'daily', time }),
      editionHandler({ job: 'daily', time }),
      editionHandler({ job: 'daily', time, force: true }),
    ]);
    const id = runs[0]?.edition as string;
    // Drain until the queue is empty too: the runs that lost the cursor race enqueued their first
    // page as well, and those extra tasks must send nothing.
    await drainEdition(h, id, {
      done: async () => {
        const depth = await queueDepth(h, getConfig().SEND_QUEUE_URL);
        return (await ledgerSettled(id)) && depth.visible + depth.inFlight + depth.delayed === 0;
      },
    });

    // Assess
    expect(new Set(runs.map((r) => r.edition))).toEqual(new Set([id]));
    expect(runs.filter((r) => r.created)).toHaveLength(1);
    const recent = await editionRepository().listRecent('daily', 20);
    expect(recent.filter((e) => e.id === id)).toHaveLength(1);
    expect(await queueDepth(h, getConfig().SEND_QUEUE_URL)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    await expectExactlyOnce(h, id, { eligible: readers.daily, absent: [...readers.suppressed, ...readers.weekly] });
  });

  it('holds an edition whose schedule fired more than six hours late (here three days), and sends nothing', async () => {
    // Prepare
    await uploadArticle(h);
    const sentBefore = h.stack.ses.messages().length;

    // Act
    const run = await runEdition(h, { time: new Date(Date.now() - 3 * 86_400_000).toISOString(), force: false, upload: false });

    // Assess
    expect(run.state).toBe('held');
    expect(run.reason).toMatch(/waiting for an editor/);
    expect(await queueDepth(h, getConfig().SEND_QUEUE_URL)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    expect(h.stack.ses.messages()).toHaveLength(sentBefore);
  });
});
