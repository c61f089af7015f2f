/**
 * In-memory fakes of the alerts ports, with the same conditional semantics as the DynamoDB
 * adapters (the truth: test/contract/alerts.contract.ts runs the same behaviour tests against
 * both). Like every adapter of the kit they take {@link InMemoryOptions} and hand out copies.
 */
import type { AlertPieceStore, AlertRenderer, AlertStore, KeywordIndex, NewMatch } from '../../../functions/core/alerts/ports.ts';
import { CLAIM_ENTRY, dueShardOf, type AlertClaim, type AlertDigestRecord, type DueEntry, type FollowerEntry, type PendingMatch } from '../../../functions/core/alerts/types.ts';
import type { AlertCard, AlertShell } from '../../../functions/core/rendering/alert-parts.ts';
import type { StoryView } from '../../../functions/core/rendering/digest-model.ts';
import { InMemoryAdapter, byKey, clone, defined, pageByKey, type InMemoryOptions } from './adapter.ts';

const INDEX_METHODS = ['follow', 'unfollow', 'phrasesStartingWith', 'followers'] as const;
const STORE_METHODS = [
  'recordMatch', 'pageDue', 'pending', 'postpone', 'claim', 'releaseClaim', 'countDigest', 'uncountDigest', 'putDigest', 'replaceDigest', 'getDigest', 'freeze',
] as const;
const PIECE_METHODS = ['putShell', 'getShell', 'putCards', 'getCards'] as const;

/** A method of {@link InMemoryAlertStore}. */
export type AlertStoreMethod = (typeof STORE_METHODS)[number];

/**
 * The keyword index in memory: follower entries by phrase and subscriber, and the heads (the
 * phrases followed, by first token), as on DynamoDB.
 *
 * @example
 * ```ts
 * const index = new InMemoryKeywordIndex({ counters: true });
 * await index.follow([{ phrase: 'minsk', subscriberId: 's_1', label: 'Minsk', cadence: 'instant', timezone: 'UTC', alertHour: 7 }]);
 * index.of('s_1').get('minsk')?.label; // 'Minsk'
 * index.writes; // 1 (entries written or deleted)
 * ```
 */
export class InMemoryKeywordIndex extends InMemoryAdapter<(typeof INDEX_METHODS)[number]> implements KeywordIndex {
  /** Follower entries by `<phrase>|<subscriber>` (read them with {@link of}). */
  public readonly entries = new Map<string, FollowerEntry>();
  /** The heads: the phrases followed, by first token (never shrunk, as on DynamoDB). */
  public readonly heads = new Map<string, Set<string>>();
  /** Entries written or deleted so far (a test may reset it). */
  public writes = 0;

  public constructor(options: InMemoryOptions = {}) {
    super(INDEX_METHODS, options);
  }

  public async follow(entries: readonly FollowerEntry[]): Promise<void> {
    await this.enter('follow', arguments);
    for (const e of entries) {
      this.writes += 1;
      this.entries.set(`${e.phrase}|${e.subscriberId}`, clone(e));
      const first = e.phrase.split(' ')[0] ?? '';
      if (first === '') continue; // as the adapter: no head for an empty first token
      this.heads.set(first, (this.heads.get(first) ?? new Set<string>()).add(e.phrase));
    }
  }

  public async unfollow(subscriberId: string, phrases: readonly string[]): Promise<void> {
    await this.enter('unfollow', arguments);
    for (const p of phrases) {
      this.writes += 1;
      this.entries.delete(`${p}|${subscriberId}`);
    }
  }

  public async phrasesStartingWith(tokens: readonly string[]): Promise<string[]> {
    await this.enter('phrasesStartingWith', arguments);
    return [...new Set(tokens.flatMap((t) => [...(this.heads.get(t) ?? [])]))];
  }

  public async followers(phrase: string, options: { limit: number; cursor?: string }): Promise<{ followers: FollowerEntry[]; cursor?: string }> {
    await this.enter('followers', arguments);
    // In key order (code units, as DynamoDB orders `S#<subscriber>`), after the cursor's key:
    // a follower who unfollows between two pages never makes the next page skip one.
    const page = pageByKey([...this.entries.values()].filter((e) => e.phrase === phrase), (e) => e.subscriberId, options);
    const followers = page.items.map(clone);
    return page.cursor === undefined ? { followers } : { followers, cursor: page.cursor };
  }

  /** What a subscriber follows, as phrase → entry (copies; read without a call). */
  public of(subscriberId: string): Map<string, FollowerEntry> {
    return new Map([...this.entries.values()].filter((e) => e.subscriberId === subscriberId).map((e) => [e.phrase, clone(e)]));
  }
}

interface MatchItem extends PendingMatch {
  sentIn?: string;
}

