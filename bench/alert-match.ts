/**
 * Keyword alerts, matching at ingest (child process; the emulators run in a process of their
 * own). Two phases, each its own process:
 * - `seed`: `subscribers` subscribers following `perSubscriber` phrases each, drawn from a
 *   vocabulary with Zipf popularity, written straight through the keyword index adapter
 *   (DynamoDbKeywordIndex.follow, in batches), not through subscribe calls;
 * - `match`: `articles` articles, each mentioning `mentions` phrases (drawn by the same
 *   popularity), matched one after the other by the AlertMatcher the ingest function runs
 *   (heads → phrases → followers page by page → one conditional pending-match write per
 *   follower), on the emulators. Timed: the matching of every article, nothing else.
 * The check: every article's matched phrases are exactly the ones it mentions, and the pending
 * matches it recorded are exactly the followers of those phrases (counted while seeding).
 */
import { childParams, nextInputLine, reportResult, signal } from './lib/child.ts';
import { RssSampler } from './lib/memory.ts';
import { alertArticle, benchSubscriberId, followedBy, vocabulary, Zipf } from './lib/alert-fixtures.ts';

interface Params {
  phase: 'seed' | 'match';
  env: Record<string, string>;
  subscribers: number;
  perSubscriber: number;
  vocabulary: number;
  zipfS: number;
  articles: number;
  mentions: number;
  /** Follower writes in flight per article (the matcher's concurrency). */
  concurrency: number;
  /** Started ahead of its run: signal `ready` once imported and wait for a line on stdin before anything measured. */
  gated?: boolean;
}

const params = childParams<Params>();
const { useStack } = await import('./lib/use-stack.ts');
const { keywordIndex, alertStore } = await import('../functions/wiring/keyword-alerts.ts');
const { phraseOf } = await import('../functions/core/alerts/phrase-matcher.ts');
const { AlertMatcher } = await import('../functions/core/alerts/alert-matcher.ts');
const { silentLogger } = await import('../functions/core/logger.ts');
useStack(params.env);

const phrases = vocabulary(params.vocabulary);
const zipf = new Zipf(params.vocabulary, params.zipfS);
/** Followers per phrase, from the same deterministic draws as the seeding. */
function followerCounts(): number[] {
  const counts = new Array<number>(params.vocabulary).fill(0);
  for (let n = 0; n < params.subscribers; n += 1) for (const i of followedBy(n, zipf, params.perSubscriber)) counts[i] = (counts[i] ?? 0) + 1;
  return counts;
}

if (params.phase === 'seed') {
  const t0 = performance.now();
  const index = keywordIndex();
  // Large calls: each call also adds its phrases to their heads, once per first token.
  const chunk = 25_000;
  for (let start = 0; start < params.subscribers; start += chunk) {
    const entries = [];
    for (let n = start; n < Math.min(params.subscribers, start + chunk); n += 1) {
      for (const i of followedBy(n, zipf, params.perSubscriber)) {
        const label = phrases[i] as string;
        entries.push({ phrase: phraseOf(label), subscriberId: benchSubscriberId(n), label, cadence: 'daily' as const, timezone: 'UTC', alertHour: 7 });
      }
    }
    await index.follow(entries);
  }
  const counts = followerCounts();
  reportResult({ seconds: (performance.now() - t0) / 1000, entries: params.subscribers * params.perSubscriber, topFollowers: [...counts].sort((a, b) => b - a).slice(0, 5) });
} else {
  if (params.gated) {
    // Started ahead of its run (bench/run.ts): imports done, wait for the parent's go before anything measured.
    signal('ready');
    await nextInputLine();
  }
const counts = followerCounts();
  const now = new Date();
  const articles = Array.from({ length: params.articles }, (_v, n) => alertArticle(n + 1, phrases, zipf, params.mentions, now));
  const matcher = new AlertMatcher({ index: keywordIndex(), store: alertStore(), logger: silentLogger, instantWindowMs: 300_000, concurrency: params.concurrency });
  // Warm up the clients and the code path with an article that mentions nothing followed.
  const { article: nothing } = alertArticle(0, phrases, zipf, 0, now);
  const lookup0 = performance.now();
  await matcher.match(nothing);
  const lookupMs = performance.now() - lookup0;

  const memory = new RssSampler().start();
  const problems: string[] = [];
  const perArticle: Array<{ seconds: number; phrases: number; recorded: number }> = [];
  const t0 = performance.now();
  for (const { article, mentioned } of articles) {
    const a0 = performance.now();
    const report = await matcher.match(article);
    perArticle.push({ seconds: (performance.now() - a0) / 1000, phrases: report.phrases.length, recorded: report.recorded });
    // Phrases nobody follows are in no head: only followed ones can match.
    const expected = mentioned.filter((i) => (counts[i] ?? 0) > 0).map((i) => phraseOf(phrases[i] as string)).sort();
    if (JSON.stringify(report.phrases) !== JSON.stringify(expected)) problems.push(`article ${article.id}: matched ${JSON.stringify(report.phrases)}, mentions ${JSON.stringify(expected)}`);
    const followers = mentioned.reduce((sum, i) => sum + (counts[i] ?? 0), 0);
    if (report.recorded !== followers) problems.push(`article ${article.id}: recorded ${report.recorded} pending matches for ${followers} followers`);
    if (report.alreadySent !== 0) problems.push(`article ${article.id}: ${report.alreadySent} already sent`);
  }
  const seconds = (performance.now() - t0) / 1000;
  const peak = memory.stop();
  const recorded = perArticle.reduce((n, a) => n + a.recorded, 0);
  reportResult({
    articles: params.articles,
    seconds,
    articlesPerSec: params.articles / seconds,
    pendingMatchesPerSec: recorded / seconds,
    recorded,
    lookupMsNoMatch: lookupMs,
    perArticle,
    peakRssMb: peak.peakMb,
    problems,
  });
}
