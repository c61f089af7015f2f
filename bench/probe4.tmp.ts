import { SESClient, SendRawEmailCommand } from '@aws-sdk/client-ses';
import { startSesFront } from '../infra/local/ses-front.ts';
import { SesMailSender } from '../functions/adapters/ses-mail-sender.ts';
const front = await startSesFront({ mailbox: false, forwardToMailbox: false });
const mk = () => new SESClient({ region: 'us-east-1', endpoint: front.url, credentials: { accessKeyId: 'x', secretAccessKey: 'y' }, maxAttempts: 1 });
const raw = 'From: a@b.test\r\nTo: "Zoë" <c@d.test>\r\nSubject: =?UTF-8?B?w6k=?=\r\n\r\nHello ünïcode +/= ' + 'x'.repeat(1000) + '\u{1F680}\r\n';
const lc = mk(); lc.middlewareStack.add((next: any) => async (args: any) => { console.log('body is', Buffer.isBuffer(args.request.body) ? 'Buffer' : typeof args.request.body, args.request.headers['content-length']); return next(args); }, { step: 'finalizeRequest', name: 'peek' } as any);
const lean = new SesMailSender({ client: lc, configurationSet: 'set-1' });
console.log(await lean.send({ to: 'c+tag@d.test', raw, tags: { edition: 'daily-2026', subscriber: 's_1' } }));
const plain = mk();
await plain.send(new SendRawEmailCommand({ RawMessage: { Data: Buffer.from(raw) }, Destinations: ['c+tag@d.test'], ConfigurationSetName: 'set-1', Tags: [{ Name: 'edition', Value: 'daily-2026' }, { Name: 'subscriber', Value: 's_1' }] }));
const [a, b] = front.messages();
console.log(a!.raw.equals(b!.raw), a!.raw.toString() === raw, JSON.stringify(a!.destinations) === JSON.stringify(b!.destinations), JSON.stringify(a!.tags), JSON.stringify(b!.tags), a!.configurationSet, b!.configurationSet);
// GetSendQuota still works through the lean client
console.log(await lean.getQuota());
await front.stop();
