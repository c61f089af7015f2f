/**
 * Edition build (child process): N article files are already in the content bucket; the
 * `ingest` handler reads each from the bucket (one S3 ObjectCreated event per object, 16
 * invocations at a time, as concurrent Lambdas would), then the `edition` handler builds
 * one daily edition of them (render once, publish the web page, fan out) through the same use
 * case the `edition` handler calls. Counts the MJML compiles the edition took.
 */
import type { S3Event } from 'aws-lambda';
import { childParams, nextInputLine, reportResult, signal } from './lib/child.ts';

interface Params {
  env: Record<string, string>;
  keys: string[];
  concurrency?: number;
  /** Started ahead of its run: signal `ready` once imported and wait for a line on stdin before anything measured. */
  gated?: boolean;
}

const params = childParams<Params>();
const { useStack } = await import('./lib/use-stack.ts');
const { mapBounded } = await import('../functions/core/concurrency.ts');
const { handler: ingestHandler } = await import('../functions/ingest.ts');
const { editionService } = await import('../functions/wiring/edition.ts');
const { RenderCounter } = await import('../functions/core/rendering/mjml-compiler.ts');
useStack(params.env);

const event = (key: string): S3Event => ({
  Records: [
    {
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      awsRegion: params.env.AWS_REGION ?? 'us-east-1',
      eventTime: new Date().toISOString(),
      eventName: 'ObjectCreated:Put',
      userIdentity: { principalId: 'local' },
      requestParameters: { sourceIPAddress: '127.0.0.1' },
      responseElements: { 'x-amz-request-id': 'local', 'x-amz-id-2': 'local' },
      s3: {
        s3SchemaVersion: '1.0',
        configurationId: 'local',
        bucket: { name: params.env.CONTENT_BUCKET ?? '', ownerIdentity: { principalId: 'local' }, arn: `arn:aws:s3:::${params.env.CONTENT_BUCKET ?? ''}` },
        object: { key: encodeURIComponent(key).replace(/%2F/g, '/'), size: 0, eTag: '', sequencer: '0' },
      },
    },
  ],
});

if (params.gated) {
  // Started ahead of its run (bench/run.ts): imports done, wait for the parent's go before anything measured.
  signal('ready');
  await nextInputLine();
}
const t0 = performance.now();
const ingested = await mapBounded(params.keys, params.concurrency ?? 16, async (key) => (await ingestHandler(event(key))).results);
const ingestSeconds = (performance.now() - t0) / 1000;
const outcomes: Record<string, number> = {};
for (const r of ingested.flat()) outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1;

// The edition use case as the `edition` handler runs it, with a counter of its MJML compiles.
const renders = new RenderCounter();
const t1 = performance.now();
const now = new Date();
const result = await editionService(undefined, { renderObserver: renders }).run({ job: 'daily', scheduledAt: now, now, force: true });
const buildSeconds = (performance.now() - t1) / 1000;
reportResult({
  articles: params.keys.length,
  outcomes,
  ingestSeconds,
  buildSeconds,
  seconds: ingestSeconds + buildSeconds,
  mjmlCompiles: renders.compiles,
  render: renders.last,
  edition: result,
});
