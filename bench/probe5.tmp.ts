import { SESClient, SendRawEmailCommand } from '@aws-sdk/client-ses';
import { SesMailSender } from '../functions/adapters/ses-mail-sender.ts';
import { Readable } from 'node:stream';
const xml = '<SendRawEmailResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/"><SendRawEmailResult><MessageId>m-1</MessageId></SendRawEmailResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></SendRawEmailResponse>';
const handler = { handle: async (req: any) => ({ response: { statusCode: 200, headers: { 'content-type': 'text/xml' }, body: Readable.from([Buffer.from(xml)]) } }), updateHttpClientConfig() {}, httpHandlerConfigs: () => ({}) };
const mode = process.argv[2]!;
const client = new SESClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' }, maxAttempts: 1, requestHandler: handler as any });
if (mode.includes('strip')) for (const n of ['getUserAgentMiddleware', 'recursionDetectionMiddleware', 'loggerMiddleware']) client.middlewareStack.remove(n);
const mail = new SesMailSender({ client });
const raw = Array.from({ length: 59000 }, (_, i) => String.fromCharCode(32 + ((i * 7919) % 90))).join('');
for (let round = 0; round < 5; round++) {
  const t0 = process.cpuUsage(); const n = 3000;
  for (let i = 0; i < n; i++) {
    if (mode === 'plain') await client.send(new SendRawEmailCommand({ RawMessage: { Data: Buffer.from(raw) }, Destinations: ['a@b.c'], Tags: [{ Name: 'edition', Value: 'e' }, { Name: 'subscriber', Value: 's' }] }));
    else await mail.send({ to: 'a@b.c', raw, tags: { edition: 'e', subscriber: 's' } });
  }
  const cu = process.cpuUsage(t0); if (round >= 2) console.log(mode, ((cu.user + cu.system) / 1000 / n).toFixed(3), 'ms/call');
}
