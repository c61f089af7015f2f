/**
 * Cold start of the send function (child process): `runs` fresh Node processes, one at a
 * time, each importing the bundled send handler (`serverless package`'s `.mjs`, plain node,
 * the function's heap limits) and invoking it with one SQS record for a reader of an edition
 * that is ready to send. Timed from just before the process is spawned to the moment the SES
 * front stamps the arrival of its SendRawEmail request: process start, the configuration, the
 * token secret, GetSendQuota, the edition's template from S3, the lease and the subscriber
 * read, the message. Each process must send exactly its reader's message.
 */
import { spawn } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { childParams, nextInputLine, reportResult, signal } from './lib/child.ts';

interface Params {
  env: Record<string, string>;
  handlerFile: string;
  nodeArgs: string[];
  edition: string;
  subscriberIds: string[];
  /** Started ahead of its run: signal `ready` once imported and wait for a line on stdin before anything measured. */
  gated?: boolean;
}

const params = childParams<Params>();
const ses = params.env.SES_ENDPOINT ?? '';
const times: number[] = [];
const problems: string[] = [];

if (params.gated) {
  // Started ahead of its run (bench/run.ts): imports done, wait for the parent's go before anything measured.
  signal('ready');
  await nextInputLine();
}

for (const [i, subscriberId] of params.subscriberIds.entries()) {
  const record = {
    messageId: `cold-${i}`, receiptHandle: 'r', body: JSON.stringify({ editionId: params.edition, subscriberId }), attributes: { ApproximateReceiveCount: '1' },
    messageAttributes: {}, md5OfBody: '', eventSource: 'aws:sqs', eventSourceARN: 'arn:aws:sqs:local', awsRegion: params.env.AWS_REGION ?? 'us-east-1',
  };
  const script = `const { handler } = await import(${JSON.stringify(pathToFileURL(params.handlerFile).href)});
const end = Date.now() + 60000;
const out = await handler({ Records: [${JSON.stringify(record)}] }, { getRemainingTimeInMillis: () => end - Date.now() });
process.stdout.write(JSON.stringify(out));`;
  const t0 = Date.now();
  const child = spawn(process.execPath, [...params.nodeArgs, '--input-type=module', '-e', script], { env: { PATH: process.env.PATH ?? '', ...params.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  if (code !== 0 || out !== '{"batchItemFailures":[]}') problems.push(`run ${i}: exit ${code}, ${out} ${err.slice(-500)}`);
  const captured = (await (await fetch(`${ses}/raw`)).json()) as { receivedAt: number; tags: Record<string, string> }[];
  const mine = captured.filter((c) => c.tags.subscriber === subscriberId && c.tags.edition === params.edition);
  if (mine.length !== 1) problems.push(`run ${i}: ${mine.length} messages for ${subscriberId}`);
  if (mine[0]) times.push(mine[0].receivedAt - t0);
  process.stderr.write(`cold start ${i + 1}: ${mine[0] ? mine[0].receivedAt - t0 : '?'} ms to the SES request\n`);
}

reportResult({ firstRequestMs: times, problems });
