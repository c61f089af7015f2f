/**
 * The send function's lean S3, SES, SQS and SSM clients (functions/adapters/*-lean-client.ts)
 * held to the SDK they stand in for, against loopback HTTP servers: each request signed as
 * `@smithy/signature-v4` signs it, each request body and path as the SDK's own client writes
 * it, and each answer (outputs, error names, `$fault`, `$metadata.httpStatusCode`) read as the
 * SDK reads the same answer.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type OutgoingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, LookupFunction } from 'node:net';
import { GetObjectCommand as SdkGetObject, PutObjectCommand as SdkPutObject, S3Client } from '@aws-sdk/client-s3';
import { GetSendQuotaCommand as SdkGetSendQuota, SESClient } from '@aws-sdk/client-ses';
import { SendMessageBatchCommand as SdkSendMessageBatch, SQSClient } from '@aws-sdk/client-sqs';
import { GetParameterCommand as SdkGetParameter, SSMClient } from '@aws-sdk/client-ssm';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterEach, describe, expect, it } from 'vitest';
import { AwsServiceError, GetObjectCommand, GetParameterCommand, GetSendQuotaCommand, ListObjectsV2Command, PutObjectCommand, SendMessageBatchCommand, type AwsCaller } from '../../../functions/adapters/aws-commands.ts';
import { LeanS3Client } from '../../../functions/adapters/s3-lean-client.ts';
import { isNoSuchKey } from '../../../functions/adapters/s3-support.ts';
import { LeanSesClient } from '../../../functions/adapters/ses-lean-client.ts';
import { SesMailSender } from '../../../functions/adapters/ses-mail-sender.ts';
import { LeanSqsClient } from '../../../functions/adapters/sqs-lean-client.ts';
import { SqsSendQueue } from '../../../functions/adapters/sqs-send-queue.ts';
import { LeanSsmClient } from '../../../functions/adapters/ssm-lean-client.ts';
import { fieldsXml, successXml } from '../../../infra/local/ses-protocol.ts';
import { NodeSha256 } from '../../helpers/node-sha256.ts';


const REGION = 'eu-west-1';
const CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken: 'IQoJb3JpZ2luX2VjEXAMPLE//token==' };
const TIMEOUTS = { connectionMs: 1_000, requestMs: 2_000 };
/** A key with spaces, non-ASCII letters, `+`, parentheses and `!`: each encoded differently by a careless signer. */
const KEY = 'editions/daily 2026-12-01/ünïcode+plus (1)!.json';

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

type Answer = { status: number; body: string; headers?: OutgoingHttpHeaders };

/** A loopback server answering each request with `answer(n, request)` (n from 1). */
async function server(answer: (n: number, request: Received) => Answer): Promise<{ url: string; port: number; received: Received[]; close: () => Promise<void> }> {
  const received: Received[] = [];
  const s: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) };
      received.push(r);
      const a = answer(received.length, r);
      res.writeHead(a.status, { 'content-type': 'text/plain', ...a.headers }).end(a.body);
    });
  });
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    received,
    close: () => {
      s.closeAllConnections();
      return new Promise((resolve) => s.close(() => resolve()));
    },
  };
}

const stops: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

async function started(answer: (n: number, request: Received) => Answer): Promise<Awaited<ReturnType<typeof server>>> {
  const srv = await server(answer);
  stops.push(srv.close);
  return srv;
}

function using<T extends { destroy(): void }>(client: T): T {
  stops.push(() => client.destroy());
  return client;
}

