/**
 * Work on the local stack that must not be measured (child process): seeding subscribers
 * and articles, uploading article files. Runs in its own process so that the measured
 * process's peak memory holds none of it.
 */
import { childParams, reportResult } from './lib/child.ts';
import { seedSubscribers, uploadArticles } from './lib/seed.ts';

interface Params {
  env: Record<string, string>;
  /** Article files to put in the content bucket. */
  upload?: number;
  /** Ingest the uploaded files (so that an edition has stories). */
  ingest?: boolean;
  /** Confirmed daily subscribers to write. */
  subscribers?: number;
}

const params = childParams<Params>();
const { useStack } = await import('./lib/use-stack.ts');
useStack(params.env);
const t0 = performance.now();
const keys = params.upload ? await uploadArticles(params.env, params.upload) : [];
if (params.ingest && keys.length > 0) {
  const { ingestService } = await import('../functions/wiring/ingest.ts');
  const { mapBounded } = await import('../functions/core/concurrency.ts');
  // Eight at a time (the articles are independent; one at a time took most of a small stack's set-up).
  await mapBounded(keys, 8, (key) => ingestService().ingestObject({ key }));
}
if (params.subscribers) await seedSubscribers(params.env, params.subscribers);
reportResult({ seconds: (performance.now() - t0) / 1000, uploaded: keys.length });
