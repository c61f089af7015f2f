import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqsEventSource } from '../../../infra/local/lambda-driver.ts';

describe('Function: sqsEventSource', () => {
  let dir: string;
  let file: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'event-source-'));
    file = join(dir, 'serverless.yml');
    await writeFile(file, [
      'service: t',
      'functions:',
      '  send:',
      '    handler: functions/send.handler',
      '    reservedConcurrency: 6',
      '    events:',
      '      - sqs:',
      '          arn: !GetAtt SendQueue.Arn',
      '          batchSize: 50',
      '          maximumBatchingWindow: 2',
      '          maximumConcurrency: 3',
      '  other:',
      '    handler: functions/other.handler',
      '    reservedConcurrency: 2',
      '    events:',
      '      - sqs:',
      '          arn: !GetAtt OtherQueue.Arn',
      '  plain:',
      '    handler: functions/plain.handler',
      '',
    ].join('\n'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads batch size, batching window and concurrency of a function\'s SQS event', async () => {
    // Act
    const source = await sqsEventSource('send', file);

    // Assess
    expect(source).toEqual({ batchSize: 50, batchingWindowMs: 2000, concurrency: 3 });
  });

  it('falls back to Lambda\'s defaults, and to the reserved concurrency, where the file is silent', async () => {
    // Act
    const other = await sqsEventSource('other', file);
    const plain = await sqsEventSource('plain', file);

    // Assess
    expect(other).toEqual({ batchSize: 10, batchingWindowMs: 0, concurrency: 2 });
    expect(plain).toEqual({ batchSize: 10, batchingWindowMs: 0, concurrency: 4 });
  });
});