/** The Authorization header `@smithy/signature-v4` writes for the request as the server received it, at its x-amz-date. */
async function smithyAuthorization(got: Received, service: string, options: { uriEscapePath: boolean; applyChecksum: boolean }): Promise<string> {
  const amzDate = String(got.headers['x-amz-date']);
  const when = new Date(`${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`);
  const signer = new SignatureV4({ credentials: CREDENTIALS, region: REGION, service, sha256: NodeSha256 as never, ...options });
  // The headers the caller set (the signer adds the date, the token and, for S3, the payload hash itself).
  const skip = new Set(['authorization', 'x-amz-date', 'x-amz-security-token', 'x-amz-content-sha256', 'content-length', 'connection']);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(got.headers)) if (!skip.has(name) && value !== undefined) headers[name] = String(value);
  const [path, search = ''] = got.url.split('?') as [string, string?];
  const query = Object.fromEntries(new URLSearchParams(search));
  const host = String(got.headers.host);
  const signed = await signer.sign(
    { method: got.method, protocol: 'http:', hostname: host.split(':')[0] as string, path, query, headers, ...(got.body.byteLength > 0 ? { body: got.body } : {}) },
    { signingDate: when },
  );
  return String(signed.headers.authorization);
}

const sdkConfig = (url: string) => ({ region: REGION, endpoint: url, credentials: CREDENTIALS, maxAttempts: 1 });
const without$metadata = <T extends object>(out: T) => {
  const { $metadata: _m, ...rest } = out as T & { $metadata?: unknown };
  return rest;
};

