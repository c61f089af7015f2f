/**
 * The SES stand-in's own CPU per accepted SendRawEmail (not part of `npm run bench`).
 *
 *   node --import tsx bench/ses-stand-in.ts [--messages=5000] [--concurrency=16] [--track] [--forward]
 *
 * Starts infra/local/ses-front-process.ts as the benchmarks' stacks run it (no copy to the
 * mailbox, no raw bytes kept, no latency, a rate cap far above what is sent; `--forward`:
 * as `npm start` runs it, every accepted message copied to the mailbox), then sends it
 * SendRawEmail requests built as the send worker builds them (the 15-story edition of the
 * fixtures, `personalizeMime()`, `formEncodedRawMessage()`, spliced into the form body the
 * SDK serializes, with a configuration set: 200 distinct recipients, cycled). `--track`:
 * the edition rendered with click tracking on (its links tracked), else off as the
 * benchmarks send it (every anchor `ses:no-track`).
 *
 * The figure is the stand-in process's CPU time (user + system, all its threads, read from
 * /proc/<pid>/stat, so Linux only) per accepted message, over the measured messages after a
 * warm-up of a tenth as many; the wall time and the process's RSS are printed beside it.
 * Every answer must be a 200 with a MessageId, and GET /stats must count every message.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { EDITION_URL, HEADERS, makeBranding, makeContent, makeRecipient } from '../test/kit/fixtures/index.ts';
import { renderEdition } from '../functions/core/rendering/edition-email.ts';
import { personalizeMime, prepareMessage } from '../functions/core/rendering/personalizer.ts';
import { formEncodedRawMessage } from '../functions/adapters/ses-raw-message.ts';
import { spliceRawMessage } from '../functions/adapters/ses-mail-sender.ts';

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '5000' },
    concurrency: { type: 'string', default: '16' },
    track: { type: 'boolean', default: false },
    forward: { type: 'boolean', default: false },
  },
});
const messages = Number(values.messages);
const concurrency = Number(values.concurrency);
const warmUp = Math.max(1, Math.floor(messages / 10));

const rendered = await renderEdition(makeContent(), { branding: makeBranding(), editionUrl: EDITION_URL, trackClicks: values.track });
const template = prepareMessage(rendered, { ...HEADERS, subject: rendered.subject });
const date = new Date('2024-05-01T06:00:00Z');
const bodies = Array.from({ length: 200 }, (_, i) => {
  const r = makeRecipient(i);
  const form = `Action=SendRawEmail&ConfigurationSetName=digest&Destinations.member.1=${encodeURIComponent(r.email)}&RawMessage.Data=` +
    `&Source=${encodeURIComponent(HEADERS.fromAddress)}&Tags.member.1.Name=edition&Tags.member.1.Value=${rendered.editionId}` +
    `&Tags.member.2.Name=subscriber&Tags.member.2.Value=${r.id}&Version=2010-12-01`;
  return spliceRawMessage(form, formEncodedRawMessage(personalizeMime(template, r, { subscriberId: r.id, date, messageIdDomain: HEADERS.messageIdDomain })));
});

const root = fileURLToPath(new URL('../', import.meta.url));
const child = spawn(process.execPath, [
  ...(process.env.STANDIN_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.STANDIN_PROF}`] : []),
  '--import', 'tsx', 'infra/local/ses-front-process.ts', '--port', '0', '--max-send-rate', '1000000', '--quota', '100000000',
  ...(values.forward ? [] : ['--no-forward', '--no-raw']), '--stop-on-stdin-close',
], { cwd: root, stdio: ['pipe', 'pipe', 'inherit'] });
const ready = await new Promise<{ url: string }>((resolve, reject) => {
  child.once('exit', (code) => reject(new Error(`the stand-in exited (${code})`)));
  createInterface({ input: child.stdout }).once('line', (line) => resolve(JSON.parse(line) as { url: string }));
});
const url = new URL(ready.url);
const agent = new Agent({ keepAlive: true, maxSockets: concurrency });

/** The stand-in's CPU time (user + system, ms) so far. */
function childCpuMs(): number {
  const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10; // utime, stime in clock ticks (100 Hz)
}
function childRssMb(): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
}

function post(path: string, body?: Buffer): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: url.hostname, port: url.port, path, method: body ? 'POST' : 'GET', agent,
      headers: body ? { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', 'content-length': body.byteLength } : {},
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

let problems = 0;
async function send(count: number, from: number): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < count) {
      const i = from + next++;
      const answer = await post('/', bodies[i % bodies.length] as Buffer);
      if (answer.status !== 200 || !answer.text.includes('<MessageId>')) problems++;
    }
  }));
}

await send(warmUp, 0);
const cpu0 = childCpuMs();
const t0 = performance.now();
await send(messages, warmUp);
const wallMs = performance.now() - t0;
const cpuMs = childCpuMs() - cpu0;
const stats = JSON.parse((await post('/stats')).text) as { accepted: number };
if (stats.accepted !== warmUp + messages) problems++;
const result = {
  messages, concurrency, track: values.track, forward: values.forward,
  bodyBytes: bodies[0]?.byteLength,
  cpuMsPerMessage: Number((cpuMs / messages).toFixed(4)),
  wallMsPerMessage: Number((wallMs / messages).toFixed(4)),
  rssMb: Number(childRssMb().toFixed(0)),
  problems,
};
process.stdout.write(`${JSON.stringify(result)}\n`);
agent.destroy();
child.stdin.end();
await new Promise((resolve) => child.once('exit', resolve));
process.exitCode = problems > 0 ? 1 : 0;
