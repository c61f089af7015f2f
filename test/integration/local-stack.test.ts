import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect, createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import {
  DescribeTableCommand, DynamoDBClient, ListTablesCommand,
} from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, ListBucketsCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetSendQuotaCommand, SESClient, SendRawEmailCommand } from '@aws-sdk/client-ses';
import { GetQueueAttributesCommand, ListQueuesCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../functions/core/config.ts';
import { loadResources } from '../../infra/local/cfn.ts';
import type { CfnResources } from '../../infra/local/cfn.ts';
import { bucketNameFor } from '../../infra/local/provision.ts';
import { drainQueue } from '../../infra/local/lambda-driver.ts';
import { DEFAULT_PORTS, portsFromEnv, startLocalStack } from '../../infra/local/stack.ts';
import type { LocalStack } from '../../infra/local/stack.ts';
import { pollUntil } from '../helpers/poll.ts';

const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
const region = 'us-east-1';

function idsOfType(resources: CfnResources, type: string): string[] {
  return Object.entries(resources).filter(([, r]) => r.Type === type).map(([id]) => id);
}

function sesClient(stack: LocalStack): SESClient {
  return new SESClient({ region, credentials, endpoint: stack.endpoints.ses, maxAttempts: 1 });
}

/** A hand-written MIME message (CRLF line ends) with headers the mailbox would drop. */
function mime(to: string, subject: string): Buffer {
  return Buffer.from([
    'From: Digest <digest@example.com>',
    `To: ${to}`,
    `Subject: ${subject}`,
    'List-Unsubscribe: <https://digest.example.com/u/abc>, <mailto:unsubscribe@example.com?subject=abc>',
    'List-Unsubscribe-Post: List-Unsubscribe=One-Click',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    'Grüße — the digest.  ',
    '',
  ].join('\r\n'));
}

function send(client: SESClient, to: string, subject = 'Hello') {
  return client.send(new SendRawEmailCommand({ RawMessage: { Data: mime(to, subject) } }));
}

async function sendError(client: SESClient, to: string): Promise<{ name: string; status?: number; message: string }> {
  try {
    await send(client, to);
  } catch (error) {
    const e = error as Error & { $metadata?: { httpStatusCode?: number } };
    return { name: e.name, message: e.message, ...(e.$metadata?.httpStatusCode ? { status: e.$metadata.httpStatusCode } : {}) };
  }
  throw new Error('expected the send to fail');
}

function portOf(url: string): number {
  return Number(new URL(url).port);
}

function connectionRefused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

describe('local stack', () => {
  let stack: LocalStack;
  let resources: CfnResources;
  let ses: SESClient;

  beforeAll(async () => {
    resources = await loadResources();
    stack = await startLocalStack();
    ses = sesClient(stack);
  });

  afterAll(async () => {
    ses?.destroy();
    await stack?.stop();
  });

  it('creates every table of infra/*.yml with its keys and indexes', async () => {
    const client = new DynamoDBClient({ region, credentials, endpoint: stack.endpoints.dynamodb });
    const { TableNames } = await client.send(new ListTablesCommand({}));
    const expected = idsOfType(resources, 'AWS::DynamoDB::Table');
    expect(expected.length).toBeGreaterThan(0);
    expect(TableNames?.sort()).toEqual([...expected].sort());
    for (const id of expected) {
      const props = resources[id]?.Properties as { KeySchema: unknown; GlobalSecondaryIndexes?: Array<{ IndexName: string; KeySchema: unknown }> };
      const { Table } = await client.send(new DescribeTableCommand({ TableName: id }));
      expect(Table?.TableStatus).toBe('ACTIVE');
      expect(Table?.KeySchema).toEqual(props.KeySchema);
      const indexes = (Table?.GlobalSecondaryIndexes ?? []).map((i) => ({ IndexName: i.IndexName, KeySchema: i.KeySchema }));
      const wanted = (props.GlobalSecondaryIndexes ?? []).map((i) => ({ IndexName: i.IndexName, KeySchema: i.KeySchema }));
      expect(indexes.sort((a, b) => String(a.IndexName).localeCompare(String(b.IndexName)))).toEqual(wanted);
      expect(stack.resources.tables[id]).toBe(id);
    }
    client.destroy();
  });

  it('creates every queue with its attributes, the redrive policy pointing at the DLQ', async () => {
    const client = new SQSClient({ region, credentials, endpoint: stack.endpoints.sqs });
    const { QueueUrls } = await client.send(new ListQueuesCommand({}));
    const expected = idsOfType(resources, 'AWS::SQS::Queue');
    expect(expected).toContain('SendQueue');
    expect(QueueUrls?.map((u) => u.split('/').pop()).sort()).toEqual([...expected].sort());

    const { Attributes } = await client.send(new GetQueueAttributesCommand({
      QueueUrl: stack.resources.queues.SendQueue?.url, AttributeNames: ['All'],
    }));
    const redrive = JSON.parse(Attributes?.RedrivePolicy ?? '{}') as { deadLetterTargetArn?: string; maxReceiveCount?: unknown };
    expect(redrive.deadLetterTargetArn).toBe(stack.resources.queues.SendDeadLetterQueue?.arn);
    expect(Number(redrive.maxReceiveCount)).toBe(5);
    expect(Attributes?.VisibilityTimeout).toBe('360');
    expect(Attributes?.MessageRetentionPeriod).toBe('1209600');
    client.destroy();
  });

  it('drives a handler from a queue in batches larger than one receive, as the event source does', async () => {
    // Prepare: 25 messages on the dead-letter queue (any queue will do), batches of up to 100.
    const client = new SQSClient({ region, credentials, endpoint: stack.endpoints.sqs });
    const queueUrl = stack.resources.queues.SendDeadLetterQueue?.url ?? '';
    for (let i = 0; i < 25; i += 10) {
      await client.send(new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: Array.from({ length: Math.min(10, 25 - i) }, (_, k) => ({ Id: String(k), MessageBody: `m${i + k}` })),
      }));
    }
    const batches: string[][] = [];
    let failedOnce = false;

    // Act: the handler fails m7 once; it is handed back and comes again.
    const drained = await drainQueue({
      queueUrl, endpoint: stack.endpoints.sqs, region, credentials, pollers: 1, batchSize: 100, batchingWindowMs: 500, retryAfterSeconds: 0, checkEveryMs: 20,
      handler: async (event: SQSEvent) => {
        batches.push(event.Records.map((r) => r.body));
        const m7 = event.Records.find((r) => r.body === 'm7');
        if (m7 && !failedOnce) {
          failedOnce = true;
          return { batchItemFailures: [{ itemIdentifier: m7.messageId }] };
        }
        return { batchItemFailures: [] };
      },
      done: async () => batches.flat().length >= 26,
      timeoutMs: 20_000,
    });

    // Assess: more than ten records per invocation, every message handled, none left behind.
    expect(Math.max(...batches.map((b) => b.length))).toBeGreaterThan(10);
    expect(new Set(batches.flat())).toEqual(new Set(Array.from({ length: 25 }, (_, i) => `m${i}`)));
    expect(batches.flat().filter((b) => b === 'm7')).toHaveLength(2);
    expect(drained.doneAt).toBeGreaterThan(0);
    const { Attributes } = await client.send(new GetQueueAttributesCommand({
      QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }));
    expect(Number(Attributes?.ApproximateNumberOfMessages) + Number(Attributes?.ApproximateNumberOfMessagesNotVisible)).toBe(0);
    client.destroy();
  });

  it('creates every bucket (lower-cased logical id) and re-emits S3 events', async () => {
    const client = new S3Client({ region, credentials, endpoint: stack.endpoints.s3, forcePathStyle: true });
    const { Buckets } = await client.send(new ListBucketsCommand({}));
    const expected = idsOfType(resources, 'AWS::S3::Bucket').map(bucketNameFor);
    expect(expected).toContain('contentbucket');
    expect(Buckets?.map((b) => b.Name).sort()).toEqual(expected.sort());

    const events: unknown[] = [];
    stack.s3Events.on('event', (event: unknown) => events.push(event));
    await client.send(new PutObjectCommand({ Bucket: stack.env.CONTENT_BUCKET, Key: 'articles/my a+b.md', Body: '# A' }));
    type Event = { Records: Array<{ eventName: string; s3: { bucket: { name: string; arn: string }; object: { key: string } } }> };
    const event = await pollUntil(async () => events[0] as Event | undefined, { message: 'the S3 ObjectCreated event' });
    expect(event.Records[0]?.eventName).toBe('ObjectCreated:Put');
    expect(event.Records[0]?.s3.bucket).toMatchObject({ name: 'contentbucket', arn: 'arn:aws:s3:::contentbucket' });
    expect(event.Records[0]?.s3.object.key).toBe('articles/my+a%2Bb.md'); // URL-encoded, as AWS sends it
    const object = await client.send(new GetObjectCommand({ Bucket: 'contentbucket', Key: 'articles/my a+b.md' }));
    expect(await object.Body?.transformToString()).toBe('# A');
    client.destroy();
  });

  it('gives an environment the app configuration accepts', () => {
    const { env } = stack;
    expect(env).toMatchObject({
      AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', LOCAL: 'true',
      CONTENT_BUCKET: 'contentbucket', ARTICLES_TABLE: 'ArticlesTable', EDITIONS_TABLE: 'EditionsTable',
      SUBSCRIBERS_TABLE: 'SubscribersTable', DELIVERIES_TABLE: 'DeliveriesTable', ALERTS_TABLE: 'AlertsTable',
      SEND_QUEUE_URL: stack.resources.queues.SendQueue?.url,
      SEND_DLQ_URL: stack.resources.queues.SendDeadLetterQueue?.url,
      S3_ENDPOINT: stack.endpoints.s3, DYNAMODB_ENDPOINT: stack.endpoints.dynamodb,
      SES_ENDPOINT: stack.endpoints.ses, SQS_ENDPOINT: stack.endpoints.sqs,
    });
    const config = parseConfig({
      ...env,
      TOKEN_SECRET: 'Local-stack-test-secret-0123456789abcdef', LOG_PSEUDONYM_KEY: 'Local-stack-test-pseudonyms-0123456789ab',
      PUBLIC_BASE_URL: 'http://127.0.0.1:3000',
      ARCHIVE_BASE_URL: 'http://127.0.0.1:3000/archive',
      FROM_ADDRESS: 'digest@example.com',
    });
    expect(config.LOCAL).toBe(true);
    expect(config.SEND_QUEUE_URL).toBe(env.SEND_QUEUE_URL);
  });

  describe('SES', () => {
    it('answers GetSendQuota, counting accepted sends', async () => {
      stack.ses.setFaults({ maxSendRate: 250, quotaRemaining: 10 });
      const before = await ses.send(new GetSendQuotaCommand({}));
      expect(before.MaxSendRate).toBe(250);
      await send(ses, 'quota@example.com');
      const after = await ses.send(new GetSendQuotaCommand({}));
      expect(after.SentLast24Hours).toBe((before.SentLast24Hours ?? 0) + 1);
      expect(after.Max24HourSend).toBe(after.SentLast24Hours! + 9);
      stack.ses.setFaults({});
    });

    it('stores SendRawEmail byte for byte, and forwards it to the mailbox', async () => {
      const subject = `Raw ${Date.now()}`;
      const raw = mime('"Doe, Jane" <jane@example.com>, bob@example.com', subject);
      const answer = await ses.send(new SendRawEmailCommand({
        RawMessage: { Data: raw },
        ConfigurationSetName: 'digest-local',
        Tags: [{ Name: 'edition', Value: 'e-1' }, { Name: 'kind', Value: 'newsletter' }],
      }));
      const captured = stack.ses.messages().find((m) => m.messageId === answer.MessageId);
      expect(captured).toBeDefined();
      expect(captured?.raw.equals(raw)).toBe(true);
      expect(captured?.raw.toString('utf8')).toContain('List-Unsubscribe: <https://digest.example.com/u/abc>');
      expect(captured?.destinations).toEqual(['jane@example.com', 'bob@example.com']);
      expect(captured?.tags).toEqual({ edition: 'e-1', kind: 'newsletter' });
      expect(captured?.configurationSet).toBe('digest-local');

      const listed = (await (await fetch(`${stack.ses.url}/raw`)).json()) as Array<{ messageId: string; raw: string }>;
      expect(listed.find((m) => m.messageId === answer.MessageId)?.raw).toBe(raw.toString('base64'));

      const mail = await pollUntil(async () => {
        const store = (await (await fetch(`${stack.ses.url}/store`)).json()) as { emails: Array<{ subject: string }> };
        return store.emails.find((e) => e.subject === subject);
      }, { message: 'the mail in the mailbox /store' });
      expect(mail.subject).toBe(subject);
      const ui = await fetch(`${stack.ses.url}/`);
      expect(ui.status).toBe(200);
      expect(ui.headers.get('content-type')).toContain('text/html');
      await ui.text();
    });

    it('uses Destinations over the headers when given', async () => {
      const answer = await ses.send(new SendRawEmailCommand({
        RawMessage: { Data: mime('header@example.com', 'Dest') }, Destinations: ['env@example.com'],
      }));
      expect(stack.ses.messages().find((m) => m.messageId === answer.MessageId)?.destinations).toEqual(['env@example.com']);
    });

    it('injects throttling, server errors, rejections and quota exhaustion', async () => {
      stack.ses.setFaults({ throttleShare: 1 });
      expect(await sendError(ses, 'a@example.com')).toMatchObject({ name: 'Throttling', status: 400, message: 'Maximum sending rate exceeded.' });

      stack.ses.setFaults({ serverErrorShare: 1, seed: 3 });
      const errors = [await sendError(ses, 'a@example.com'), await sendError(ses, 'a@example.com'), await sendError(ses, 'a@example.com')];
      for (const error of errors) {
        expect(['InternalFailure:500', 'ServiceUnavailable:503']).toContain(`${error.name}:${error.status}`);
      }

      stack.ses.setFaults({ rejectAddresses: ['Bad@Example.com'] });
      expect(await sendError(ses, 'bad@example.com')).toMatchObject({ name: 'MessageRejected', status: 400 });
      expect((await sendError(ses, 'bad@example.com')).message).toContain('Email address is not verified');
      await expect(send(ses, 'good@example.com')).resolves.toHaveProperty('MessageId');

      stack.ses.setFaults({ quotaRemaining: 1 });
      await send(ses, 'first@example.com');
      expect(await sendError(ses, 'second@example.com')).toMatchObject({ name: 'Throttling', message: 'Daily message quota exceeded.' });
      stack.ses.setFaults({});
    });

    it('is reproducible with a seed, and settable over HTTP', async () => {
      const outcomes = async (): Promise<string> => {
        const results = await Promise.allSettled(Array.from({ length: 20 }, () => send(ses, 'r@example.com')));
        return results.map((r) => (r.status === 'fulfilled' ? 'ok' : 'x')).join('');
      };
      const post = await fetch(`${stack.ses.url}/faults`, { method: 'POST', body: JSON.stringify({ throttleShare: 0.5, seed: 42 }) });
      expect(await post.json()).toMatchObject({ throttleShare: 0.5, seed: 42 });
      const first = await outcomes();
      stack.ses.setFaults({ throttleShare: 0.5, seed: 42 });
      expect(await outcomes()).toBe(first);
      expect(first).toContain('ok');
      expect(first).toContain('x');
      stack.ses.setFaults({});
    });

    it('adds latency and counts answers', async () => {
      stack.ses.setFaults({ latencyMs: 150 });
      const started = performance.now();
      await send(ses, 'slow@example.com');
      expect(performance.now() - started).toBeGreaterThanOrEqual(145);
      stack.ses.setFaults({});
      const stats = stack.ses.stats();
      expect(stats.accepted).toBeGreaterThan(0);
      expect(stats.throttled).toBeGreaterThan(0);
      expect(stats.rejected).toBeGreaterThan(0);
      expect(stats.errors).toBe(3);
      expect(stats.inFlight).toBe(0);
      const http = (await (await fetch(`${stack.ses.url}/stats`)).json()) as { accepted: number };
      expect(http.accepted).toBe(stats.accepted);
    });

    it('answers an action it does not implement instead of hanging', async () => {
      const response = await fetch(stack.ses.url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'AWS4-HMAC-SHA256 x' },
        body: 'Action=ListIdentities&Version=2010-12-01',
        signal: AbortSignal.timeout(2_000),
      });
      expect(response.status).toBe(400);
      expect(await response.text()).toContain('<Code>InvalidAction</Code>');
    });

    it('clears its captured mail (in process and over HTTP)', async () => {
      await send(ses, 'clear@example.com');
      expect(stack.ses.messages().length).toBeGreaterThan(0);
      const cleared = (await (await fetch(`${stack.ses.url}/raw/clear`, { method: 'POST' })).json()) as { cleared: number };
      expect(cleared.cleared).toBeGreaterThan(0);
      expect(stack.ses.messages()).toEqual([]);
    });
  });

  it('runs two stacks side by side, each with its own resources and mail', async () => {
    const other = await startLocalStack({ forwardToMailbox: false });
    try {
      expect(Object.values(other.endpoints)).not.toEqual(expect.arrayContaining(Object.values(stack.endpoints)));
      for (const url of Object.values(other.endpoints)) expect(Object.values(stack.endpoints)).not.toContain(url);
      const client = sesClient(other);
      await send(client, 'other@example.com', 'Other stack');
      client.destroy();
      expect(other.ses.messages()).toHaveLength(1);
      expect(stack.ses.messages().some((m) => m.destinations.includes('other@example.com'))).toBe(false);
      const dynamo = new DynamoDBClient({ region, credentials, endpoint: other.endpoints.dynamodb });
      expect((await dynamo.send(new ListTablesCommand({}))).TableNames).toContain('ArticlesTable');
      dynamo.destroy();
    } finally {
      await other.stop();
    }
  });

  it('stop() leaves no listening socket behind, even with keep-alive connections open', async () => {
    const doomed = await startLocalStack();
    const client = sesClient(doomed);
    await send(client, 'bye@example.com');
    await client.send(new GetSendQuotaCommand({}));
    const dynamo = new DynamoDBClient({ region, credentials, endpoint: doomed.endpoints.dynamodb });
    await dynamo.send(new ListTablesCommand({}));
    const ports = [...Object.values(doomed.endpoints), doomed.ses.mailboxUrl ?? ''].map(portOf);
    expect(ports.every((p) => p > 0)).toBe(true);

    await doomed.stop();
    for (const port of ports) expect(await connectionRefused(port), `port ${port}`).toBe(true);
    client.destroy();
    dynamo.destroy();
  });
});

