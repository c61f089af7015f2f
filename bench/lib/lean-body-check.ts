/**
 * Checks that SesMailSender's lean SendRawEmail body (from the text, and from the MIME chunks
 * with the per-edition encodings) is byte for byte what the AWS SDK would send for the same command, and that it decodes back to the message: both clients are
 * given a request handler that keeps the request body and answers like SES.
 */
import { Readable } from 'node:stream';
import { SESClient, SendRawEmailCommand } from '@aws-sdk/client-ses';
import { SdkCaller } from '../../functions/adapters/aws-sdk-caller.ts';
import { SesMailSender, useLeanRawMessageBody } from '../../functions/adapters/ses-mail-sender.ts';
import type { RawMime } from '../../functions/core/rendering/personalizer.ts';

const ANSWER =
  '<SendRawEmailResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/"><SendRawEmailResult><MessageId>m-1</MessageId></SendRawEmailResult>' +
  '<ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></SendRawEmailResponse>';

function capturingClient(bodies: Buffer[], cacheMiddleware: boolean): SESClient {
  const handler = {
    metadata: { handlerProtocol: 'http/1.1' },
    handle: async (request: { body?: unknown }) => {
      const body = request.body;
      bodies.push(typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body as Uint8Array));
      return { response: { statusCode: 200, headers: { 'content-type': 'text/xml' }, body: Readable.from([Buffer.from(ANSWER)]) } };
    },
    updateHttpClientConfig: () => undefined,
    httpHandlerConfigs: () => ({}),
  };
  const client = new SESClient({
    region: 'us-east-1',
    endpoint: 'http://127.0.0.1:9',
    credentials: { accessKeyId: 'check', secretAccessKey: 'check' },
    maxAttempts: 1,
    cacheMiddleware,
    requestHandler: handler as unknown as SESClient['config']['requestHandler'],
  });
  return client;
}

/** An SDK client as sesClient() in aws-clients.ts builds it for a SesMailSender: with the lean body middlewares. */
function senderClient(bodies: Buffer[]): SdkCaller<SESClient> {
  const client = capturingClient(bodies, true);
  useLeanRawMessageBody(client);
  return new SdkCaller(client);
}

/** Lists the differences for these messages (empty when the lean path is exact). */
export async function checkLeanBodies(messages: readonly { raw: string; to: string; tags: Record<string, string>; mime?: RawMime }[]): Promise<string[]> {
  const chunked: Buffer[] = [];
  const chunkedSender = new SesMailSender({ client: senderClient(chunked), configurationSet: 'digest-set' });
  const lean: Buffer[] = [];
  const plain: Buffer[] = [];
  // The lean client is configured as functions/adapters/aws-clients.ts configures SES (cacheMiddleware).
  const sender = new SesMailSender({ client: senderClient(lean), configurationSet: 'digest-set' });
  const sdk = capturingClient(plain, false);
  const problems: string[] = [];
  for (const [i, m] of messages.entries()) {
    await sender.send({ to: m.to, raw: m.raw, tags: m.tags });
    if (m.mime) await chunkedSender.send(m);
    await sdk.send(
      new SendRawEmailCommand({
        RawMessage: { Data: Buffer.from(m.raw, 'utf8') },
        Destinations: [m.to],
        ConfigurationSetName: 'digest-set',
        Tags: Object.entries(m.tags).map(([Name, Value]) => ({ Name, Value: Value.replace(/[^A-Za-z0-9_-]/g, '_') })),
      }),
    );
    const a = lean[i];
    const b = plain[i];
    if (!a || !b || !a.equals(b)) problems.push(`message ${i}: the lean body differs from the SDK's (${a?.length} vs ${b?.length} bytes)`);
    if (m.mime && !chunked.at(-1)?.equals(b ?? Buffer.alloc(0))) problems.push(`message ${i}: the body written from the MIME chunks differs from the SDK's`);
    const decoded = Buffer.from(new URLSearchParams(a?.toString('latin1') ?? '').get('RawMessage.Data') ?? '', 'base64').toString('utf8');
    if (decoded !== m.raw) problems.push(`message ${i}: the lean body does not decode to the message`);
  }
  return problems;
}
