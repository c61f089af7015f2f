/**
 * Reconciliation (child process): N objects are in the content bucket and none was
 * ingested (every S3 event was missed); `IngestService.reconcile()` pages through the bucket
 * and ingests them all. Peak RSS of this process, which holds nothing else.
 */
import { childParams, reportResult } from './lib/child.ts';
import { RssSampler } from './lib/memory.ts';

interface Params {
  env: Record<string, string>;
  objects: number;
}

const params = childParams<Params>();
const memory = new RssSampler().start(50);
const { useStack } = await import('./lib/use-stack.ts');
const { ingestService } = await import('../functions/wiring/ingest.ts');
useStack(params.env);
const t0 = performance.now();
const counts = await ingestService().reconcile();
const seconds = (performance.now() - t0) / 1000;
const peak = memory.stop();
reportResult({ objects: params.objects, seconds, peakRssMb: peak.peakMb, counts });
