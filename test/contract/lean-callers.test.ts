/**
 * The send function's queue and mail adapters on the local emulators, through the SDK's
 * clients (`SdkCaller`) and through the lean ones without the SDK (aws-lean-clients.ts, as
 * the send function builds them from the configuration): SqsSendQueue on local-aws-sqs (the
 * tasks arrive, once each), SesMailSender on our SES front (the message arrives as sent, the
 * quota reads as the front reports it).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { SESClient } from '@aws-sdk/client-ses';
import { createRequestHandler } from 'local-aws-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AwsCaller } from '../../functions/adapters/aws-commands.ts';
import { leanSes, leanSqs } from '../../functions/adapters/aws-lean-clients.ts';
import { SdkCaller } from '../../functions/adapters/aws-sdk-caller.ts';
import { SesMailSender, useLeanRawMessageBody } from '../../functions/adapters/ses-mail-sender.ts';
import { SqsSendQueue } from '../../functions/adapters/sqs-send-queue.ts';
import { parseConfig, type Config } from '../../functions/core/config.ts';
import { closeServer } from '../../infra/local/http-util.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../infra/local/provision.ts';
import { startSesFront, type SesFront } from '../../infra/local/ses-front.ts';
import { PLACEHOLDER_ENV } from '../../bench/lib/placeholder-env.ts';

const sdkOptions = (endpoint: string) => ({ region: LOCAL_REGION, endpoint, credentials: LOCAL_CREDENTIALS, maxAttempts: 1 });

let sqsUrl = '';
let sqsServer: ReturnType<typeof createServer> | undefined;
let ses: SesFront | undefined;
let config: Config;

beforeAll(async () => {
  const handler = createRequestHandler({ port: 0, hostname: '127.0.0.1', accountId: '000000000000', emulateQueueCreationLifecycle: false });
  sqsServer = createServer((req, res) => void handler.requestHandler(req, res));
  await new Promise<void>((resolve) => sqsServer?.listen(0, '127.0.0.1', resolve));
  handler.service.PORT = (sqsServer.address() as AddressInfo).port;
  sqsUrl = `http://127.0.0.1:${handler.service.PORT}`;
  ses = await startSesFront({ mailbox: false });
  config = parseConfig({ ...PLACEHOLDER_ENV, AWS_REGION: LOCAL_REGION, AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey, SQS_ENDPOINT: sqsUrl, SES_ENDPOINT: ses.url });
});

afterAll(async () => {
  if (sqsServer) await closeServer(sqsServer);
  await ses?.stop();
});

const callers: Array<{ label: string; sqs: () => AwsCaller; ses: () => AwsCaller }> = [
  { label: 'the SDK (SdkCaller)', sqs: () => new SdkCaller(new SQSClient(sdkOptions(sqsUrl))), ses: () => sdkSes() },
  { label: 'the lean clients', sqs: () => leanSqs(config), ses: () => leanSes(config) },
];

function sdkSes(): AwsCaller {
  const client = new SESClient(sdkOptions(ses?.url ?? ''));
  useLeanRawMessageBody(client);
  return new SdkCaller(client);
}

describe.each(callers)('SqsSendQueue on local-aws-sqs through $label', ({ label, sqs }) => {
  it('enqueues every task once, with its body', async () => {
    // Prepare
    const admin = new SQSClient(sdkOptions(sqsUrl));
    const { QueueUrl } = await admin.send(new CreateQueueCommand({ QueueName: `send-${label.length}-${Date.now()}` }));
    const client = sqs();
    const queue = new SqsSendQueue({ client, queueUrl: QueueUrl as string });
    const tasks = Array.from({ length: 23 }, (_, i) => ({ editionId: 'daily-2026-12-01', subscriberId: `s_${i}` }));

    // Act
    await queue.enqueue(tasks);

    // Assess: poll until all have arrived (with a deadline)
    const seen: string[] = [];
    const deadline = Date.now() + 10_000;
    while (seen.length < tasks.length && Date.now() < deadline) {
      const { Messages = [] } = await admin.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
      seen.push(...Messages.map((m) => m.Body ?? ''));
    }
    client.destroy();
    admin.destroy();
    expect(seen.map((b) => JSON.parse(b) as unknown).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))).toEqual(
      [...tasks].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
    );
  });
});

describe.each(callers)('SesMailSender on the SES front through $label', ({ ses: build }) => {
  it('sends the message as written and reads the quota', async () => {
    // Prepare
    const client = build();
    const mail = new SesMailSender({ client, configurationSet: 'digest' });
    const raw = `From: digest@news-digest.test\r\nTo: ann@example.org\r\nSubject: Ünïcode ${Date.now()}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${'body é+/= '.repeat(40)}\r\n`;
    const before = ses?.messages().length ?? 0;

    // Act
    const id = await mail.send({ to: 'ann@example.org', raw, tags: { edition: 'daily-2026-12-01', subscriber: 's_1' } });
    const quota = await mail.getQuota();
    client.destroy();

    // Assess
    const got = ses?.messages().slice(before) ?? [];
    expect(got).toHaveLength(1);
    expect(got[0]?.raw?.toString('utf8')).toBe(raw);
    expect(id).not.toBe('');
    expect(quota.maxSendRate).toBeGreaterThan(0);
    expect(quota.max24HourSend).toBeGreaterThan(0);
  });
});
