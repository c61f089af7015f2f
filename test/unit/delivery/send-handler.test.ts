import type { SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { TaskOutcome, type SendService } from '../../../functions/core/delivery/send-service.ts';
import type { SendTask } from '../../../functions/core/delivery/types.ts';
import { createSendHandler } from '../../../functions/send.ts';

function record(messageId: string, body: unknown): SQSRecord {
  return {
    messageId,
    receiptHandle: `rh-${messageId}`,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    attributes: { ApproximateReceiveCount: '1', SentTimestamp: '0', SenderId: 'x', ApproximateFirstReceiveTimestamp: '0' },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:eu-west-1:000000000000:SendQueue',
    awsRegion: 'eu-west-1',
  };
}

/** A service that answers the outcomes it is given and remembers what it was asked. */
function fakeService(outcomes: TaskOutcome[]) {
  const calls: Array<{ tasks: readonly SendTask[]; options: { deadline?: number; end?: number } | undefined }> = [];
  const service = {
    processBatch: async (tasks: readonly SendTask[], options?: { deadline?: number; end?: number }) => {
      calls.push({ tasks, options });
      return outcomes.slice(0, tasks.length);
    },
  } as unknown as SendService;
  return { service, calls };
}

describe('Function: createSendHandler', () => {
  it('reports only the tasks to retry and the malformed messages as batch item failures', async () => {
    // Prepare
    const { service, calls } = fakeService([TaskOutcome.SENT, TaskOutcome.RETRY, TaskOutcome.REQUEUED, TaskOutcome.DUPLICATE, TaskOutcome.FAILED, TaskOutcome.SKIPPED]);
    const handler = createSendHandler(async () => service);
    const task = (n: number) => ({ editionId: 'daily-2026-11-28', subscriberId: `s_${n}` });

    // Act
    const response = await handler({
      Records: [
        record('m1', task(1)),
        record('bad-json', '{not json'),
        record('m2', task(2)),
        record('m3', task(3)),
        record('bad-shape', { editionId: '' }),
        record('m4', task(4)),
        record('m5', task(5)),
        record('m6', { ...task(6), retryFailed: true }),
      ],
    });

    // Assess
    expect(response.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(['bad-json', 'bad-shape', 'm2']);
    expect(calls[0]?.tasks).toEqual([task(1), task(2), task(3), task(4), task(5), { ...task(6), retryFailed: true }]);
  });

  it('gives the service a deadline some seconds before the invocation times out, and the end of the invocation', async () => {
    // Prepare
    const { service, calls } = fakeService([TaskOutcome.SENT]);
    const handler = createSendHandler(async () => service);
    const before = Date.now();

    // Act
    await handler({ Records: [record('m1', { editionId: 'e', subscriberId: 's' })] }, { getRemainingTimeInMillis: () => 60_000 });

    // Assess
    const { deadline = 0, end = 0 } = calls[0]?.options ?? {};
    expect(deadline).toBeGreaterThanOrEqual(before + 50_000);
    expect(deadline).toBeLessThanOrEqual(Date.now() + 50_000);
    expect(end - deadline).toBe(10_000);
  });

  it('gives no deadline when it runs without a Lambda context', async () => {
    // Prepare
    const { service, calls } = fakeService([TaskOutcome.SENT]);
    const handler = createSendHandler(async () => service);

    // Act
    await handler({ Records: [record('m1', { editionId: 'e', subscriberId: 's' })] });

    // Assess
    expect(calls[0]?.options).toEqual({});
  });
});
