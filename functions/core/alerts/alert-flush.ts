/**
 * The alert flush (the scheduled `alerts` job, every 5 minutes): every window due by now is
 * sent as one alert digest, through the same send queue, workers and ledger as editions.
 *
 * A flush is an edition record of job `alerts` (id per run: `alerts-2026-12-01T10-05`), so its
 * state, total, counters, `digest edition status`, resend-failed, the reconciler's lease
 * recovery and the send worker's counters work as for newsletters. It pages through the due
 * index (one partition per shard, never a scan) and, for each due window:
 * 1. **claims** it (conditional; a claim older than `claimMs` belongs to a flush that died and
 *    is taken over: if that flush had frozen a digest, the digest is sent as it is);
 * 2. reads the window (the subscriber's pending matches) and checks the **daily cap** of the
 *    subscriber's local day: over it, the window moves to the next allowed time, its matches
 *    kept;
 * 3. **freezes** the digest: the digest record (subscriber, flush), then each pending match
 *    becomes a tombstone of this flush (conditional: only one flush ever sends an article to
 *    a subscriber). Before any digest of a page is frozen, the cards of its articles (each
 *    once per flush) and the shell of its language are stored for the send workers;
 * 4. **enqueues** one send task `{ editionId: flush, subscriberId }` per digest;
 * 5. **closes** the window (releases the claim) and only then counts it in the flush's total.
 * A crash between any two steps is recovered by the next run (or the retry of this one): a
 * window is never sent twice (the ledger, and the frozen digest re-sent as it is) and never
 * lost (it stays claimed, due and pending until a run closes it). A window with nothing in it
 * sends nothing.
 */
import { randomBytes } from 'node:crypto';
import type { ArticleStore } from '../articles/ports.ts';
import type { StoredArticle } from '../articles/types.ts';
import { mapBounded } from '../concurrency.ts';
import type { SendQueue } from '../delivery/ports.ts';
import type { ArtefactStore, EditionRecord, EditionRepository } from '../editions/ports.ts';
import { EditionState, JobName } from '../editions/types.ts';
import { ArchivePath } from '../links.ts';
import type { Logger } from '../logger.ts';
import { MAX_SHOWN_ALERTS } from '../rendering/alert-parts.ts';
import { articleView, languageTag, type StoryView } from '../rendering/digest-model.ts';
import type { AlertPieceStore, AlertRenderer, AlertStore } from './ports.ts';
import { articleKeyOf, DUE_SHARDS, flushIdFor, type AlertDigestRecord, type DigestEntry, type PendingMatch } from './types.ts';
import { capDay, nextAllowed, type WindowSettings } from './windows.ts';
import { newEditionRecord } from '../editions/edition-service.ts';

export interface AlertFlushDeps {
  store: AlertStore;
  articles: Pick<ArticleStore, 'getArticle'>;
  pieces: AlertPieceStore;
  renderer: AlertRenderer;
  editions: EditionRepository;
  /** Where the pages behind "and N more" go (the public archive). */
  archive: Pick<ArtefactStore, 'putArchiveFile'>;
  queue: SendQueue;
  logger: Logger;
  /** Alert digests per subscriber per local day (`ALERT_MAX_PER_DAY`). */
  maxPerDay: number;
  /** A claim older than this belongs to a flush that died (ms; longer than the function's timeout). */
  claimMs: number;
  /** Due entries read per page (default 200). */
  pageSize?: number;
  /** Windows worked on at once (default 16). */
  concurrency?: number;
  /** Stop early (the next run carries on), e.g. the Lambda is about to time out. */
  shouldYield?: () => boolean;
  /** The unguessable part of a page's address (default 16 random bytes, base64url). */
  pageToken?: () => string;
}

