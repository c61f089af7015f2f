import { Readable } from 'node:stream';
import { SESClient, SendRawEmailCommand } from '@aws-sdk/client-ses';
import { describe, expect, it } from 'vitest';
import { SdkCaller } from '../../../functions/adapters/aws-sdk-caller.ts';
import { SesMailSender, useLeanRawMessageBody } from '../../../functions/adapters/ses-mail-sender.ts';
import { RawMime } from '../../../functions/core/rendering/personalizer.ts';

const ANSWER =
  '<SendRawEmailResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/"><SendRawEmailResult><MessageId>m-1</MessageId></SendRawEmailResult>' +
  '<ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></SendRawEmailResponse>';

/** The SDK client as sesClient() (aws-clients.ts) gives it to a SesMailSender: with the lean body middlewares. */
function senderCaller(client: SESClient): SdkCaller<SESClient> {
  useLeanRawMessageBody(client);
  return new SdkCaller(client);
}

/**
 * An SES client that keeps each request body instead of sending it, answering after a delay
 * chosen per call so that concurrent calls overlap and finish out of order.
 */
function capturingClient(options: { cacheMiddleware: boolean }): { client: SESClient; bodies: Buffer[]; asBytes: boolean[] } {
  const bodies: Buffer[] = [];
  /** Whether each body came as bytes (the lean path) rather than as the SDK's string. */
  const asBytes: boolean[] = [];
  let n = 0;
  const handler = {
    metadata: { handlerProtocol: 'http/1.1' },
    handle: async (request: { body?: unknown }) => {
      const body = request.body;
      asBytes.push(typeof body !== 'string');
      bodies.push(typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body as Uint8Array));
      await new Promise((r) => setTimeout(r, (n++ * 7) % 5));
      return { response: { statusCode: 200, headers: { 'content-type': 'text/xml' }, body: Readable.from([Buffer.from(ANSWER)]) } };
    },
    updateHttpClientConfig: () => undefined,
    httpHandlerConfigs: () => ({}),
  };
  const client = new SESClient({
    region: 'us-east-1',
    endpoint: 'http://127.0.0.1:9',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
    cacheMiddleware: options.cacheMiddleware,
    requestHandler: handler as unknown as SESClient['config']['requestHandler'],
  });
  return { client, bodies, asBytes };
}

const message = (i: number) => ({
  to: `reader${i}@example.org`,
  // Long enough for base64 '+', '/' and '=' to occur; different for every reader.
  raw: `Subject: Edition for reader ${i}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${'é~?>'.repeat(50 + i)}\r\n`,
  tags: { edition: 'daily-2026-11-28', subscriber: `s_${i}` },
});

const fields = (body: Buffer) => new URLSearchParams(body.toString('latin1'));

describe('Class: SesMailSender (lean SendRawEmail body)', () => {
  it.each([true, false])('sends each message in its own request when calls overlap (cacheMiddleware %s)', async (cacheMiddleware) => {
    // Prepare
    const { client, bodies, asBytes } = capturingClient({ cacheMiddleware });
    const sender = new SesMailSender({ client: senderCaller(client), configurationSet: 'digest-set' });
    const messages = Array.from({ length: 30 }, (_, i) => message(i));

    // Act
    await Promise.all(messages.map((m) => sender.send(m)));

    // Assess: every body names one reader and carries that reader's message, and no other.
    expect(bodies).toHaveLength(30);
    expect(asBytes.every(Boolean)).toBe(true);
    const seen = bodies.map((body) => {
      const f = fields(body);
      const to = f.get('Destinations.member.1') ?? '';
      const data = Buffer.from(f.get('RawMessage.Data') ?? '', 'base64').toString('utf8');
      expect(data).toBe(messages.find((m) => m.to === to)?.raw);
      return to;
    });
    expect(new Set(seen).size).toBe(30);
  });

  it('builds byte for byte the body the SDK itself would send', async () => {
    // Prepare
    const lean = capturingClient({ cacheMiddleware: true });
    const plain = capturingClient({ cacheMiddleware: false });
    const sender = new SesMailSender({ client: senderCaller(lean.client), configurationSet: 'digest-set' });
    const m = message(3);

    // Act
    await sender.send(m);
    await plain.client.send(
      new SendRawEmailCommand({
        RawMessage: { Data: Buffer.from(m.raw, 'utf8') },
        Destinations: [m.to],
        ConfigurationSetName: 'digest-set',
        Tags: [
          { Name: 'edition', Value: 'daily-2026-11-28' },
          { Name: 'subscriber', Value: 's_3' },
        ],
      }),
    );

    // Assess
    expect(lean.bodies[0]?.equals(plain.bodies[0] ?? Buffer.alloc(0))).toBe(true);
    expect(lean.bodies[0]?.toString('latin1')).toMatch(/RawMessage\.Data=[A-Za-z0-9%]+/);
  });

  it('sends a personalised message whole through an SDK client without the lean body middlewares (never an empty message)', async () => {
    // Prepare: the same message as chunks, through a client with the middlewares and one without
    const m = message(5);
    const bytes = Buffer.from(m.raw, 'utf8');
    const mime = new RawMime([bytes.subarray(0, 40), bytes.subarray(40)], [false, true]);
    const withMiddleware = capturingClient({ cacheMiddleware: true });
    const bare = capturingClient({ cacheMiddleware: true });

    // Act
    await new SesMailSender({ client: senderCaller(withMiddleware.client) }).send({ ...m, mime });
    await new SesMailSender({ client: new SdkCaller(bare.client) }).send({ ...m, mime });

    // Assess: both bodies carry the whole message
    for (const body of [withMiddleware.bodies[0], bare.bodies[0]]) {
      expect(Buffer.from(fields(body ?? Buffer.alloc(0)).get('RawMessage.Data') ?? '', 'base64').toString('utf8')).toBe(m.raw);
    }
    expect(withMiddleware.asBytes[0]).toBe(true);
  });
});
