/**
 * The lean signed-HTTP path (functions/adapters/aws-signed-http.ts, dynamodb-lean-document-client.ts,
 * ses-lean-client.ts) held to the SDK it stands in for, against loopback HTTP servers: the
 * same signature as `@smithy/signature-v4`, the same SendRawEmail form as the SDK's query
 * serializer, and errors, retries and transport failures shaped as the SDK shapes them.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SendRawEmailCommand as SdkSendRawEmailCommand, SESClient } from '@aws-sdk/client-ses';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterEach, describe, expect, it } from 'vitest';
import { AwsServiceError, GetCommand, QueryCommand, SendRawEmailCommand, UpdateCommand, type AwsCaller } from '../../../functions/adapters/aws-commands.ts';
import { SignedHttpEndpoint } from '../../../functions/adapters/aws-signed-http.ts';
import { LeanDynamoDbDocumentClient } from '../../../functions/adapters/dynamodb-lean-document-client.ts';
import { classify } from '../../../functions/adapters/ses-mail-sender.ts';
import { LeanSesClient, sendRawEmailBody } from '../../../functions/adapters/ses-lean-client.ts';
import { PermanentSendError, SendOutcomeUnknownError, TransientSendError } from '../../../functions/core/errors.ts';
import { errorXml, successXml } from '../../../infra/local/ses-protocol.ts';
import { NodeSha256 } from '../../helpers/node-sha256.ts';


const CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const TIMEOUTS = { connectionMs: 1_000, requestMs: 2_000 };

interface Received {
  headers: IncomingMessage['headers'];
  body: Buffer;
}

/** A loopback server answering each request with `answer(n, request)` (n from 1); undefined leaves it unanswered. */
async function server(answer: (n: number, request: Received) => { status: number; body: string } | undefined): Promise<{ url: string; received: Received[]; close: () => Promise<void> }> {
  const received: Received[] = [];
  const s: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r = { headers: req.headers, body: Buffer.concat(chunks) };
      received.push(r);
      const a = answer(received.length, r);
      if (a) res.writeHead(a.status, { 'content-type': 'text/plain' }).end(a.body);
    });
  });
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`,
    received,
    close: () => {
      s.closeAllConnections();
      return new Promise((resolve) => s.close(() => resolve()));
    },
  };
}

let stop: (() => Promise<void>) | undefined;
afterEach(async () => {
  await stop?.();
  stop = undefined;
});

/** Typed as the adapters hold it (an AwsCaller). */
function dynamo(url: string, maxAttempts?: number): AwsCaller {
  return new LeanDynamoDbDocumentClient({
    endpoint: url, region: 'eu-west-1', timeouts: TIMEOUTS, maxSockets: 4, credentials: async () => CREDENTIALS,
    translate: { marshallOptions: { removeUndefinedValues: true } }, ...(maxAttempts ? { maxAttempts } : {}),
  });
}

describe('Class: SignedHttpEndpoint', () => {
  it.each<{ label: string; credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }; service: string }>([
    { label: 'long-term credentials', credentials: CREDENTIALS, service: 'dynamodb' },
    { label: 'a session token', credentials: { ...CREDENTIALS, sessionToken: 'IQoJb3JpZ2luX2VjEXAMPLE//token==' }, service: 'ses' },
  ])('signs a request exactly as @smithy/signature-v4 does ($label)', async ({ credentials, service }) => {
    // Prepare
    const srv = await server(() => ({ status: 200, body: '{}' }));
    stop = srv.close;
    const endpoint = new SignedHttpEndpoint({ endpoint: srv.url, region: 'eu-west-1', service, credentials: async () => credentials, timeouts: TIMEOUTS, maxSockets: 1 });
    const chunks = [Buffer.from('{"TableName":'), Buffer.from('"t","Key":{"pk":{"S":"a  b"}}}')];

    // Act
    await endpoint.post({ 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.GetItem' }, chunks);
    endpoint.destroy();

    // Assess: the SDK's signer, given the same request at the same instant, writes the same Authorization
    const got = srv.received[0] as Received;
    const amzDate = String(got.headers['x-amz-date']);
    const when = new Date(`${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`);
    // applyChecksum off: x-amz-content-sha256 is an S3 header (other services accept it, none needs it).
    const signer = new SignatureV4({ credentials, region: 'eu-west-1', service, sha256: NodeSha256 as never, applyChecksum: false });
    const url = new URL(srv.url);
    const headers: Record<string, string> = {
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': 'DynamoDB_20120810.GetItem',
      host: url.host,
      ...(credentials.sessionToken ? { 'x-amz-security-token': credentials.sessionToken } : {}),
    };
    const signed = await signer.sign(
      { method: 'POST', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: '/', headers, body: Buffer.concat(chunks) },
      { signingDate: when },
    );
    expect(got.headers.authorization).toBe(signed.headers.authorization);
    expect(got.headers['content-length']).toBe(String(Buffer.concat(chunks).byteLength));
    expect(got.body.toString()).toBe(Buffer.concat(chunks).toString());
  });

  it('names a refused connection by its code and a silent server a TimeoutError', async () => {
    // Prepare: a port nobody listens on, and a server that never answers
    const srv = await server(() => undefined);
    const silent = new SignedHttpEndpoint({ endpoint: srv.url, region: 'eu-west-1', service: 'dynamodb', credentials: async () => CREDENTIALS, timeouts: { connectionMs: 500, requestMs: 200 }, maxSockets: 1 });
    await srv.close();
    const refused = new SignedHttpEndpoint({ endpoint: srv.url, region: 'eu-west-1', service: 'dynamodb', credentials: async () => CREDENTIALS, timeouts: TIMEOUTS, maxSockets: 1 });
    const quiet = await server(() => undefined);
    stop = quiet.close;
    const waiting = new SignedHttpEndpoint({ endpoint: quiet.url, region: 'eu-west-1', service: 'dynamodb', credentials: async () => CREDENTIALS, timeouts: { connectionMs: 500, requestMs: 200 }, maxSockets: 1 });

    // Act
    const a = await refused.post({}, [Buffer.from('{}')]).catch((e: unknown) => e as Error & { code?: string });
    const b = await waiting.post({}, [Buffer.from('{}')]).catch((e: unknown) => e as Error);

    // Assess
    expect(a).toMatchObject({ code: 'ECONNREFUSED' });
    expect(b).toMatchObject({ name: 'TimeoutError' });
    for (const e of [refused, waiting, silent]) e.destroy();
  });
});

describe('Class: LeanDynamoDbDocumentClient', () => {
  it('marshals the input and unmarshals the output where the document commands do', async () => {
    // Prepare
    const srv = await server((n) =>
      n === 1
        ? { status: 200, body: JSON.stringify({ Attributes: { pk: { S: 'a' }, n: { N: '3' }, tags: { L: [{ S: 'x' }] } } }) }
        : { status: 200, body: JSON.stringify({ Items: [{ pk: { S: 'a' }, ok: { BOOL: true } }], LastEvaluatedKey: { pk: { S: 'a' }, sk: { S: 'b' } }, Count: 1 }) },
    );
    stop = srv.close;
    const ddb = dynamo(srv.url);

    // Act
    const updated = await ddb.send(new UpdateCommand({ TableName: 't', Key: { pk: 'a', sk: 'b' }, UpdateExpression: 'SET n = :n, tags = :t, gone = :u', ExpressionAttributeValues: { ':n': 3, ':t': ['x'], ':u': undefined }, ReturnValues: 'ALL_NEW' }));
    const queried = await ddb.send(new QueryCommand({ TableName: 't', KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': 'a' }, ExclusiveStartKey: undefined, Limit: 5 }));
    ddb.destroy();

    // Assess
    const [update, query] = srv.received.map((r) => ({ target: r.headers['x-amz-target'], body: JSON.parse(r.body.toString()) as Record<string, unknown> }));
    expect(update).toEqual({
      target: 'DynamoDB_20120810.UpdateItem',
      body: { TableName: 't', Key: { pk: { S: 'a' }, sk: { S: 'b' } }, UpdateExpression: 'SET n = :n, tags = :t, gone = :u', ExpressionAttributeValues: { ':n': { N: '3' }, ':t': { L: [{ S: 'x' }] } }, ReturnValues: 'ALL_NEW' },
    });
    expect(query?.body).toEqual({ TableName: 't', KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: 'a' } }, Limit: 5 });
    expect(updated.Attributes).toEqual({ pk: 'a', n: 3, tags: ['x'] });
    expect(queried).toMatchObject({ Items: [{ pk: 'a', ok: true }], LastEvaluatedKey: { pk: 'a', sk: 'b' }, Count: 1, $metadata: { httpStatusCode: 200, attempts: 1 } });
  });

  it('throws a ConditionalCheckFailedException named as the SDK names it, the old item in its low-level form, without retrying it', async () => {
    // Prepare
    const srv = await server(() => ({ status: 400, body: JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException', message: 'The conditional request failed', Item: { state: { S: 'sent' } } }) }));
    stop = srv.close;
    const ddb = dynamo(srv.url);

    // Act
    const error = await ddb.send(new UpdateCommand({ TableName: 't', Key: { pk: 'a' }, UpdateExpression: 'SET x = :x', ExpressionAttributeValues: { ':x': 1 } })).catch((e: unknown) => e);
    ddb.destroy();

    // Assess
    expect(error).toBeInstanceOf(AwsServiceError);
    expect(error).toMatchObject({ name: 'ConditionalCheckFailedException', message: 'The conditional request failed', Item: { state: { S: 'sent' } }, $fault: 'client', $metadata: { httpStatusCode: 400 } });
    expect(srv.received).toHaveLength(1);
  });

  it('tries a throttled or failed call again, up to three attempts, and gives up with the last error', async () => {
    // Prepare: throttled, then a 500, then the item; and a server that always fails
    const srv = await server((n) =>
      n === 1
        ? { status: 400, body: JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException', message: 'slow down' }) }
        : n === 2
          ? { status: 500, body: JSON.stringify({ __type: 'com.amazon.coral.service#InternalFailure', message: 'oops' }) }
          : n === 3
            ? { status: 200, body: JSON.stringify({ Item: { pk: { S: 'a' } } }) }
            : { status: 503, body: 'not json' },
    );
    stop = srv.close;
    const ddb = dynamo(srv.url);
    const once = dynamo(srv.url, 1);

    // Act
    const got = await ddb.send(new GetCommand({ TableName: 't', Key: { pk: 'a' } }));
    const failed = await ddb.send(new GetCommand({ TableName: 't', Key: { pk: 'a' } })).catch((e: unknown) => e);
    const single = await once.send(new GetCommand({ TableName: 't', Key: { pk: 'a' } })).catch((e: unknown) => e);
    ddb.destroy();
    once.destroy();

    // Assess
    expect(got).toMatchObject({ Item: { pk: 'a' }, $metadata: { attempts: 3 } });
    expect(failed).toMatchObject({ $fault: 'server', $metadata: { httpStatusCode: 503, attempts: 3 } });
    expect(single).toMatchObject({ $metadata: { httpStatusCode: 503, attempts: 1 } });
    expect(srv.received).toHaveLength(7);
  });
});

describe('Class: LeanSesClient', () => {
  const RAW = Buffer.from('From: a@example.org\r\nTo: b+1@example.org\r\nSubject: hi!\r\n\r\nbody (with *)\r\n');
  const INPUT = {
    RawMessage: { Data: RAW },
    Destinations: ['b+1@example.org'],
    ConfigurationSetName: 'digest',
    Tags: [{ Name: 'edition', Value: 'daily-2026-12-01' }, { Name: 'subscriber', Value: 's_1' }],
  };

  it("writes the same form as the SDK's query serializer", async () => {
    // Prepare: the SDK's body, as a loopback server receives it
    const srv = await server(() => ({ status: 200, body: successXml('SendRawEmail', '<MessageId>m</MessageId>') }));
    stop = srv.close;
    const sdk = new SESClient({ region: 'eu-west-1', credentials: CREDENTIALS, endpoint: srv.url, maxAttempts: 1 });

    // Act
    await sdk.send(new SdkSendRawEmailCommand(INPUT));
    sdk.destroy();
    const sdkBody = (srv.received[0] as Received).body.toString();
    const ours = Buffer.concat(sendRawEmailBody(INPUT)).toString();

    // Assess: the same fields with the same values, each encoded the same way
    const fields = (body: string) => body.split('&').sort();
    expect(fields(ours)).toEqual(fields(sdkBody));
    expect(new URLSearchParams(ours).get('RawMessage.Data')).toBe(RAW.toString('base64'));
  });

  it('reads the MessageId, and maps error answers and a lost id as classify expects', async () => {
    // Prepare
    const srv = await server((n) =>
      n === 1
        ? { status: 200, body: successXml('SendRawEmail', '<MessageId>0100-abc</MessageId>') }
        : n === 2
          ? { status: 400, body: errorXml('Sender', 'MessageRejected', 'Email address is not verified: <b&c>') }
          : n === 3
            ? { status: 400, body: errorXml('Sender', 'Throttling', 'Maximum sending rate exceeded.') }
            : { status: 200, body: '<SendRawEmailResponse></SendRawEmailResponse>' },
    );
    stop = srv.close;
    const ses = new LeanSesClient({ endpoint: srv.url, region: 'eu-west-1', credentials: async () => CREDENTIALS, timeouts: TIMEOUTS, maxSockets: 2 });
    const send = () => ses.send(new SendRawEmailCommand(INPUT)).catch((e: unknown) => e);

    // Act
    const ok = await send();
    const rejected = await send();
    const throttled = await send();
    const lost = await send();
    ses.destroy();

    // Assess
    expect(ok).toMatchObject({ MessageId: '0100-abc', $metadata: { httpStatusCode: 200 } });
    expect(rejected).toBeInstanceOf(AwsServiceError);
    expect(rejected).toMatchObject({ name: 'MessageRejected', message: 'Email address is not verified: <b&c>', $fault: 'client', $metadata: { httpStatusCode: 400 } });
    expect(classify(rejected)).toBeInstanceOf(PermanentSendError);
    expect(classify(throttled)).toBeInstanceOf(TransientSendError);
    expect(classify(lost)).toBeInstanceOf(SendOutcomeUnknownError);
    expect(srv.received.map((r) => r.headers['content-type'])).toEqual(Array(4).fill('application/x-www-form-urlencoded'));
  });
});