describe('a busy port', () => {
  it('fails the start cleanly, stopping what had started', async () => {
    const blocker = createNetServer().listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    const busy = (blocker.address() as { port: number }).port;
    try {
      for (const service of ['dynamodb', 's3', 'sqs', 'ses'] as const) {
        await expect(startLocalStack({ ports: { [service]: busy } })).rejects.toThrow(/EADDRINUSE/);
      }
    } finally {
      blocker.close();
    }
  });
});

describe('resources from any template', () => {
  it('creates tables and queues added to the YAML with no extra code, and ignores what it does not emulate (topics, IAM roles)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'local-stack-infra-'));
    await writeFile(join(dir, 'extra.yml'), [
      'Resources:',
      '  ExtraTable:',
      '    Type: AWS::DynamoDB::Table',
      '    Properties:',
      '      BillingMode: PROVISIONED',
      '      ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 }',
      '      AttributeDefinitions: [{ AttributeName: id, AttributeType: S }]',
      '      KeySchema: [{ AttributeName: id, KeyType: HASH }]',
      '  WorkQueue:',
      '    Type: AWS::SQS::Queue',
      '    Properties:',
      '      VisibilityTimeout: ${self:custom.workVisibility}',
      '      DelaySeconds: ${self:custom.missing, 3}',
      '      RedrivePolicy:',
      '        deadLetterTargetArn: !GetAtt ParkingQueue.Arn',
      '        maxReceiveCount: 2',
      '  ParkingQueue:',
      '    Type: AWS::SQS::Queue',
      '  OrderedQueue:',
      '    Type: AWS::SQS::Queue',
      '    Properties: { FifoQueue: true, ContentBasedDeduplication: true }',
      '  Alerts:',
      '    Type: AWS::SNS::Topic',
      // A role as infra/iam.yml writes them: anchors, !Sub with pseudo parameters, !GetAtt.
      '  WorkerRole:',
      '    Type: AWS::IAM::Role',
      '    Properties:',
      '      AssumeRolePolicyDocument: &trust',
      '        Statement: [{ Effect: Allow, Principal: { Service: lambda.amazonaws.com }, Action: sts:AssumeRole }]',
      '      Policies:',
      '        - PolicyName: worker',
      '          PolicyDocument:',
      '            Statement:',
      '              - { Effect: Allow, Action: [sqs:SendMessage], Resource: !GetAtt WorkQueue.Arn }',
      '              - Effect: Allow',
      '                Action: [logs:PutLogEvents]',
      '                Resource: !Sub arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/lambda/${self:custom.missing, "x"}:*',
      '  OtherRole:',
      '    Type: AWS::IAM::Role',
      '    Properties: { AssumeRolePolicyDocument: *trust }',
    ].join('\n'));
    await writeFile(join(dir, 'serverless.yml'), [
      'custom: { workVisibility: 77 }',
      'provider:',
      '  environment:',
      '    WORK_QUEUE_URL: !GetAtt WorkQueue.QueueUrl',
      '    EXTRA_TABLE: { Ref: ExtraTable }',
      '    ORDERED_ARN: !GetAtt OrderedQueue.Arn',
      '    SECRET: not-a-resource',
    ].join('\n'));
    const stack = await startLocalStack({ infraDir: dir, serverlessYml: join(dir, 'serverless.yml') });
    try {
      expect(stack.resources.tables).toEqual({ ExtraTable: 'ExtraTable' });
      expect(Object.keys(stack.resources.queues).sort()).toEqual(['OrderedQueue', 'ParkingQueue', 'WorkQueue']);
      expect(stack.resources.queues.OrderedQueue?.url).toMatch(/OrderedQueue\.fifo$/);
      expect(stack.env).toMatchObject({
        WORK_QUEUE_URL: stack.resources.queues.WorkQueue?.url,
        EXTRA_TABLE: 'ExtraTable',
        ORDERED_ARN: stack.resources.queues.OrderedQueue?.arn,
      });
      expect(stack.env.SECRET).toBeUndefined();
      expect(stack.env.ARTICLES_TABLE).toBeUndefined();
      const sqs = new SQSClient({ region, credentials, endpoint: stack.endpoints.sqs });
      const { Attributes } = await sqs.send(new GetQueueAttributesCommand({
        QueueUrl: stack.resources.queues.WorkQueue?.url, AttributeNames: ['All'],
      }));
      expect(Attributes).toMatchObject({ VisibilityTimeout: '77', DelaySeconds: '3' });
      expect(JSON.parse(Attributes?.RedrivePolicy ?? '{}')).toMatchObject({
        deadLetterTargetArn: stack.resources.queues.ParkingQueue?.arn,
      });
      sqs.destroy();
    } finally {
      await stack.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('ports', () => {
  it('defaults to fixed ports, overridable from the environment', () => {
    expect(DEFAULT_PORTS).toEqual({ s3: 4569, dynamodb: 4567, ses: 8005, sqs: 9324, http: 3000, auth: 4580 });
    expect(portsFromEnv({})).toEqual(DEFAULT_PORTS);
    expect(portsFromEnv({ LOCAL_SES_PORT: '0', LOCAL_S3_PORT: '5000', LOCAL_HTTP_PORT: '' })).toEqual({ ...DEFAULT_PORTS, ses: 0, s3: 5000 });
    expect(() => portsFromEnv({ LOCAL_SQS_PORT: 'abc' })).toThrow(/LOCAL_SQS_PORT/);
    expect(portsFromEnv({ LOCAL_AUTH_PORT: '0' }).auth).toBe(0);
  });
});

describe('SES front in its own process', () => {
  it('prints its port when ready and answers the SDK', async () => {
    const child = spawn(process.execPath, [
      '--import', 'tsx', 'infra/local/ses-front-process.ts', '--port', '0', '--latency', '20', '--max-send-rate', '321', '--no-mailbox',
    ], { stdio: ['pipe', 'pipe', 'inherit'] });
    try {
      const lines = createInterface({ input: child.stdout });
      const [line] = (await once(lines, 'line')) as [string];
      const ready = JSON.parse(line) as { port: number; url: string };
      expect(ready.port).toBeGreaterThan(0);
      const client = new SESClient({ region, credentials, endpoint: ready.url, maxAttempts: 1 });
      expect((await client.send(new GetSendQuotaCommand({}))).MaxSendRate).toBe(321);
      await client.send(new SendRawEmailCommand({ RawMessage: { Data: mime('p@example.com', 'Proc') } }));
      const raw = (await (await fetch(`${ready.url}/raw`)).json()) as Array<{ destinations: string[] }>;
      expect(raw[0]?.destinations).toEqual(['p@example.com']);
      client.destroy();
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  });
});
