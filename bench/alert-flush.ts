/**
 * The alert flush over many due windows (child process; the emulators run in a process of
 * their own). Two phases, each its own process:
 * - `seed`: `articles` matched articles in the article store, and `windows` subscribers each
 *   with 1–3 of them pending (written through the AlertStore adapter, as matching does), due
 *   a minute ago;
 * - `flush`: one run of the `alerts` function's use case (wired as the function wires it, with
 *   the heap limits Lambda gives the function): claim, cap, freeze, the cards and shell
 *   compiled once, enqueue to SQS, close. Timed: that run. Sending is not included (the send
 *   worker's cost per alert digest is the assembly benchmark's plus a scale run's).
 * The checks: one digest per window, the flush's total, nothing left in the due index, the
 * send queue holding exactly one task per window, each card compiled once, and a sample of
 * digests assembled (as the send worker does) and parsed back, listing exactly the articles
 * seeded for that subscriber.
 */
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { simpleParser } from 'mailparser';
import { childParams, nextInputLine, reportResult, signal } from './lib/child.ts';
import { RssSampler } from './lib/memory.ts';
import { alertArticle, benchSubscriberId, prng, vocabulary, Zipf } from './lib/alert-fixtures.ts';

interface Params {
  phase: 'seed' | 'flush';
  env: Record<string, string>;
  windows: number;
  articles: number;
  /** When the windows were due (ISO-8601; the seed sets it, the flush reads it). */
  dueAt: string;
  /** Digests assembled and parsed back after the flush. */
  check: number;
  /** Started ahead of its run: signal `ready` once imported and wait for a line on stdin before anything measured. */
  gated?: boolean;
}

const params = childParams<Params>();
const { useStack } = await import('./lib/use-stack.ts');
const { articleStore, editionRepository, links, messageHeaders, config } = await import('../functions/wiring/common.ts');
const { alertStore, alertPieces } = await import('../functions/wiring/keyword-alerts.ts');
const { articleKeyOf } = await import('../functions/core/alerts/types.ts');
const { mapBounded } = await import('../functions/core/concurrency.ts');
useStack(params.env);

const phrases = vocabulary(50);
const zipf = new Zipf(50, 1);
const now = new Date();
// Ids and subscribers of their own: the matching benchmark may have run on the same stack.
const articles = Array.from({ length: params.articles }, (_v, n) => {
  const a = alertArticle(n + 1, phrases, zipf, 1, now).article;
  return { ...a, id: a.id.replace('/alerts/', '/flush/'), url: (a.url ?? '').replace('/alerts/', '/flush/') };
});
const windowId = (w: number): string => benchSubscriberId(w).replace('s_bench', 's_flush');
/** The articles pending for window `w` (1–3 of them, deterministic). */
function articlesOf(w: number): number[] {
  const random = prng(9_000_011 + w);
  const count = 1 + Math.floor(random() * 3);
  const picked = new Set<number>();
  while (picked.size < count) picked.add(Math.floor(random() * params.articles));
  return [...picked];
}

