import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { SESClient, SendRawEmailCommand } from '@aws-sdk/client-ses';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { Agent } from 'node:http';
import { renderEdition } from '../functions/core/rendering/email-renderer.ts';
import { makeEdition, makeBranding, EDITION_URL, HEADERS, makeRecipient } from './lib/fixtures.ts';
import { SesMailSender } from '../functions/adapters/ses-mail-sender.ts';
import { prepareMessage, personalize } from '../functions/core/rendering/personalizer.ts';

const child = spawn(process.execPath, ['--import', 'tsx', 'infra/local/ses-front-process.ts', '--latency', '100', '--max-send-rate', '100000', '--no-forward', '--no-mailbox', '--no-raw', '--stop-on-stdin-close'], { stdio: ['pipe', 'pipe', 'inherit'] });
const line = await new Promise<string>((r) => createInterface({ input: child.stdout! }).once('line', r));
const { url } = JSON.parse(line);
const conc = Number(process.argv[2] ?? 128);
const client = new SESClient({ region: 'us-east-1', endpoint: url, credentials: { accessKeyId: 'x', secretAccessKey: 'y' }, maxAttempts: 1,
  requestHandler: new NodeHttpHandler({ httpAgent: new Agent({ keepAlive: true, maxSockets: conc }) }) });
const mail = new SesMailSender({ client });
const r = await renderEdition(makeEdition(), { branding: makeBranding(), editionUrl: EDITION_URL });
const tpl = prepareMessage(r, { ...HEADERS, subject: r.subject });
import { readFileSync } from 'node:fs';
function stand(){ const f=readFileSync(`/proc/${child.pid}/stat`,'utf8').split(') ')[1]!.split(' '); return Number(f[11])+Number(f[12]); }
async function run(n: number) {
  let next = 0;
  const t = performance.now();
  const cpu = process.cpuUsage();
  const sc = stand();
  await Promise.all(Array.from({ length: conc }, async () => {
    while (next < n) {
      const i = next++;
      const raw = personalize(tpl, makeRecipient(i), { subscriberId: 's1', date: new Date(), messageIdDomain: 'x' });
      await mail.send({ raw, to: `r${i}@x.test`, tags: { edition: 'e1', subscriber: 's' + i } });
    }
  }));
  const el = performance.now() - t;
  const c = process.cpuUsage(cpu);
  const sc2 = stand(); console.log('stand-in cpu ms/msg', ((sc2-sc)*10/n).toFixed(2));
  console.log(`n=${n} ${(n / el * 1000).toFixed(0)}/s cpu/msg ${((c.user + c.system) / 1000 / n).toFixed(2)} ms user ${(c.user/1000/n).toFixed(2)} sys ${(c.system/1000/n).toFixed(2)}`);
}
await run(500);
await run(2000);
await run(2000);
child.stdin!.end();
process.exit(0);
