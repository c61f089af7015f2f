import { SESClient, SendRawEmailCommand } from '@aws-sdk/client-ses';
import { SesMailSender } from '../functions/adapters/ses-mail-sender.ts';
import { Readable } from 'node:stream';
const xml = '<SendRawEmailResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/"><SendRawEmailResult><MessageId>m-1</MessageId></SendRawEmailResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></SendRawEmailResponse>';
const handler = { handle: async (req: any) => ({ response: { statusCode: 200, headers: { 'content-type': 'text/xml' }, body: Readable.from([Buffer.from(xml)]) } }), updateHttpClientConfig() {}, httpHandlerConfigs: () => ({}) };
const client = new SESClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' }, maxAttempts: 1, requestHandler: handler as any });
const mail = new SesMailSender({ client });
const raw = 'x'.repeat(59000);
const mode = process.argv[2];
for (let round = 0; round < 4; round++) {
  const t0 = process.cpuUsage(); const n = 3000;
  for (let i = 0; i < n; i++) {
    if (mode === 'plain') await client.send(new SendRawEmailCommand({ RawMessage: { Data: Buffer.from(raw) }, Destinations: ['a@b.c'], Tags: [{ Name: 'edition', Value: 'e' }, { Name: 'subscriber', Value: 's' }] }));
    else if (mode === 'small') await client.send(new SendRawEmailCommand({ RawMessage: { Data: Buffer.from('x') }, Destinations: ['a@b.c'], Tags: [{ Name: 'edition', Value: 'e' }, { Name: 'subscriber', Value: 's' }] }));
    else await mail.send({ to: 'a@b.c', raw, tags: { edition: 'e', subscriber: 's' } });
  }
  const cu = process.cpuUsage(t0); console.log(mode, ((cu.user + cu.system) / 1000 / n).toFixed(3), 'ms/call');
}
