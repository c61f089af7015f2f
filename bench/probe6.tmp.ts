import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { Agent, request } from 'node:http';
const child = spawn(process.execPath, ['--import', 'tsx', 'infra/local/ses-front-process.ts', '--latency', '100', '--max-send-rate', '100000', '--no-forward', '--no-mailbox', '--no-raw', '--stop-on-stdin-close'], { stdio: ['pipe', 'pipe', 'inherit'] });
const line = await new Promise<string>((r) => createInterface({ input: child.stdout! }).once('line', r));
const { url } = JSON.parse(line);
const u = new URL(url);
const agent = new Agent({ keepAlive: true, maxSockets: 128 });
const raw = Buffer.from('x'.repeat(59000).replace(/x/g, () => String.fromCharCode(32 + Math.floor(Math.random() * 90))));
function post(i: number) {
  const data = raw.toString('base64').replaceAll('+', '%2B').replaceAll('/', '%2F').replaceAll('=', '%3D');
  const body = Buffer.from(`Action=SendRawEmail&Version=2010-12-01&RawMessage.Data=${data}&Destinations.member.1=a${i}%40b.c`, 'latin1');
  return new Promise<void>((resolve, reject) => {
    const req = request({ agent, host: u.hostname, port: u.port, method: 'POST', path: '/', headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': body.length } }, (res) => { const chunks: Buffer[] = []; res.on('data', (c) => chunks.push(c)); res.on('end', () => resolve()); });
    req.on('error', reject); req.end(body);
  });
}
for (const n of [500, 2000, 2000]) {
  let next = 0; const t = performance.now(); const c0 = process.cpuUsage();
  await Promise.all(Array.from({ length: 128 }, async () => { while (next < n) await post(next++); }));
  const c = process.cpuUsage(c0); const el = performance.now() - t;
  console.log(`n=${n} ${(n / el * 1000).toFixed(0)}/s cpu/msg user ${(c.user / 1000 / n).toFixed(2)} sys ${(c.system / 1000 / n).toFixed(2)}`);
}
child.stdin!.end(); process.exit(0);