/**
 * The alert store in memory: pending matches (tombstones once frozen), claims, cap counts and
 * frozen digests, every decision conditional as on DynamoDB.
 *
 * @example
 * ```ts
 * const store = new InMemoryAlertStore({ latencyMs: 0, counters: true });
 * await store.recordMatch(match);
 * store.failOnce = 'freeze'; // the next freeze throws 'injected failure in freeze' (a flush dies there)
 * store.claims.size; // claims held now
 * ```
 */
export class InMemoryAlertStore extends InMemoryAdapter<AlertStoreMethod> implements AlertStore {
  /** Matches by `<subscriber>|<article key>`: pending, or tombstones (`sentIn`). */
  public readonly matches = new Map<string, MatchItem>();
  /** Claims held, by subscriber. */
  public readonly claims = new Map<string, AlertClaim & { staleAt: string }>();
  /** The flushes counted, by `<subscriber>|<day>`. */
  public readonly caps = new Map<string, Set<string>>();
  /** Frozen digests by `<subscriber>|<flush>`. */
  public readonly digests = new Map<string, AlertDigestRecord>();

  public constructor(options: InMemoryOptions = {}) {
    super(STORE_METHODS, options);
  }

  /**
   * Makes the next call of the named method throw `injected failure in <method>` before any
   * effect (crash tests); {@link failNext} with the message those tests expect.
   */
  public set failOnce(method: string) {
    if (!(STORE_METHODS as readonly string[]).includes(method)) throw new Error(`InMemoryAlertStore has no method ${method}`);
    this.failNext(method as AlertStoreMethod, new Error(`injected failure in ${method}`));
  }

  public async recordMatch(m: NewMatch): Promise<boolean> {
    await this.enter('recordMatch', arguments);
    const key = `${m.subscriberId}|${m.articleKey}`;
    const existing = this.matches.get(key);
    if (existing?.sentIn) return false;
    if (existing) {
      existing.keywords = [...new Set([...existing.keywords, m.keyword])].sort(byKey);
      // The latest match's settings, as the adapter's SET; the first match and due time stay.
      Object.assign(existing, { articleId: m.articleId, cadence: m.cadence, timezone: m.timezone, alertHour: m.alertHour });
      if (m.breaking && m.dueAt < existing.dueAt) existing.dueAt = m.dueAt;
      return true;
    }
    this.matches.set(key, {
      subscriberId: m.subscriberId, articleKey: m.articleKey, articleId: m.articleId, keywords: [m.keyword], matchedAt: m.matchedAt,
      dueAt: m.dueAt, cadence: m.cadence, timezone: m.timezone, alertHour: m.alertHour,
    });
    return true;
  }

  public async pageDue(shard: number, dueBy: string, options: { limit: number; cursor?: string }): Promise<{ entries: DueEntry[]; cursor?: string }> {
    await this.enter('pageDue', arguments);
    const all = [
      ...[...this.matches.values()].filter((m) => !m.sentIn).map((m) => ({ subscriberId: m.subscriberId, articleKey: m.articleKey, dueAt: m.dueAt })),
      ...[...this.claims.values()].map((c) => ({ subscriberId: c.subscriberId, articleKey: CLAIM_ENTRY, dueAt: c.staleAt })),
    ].filter((e) => dueShardOf(e.subscriberId) === shard && e.dueAt <= dueBy);
    // Keyed as the due index (gsi1) sorts: due time, then subscriber, then article (code units).
    const page = pageByKey(all, (e) => `${e.dueAt}#${e.subscriberId}#${e.articleKey}`, options);
    return page.cursor === undefined ? { entries: page.items } : { entries: page.items, cursor: page.cursor };
  }

  public async pending(subscriberId: string): Promise<PendingMatch[]> {
    await this.enter('pending', arguments);
    // In article key order, as the window index (gsi2) answers.
    return [...this.matches.values()]
      .filter((m) => m.subscriberId === subscriberId && !m.sentIn)
      .sort((a, b) => byKey(a.articleKey, b.articleKey))
      .map(({ sentIn: _s, ...m }) => clone(m));
  }

  public async postpone(subscriberId: string, articleKeys: readonly string[], dueAt: string): Promise<void> {
    await this.enter('postpone', arguments);
    for (const k of articleKeys) {
      const m = this.matches.get(`${subscriberId}|${k}`);
      if (m && !m.sentIn) m.dueAt = dueAt;
    }
  }

  public async claim(subscriberId: string, flushId: string, options: { now: string; staleBefore: string; staleAt: string }): Promise<{ granted: boolean; previous?: AlertClaim }> {
    await this.enter('claim', arguments);
    const old = this.claims.get(subscriberId);
    if (old && old.flushId !== flushId && old.claimedAt >= options.staleBefore) return { granted: false };
    this.claims.set(subscriberId, { subscriberId, flushId, claimedAt: options.now, staleAt: options.staleAt });
    if (!old) return { granted: true };
    const { staleAt: _s, ...previous } = old;
    return { granted: true, previous };
  }

