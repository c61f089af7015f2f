/**
 * The send worker's hot calls through the AWS SDK v3 and through the lean signed-HTTP path
 * (functions/adapters/aws-signed-http.ts) on its HTTP/1.1 client (http1-client.ts) and on
 * Node's `http` client (bench/lib/node-http-transport.ts), side by side in one process: CPU time per call
 * (user + system of this process) for a ledger-style conditional UpdateItem against dynalite
 * and for a SendRawEmail of a ~100 KB message (sent as the send worker sends it: its
 * form-encoded chunks) against a loopback server that answers as SES does. dynalite and the
 * answering server run in processes of their own, so their CPU is not counted; 32 calls in
 * flight (the send worker's default concurrency), keep-alive sockets; rounds alternate SDK
 * and lean after a warm-up round of each.
 *
 *   node --import tsx bench/transport.ts '{"calls":2000,"rounds":3}'
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { DynamoDBClient, CreateTableCommand, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { SESClient } from '@aws-sdk/client-ses';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { Agent } from 'node:http';
import { createRequire } from 'node:module';
import { SendRawEmailCommand, UpdateCommand, type AwsCaller } from '../functions/adapters/aws-commands.ts';
import { SdkCaller } from '../functions/adapters/aws-sdk-caller.ts';
import { LeanDynamoDbDocumentClient } from '../functions/adapters/dynamodb-lean-document-client.ts';
import { LeanSesClient } from '../functions/adapters/ses-lean-client.ts';
import { useLeanRawMessageBody } from '../functions/adapters/ses-mail-sender.ts';
import { ENCODED_DATA, formEncodedRawMessage } from '../functions/adapters/ses-raw-message.ts';
import type { Http1ClientOptions } from '../functions/adapters/http1-client.ts';
import { NodeHttpTransport } from './lib/node-http-transport.ts';
import { childParams, reportResult } from './lib/child.ts';
import { median } from './lib/stats.ts';

export interface TransportResult {
  calls: number;
  rounds: number;
  concurrency: number;
  messageBytes: number;
  /** CPU ms per call, median of the rounds: the SDK; the lean path on our HTTP/1.1 client; the lean path on Node's `http` (`nodeHttp`). */
  updateItem: { sdk: number; lean: number; nodeHttp: number; ratio: number; httpRatio: number };
  sendRawEmail: { sdk: number; lean: number; nodeHttp: number; ratio: number; httpRatio: number };
}

const REGION = 'us-east-1';
const CREDENTIALS = { accessKeyId: 'bench', secretAccessKey: 'bench' };
/** The SDK; the lean path on our HTTP/1.1 client (as deployed); the lean path on Node's `http` (as before it). */
const PATHS = ['sdk', 'lean', 'nodeHttp'] as const;
type Path = (typeof PATHS)[number];
const CONCURRENCY = 32;
const TIMEOUTS = { connectionMs: 1_000, requestMs: 10_000 };

/** Starts `node args` and waits for its first stdout line (the port it listens on). */
async function serve(args: string[]): Promise<{ port: number; child: ChildProcess }> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`server exited (${code})`)));
    child.stdout?.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
  });
  return { port, child };
}

const SES_SERVER = `
const http = require('node:http');
const s = http.createServer((req, res) => { req.resume(); req.on('end', () => res.writeHead(200, { 'content-type': 'text/xml' }).end('<SendRawEmailResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/"><SendRawEmailResult><MessageId>0100-bench</MessageId></SendRawEmailResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></SendRawEmailResponse>')); });
s.keepAliveTimeout = 60000;
s.listen(0, '127.0.0.1', () => console.log(s.address().port));`;

const DYNALITE_SERVER = (cli: string) => `
const dynalite = require(${JSON.stringify(cli)});
const s = dynalite({ createTableMs: 0 });
s.listen(0, '127.0.0.1', () => console.log(s.address().port));`;

async function cpuPerCall(calls: number, call: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const before = process.cpuUsage();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < calls) await call(next++);
    }),
  );
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000 / calls;
}

/** A ~100 KB message as the send worker holds it: a few recipient bytes between large shared chunks. */
function message(): Buffer[] {
  const shared = Buffer.from(`<p>${'News of the day, with links and images. '.repeat(1200)}</p>\r\n`);
  const chunks = [Buffer.from('To: reader@example.org\r\nSubject: The digest\r\n\r\n'), shared, Buffer.from('token=abc123\r\n'), shared];
  return formEncodedRawMessage({ chunks, shared: [false, true, false, true] } as never);
}

