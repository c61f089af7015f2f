/**
 * In-memory fakes of the alerts ports, with the same conditional semantics as the DynamoDB
 * adapters (for unit tests; the integration tests run the adapters on dynalite).
 */
import type { AlertPieceStore, AlertRenderer, AlertStore, KeywordIndex, NewMatch } from '../../../functions/core/alerts/ports.ts';
import { CLAIM_ENTRY, dueShardOf, type AlertClaim, type AlertDigestRecord, type DueEntry, type FollowerEntry, type PendingMatch } from '../../../functions/core/alerts/types.ts';
import type { AlertCard, AlertShell } from '../../../functions/core/rendering/alert-parts.ts';
import type { StoryView } from '../../../functions/core/rendering/digest-model.ts';

const clone = <T>(v: T): T => structuredClone(v);

export class InMemoryKeywordIndex implements KeywordIndex {
  public readonly entries = new Map<string, FollowerEntry>();
  public readonly heads = new Map<string, Set<string>>();
  public writes = 0;

  public async follow(entries: readonly FollowerEntry[]): Promise<void> {
    for (const e of entries) {
      this.writes += 1;
      this.entries.set(`${e.phrase}|${e.subscriberId}`, clone(e));
      const first = e.phrase.split(' ')[0] as string;
      this.heads.set(first, new Set([...(this.heads.get(first) ?? []), e.phrase]));
    }
  }

  public async unfollow(subscriberId: string, phrases: readonly string[]): Promise<void> {
    for (const p of phrases) {
      this.writes += 1;
      this.entries.delete(`${p}|${subscriberId}`);
    }
  }

  public async phrasesStartingWith(tokens: readonly string[]): Promise<string[]> {
    return [...new Set(tokens.flatMap((t) => [...(this.heads.get(t) ?? [])]))];
  }

  public async followers(phrase: string, options: { limit: number; cursor?: string }): Promise<{ followers: FollowerEntry[]; cursor?: string }> {
    const all = [...this.entries.values()].filter((e) => e.phrase === phrase).sort((a, b) => a.subscriberId.localeCompare(b.subscriberId));
    const start = Number(options.cursor ?? 0);
    const followers = all.slice(start, start + options.limit).map(clone);
    return start + options.limit < all.length ? { followers, cursor: String(start + options.limit) } : { followers };
  }

  /** What a subscriber follows, as phrase → entry. */
  public of(subscriberId: string): Map<string, FollowerEntry> {
    return new Map([...this.entries.values()].filter((e) => e.subscriberId === subscriberId).map((e) => [e.phrase, e]));
  }
}

interface MatchItem extends PendingMatch {
  sentIn?: string;
}

export class InMemoryAlertStore implements AlertStore {
  public readonly matches = new Map<string, MatchItem>();
  public readonly claims = new Map<string, AlertClaim & { staleAt: string }>();
  public readonly caps = new Map<string, Set<string>>();
  public readonly digests = new Map<string, AlertDigestRecord>();
  /** Throws from the named method once (crash tests). */
  public failOnce: string | undefined;