/** What a flush run did. */
export interface AlertFlushResult {
  job: typeof JobName.ALERTS;
  /** The flush (edition) id. */
  flush: string;
  /** The flush record's state (absent when no digest was frozen: no record). */
  state?: EditionState;
  /** Due windows worked on. */
  windows: number;
  /** Digests frozen and enqueued by this run. */
  digests: number;
  /** Digests of a flush that died, enqueued again by this run. */
  recovered: number;
  /** Windows the daily cap held back. */
  held: number;
  /** Windows with nothing to send (every match already sent, or its article removed). */
  empty: number;
  /** Distinct articles in this run's digests. */
  articles: number;
  /** The flush record's total (recipients enqueued). */
  recipients: number;
  /** The run stopped early; the next one carries on. */
  yielded: boolean;
}

/** One window opened by this run. */
interface OpenWindow {
  subscriberId: string;
  pending: PendingMatch[];
  day: string;
  settings: WindowSettings;
}

/** What one run keeps: caches and tallies. */
class FlushRun {
  public readonly handled = new Set<string>();
  /** Article by id (null: removed). */
  public readonly articles = new Map<string, StoredArticle | null>();
  public readonly cards = new Set<string>();
  public readonly shells = new Set<string>();
  public readonly matched = new Set<string>();
  public record: Promise<EditionRecord> | undefined;
  public windows = 0;
  public digests = 0;
  public recovered = 0;
  public held = 0;
  public empty = 0;

  public constructor(
    public readonly flushId: string,
    public readonly scheduledAt: Date,
    public readonly now: Date,
    public readonly dueBy: string,
  ) {}
}

/** A digest's articles: newest first (by publication time, then key). */
function newestFirst(a: { article: StoredArticle; key: string }, b: { article: StoredArticle; key: string }): number {
  return Date.parse(b.article.publishedAt) - Date.parse(a.article.publishedAt) || a.key.localeCompare(b.key);
}

/**
 * @example
 * ```ts
 * const flush = new AlertFlushService({ store, articles, pieces, renderer, editions, archive, queue, logger, maxPerDay: 5, claimMs: 600_000 });
 * const result = await flush.run({ scheduledAt: new Date(), now: new Date() });
 * ```
 */
export class AlertFlushService {
  readonly #d: AlertFlushDeps;

  public constructor(deps: AlertFlushDeps) {
    this.#d = deps;
  }

  /**
   * Runs one flush. `dueBy` (default `now`) sends every window due by then: `digest run --job
   * alerts` passes a time far ahead, to send every window as if due now.
   */
  public async run(input: { scheduledAt: Date; now: Date; dueBy?: Date }): Promise<AlertFlushResult> {
    const flushId = flushIdFor(input.scheduledAt);
    const run = new FlushRun(flushId, input.scheduledAt, input.now, (input.dueBy ?? input.now).toISOString());
    let yielded = false;
    shards: for (let shard = 0; shard < DUE_SHARDS; shard += 1) {
      let cursor: string | undefined;
      do {
        if (this.#d.shouldYield?.()) {
          yielded = true;
          break shards;
        }
        const page = await this.#d.store.pageDue(shard, run.dueBy, { limit: this.#d.pageSize ?? 200, ...(cursor ? { cursor } : {}) });
        const ids = [...new Set(page.entries.map((e) => e.subscriberId))].filter((id) => !run.handled.has(id));
        for (const id of ids) run.handled.add(id);
        if (ids.length > 0) await this.#flushPage(run, ids);
        cursor = page.cursor;
      } while (cursor);
    }
    let record = await this.#d.editions.get(flushId);
    if (!yielded) {
      if (record && !record.fanoutDone) record = await this.#finish(record, run.matched.size);
      await this.#finishAbandoned(run);
    }
    const result: AlertFlushResult = {
      job: JobName.ALERTS,
      flush: flushId,
      ...(record ? { state: record.state } : {}),
      windows: run.windows,
      digests: run.digests,
      recovered: run.recovered,
      held: run.held,
      empty: run.empty,
      articles: run.matched.size,
      recipients: record?.total ?? 0,
      yielded,
    };
    this.#d.logger.info('alert flush', { ...result });
    return result;
  }

