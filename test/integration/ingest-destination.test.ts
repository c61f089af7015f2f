/**
 * Where the S3-triggered `ingest` invocations go when they fail for good: serverless.yml
 * gives the function an on-failure destination, an SQS queue of infra/*.yml, which the local
 * stack creates like every other queue.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadResources, loadServerlessConfig } from '../../infra/local/cfn.ts';
import { startLocalStack, type LocalStack } from '../../infra/local/stack.ts';

interface IngestFunction {
  maximumRetryAttempts?: number;
  destinations?: { onFailure?: { type?: string; arn?: unknown } };
}

describe('File: serverless.yml (ingest failure destination)', () => {
  let ingest: IngestFunction | undefined;
  let stack: LocalStack;

  beforeAll(async () => {
    const service = (await loadServerlessConfig()) as { functions?: Record<string, IngestFunction> } | undefined;
    ingest = service?.functions?.ingest;
    stack = await startLocalStack({ forwardToMailbox: false });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('sends the failed async invocations of ingest, after 2 retries, to the ingest dead-letter queue', async () => {
    // Act
    const resources = await loadResources();

    // Assess
    expect(ingest?.maximumRetryAttempts).toBe(2);
    expect(ingest?.destinations?.onFailure).toEqual({ type: 'sqs', arn: { 'Fn::GetAtt': ['IngestDeadLetterQueue', 'Arn'] } });
    expect(resources.IngestDeadLetterQueue?.Type).toBe('AWS::SQS::Queue');
    expect(resources.IngestDeadLetterQueue?.Properties?.MessageRetentionPeriod).toBe(1209600);
  });

  it('is created by the local stack with the other queues', () => {
    // Assess
    expect(stack.resources.queues.IngestDeadLetterQueue?.arn).toMatch(/:IngestDeadLetterQueue$/);
    expect(stack.resources.queues.SendQueue).toBeDefined();
  });
});