  #fail(method: string): void {
    if (this.failOnce === method) {
      this.failOnce = undefined;
      throw new Error(`injected failure in ${method}`);
    }
  }

  public async recordMatch(m: NewMatch): Promise<boolean> {
    this.#fail('recordMatch');
    const key = `${m.subscriberId}|${m.articleKey}`;
    const existing = this.matches.get(key);
    if (existing?.sentIn) return false;
    if (existing) {
      existing.keywords = [...new Set([...existing.keywords, m.keyword])].sort();
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
    const all = [
      ...[...this.matches.values()].filter((m) => !m.sentIn).map((m) => ({ subscriberId: m.subscriberId, articleKey: m.articleKey, dueAt: m.dueAt })),
      ...[...this.claims.values()].map((c) => ({ subscriberId: c.subscriberId, articleKey: CLAIM_ENTRY, dueAt: c.staleAt })),
    ]
      .filter((e) => dueShardOf(e.subscriberId) === shard && e.dueAt <= dueBy)
      .sort((a, b) => `${a.dueAt}#${a.subscriberId}`.localeCompare(`${b.dueAt}#${b.subscriberId}`));
    const start = Number(options.cursor ?? 0);
    const entries = all.slice(start, start + options.limit);
    return start + options.limit < all.length ? { entries, cursor: String(start + options.limit) } : { entries };
  }

  public async pending(subscriberId: string): Promise<PendingMatch[]> {
    return [...this.matches.values()].filter((m) => m.subscriberId === subscriberId && !m.sentIn).map(({ sentIn: _s, ...m }) => clone(m));
  }

  public async postpone(subscriberId: string, articleKeys: readonly string[], dueAt: string): Promise<void> {
    for (const k of articleKeys) {
      const m = this.matches.get(`${subscriberId}|${k}`);
      if (m && !m.sentIn) m.dueAt = dueAt;
    }
  }

  public async claim(subscriberId: string, flushId: string, options: { now: string; staleBefore: string; staleAt: string }): Promise<{ granted: boolean; previous?: AlertClaim }> {
    this.#fail('claim');
    const old = this.claims.get(subscriberId);
    if (old && old.flushId !== flushId && old.claimedAt >= options.staleBefore) return { granted: false };
    this.claims.set(subscriberId, { subscriberId, flushId, claimedAt: options.now, staleAt: options.staleAt });
    if (!old) return { granted: true };
    const { staleAt: _s, ...previous } = old;
    return { granted: true, previous };
  }

  public async releaseClaim(subscriberId: string, flushId: string): Promise<boolean> {
    this.#fail('releaseClaim');
    if (this.claims.get(subscriberId)?.flushId !== flushId) return false;
    this.claims.delete(subscriberId);
    return true;
  }

  public async countDigest(subscriberId: string, day: string, flushId: string, cap: number): Promise<boolean> {
    const set = this.caps.get(`${subscriberId}|${day}`) ?? new Set<string>();
    if (!set.has(flushId) && set.size >= cap) return false;
    set.add(flushId);
    this.caps.set(`${subscriberId}|${day}`, set);
    return true;
  }

  public async uncountDigest(subscriberId: string, day: string, flushId: string): Promise<void> {
    this.caps.get(`${subscriberId}|${day}`)?.delete(flushId);
  }

  public async putDigest(record: AlertDigestRecord): Promise<{ created: boolean; digest: AlertDigestRecord }> {
    this.#fail('putDigest');
    const key = `${record.subscriberId}|${record.flushId}`;
    const existing = this.digests.get(key);
    if (existing) return { created: false, digest: clone(existing) };
    this.digests.set(key, clone(record));
    return { created: true, digest: clone(record) };
  }

  public async replaceDigest(record: AlertDigestRecord): Promise<void> {
    this.digests.set(`${record.subscriberId}|${record.flushId}`, clone(record));
  }

  public async getDigest(subscriberId: string, flushId: string): Promise<AlertDigestRecord | undefined> {
    const d = this.digests.get(`${subscriberId}|${flushId}`);
    return d ? clone(d) : undefined;
  }

  public async freeze(subscriberId: string, articleKey: string, flushId: string): Promise<boolean> {
    this.#fail('freeze');
    const m = this.matches.get(`${subscriberId}|${articleKey}`);
    if (!m || (m.sentIn && m.sentIn !== flushId)) return false;
    m.sentIn = flushId;
    return true;
  }
}

export class InMemoryAlertPieceStore implements AlertPieceStore {
  public readonly shells = new Map<string, AlertShell>();
  public readonly cards = new Map<string, AlertCard>();

  public async putShell(flushId: string, shell: AlertShell): Promise<void> {
    this.shells.set(`${flushId}/${shell.language}`, clone(shell));
  }
  public async getShell(flushId: string, language: string): Promise<AlertShell | undefined> {
    return this.shells.get(`${flushId}/${language}`);
  }
  public async putCards(flushId: string, cards: readonly AlertCard[]): Promise<void> {
    for (const c of cards) this.cards.set(`${flushId}/${c.key}`, clone(c));
  }
  public async getCards(flushId: string, keys: readonly string[]): Promise<Map<string, AlertCard>> {
    return new Map(keys.flatMap((k) => (this.cards.has(`${flushId}/${k}`) ? [[k, this.cards.get(`${flushId}/${k}`) as AlertCard]] : [])));
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