  public async releaseClaim(subscriberId: string, flushId: string): Promise<boolean> {
    await this.enter('releaseClaim', arguments);
    if (this.claims.get(subscriberId)?.flushId !== flushId) return false;
    this.claims.delete(subscriberId);
    return true;
  }

  public async countDigest(subscriberId: string, day: string, flushId: string, cap: number): Promise<boolean> {
    await this.enter('countDigest', arguments);
    const set = this.caps.get(`${subscriberId}|${day}`) ?? new Set<string>();
    if (!set.has(flushId) && set.size >= cap) return false;
    set.add(flushId);
    this.caps.set(`${subscriberId}|${day}`, set);
    return true;
  }

  public async uncountDigest(subscriberId: string, day: string, flushId: string): Promise<void> {
    await this.enter('uncountDigest', arguments);
    this.caps.get(`${subscriberId}|${day}`)?.delete(flushId);
  }

  public async putDigest(record: AlertDigestRecord): Promise<{ created: boolean; digest: AlertDigestRecord }> {
    await this.enter('putDigest', arguments);
    const key = `${record.subscriberId}|${record.flushId}`;
    const existing = this.digests.get(key);
    if (existing) return { created: false, digest: clone(existing) };
    this.digests.set(key, defined(clone(record)));
    return { created: true, digest: clone(record) };
  }

  public async replaceDigest(record: AlertDigestRecord): Promise<void> {
    await this.enter('replaceDigest', arguments);
    this.digests.set(`${record.subscriberId}|${record.flushId}`, defined(clone(record)));
  }

  public async getDigest(subscriberId: string, flushId: string): Promise<AlertDigestRecord | undefined> {
    await this.enter('getDigest', arguments);
    const d = this.digests.get(`${subscriberId}|${flushId}`);
    return d ? clone(d) : undefined;
  }

  public async freeze(subscriberId: string, articleKey: string, flushId: string): Promise<boolean> {
    await this.enter('freeze', arguments);
    const m = this.matches.get(`${subscriberId}|${articleKey}`);
    if (!m || (m.sentIn && m.sentIn !== flushId)) return false;
    m.sentIn = flushId;
    return true;
  }
}

/**
 * The flush's pieces in memory (on S3: `alerts/<flush>/…` of the artefacts bucket).
 *
 * @example
 * ```ts
 * const pieces = new InMemoryAlertPieceStore();
 * await pieces.putCards('alerts-2026-12-01T10-05', cards);
 * pieces.cards.size; // cards stored, keyed `<flush>/<article key>`
 * ```
 */
export class InMemoryAlertPieceStore extends InMemoryAdapter<(typeof PIECE_METHODS)[number]> implements AlertPieceStore {
  /** Shells by `<flush>/<language>`. */
  public readonly shells = new Map<string, AlertShell>();
  /** Cards by `<flush>/<article key>`. */
  public readonly cards = new Map<string, AlertCard>();

  public constructor(options: InMemoryOptions = {}) {
    super(PIECE_METHODS, options);
  }

  public async putShell(flushId: string, shell: AlertShell): Promise<void> {
    await this.enter('putShell', arguments);
    this.shells.set(`${flushId}/${shell.language}`, clone(shell));
  }
  public async getShell(flushId: string, language: string): Promise<AlertShell | undefined> {
    await this.enter('getShell', arguments);
    const shell = this.shells.get(`${flushId}/${language}`);
    return shell ? clone(shell) : undefined;
  }
  public async putCards(flushId: string, cards: readonly AlertCard[]): Promise<void> {
    await this.enter('putCards', arguments);
    for (const c of cards) this.cards.set(`${flushId}/${c.key}`, clone(c));
  }
  public async getCards(flushId: string, keys: readonly string[]): Promise<Map<string, AlertCard>> {
    await this.enter('getCards', arguments);
    const found = new Map<string, AlertCard>();
    for (const k of keys) {
      const card = this.cards.get(`${flushId}/${k}`);
      if (card) found.set(k, clone(card));
    }
    return found;
  }
}

/** A renderer without MJML: counts what it is asked to render (cards once per flush). */
export class CountingAlertRenderer implements AlertRenderer {
  public readonly cardKeys: string[] = [];
  public readonly shellLanguages: string[] = [];

  public async shell(language: string): Promise<AlertShell> {
    this.shellLanguages.push(language);
    return { language, head: ['<html>', { slot: 'heading' }], glue: '<hr>', tail: ['</html>'], tailMore: [{ slot: 'more_text' }, '</html>'], textHead: 'head\n', textFooter: 'footer\n' };
  }

  public async cards(stories: readonly StoryView[]): Promise<AlertCard[]> {
    this.cardKeys.push(...stories.map((s) => s.key));
    return stories.map((s) => ({ key: s.key, before: `<p>${s.headline} `, after: '</p>', text: s.headline, section: s.section, headline: s.headline }));
  }

  public page(stories: readonly StoryView[]): string {
    return `<ol>${stories.map((s) => `<li>${s.headline}</li>`).join('')}</ol>`;
  }
}