  async #flushPage(run: FlushRun, ids: readonly string[]): Promise<void> {
    const concurrency = this.#d.concurrency ?? 16;
    const opened = await mapBounded(ids, concurrency, (id) => this.#open(run, id));
    const windows = opened.filter((o): o is { open: OpenWindow } => o !== undefined && 'open' in o).map((o) => o.open);
    const recoveries = opened.filter((o): o is { recover: AlertDigestRecord } => o !== undefined && 'recover' in o).map((o) => o.recover);

    await this.#loadArticles(run, windows.flatMap((w) => w.pending.map((p) => p.articleId)));
    await this.#preparePieces(run, windows);
    const frozen = (await mapBounded(windows, concurrency, (w) => this.#freeze(run, w))).filter((d): d is AlertDigestRecord => d !== undefined);
    const resent = (await mapBounded(recoveries, concurrency, (d) => this.#refreeze(d))).filter((d): d is AlertDigestRecord => d !== undefined);

    const tasks = [...frozen, ...resent].map((d) => ({ editionId: d.flushId, subscriberId: d.subscriberId }));
    if (tasks.length > 0) await this.#d.queue.enqueue(tasks);
    // Closed windows count, and only they: a window whose claim was lost is another run's.
    const closed = await mapBounded([...frozen, ...resent], concurrency, async (d) => ((await this.#d.store.releaseClaim(d.subscriberId, run.flushId)) ? d : undefined));
    const byFlush = new Map<string, number>();
    for (const d of closed) if (d) byFlush.set(d.flushId, (byFlush.get(d.flushId) ?? 0) + 1);
    for (const [flushId, added] of byFlush) await this.#addTotal(flushId, added);
    run.digests += frozen.length;
    run.recovered += resent.length;
    for (const d of frozen) for (const a of d.articles) run.matched.add(a.articleId);
  }

  /** Claims a window and reads it: a window to freeze, a dead flush's digest to send again, or nothing. */
  async #open(run: FlushRun, subscriberId: string): Promise<{ open: OpenWindow } | { recover: AlertDigestRecord } | undefined> {
    const { store } = this.#d;
    const now = run.now.getTime();
    const claim = await store.claim(subscriberId, run.flushId, {
      now: run.now.toISOString(),
      staleBefore: new Date(now - this.#d.claimMs).toISOString(),
      staleAt: new Date(now + this.#d.claimMs).toISOString(),
    });
    if (!claim.granted) return undefined; // a live flush works on it
    run.windows += 1;
    if (claim.previous) {
      // The previous holder did not finish. If it froze a digest, that digest goes out as it is.
      const digest = await store.getDigest(subscriberId, claim.previous.flushId);
      if (digest) {
        this.#d.logger.warn('alert window taken over from a flush that did not finish', { subscriber: subscriberId, from: claim.previous.flushId });
        return { recover: digest };
      }
    }
    const pending = await store.pending(subscriberId);
    if (pending.length === 0 || !pending.some((p) => p.dueAt <= run.dueBy)) {
      // Already sent, or moved later (the cap) since the due index was read.
      await store.releaseClaim(subscriberId, run.flushId);
      run.empty += pending.length === 0 ? 1 : 0;
      return undefined;
    }
    const latest = pending.reduce((a, b) => (b.matchedAt > a.matchedAt ? b : a));
    const settings: WindowSettings = { cadence: latest.cadence, timezone: latest.timezone, alertHour: latest.alertHour };
    const day = capDay(now, settings.timezone);
    if (!(await store.countDigest(subscriberId, day, run.flushId, this.#d.maxPerDay))) {
      const later = new Date(nextAllowed(settings, now)).toISOString();
      await store.postpone(subscriberId, pending.map((p) => p.articleKey), later);
      await store.releaseClaim(subscriberId, run.flushId);
      run.held += 1;
      this.#d.logger.info('alert window held back by the daily cap', { subscriber: subscriberId, until: later });
      return undefined;
    }
    return { open: { subscriberId, pending, day, settings } };
  }

  async #loadArticles(run: FlushRun, ids: readonly string[]): Promise<void> {
    const missing = [...new Set(ids)].filter((id) => !run.articles.has(id));
    await mapBounded(missing, 16, async (id) => {
      run.articles.set(id, (await this.#d.articles.getArticle(id)) ?? null);
    });
  }

  /** The digest language: its newest article's. */
  #languageOf(run: FlushRun, window: OpenWindow): string {
    const articles = window.pending.map((p) => run.articles.get(p.articleId)).filter((a): a is StoredArticle => !!a);
    const newest = articles.map((article) => ({ article, key: articleKeyOf(article.id) })).sort(newestFirst)[0];
    return languageTag(newest?.article.language);
  }

  /** Stores the cards of the page's articles (each once per flush) and the shells of its languages. */
  async #preparePieces(run: FlushRun, windows: readonly OpenWindow[]): Promise<void> {
    const stories: StoryView[] = [];
    for (const w of windows) {
      for (const p of w.pending) {
        const article = run.articles.get(p.articleId);
        if (!article || run.cards.has(p.articleKey)) continue;
        run.cards.add(p.articleKey);
        stories.push(articleView(article, p.articleKey));
      }
    }
    if (stories.length > 0) await this.#d.pieces.putCards(run.flushId, await this.#d.renderer.cards(stories));
    for (const language of new Set(windows.map((w) => this.#languageOf(run, w)))) {
      if (run.shells.has(language)) continue;
      await this.#d.pieces.putShell(run.flushId, await this.#d.renderer.shell(language));
      run.shells.add(language);
    }
  }

  /** Freezes a window into this flush's digest; undefined when nothing is left to send. */
  async #freeze(run: FlushRun, w: OpenWindow): Promise<AlertDigestRecord | undefined> {
    const { store } = this.#d;
    const live = w.pending
      .map((p) => ({ p, article: run.articles.get(p.articleId), key: p.articleKey }))
      .filter((x): x is { p: PendingMatch; article: StoredArticle; key: string } => !!x.article)
      .sort(newestFirst);
    // Matches of removed articles are done with: they become tombstones, and are not shown.
    const gone = w.pending.filter((p) => !run.articles.get(p.articleId));
    await mapBounded(gone, 8, (p) => store.freeze(w.subscriberId, p.articleKey, run.flushId));
    if (live.length === 0) return this.#abandon(run, w);

    await this.#ensureRecord(run);
    const articles: DigestEntry[] = live.map(({ p }) => ({ articleKey: p.articleKey, articleId: p.articleId, keywords: p.keywords }));
    const draft: AlertDigestRecord = {
      subscriberId: w.subscriberId,
      flushId: run.flushId,
      language: this.#languageOf(run, w),
      articles,
      shown: Math.min(MAX_SHOWN_ALERTS, articles.length),
      ...(articles.length > MAX_SHOWN_ALERTS ? { page: ArchivePath.alertMatches(run.flushId, this.#pageToken()) } : {}),
      createdAt: run.now.toISOString(),
    };
    const { created, digest } = await store.putDigest(draft);
    if (!created) {
      // This subscriber has a digest in this flush already (a retried run closed it): the
      // pending matches wait for the next flush.
      await store.releaseClaim(w.subscriberId, run.flushId);
      return undefined;
    }
    const held = await mapBounded(digest.articles, 8, (a) => store.freeze(w.subscriberId, a.articleKey, run.flushId));
    let final = digest;
    if (held.some((ok) => !ok)) {
      const kept = digest.articles.filter((_a, i) => held[i]);
      if (kept.length === 0) return this.#abandon(run, w);
      final = { ...digest, articles: kept, shown: Math.min(MAX_SHOWN_ALERTS, kept.length) };
      await store.replaceDigest(final);
    }
    if (final.page && final.articles.length > final.shown) {
      const stories = final.articles.map((a) => articleView(run.articles.get(a.articleId) as StoredArticle, a.articleKey));
      await this.#d.archive.putArchiveFile(final.page, this.#d.renderer.page(stories, { language: final.language }), 'text/html; charset=utf-8');
    }
    return final;
  }

  /** A window with nothing to send: its cap count is given back, its claim released. */
  async #abandon(run: FlushRun, w: OpenWindow): Promise<undefined> {
    await this.#d.store.uncountDigest(w.subscriberId, w.day, run.flushId);
    await this.#d.store.releaseClaim(w.subscriberId, run.flushId);
    run.empty += 1;
    return undefined;
  }

  /** A dead flush's digest: its matches are (again) its tombstones; undefined when none is left. */
  async #refreeze(digest: AlertDigestRecord): Promise<AlertDigestRecord | undefined> {
    const held = await mapBounded(digest.articles, 8, (a) => this.#d.store.freeze(digest.subscriberId, a.articleKey, digest.flushId));
    if (held.every(Boolean)) return digest;
    const kept = digest.articles.filter((_a, i) => held[i]);
    if (kept.length === 0) return undefined;
    const final = { ...digest, articles: kept, shown: Math.min(MAX_SHOWN_ALERTS, kept.length) };
    await this.#d.store.replaceDigest(final);
    return final;
  }

  /** The flush record, created with the first digest (a run with nothing due creates none). */
  #ensureRecord(run: FlushRun): Promise<EditionRecord> {
    run.record ??= (async () => {
      // An edition of the job `alerts`, sending from the start: its tasks are queued as it goes.
      const { edition } = await this.#d.editions.createIfAbsent({
        ...newEditionRecord({ id: run.flushId, job: JobName.ALERTS, scheduledAt: run.scheduledAt, now: run.now, to: run.dueBy }),
        state: EditionState.SENDING,
        subject: 'Alert digests',
      });
      return edition;
    })();
    return run.record;
  }

  /** Adds closed windows to a flush's total (the page counter makes concurrent adds safe). */
  async #addTotal(flushId: string, added: number): Promise<void> {
    for (let attempt = 0; attempt < 20; attempt += 1) {
      const record = await this.#d.editions.get(flushId);
      if (!record) return;
      if (await this.#d.editions.advanceCursor(flushId, record.pages, undefined, added)) return;
    }
    this.#d.logger.error('could not add to an alert flush total (the reconciler recounts from the ledger)', { flush: flushId, added });
  }

  /** Marks a flush's hand-out done and closes it when every digest is final. */
  async #finish(record: EditionRecord, articles: number): Promise<EditionRecord> {
    await this.#d.editions.update(record.id, { fanoutDone: true, articles: Math.max(articles, record.articles ?? 0) });
    const latest = (await this.#d.editions.get(record.id)) ?? record;
    if (latest.state === EditionState.SENDING && latest.sent + latest.failed + latest.skipped >= latest.total) {
      if (await this.#d.editions.transition(record.id, EditionState.SENDING, EditionState.SENT)) return { ...latest, state: EditionState.SENT };
    }
    return latest;
  }

  /**
   * Flushes that died before their end: once this run has been through the whole due index,
   * every window they froze has been handed over, so their records are finished here.
   */
  async #finishAbandoned(run: FlushRun): Promise<void> {
    const staleBefore = run.now.getTime() - this.#d.claimMs;
    for (const record of await this.#d.editions.listRecent(JobName.ALERTS, 10)) {
      if (record.id === run.flushId || record.state !== EditionState.SENDING || record.fanoutDone) continue;
      // Scheduled longer ago than a claim lives: it has ended (its function timed out by then).
      if (Date.parse(record.scheduledAt) >= staleBefore) continue;
      this.#d.logger.warn('alert flush finished by a later run', { flush: record.id, by: run.flushId });
      await this.#finish(record, record.articles ?? 0);
    }
  }

  #pageToken(): string {
    return this.#d.pageToken?.() ?? randomBytes(16).toString('base64url');
  }
}
