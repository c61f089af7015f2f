/**
 * Matching at ingest: an article that was created or changed is matched against every followed
 * phrase through the keyword index, never by reading subscribers:
 * 1. its token sequence (title, summary, body; phrase-matcher.ts) gives its distinct tokens;
 * 2. the heads of those tokens (read in batches) give the followed phrases that start with one;
 * 3. the phrases whose tokens occur contiguously in the sequence match;
 * 4. each matching phrase's followers are read page by page (never all at once), and each
 *    follower gets a pending match (subscriber, article) with its due time (windows.ts).
 * Recording a match is idempotent: a duplicate event, a re-ingest or a second keyword of the
 * same subscriber adds to the same pending match; an article already sent to a subscriber is
 * never pending again.
 */
import type { AlertMatching } from '../articles/ports.ts';
import type { StoredArticle } from '../articles/types.ts';
import { mapBounded } from '../concurrency.ts';
import type { Logger } from '../logger.ts';
import { MAX_ALERT_KEYWORD_LENGTH } from '../subscribers/alert-settings.ts';
import { MatchableText, tokenSequence } from './phrase-matcher.ts';
import type { AlertStore, KeywordIndex } from './ports.ts';
import { articleKeyOf } from './types.ts';
import { dueAt } from './windows.ts';

/** How long a match is remembered (days): a sent article stays a tombstone this long. */
export const MATCH_MEMORY_DAYS = 400;

export interface AlertMatcherDeps {
  index: KeywordIndex;
  store: AlertStore;
  logger: Logger;
  /** The coalescing window of `instant` followers (ms). */
  instantWindowMs: number;
  /** Followers read per page (default 500). */
  followerPageSize?: number;
  /** Matches written at once (default 32). */
  concurrency?: number;
  now?: () => Date;
}

/** What matching one article did. */
export interface ArticleMatchReport {
  articleId: string;
  /** Followed phrases found in the article. */
  phrases: string[];
  /** Pending matches recorded (a subscriber following two matching phrases counts twice). */
  recorded: number;
  /** Followers to whom the article was already sent. */
  alreadySent: number;
}

/**
 * @example
 * ```ts
 * const matcher = new AlertMatcher({ index, store, logger, instantWindowMs: 5 * 60_000 });
 * const report = await matcher.match(article);
 * ```
 */
export class AlertMatcher implements AlertMatching {
  readonly #d: AlertMatcherDeps;
  readonly #now: () => Date;

  public constructor(deps: AlertMatcherDeps) {
    this.#d = deps;
    this.#now = deps.now ?? (() => new Date());
  }

  public async matchArticle(article: StoredArticle): Promise<void> {
    await this.match(article);
  }

  /** Matches one article and reports what it recorded. */
  public async match(article: StoredArticle): Promise<ArticleMatchReport> {
    const text = new MatchableText(tokenSequence(article.title, article.summary, article.bodyText));
    // No followed phrase starts with a token longer than a keyword may be (nor would its key fit).
    const tokens = text.firstTokens().filter((t) => t.length <= MAX_ALERT_KEYWORD_LENGTH || Array.from(t).length <= MAX_ALERT_KEYWORD_LENGTH);
    const candidates = await this.#d.index.phrasesStartingWith(tokens);
    const phrases = candidates.filter((phrase) => text.contains(phrase)).sort();
    const report: ArticleMatchReport = { articleId: article.id, phrases, recorded: 0, alreadySent: 0 };
    if (phrases.length === 0) return report;

    const now = this.#now();
    const matchedAt = now.toISOString();
    const articleKey = articleKeyOf(article.id);
    const expiresAt = Math.floor(now.getTime() / 1000) + MATCH_MEMORY_DAYS * 86_400;
    for (const phrase of phrases) {
      let cursor: string | undefined;
      do {
        const page = await this.#d.index.followers(phrase, { limit: this.#d.followerPageSize ?? 500, ...(cursor ? { cursor } : {}) });
        const results = await mapBounded(page.followers, this.#d.concurrency ?? 32, (f) =>
          this.#d.store.recordMatch({
            subscriberId: f.subscriberId,
            articleKey,
            articleId: article.id,
            keyword: f.label,
            matchedAt,
            dueAt: new Date(dueAt(f, now.getTime(), { instantWindowMs: this.#d.instantWindowMs, breaking: article.breaking })).toISOString(),
            breaking: article.breaking,
            cadence: f.cadence,
            timezone: f.timezone,
            alertHour: f.alertHour,
            expiresAt,
          }),
        );
        for (const recorded of results) {
          if (recorded) report.recorded += 1;
          else report.alreadySent += 1;
        }
        cursor = page.cursor;
      } while (cursor);
    }
    this.#d.logger.info('alerts matched', { article: article.id, phrases: phrases.length, recorded: report.recorded, alreadySent: report.alreadySent });
    return report;
  }
}