if (params.phase === 'seed') {
  const t0 = performance.now();
  for (const a of articles) await articleStore().putArticle(a);
  const store = alertStore();
  const writes: Array<{ w: number; a: number }> = [];
  for (let w = 0; w < params.windows; w += 1) for (const a of articlesOf(w)) writes.push({ w, a });
  await mapBounded(writes, 32, ({ w, a }) => {
    const article = articles[a]!;
    return store.recordMatch({
      subscriberId: windowId(w), articleKey: articleKeyOf(article.id), articleId: article.id, keyword: phrases[a % phrases.length] as string,
      matchedAt: params.dueAt, dueAt: params.dueAt, breaking: false, cadence: 'instant', timezone: 'UTC', alertHour: 7, expiresAt: Math.floor(Date.now() / 1000) + 86_400,
    });
  });
  reportResult({ seconds: (performance.now() - t0) / 1000, pendingMatches: writes.length });
} else {
  const { alertFlushService } = await import('../functions/wiring/alerts.ts');
  const { RenderCounter } = await import('../functions/core/rendering/mjml-compiler.ts');
  const { AlertDigestAssembler } = await import('../functions/core/alerts/alert-digests.ts');
  const { personalize } = await import('../functions/core/rendering/personalizer.ts');
  if (params.gated) {
    // Started ahead of its run (bench/run.ts): imports done, wait for the parent's go before anything measured.
    signal('ready');
    await nextInputLine();
  }
const renders = new RenderCounter();
  const memory = new RssSampler().start();
  const t0 = performance.now();
  const result = await alertFlushService({ renderObserver: renders }).run({ scheduledAt: now, now, dueBy: now });
  const seconds = (performance.now() - t0) / 1000;
  const peak = memory.stop();

  const problems: string[] = [];
  if (result.digests !== params.windows) problems.push(`flush froze ${result.digests} digests for ${params.windows} windows`);
  const record = await editionRepository().get(result.flush);
  if (record?.total !== params.windows) problems.push(`flush total ${record?.total} for ${params.windows} windows`);
  let left = 0;
  for (let shard = 0; shard < 8; shard += 1) left += (await alertStore().pageDue(shard, now.toISOString(), { limit: 1000 })).entries.length;
  if (left !== 0) problems.push(`${left} entries still due in the due index`);
  const sqs = new SQSClient({ region: config().AWS_REGION, endpoint: config().SQS_ENDPOINT });
  const queued = Number((await sqs.send(new GetQueueAttributesCommand({ QueueUrl: config().SEND_QUEUE_URL, AttributeNames: ['ApproximateNumberOfMessages'] }))).Attributes?.ApproximateNumberOfMessages ?? -1);
  sqs.destroy();
  if (queued !== params.windows) problems.push(`${queued} send tasks queued for ${params.windows} windows`);
  // Cards: one per article, compiled in batches of 40 plus the edges per page of windows; the shell twice.
  const distinct = new Set(Array.from({ length: params.windows }, (_v, w) => articlesOf(w)).flat()).size;

  // A sample of digests assembled as the send worker does, parsed back.
  const assembler = new AlertDigestAssembler({ store: alertStore(), pieces: alertPieces(), links: links(), headers: messageHeaders(), siteName: config().SITE_NAME });
  const step = Math.max(1, Math.floor(params.windows / params.check));
  let checked = 0;
  for (let w = 0; w < params.windows; w += step) {
    const id = windowId(w);
    const subscriber = { id, email: `${id}@bench.example.org`, status: 'confirmed' as const, newsletter: 'none' as const, alerts: 'instant' as const, keywords: [...phrases], createdAt: '', updatedAt: '' };
    const message = await assembler.message(result.flush, subscriber);
    if (message?.kind !== 'message') {
      problems.push(`${id}: no message (${JSON.stringify(message)})`);
      continue;
    }
    const raw = personalize(message.template, { email: subscriber.email, unsubscribeUrl: 'https://x.example/u', preferencesUrl: 'https://x.example/p', webViewUrl: 'https://x.example/p' }, { subscriberId: id, date: now, messageIdDomain: 'bench.example.org' });
    const parsed = await simpleParser(raw);
    const listed = articles.filter((a) => (parsed.text ?? '').includes(a.title)).map((a) => a.id).sort();
    const expected = articlesOf(w).map((a) => articles[a]!.id).sort();
    if (JSON.stringify(listed) !== JSON.stringify(expected)) problems.push(`${id}: lists ${listed.length} articles, ${expected.length} expected`);
    checked += 1;
  }
  reportResult({ seconds, windows: params.windows, digests: result.digests, articles: result.articles, distinctArticles: distinct, mjmlCompiles: renders.compiles, peakRssMb: peak.peakMb, heapUsedMb: peak.heapUsedMb, queued, checked, problems });
}