const params = childParams<{ calls: number; rounds: number }>();
const require = createRequire(import.meta.url);
const ses = await serve(['-e', SES_SERVER]);
const db = await serve(['-e', DYNALITE_SERVER(require.resolve('dynalite'))]);
try {
  const ddbEndpoint = `http://127.0.0.1:${db.port}`;
  const sesEndpoint = `http://127.0.0.1:${ses.port}`;
  const handler = () => new NodeHttpHandler({ httpAgent: new Agent({ keepAlive: true, maxSockets: 50 }) });
  const base = () => new DynamoDBClient({ region: REGION, endpoint: ddbEndpoint, credentials: CREDENTIALS, requestHandler: handler() });
  const admin = base();
  await admin.send(new CreateTableCommand({ TableName: 'bench', BillingMode: 'PAY_PER_REQUEST', AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }] }));
  while ((await admin.send(new DescribeTableCommand({ TableName: 'bench' }))).Table?.TableStatus !== 'ACTIVE') await new Promise((r) => setTimeout(r, 50));
  admin.destroy();

  const translate = { marshallOptions: { removeUndefinedValues: true } };
  const overNodeHttp = { transport: (o: Http1ClientOptions) => new NodeHttpTransport(o) };
  const ddb: Record<Path, AwsCaller> = {
    sdk: new SdkCaller(DynamoDBDocumentClient.from(base(), translate)),
    lean: new LeanDynamoDbDocumentClient({ endpoint: ddbEndpoint, region: REGION, timeouts: TIMEOUTS, maxSockets: 50, credentials: async () => CREDENTIALS, translate }),
    nodeHttp: new LeanDynamoDbDocumentClient({ endpoint: ddbEndpoint, region: REGION, timeouts: TIMEOUTS, maxSockets: 50, credentials: async () => CREDENTIALS, translate, ...overNodeHttp }),
  };
  const sdkSes = new SESClient({ region: REGION, endpoint: sesEndpoint, credentials: CREDENTIALS, maxAttempts: 1, cacheMiddleware: true, requestHandler: handler() });
  useLeanRawMessageBody(sdkSes);
  const mail: Record<Path, AwsCaller> = {
    sdk: new SdkCaller(sdkSes),
    lean: new LeanSesClient({ endpoint: sesEndpoint, region: REGION, credentials: async () => CREDENTIALS, timeouts: TIMEOUTS, maxSockets: 50 }),
    nodeHttp: new LeanSesClient({ endpoint: sesEndpoint, region: REGION, credentials: async () => CREDENTIALS, timeouts: TIMEOUTS, maxSockets: 50, ...overNodeHttp }),
  };
  const encoded = message();
  const messageBytes = encoded.reduce((n, c) => n + c.byteLength, 0);

  let written = 0;
  const update = (client: AwsCaller) => (i: number) =>
    client.send(
      new UpdateCommand({
        TableName: 'bench',
        Key: { pk: 'EDITION#bench', sk: `SUB#${written}-${i}` },
        UpdateExpression: 'SET #state = :sending, leaseUntil = :lease, attempts = if_not_exists(attempts, :zero) + :one, updatedAt = :now',
        ConditionExpression: 'attribute_not_exists(pk) OR #state = :pending',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':sending': 'sending', ':pending': 'pending', ':lease': Date.now() + 60_000, ':zero': 0, ':one': 1, ':now': new Date().toISOString() },
        ReturnValues: 'ALL_NEW',
      }),
    );
  const send = (client: AwsCaller) => () =>
    client.send(
      new SendRawEmailCommand({
        RawMessage: { Data: new Uint8Array(0) },
        Destinations: ['reader@example.org'],
        ConfigurationSetName: 'digest',
        Tags: [{ Name: 'edition', Value: 'bench' }, { Name: 'subscriber', Value: 's_1' }],
        [ENCODED_DATA]: encoded,
      } as never),
    );

  const figures = { updateItem: { sdk: [] as number[], lean: [] as number[], nodeHttp: [] as number[] }, sendRawEmail: { sdk: [] as number[], lean: [] as number[], nodeHttp: [] as number[] } };
  for (let round = -1; round < params.rounds; round++) {
    for (const path of PATHS) {
      written += 1;
      const u = await cpuPerCall(params.calls, update(ddb[path]));
      const s = await cpuPerCall(params.calls, send(mail[path]));
      if (round >= 0) {
        figures.updateItem[path].push(u);
        figures.sendRawEmail[path].push(s);
      }
      process.stderr.write(`transport round ${round + 1} ${path}: UpdateItem ${u.toFixed(3)} ms CPU, SendRawEmail ${s.toFixed(3)} ms CPU\n`);
    }
  }
  const pair = (f: Record<Path, number[]>) => {
    const sdk = median(f.sdk);
    const lean = median(f.lean);
    const nodeHttp = median(f.nodeHttp);
    return { sdk, lean, nodeHttp, ratio: sdk / lean, httpRatio: nodeHttp / lean };
  };
  for (const path of PATHS) {
    ddb[path].destroy();
    mail[path].destroy();
  }
  reportResult({ calls: params.calls, rounds: params.rounds, concurrency: CONCURRENCY, messageBytes, updateItem: pair(figures.updateItem), sendRawEmail: pair(figures.sendRawEmail) } satisfies TransportResult);
} finally {
  ses.child.kill();
  db.child.kill();
}