describe('Class: LeanS3Client', () => {
  const s3 = (url: string, extra: Partial<ConstructorParameters<typeof LeanS3Client>[0]> = {}) =>
    using(new LeanS3Client({ endpoint: url, forcePathStyle: true, region: REGION, credentials: async () => CREDENTIALS, timeouts: TIMEOUTS, maxSockets: 2, ...extra }));

  it('signs GET and PUT of a key with spaces, unicode and + as @smithy/signature-v4 does for S3, on the path the SDK writes', async () => {
    // Prepare
    const srv = await started((_n, r) => (r.method === 'PUT' ? { status: 200, body: '', headers: { etag: '"e1"' } } : { status: 200, body: '{"a":1}', headers: { 'content-type': 'application/json' } }));
    const lean = s3(srv.url);
    const sdk = using(new S3Client({ ...sdkConfig(srv.url), forcePathStyle: true }));

    // Act
    await lean.send(new PutObjectCommand({ Bucket: 'artefacts', Key: KEY, Body: '{"a":1}', ContentType: 'application/json' }));
    await lean.send(new GetObjectCommand({ Bucket: 'artefacts', Key: KEY }));
    await sdk.send(new SdkGetObject({ Bucket: 'artefacts', Key: KEY }));

    // Assess
    const [put, get, sdkGet] = srv.received as [Received, Received, Received];
    expect(put.method).toBe('PUT');
    expect(put.headers['x-amz-content-sha256']).toBe(createHash('sha256').update('{"a":1}').digest('hex'));
    expect(put.headers.authorization).toBe(await smithyAuthorization(put, 's3', { uriEscapePath: false, applyChecksum: true }));
    expect(get.headers.authorization).toBe(await smithyAuthorization(get, 's3', { uriEscapePath: false, applyChecksum: true }));
    expect(get.headers['x-amz-security-token']).toBe(CREDENTIALS.sessionToken);
    // The key's segments are encoded once, as the SDK encodes them (its x-id query aside).
    expect(get.url).toBe(sdkGet.url.split('?')[0]);
    expect(get.url).toBe('/artefacts/editions/daily%202026-12-01/%C3%BCn%C3%AFcode%2Bplus%20%281%29%21.json');
    expect(put.body.toString()).toBe('{"a":1}');
  });

  it('addresses a DNS-compatible bucket without dots virtual-hosted, any other path-style', async () => {
    // Prepare: every host name resolves to the loopback server
    const srv = await started(() => ({ status: 200, body: 'x' }));
    const lookup = ((_host: string, options: unknown, callback: (...a: unknown[]) => void) => {
      if ((options as { all?: boolean }).all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
      else callback(null, '127.0.0.1', 4);
    }) as LookupFunction;
    const lean = s3(`http://s3.${REGION}.amazonaws.com:${srv.port}`, { forcePathStyle: false, lookup });

    // Act
    await lean.send(new GetObjectCommand({ Bucket: 'artefacts-prod', Key: 'a/b.json' }));
    await lean.send(new GetObjectCommand({ Bucket: 'my.dotted.bucket', Key: 'a/b.json' }));
    await lean.send(new GetObjectCommand({ Bucket: 'Upper_Case', Key: 'a/b.json' }));

    // Assess
    expect(srv.received.map((r) => `${String(r.headers.host)} ${r.url}`)).toEqual([
      `artefacts-prod.s3.${REGION}.amazonaws.com:${srv.port} /a/b.json`,
      `s3.${REGION}.amazonaws.com:${srv.port} /my.dotted.bucket/a/b.json`,
      `s3.${REGION}.amazonaws.com:${srv.port} /Upper_Case/a/b.json`,
    ]);
    for (const r of srv.received) expect(r.headers.authorization).toBe(await smithyAuthorization(r, 's3', { uriEscapePath: false, applyChecksum: true }));
  });

  it('reads an object and a missing key as the SDK does (NoSuchKey, 404)', async () => {
    // Prepare
    const missing = '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>x</Key><RequestId>r-1</RequestId></Error>';
    const srv = await started((_n, r) =>
      r.url.includes('missing') ? { status: 404, body: missing, headers: { 'content-type': 'application/xml' } } : { status: 200, body: 'héllo', headers: { 'content-type': 'text/plain; charset=utf-8', etag: '"e"', 'last-modified': 'Tue, 01 Dec 2026 10:00:00 GMT' } },
    );
    const lean = s3(srv.url);
    const sdk = using(new S3Client({ ...sdkConfig(srv.url), forcePathStyle: true }));

    // Act
    const ours = await lean.send(new GetObjectCommand({ Bucket: 'b-1', Key: 'ok.txt' }));
    const theirs = await sdk.send(new SdkGetObject({ Bucket: 'b-1', Key: 'ok.txt' }));
    const ourMiss = await lean.send(new GetObjectCommand({ Bucket: 'b-1', Key: 'missing.txt' })).catch((e: unknown) => e);
    const theirMiss = await sdk.send(new SdkGetObject({ Bucket: 'b-1', Key: 'missing.txt' })).catch((e: unknown) => e);

    // Assess
    expect(await ours.Body?.transformToString()).toBe(await theirs.Body?.transformToString());
    expect({ ContentType: ours.ContentType, ContentLength: ours.ContentLength, ETag: ours.ETag, LastModified: ours.LastModified }).toEqual({
      ContentType: theirs.ContentType,
      ContentLength: theirs.ContentLength,
      ETag: theirs.ETag,
      LastModified: theirs.LastModified,
    });
    expect(ourMiss).toBeInstanceOf(AwsServiceError);
    const pick = (e: unknown) => ({ name: (e as Error).name, message: (e as Error).message, $fault: (e as AwsServiceError).$fault, status: (e as AwsServiceError).$metadata.httpStatusCode });
    expect(pick(ourMiss)).toEqual(pick(theirMiss));
    expect(isNoSuchKey(ourMiss)).toBe(true);
  });

  it('tries a throttled or failed call again, up to three attempts, and refuses what it does not speak', async () => {
    // Prepare
    const slowDown = '<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>';
    const srv = await started((n) => (n === 1 ? { status: 503, body: slowDown } : n === 2 ? { status: 500, body: '' } : n === 3 ? { status: 200, body: 'ok' } : { status: 503, body: slowDown }));
    const lean = s3(srv.url);

    // Act
    const got = await lean.send(new GetObjectCommand({ Bucket: 'b-1', Key: 'k' }));
    const failed = await lean.send(new PutObjectCommand({ Bucket: 'b-1', Key: 'k', Body: 'x' })).catch((e: unknown) => e);
    const list = await lean.send(new ListObjectsV2Command({ Bucket: 'b-1' })).catch((e: unknown) => e);
    const extra = await lean.send(new GetObjectCommand({ Bucket: 'b-1', Key: 'k', Range: 'bytes=0-1' })).catch((e: unknown) => e);

    // Assess
    expect(got.$metadata).toMatchObject({ httpStatusCode: 200, attempts: 3 });
    expect(await got.Body?.transformToString()).toBe('ok');
    expect(failed).toMatchObject({ name: 'SlowDown', $fault: 'server', $metadata: { httpStatusCode: 503, attempts: 3 } });
    expect(srv.received).toHaveLength(6);
    expect(String(list)).toMatch(/ListObjectsV2Command is not supported/);
    expect(String(extra)).toMatch(/GetObject with Range is not supported/);
  });
});

describe('Class: LeanSqsClient', () => {
  const INPUT = {
    QueueUrl: '',
    Entries: [
      { Id: '0', MessageBody: JSON.stringify({ editionId: 'daily-2026-12-01', subscriberId: 's_1' }), DelaySeconds: 30 },
      { Id: '1', MessageBody: 'ünïcode "quoted" \\ body' },
    ],
  };
  const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');
  const ANSWER = {
    Successful: [{ Id: '0', MessageId: 'm-0', MD5OfMessageBody: md5(INPUT.Entries[0]?.MessageBody ?? '') }],
    Failed: [{ Id: '1', SenderFault: false, Code: 'InternalError', Message: 'try again' }],
  };

  it('signs as @smithy/signature-v4 does, writes the body the SDK writes, and reads Successful and Failed as the SDK does', async () => {
    // Prepare
    const srv = await started(() => ({ status: 200, body: JSON.stringify(ANSWER), headers: { 'content-type': 'application/x-amz-json-1.0' } }));
    const input = { ...INPUT, QueueUrl: `${srv.url}/000000000000/send` };
    const lean = using(new LeanSqsClient({ endpoint: srv.url, region: REGION, credentials: async () => CREDENTIALS, timeouts: TIMEOUTS, maxSockets: 2 }));
    const sdk = using(new SQSClient(sdkConfig(srv.url)));

    // Act
    const ours = await lean.send(new SendMessageBatchCommand(input));
    const theirs = await sdk.send(new SdkSendMessageBatch(input));

    // Assess
    const [mine, sdks] = srv.received as [Received, Received];
    expect(mine.headers.authorization).toBe(await smithyAuthorization(mine, 'sqs', { uriEscapePath: true, applyChecksum: false }));
    expect(JSON.parse(mine.body.toString())).toEqual(JSON.parse(sdks.body.toString()));
    expect([mine.headers['x-amz-target'], mine.headers['content-type']]).toEqual([sdks.headers['x-amz-target'], sdks.headers['content-type']]);
    expect(without$metadata(ours)).toEqual(without$metadata(theirs));
    expect(ours.Failed).toEqual([{ Id: '1', SenderFault: false, Code: 'InternalError', Message: 'try again' }]);
  });

  it('names an error answer as the SDK does, and SqsSendQueue retries the Failed entry over it', async () => {
    // Prepare
    const srv = await started((n) =>
      n === 1
        ? { status: 400, body: JSON.stringify({ __type: 'com.amazonaws.sqs#QueueDoesNotExist', message: 'The specified queue does not exist.' }), headers: { 'x-amzn-query-error': 'AWS.SimpleQueueService.NonExistentQueue;Sender' } }
        : n === 2
          ? { status: 400, body: JSON.stringify({ __type: 'com.amazonaws.sqs#QueueDoesNotExist', message: 'The specified queue does not exist.' }), headers: { 'x-amzn-query-error': 'AWS.SimpleQueueService.NonExistentQueue;Sender' } }
          : n === 3
            ? { status: 200, body: JSON.stringify({ Successful: [{ Id: '0', MessageId: 'a' }], Failed: [{ Id: '1', SenderFault: false, Code: 'InternalError', Message: 'later' }] }) }
            : n === 4
              ? { status: 200, body: JSON.stringify({ Successful: [{ Id: '1', MessageId: 'b' }] }) }
              : { status: 200, body: JSON.stringify({ Successful: [{ Id: '0', MessageId: 'c', MD5OfMessageBody: 'not-the-md5' }] }) },
    );
    const lean = using(new LeanSqsClient({ endpoint: srv.url, region: REGION, credentials: async () => CREDENTIALS, timeouts: TIMEOUTS, maxSockets: 2 }));
    const sdk = using(new SQSClient(sdkConfig(srv.url)));
    const input = { ...INPUT, QueueUrl: `${srv.url}/000000000000/send` };

    // Act
    const ours = await lean.send(new SendMessageBatchCommand(input)).catch((e: unknown) => e);
    const theirs = await sdk.send(new SdkSendMessageBatch(input)).catch((e: unknown) => e);
    await new SqsSendQueue({ client: lean, queueUrl: input.QueueUrl }).enqueue([{ editionId: 'e', subscriberId: 'a' }, { editionId: 'e', subscriberId: 'b' }]);
    const corrupt = await lean.send(new SendMessageBatchCommand({ QueueUrl: input.QueueUrl, Entries: [{ Id: '0', MessageBody: 'x' }] })).catch((e: unknown) => e);

    // Assess
    const pick = (e: unknown) => ({ name: (e as Error).name, $fault: (e as AwsServiceError).$fault, status: (e as AwsServiceError).$metadata.httpStatusCode });
    expect(pick(ours)).toEqual(pick(theirs));
    expect((ours as AwsServiceError).$metadata.attempts).toBe(1); // a client error is not retried
    const retried = JSON.parse((srv.received[3] as Received).body.toString()) as { Entries: Array<{ Id: string; MessageBody: string }> };
    expect(retried.Entries.map((e) => JSON.parse(e.MessageBody) as unknown)).toEqual([{ editionId: 'e', subscriberId: 'b' }]);
    expect(String(corrupt)).toMatch(/Invalid MD5 checksum on messages: 0/); // as the SDK's middleware says it
    expect(srv.received).toHaveLength(5); // and not sent again
  });
});

describe('Class: LeanSsmClient', () => {
  it('signs as @smithy/signature-v4 does, writes the SDK body and reads Parameter and ParameterNotFound as the SDK does', async () => {
    // Prepare
    const parameter = { Parameter: { Name: '/digest/token', Type: 'SecureString', Value: 'a-secret,an-older-one', Version: 3, LastModifiedDate: 1_764_583_200.123, ARN: 'arn:aws:ssm:eu-west-1:000000000000:parameter/digest/token', DataType: 'text' } };
    const srv = await started((n) =>
      n <= 2 ? { status: 200, body: JSON.stringify(parameter), headers: { 'content-type': 'application/x-amz-json-1.1' } } : { status: 400, body: JSON.stringify({ __type: 'ParameterNotFound', message: '' }), headers: { 'content-type': 'application/x-amz-json-1.1' } },
    );
    const lean = using(new LeanSsmClient({ endpoint: srv.url, region: REGION, credentials: async () => CREDENTIALS, timeouts: TIMEOUTS, maxSockets: 2 }));
    const sdk = using(new SSMClient(sdkConfig(srv.url)));
    const input = { Name: '/digest/token', WithDecryption: true };

    // Act
    const ours = await lean.send(new GetParameterCommand(input));
    const theirs = await sdk.send(new SdkGetParameter(input));
    const ourMiss = await lean.send(new GetParameterCommand(input)).catch((e: unknown) => e);
    const theirMiss = await sdk.send(new SdkGetParameter(input)).catch((e: unknown) => e);

    // Assess
    const [mine, sdks] = srv.received as [Received, Received];
    expect(mine.headers.authorization).toBe(await smithyAuthorization(mine, 'ssm', { uriEscapePath: true, applyChecksum: false }));
    expect(JSON.parse(mine.body.toString())).toEqual(JSON.parse(sdks.body.toString()));
    expect([mine.headers['x-amz-target'], mine.headers['content-type']]).toEqual([sdks.headers['x-amz-target'], sdks.headers['content-type']]);
    expect(without$metadata(ours)).toEqual(without$metadata(theirs));
    expect(ours.Parameter?.Value).toBe('a-secret,an-older-one');
    const pick = (e: unknown) => ({ name: (e as Error).name, $fault: (e as AwsServiceError).$fault, status: (e as AwsServiceError).$metadata.httpStatusCode });
    expect(pick(ourMiss)).toEqual(pick(theirMiss));
    expect(pick(ourMiss).name).toBe('ParameterNotFound');
  });
});

describe('Class: LeanSesClient (GetSendQuota)', () => {
  it('reads the quota as numbers, as the SDK does, and SesMailSender takes it', async () => {
    // Prepare
    const srv = await started(() => ({ status: 200, body: successXml('GetSendQuota', fieldsXml({ Max24HourSend: '50000.0', MaxSendRate: '14.0', SentLast24Hours: '12.0' })), headers: { 'content-type': 'text/xml' } }));
    const lean: AwsCaller = using(new LeanSesClient({ endpoint: srv.url, region: REGION, credentials: async () => CREDENTIALS, timeouts: TIMEOUTS, maxSockets: 2 }));
    const sdk = using(new SESClient(sdkConfig(srv.url)));

    // Act
    const ours = await lean.send(new GetSendQuotaCommand({}));
    const theirs = await sdk.send(new SdkGetSendQuota({}));
    const quota = await new SesMailSender({ client: lean }).getQuota();

    // Assess
    const [mine, sdks] = srv.received as [Received, Received];
    expect(mine.headers.authorization).toBe(await smithyAuthorization(mine, 'ses', { uriEscapePath: true, applyChecksum: false }));
    expect(mine.body.toString().split('&').sort()).toEqual(sdks.body.toString().split('&').sort());
    expect(without$metadata(ours)).toEqual(without$metadata(theirs));
    expect(quota).toEqual({ maxSendRate: 14, max24HourSend: 50_000, sentLast24Hours: 12 });
  });

  it('refuses a command it does not speak, naming it', async () => {
    const lean = using(new LeanSesClient({ endpoint: 'http://127.0.0.1:9', region: REGION, credentials: async () => CREDENTIALS, timeouts: TIMEOUTS, maxSockets: 1 }));
    await expect(lean.send(new GetParameterCommand({ Name: '/x' }))).rejects.toThrow(/GetParameterCommand is not supported/);
  });
});

describe('PutObject through SdkCaller and the lean client alike', () => {
  it('writes the same body and content type', async () => {
    // Prepare
    const srv = await started(() => ({ status: 200, body: '' }));
    const lean = using(new LeanS3Client({ endpoint: srv.url, forcePathStyle: true, region: REGION, credentials: async () => CREDENTIALS, timeouts: TIMEOUTS, maxSockets: 1 }));
    const sdk = using(new S3Client({ ...sdkConfig(srv.url), forcePathStyle: true }));

    // Act
    await lean.send(new PutObjectCommand({ Bucket: 'b-1', Key: 'a.json', Body: Buffer.from('{"ü":1}'), ContentType: 'application/json' }));
    await sdk.send(new SdkPutObject({ Bucket: 'b-1', Key: 'a.json', Body: Buffer.from('{"ü":1}'), ContentType: 'application/json' }));

    // Assess
    const [mine, sdks] = srv.received as [Received, Received];
    expect(mine.body.equals(sdks.body)).toBe(true);
    expect(mine.headers['content-type']).toBe(sdks.headers['content-type']);
    expect(mine.url).toBe(sdks.url.split('?')[0]);
  });
});
