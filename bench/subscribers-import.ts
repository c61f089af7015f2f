/**
 * Measures `digest subscribers import FILE` itself: the command runs in this process, as a
 * user runs it, with the real DynamoDB adapter and SDK, against a stand-in DynamoDB on
 * 127.0.0.1 that answers every BatchGetItem with nothing found and accepts every
 * BatchWriteItem without keeping it. So the figures are the importer's own (time, CPU, peak
 * RSS), not an emulator's: dynalite, which keeps every item in its own process, is far slower
 * (docs/performance.md, "Importing subscribers").
 *
 *   npx tsx bench/subscribers-csv.ts 1000000 > /tmp/subscribers.csv
 *   node --import tsx bench/subscribers-import.ts /tmp/subscribers.csv
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { environmentCommands } from '../functions/cli/commands.ts';
import { useEnvironment } from '../functions/core/config.ts';
import { resetWiring } from '../functions/wiring/common.ts';
import { PLACEHOLDER_ENV } from './lib/placeholder-env.ts';

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: node --import tsx bench/subscribers-import.ts FILE\n');
  process.exit(2);
}

let batchGets = 0;
let batchWrites = 0;
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const target = String(req.headers['x-amz-target'] ?? '');
    const body = target.endsWith('.BatchGetItem')
      ? ((batchGets += 1), { Responses: { [PLACEHOLDER_ENV.SUBSCRIBERS_TABLE!]: [] }, UnprocessedKeys: {} })
      : target.endsWith('.BatchWriteItem')
        ? ((batchWrites += 1), { UnprocessedItems: {} })
        : {};
    res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
    res.end(JSON.stringify(body));
  });
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
useEnvironment({ ...PLACEHOLDER_ENV, DYNAMODB_ENDPOINT: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
resetWiring();

const started = performance.now();
const cpu = process.cpuUsage();
const code = await environmentCommands.subscribers!(['import', file], { quiet: !process.stderr.isTTY });
const seconds = (performance.now() - started) / 1000;
const used = process.cpuUsage(cpu);
server.close();
process.stderr.write(
  `${JSON.stringify({
    seconds: Number(seconds.toFixed(1)),
    cpuSeconds: Number(((used.user + used.system) / 1e6).toFixed(1)),
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    batchGets,
    batchWrites,
  })}\n`,
);
process.exitCode = code;
