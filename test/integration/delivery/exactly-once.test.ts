/**
 * The window "exactly once" used to leave open, end to end on the local stack: a send worker
 * (a child process) is killed after SES accepted its message and before it could write the
 * ledger. SES's Send event reaches the ledger through the `feedback` function; the fresh
 * worker the task is redelivered to finds it and marks the entry sent without sending.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { SetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getConfig } from '../../../functions/core/config.ts';
import { subscriberIdFor } from '../../../functions/core/subscribers/identity.ts';
import { deliveryLedger } from '../../../functions/wiring/common.ts';
import { SEND_WORKER_SCRIPT } from '../../helpers/send-worker-process.ts';
import { drainEdition, expectExactlyOnce, mailsByRecipient, queueDepth, runEdition, seedReaders, startDeliveryStack, type DeliveryStack, type Readers } from './harness.ts';

/** A short lease and settle period; the queue redelivers after the lease has expired. */
const LEASE_SECONDS = 4;
const VISIBILITY_SECONDS = 6;

describe('delivery when a worker dies between SES accepting a message and the ledger write', () => {
  let h: DeliveryStack;
  let readers: Readers;
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    h = await startDeliveryStack({ SEND_LEASE_SECONDS: String(LEASE_SECONDS), SEND_SETTLE_SECONDS: '1' });
    const sqs = new SQSClient({ region: getConfig().AWS_REGION, endpoint: h.stack.endpoints.sqs });
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: getConfig().SEND_QUEUE_URL, Attributes: { VisibilityTimeout: String(VISIBILITY_SECONDS) } }));
    sqs.destroy();
    readers = await seedReaders(h, 'killed', 1);
  });

  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await h?.stop();
  });

  it('sends exactly one message: the redelivered task is completed from the Send event, with the first message id', async () => {
    // Prepare: SES accepts the reader's message (and publishes its Send event) but holds its answer
    const reader = readers.daily[0] as string;
    const task = { editionId: '', subscriberId: subscriberIdFor(reader) };
    h.stack.ses.setFaults({ maxSendRate: 50, holdAddresses: [reader] });
    const run = await runEdition(h, { time: '2031-06-01T06:00:00.000Z' });
    task.editionId = run.edition;
    const worker = spawn(process.execPath, ['--import', 'tsx', SEND_WORKER_SCRIPT], { env: { ...process.env, ...h.env, WORKER_TIMEOUT_MS: '30000' }, stdio: ['ignore', 'pipe', 'pipe'] });
    child = worker;
    const exited = once(worker, 'exit');

    // Act 1: kill the worker the moment SES has the message; it is still waiting for the answer, so the ledger cannot say sent
    const firstId = await new Promise<string>((resolve) => {
      h.stack.ses.events.once('send', (event: { mail: { messageId: string } }) => {
        worker.kill('SIGKILL');
        resolve(event.mail.messageId);
      });
    });
    await exited;
    const atKill = await deliveryLedger().get(task);
    await h.sendEventsRecorded();

    // Act 2: SES answers normally again; the queue redelivers the task, after the lease expired, to a fresh worker
    h.stack.ses.setFaults({ maxSendRate: 50 });
    await drainEdition(h, run.edition, { timeoutMs: 30_000 });

    // Assess
    expect(worker.signalCode).toBe('SIGKILL');
    expect(atKill).toMatchObject({ state: 'sending', attempts: 1 });
    expect(atKill?.messageId).toBeUndefined();
    const mails = mailsByRecipient(h, run.edition).get(reader) ?? [];
    expect(mails.map((m) => m.messageId)).toEqual([firstId]);
    expect(h.stack.ses.stats()).toMatchObject({ requests: 1, accepted: 1, held: 1 }); // never sent again
    expect(await deliveryLedger().get(task)).toMatchObject({ state: 'sent', messageId: firstId, attempts: 2, sendEvent: { messageId: firstId } });
    await expectExactlyOnce(h, run.edition, { eligible: readers.daily, absent: [...readers.suppressed, ...readers.weekly] });
    expect(await queueDepth(h, getConfig().SEND_DLQ_URL as string)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });
});
