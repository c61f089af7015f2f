/**
 * The behaviour every KeywordIndex and AlertStore must have (functions/core/alerts/ports.ts),
 * run against each implementation by test/contract/alerts.test.ts.
 */
import { describe, expect } from 'vitest';
import type { AlertStore, KeywordIndex, NewMatch } from '../../functions/core/alerts/ports.ts';
import { CLAIM_ENTRY, DUE_SHARDS, articleKeyOf, dueShardOf, type AlertDigestRecord, type DueEntry, type FollowerEntry } from '../../functions/core/alerts/types.ts';
import { contractTest } from './contract-test.ts';

/** An index and a store to test, fresh and empty (on DynamoDB they share one table, as in production). */
export interface AlertsSubject {
  index: KeywordIndex;
  store: AlertStore;
}

const T0_MS = Date.parse('2026-12-01T10:00:00.000Z');
/** The time `minutes` after 10:00 UTC on 1 December 2026, as the ports take it (ISO-8601). */
const at = (minutes: number): string => new Date(T0_MS + minutes * 60_000).toISOString();
const T0 = at(0);
const TOMBSTONE_S = Math.floor(T0_MS / 1000) + 400 * 86_400;

const articleId = (n: number): string => `https://news.example.test/2026/12/article-${n}`;
const keyOf = (n: number): string => articleKeyOf(articleId(n));

/**
 * `count` subscriber ids whose due-index shard is `shard` (the shard is a hash of the id).
 *
 * @example
 * ```ts
 * const [a, b] = idsInShard(3, 2); // dueShardOf(a) === 3
 * ```
 */
export function idsInShard(shard: number, count: number, prefix = 's_'): string[] {
  const ids: string[] = [];
  for (let i = 0; ids.length < count; i += 1) if (dueShardOf(`${prefix}${i}`) === shard) ids.push(`${prefix}${i}`);
  return ids;
}

function follower(phrase: string, subscriberId: string, overrides: Partial<FollowerEntry> = {}): FollowerEntry {
  return { phrase, subscriberId, label: phrase.replace(/^./, (c) => c.toUpperCase()), cadence: 'hourly', timezone: 'UTC', alertHour: 7, ...overrides };
}

/** A match of article `n` for a subscriber, matched at 10:00 and due at 11:00 unless told. */
function match(subscriberId: string, n: number, overrides: Partial<NewMatch> = {}): NewMatch {
  return {
    subscriberId, articleKey: keyOf(n), articleId: articleId(n), keyword: 'Minsk', matchedAt: T0, dueAt: at(60), breaking: false,
    cadence: 'hourly', timezone: 'UTC', alertHour: 7, expiresAt: TOMBSTONE_S, ...overrides,
  };
}

function digest(subscriberId: string, flushId: string, overrides: Partial<AlertDigestRecord> = {}): AlertDigestRecord {
  return {
    subscriberId, flushId, language: 'en', articles: [{ articleKey: keyOf(1), articleId: articleId(1), keywords: ['Minsk'] }], shown: 1, createdAt: T0, ...overrides,
  };
}

const withCursor = (limit: number, cursor: string | undefined) => ({ limit, ...(cursor ? { cursor } : {}) });

/**
 * Every page of a paged read, calling `between` after each page that has a cursor; returns
 * the items in order and the page sizes.
 */
async function pageAll<T>(read: (cursor: string | undefined) => Promise<{ items: T[]; cursor?: string }>, between?: (page: T[]) => Promise<void>): Promise<{ items: T[]; sizes: number[] }> {
  const items: T[] = [];
  const sizes: number[] = [];
  let cursor: string | undefined;
  do {
    const page = await read(cursor);
    items.push(...page.items);
    sizes.push(page.items.length);
    cursor = page.cursor;
    if (cursor && between) await between(page.items);
  } while (cursor);
  return { items, sizes };
}

const followersOf = (index: KeywordIndex, phrase: string, limit = 100, between?: (page: FollowerEntry[]) => Promise<void>) =>
  pageAll(async (cursor) => {
    const page = await index.followers(phrase, withCursor(limit, cursor));
    return page.cursor ? { items: page.followers, cursor: page.cursor } : { items: page.followers };
  }, between);

const dueOf = (store: AlertStore, shard: number, dueBy: string, limit = 100, between?: (page: DueEntry[]) => Promise<void>) =>
  pageAll(async (cursor) => {
    const page = await store.pageDue(shard, dueBy, withCursor(limit, cursor));
    return page.cursor ? { items: page.entries, cursor: page.cursor } : { items: page.entries };
  }, between);

/** Orders strings as DynamoDB orders string keys (code units). */
const codeUnitOrder = (values: readonly string[]): string[] => [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

/**
 * Declares the KeywordIndex and AlertStore contract for one implementation.
 *
 * @example
 * ```ts
 * describeAlertsContract('in memory', async () => ({ index: new InMemoryKeywordIndex(), store: new InMemoryAlertStore() }));
 * ```
 */
export function describeAlertsContract(name: string, setup: () => Promise<AlertsSubject>): void {
  const it = contractTest(setup);

  describe(`Contract: KeywordIndex (${name})`, () => {
    describe('Method: follow', () => {
      it('writes follower entries that followers reads back, and the heads of their first tokens', async ({ subject: { index } }) => {
        // Prepare
        const entries = [follower('minsk', 's_1'), follower('nagorno karabakh', 's_1', { cadence: 'daily', timezone: 'Asia/Yerevan', alertHour: 9 }), follower('minsk', 's_2')];

        // Act
        await index.follow(entries);

        // Assess
        expect((await index.followers('minsk', { limit: 10 })).followers).toEqual([entries[0], entries[2]]);
        expect((await index.followers('nagorno karabakh', { limit: 10 })).followers).toEqual([entries[1]]);
        expect((await index.phrasesStartingWith(['nagorno'])).sort()).toEqual(['nagorno karabakh']);
        expect((await index.phrasesStartingWith(['minsk', 'nagorno', 'karabakh'])).sort()).toEqual(['minsk', 'nagorno karabakh']);
      });

      it('replaces the entry of the same phrase and subscriber', async ({ subject: { index } }) => {
        // Prepare
        await index.follow([follower('minsk', 's_1')]);

        // Act
        const changed = follower('minsk', 's_1', { label: 'MINSK', cadence: 'weekly', timezone: 'Europe/Minsk', alertHour: 18 });
        await index.follow([changed]);

        // Assess
        expect((await index.followers('minsk', { limit: 10 })).followers).toEqual([changed]);
      });

      it('writes the last of entries naming the same phrase and subscriber, in one batch or in two', async ({ subject: { index } }) => {
        // Prepare
        const fillers = Array.from({ length: 30 }, (_, i) => follower('iran', `s_${String(i).padStart(3, '0')}`));

        // Act
        await index.follow([follower('minsk', 's_1', { label: 'minsk' }), follower('minsk', 's_1', { label: 'MINSK' })]);
        await index.follow([follower('belarus', 's_1', { label: 'first' }), ...fillers, follower('belarus', 's_1', { label: 'last' })]);

        // Assess
        expect((await index.followers('minsk', { limit: 10 })).followers).toEqual([follower('minsk', 's_1', { label: 'MINSK' })]);
        expect((await index.followers('belarus', { limit: 10 })).followers).toEqual([follower('belarus', 's_1', { label: 'last' })]);
      });

      it('keeps each head a set: a phrase followed twice, or by two subscribers, is listed once', async ({ subject: { index } }) => {
        // Prepare
        await index.follow([follower('nagorno karabakh', 's_1'), follower('nagorno', 's_1')]);

        // Act
        await index.follow([follower('nagorno karabakh', 's_2'), follower('nagorno karabakh', 's_1')]);

        // Assess
        expect((await index.phrasesStartingWith(['nagorno', 'nagorno'])).sort()).toEqual(['nagorno', 'nagorno karabakh']);
        expect(await index.phrasesStartingWith(['karabakh', 'iran'])).toEqual([]);
        expect(await index.phrasesStartingWith([])).toEqual([]);
      });

      it('reads the heads of more tokens than one batch holds', async ({ subject: { index } }) => {
        // Prepare
        const tokens = Array.from({ length: 150 }, (_, i) => `token${i}`);
        await index.follow([follower('token7 tractor', 's_1'), follower('token149', 's_2'), follower('token120', 's_3')]);

        // Act
        const phrases = await index.phrasesStartingWith(tokens);

        // Assess
        expect(phrases.sort()).toEqual(['token120', 'token149', 'token7 tractor']);
      });

      it('writes more entries than one batch holds', async ({ subject: { index } }) => {
        // Prepare
        const many = Array.from({ length: 60 }, (_, i) => follower('minsk', `s_${String(i).padStart(3, '0')}`));

        // Act
        await index.follow(many);

        // Assess
        expect((await followersOf(index, 'minsk', 25)).items).toEqual(many);
      });
    });

    describe('Method: unfollow', () => {
      it("removes the subscriber's entries of those phrases only, and the heads keep the phrases", async ({ subject: { index } }) => {
        // Prepare
        await index.follow([follower('minsk', 's_1'), follower('iran', 's_1'), follower('minsk', 's_2')]);

        // Act
        await index.unfollow('s_1', ['minsk', 'not followed']);
        await index.unfollow('s_2', []);

        // Assess
        expect((await index.followers('minsk', { limit: 10 })).followers).toEqual([follower('minsk', 's_2')]);
        expect((await index.followers('iran', { limit: 10 })).followers).toEqual([follower('iran', 's_1')]);
        await index.unfollow('s_2', ['minsk']);
        expect(await index.followers('minsk', { limit: 10 })).toEqual({ followers: [] });
        expect(await index.phrasesStartingWith(['minsk'])).toEqual(['minsk']);
      });

      it('removes an entry named twice in one call once', async ({ subject: { index } }) => {
        // Prepare
        await index.follow([follower('minsk', 's_1'), follower('iran', 's_1')]);

        // Act
        await index.unfollow('s_1', ['minsk', 'iran', 'minsk']);

        // Assess
        expect(await index.followers('minsk', { limit: 10 })).toEqual({ followers: [] });
        expect(await index.followers('iran', { limit: 10 })).toEqual({ followers: [] });
      });
    });

    describe('Method: followers', () => {
      it('pages the followers in subscriber key order, each once, at most `limit` a page', async ({ subject: { index } }) => {
        // Prepare: ids whose code-unit order differs from a locale's
        const ids = ['s_b', 'S_z', 's_a', 's_A', 's_10', 's_9', 's-1'];
        await index.follow(ids.map((id) => follower('minsk', id)));
        await index.follow([follower('minsk tractor', 's_a'), follower('minsks', 's_c')]);

        // Act
        const { items, sizes } = await followersOf(index, 'minsk', 3);

        // Assess
        expect(items.map((f) => f.subscriberId)).toEqual(codeUnitOrder(ids));
        expect(sizes.slice(0, 2)).toEqual([3, 3]);
        expect(sizes.every((size) => size <= 3)).toBe(true);
      });

      it('never skips a follower when one of an earlier page unfollows between two pages', async ({ subject: { index } }) => {
        // Prepare
        const ids = ['s_1', 's_2', 's_3', 's_4', 's_5', 's_6'];
        await index.follow(ids.map((id) => follower('minsk', id)));
        let removed = false;

        // Act
        const { items } = await followersOf(index, 'minsk', 2, async (page) => {
          if (removed) return;
          removed = true;
          await index.unfollow(page[0]?.subscriberId ?? '', ['minsk']);
        });

        // Assess
        expect(items.map((f) => f.subscriberId)).toEqual(ids);
      });

      it('answers a phrase nobody follows with an empty page and no cursor', async ({ subject: { index } }) => {
        // Act
        const page = await index.followers('minsk', { limit: 10 });

        // Assess
        expect(page).toEqual({ followers: [] });
      });

      it('refuses a cursor it did not make', async ({ subject: { index } }) => {
        // Prepare
        await index.follow([follower('minsk', 's_1'), follower('minsk', 's_2')]);

        // Act
        const act = index.followers('minsk', { limit: 1, cursor: 'not-a-cursor!' });

        // Assess
        await expect(act).rejects.toMatchObject({ name: 'ValidationError', message: 'cursor: malformed' });
      });
    });
  });

  describe(`Contract: AlertStore (${name})`, () => {
    describe('Method: recordMatch', () => {
      it('creates a pending match, due at the time given, in its shard of the due index', async ({ subject: { store } }) => {
        // Prepare
        const [ann] = idsInShard(2, 1);
        const m = match(ann ?? '', 1);

        // Act
        const recorded = await store.recordMatch(m);

        // Assess
        expect(recorded).toBe(true);
        const { subscriberId, articleKey, articleId: id, matchedAt, dueAt, cadence, timezone, alertHour } = m;
        expect(await store.pending(subscriberId)).toEqual([{ subscriberId, articleKey, articleId: id, keywords: ['Minsk'], matchedAt, dueAt, cadence, timezone, alertHour }]);
        expect((await dueOf(store, 2, at(60))).items).toEqual([{ subscriberId, articleKey, dueAt }]);
      });

      it('adds a second keyword to the same match, which keeps its first match and due time and takes the latest settings', async ({ subject: { store } }) => {
        // Prepare
        await store.recordMatch(match('s_1', 1, { keyword: 'Minsk' }));

        // Act
        const recorded = await store.recordMatch(match('s_1', 1, { keyword: 'Belarus', matchedAt: at(5), dueAt: at(65), cadence: 'daily', timezone: 'Europe/Minsk', alertHour: 8 }));

        // Assess
        expect(recorded).toBe(true);
        expect(await store.pending('s_1')).toEqual([
          expect.objectContaining({ articleKey: keyOf(1), keywords: ['Belarus', 'Minsk'], matchedAt: T0, dueAt: at(60), cadence: 'daily', timezone: 'Europe/Minsk', alertHour: 8 }),
        ]);
        expect((await dueOf(store, dueShardOf('s_1'), at(24 * 60))).items).toEqual([{ subscriberId: 's_1', articleKey: keyOf(1), dueAt: at(60) }]);
      });

      it('records a repeated match once (safe to repeat)', async ({ subject: { store } }) => {
        // Prepare
        await store.recordMatch(match('s_1', 1));
        const before = await store.pending('s_1');

        // Act
        const again = await store.recordMatch(match('s_1', 1));

        // Assess
        expect(again).toBe(true);
        expect(await store.pending('s_1')).toEqual(before);
        expect((await dueOf(store, dueShardOf('s_1'), at(60))).items).toHaveLength(1);
      });

      it('records one match when two ingests of the same article record it at once', async ({ subject: { store } }) => {
        // Act
        const results = await Promise.all([store.recordMatch(match('s_1', 1, { keyword: 'Minsk' })), store.recordMatch(match('s_1', 1, { keyword: 'Belarus' }))]);

        // Assess
        expect(results).toEqual([true, true]);
        expect((await store.pending('s_1')).map((p) => p.keywords)).toEqual([['Belarus', 'Minsk']]);
        expect((await dueOf(store, dueShardOf('s_1'), at(60))).items).toHaveLength(1);
      });

      it('brings a pending match forward when a breaking match is due earlier, never back', async ({ subject: { store } }) => {
        // Prepare
        await store.recordMatch(match('s_1', 1, { dueAt: at(60) }));
        await store.recordMatch(match('s_1', 2, { dueAt: at(60) }));

        // Act
        await store.recordMatch(match('s_1', 1, { keyword: 'Belarus', dueAt: at(1), breaking: true }));
        await store.recordMatch(match('s_1', 2, { keyword: 'Belarus', dueAt: at(1), breaking: false }));
        await store.recordMatch(match('s_1', 1, { keyword: 'Lukashenko', dueAt: at(30), breaking: true }));

        // Assess
        const due = (await store.pending('s_1')).map((p) => [p.articleKey, p.dueAt]);
        expect(Object.fromEntries(due)).toEqual({ [keyOf(1)]: at(1), [keyOf(2)]: at(60) });
        expect((await dueOf(store, dueShardOf('s_1'), at(59))).items).toEqual([{ subscriberId: 's_1', articleKey: keyOf(1), dueAt: at(1) }]);
        expect((await dueOf(store, dueShardOf('s_1'), at(60))).items).toHaveLength(2);
      });

      it('refuses, and changes nothing, once the article is frozen into a digest (the tombstone stays)', async ({ subject: { store } }) => {
        // Prepare
        await store.recordMatch(match('s_1', 1));
        await store.freeze('s_1', keyOf(1), 'alerts-2026-12-01T11-00');

        // Act
        const again = await store.recordMatch(match('s_1', 1, { keyword: 'Belarus', dueAt: at(1), breaking: true }));
        const other = await store.recordMatch(match('s_2', 1));

        // Assess
        expect(again).toBe(false);
        expect(other).toBe(true);
        expect(await store.pending('s_1')).toEqual([]);
        expect((await dueOf(store, dueShardOf('s_1'), at(24 * 60))).items.filter((e) => e.subscriberId === 's_1')).toEqual([]);
        expect(await store.freeze('s_1', keyOf(1), 'alerts-2026-12-01T11-00')).toBe(true);
      });
    });

    describe('Method: pageDue', () => {
      it('lists the entries of one shard due at or before the time, earliest first, then by subscriber and article', async ({ subject: { store } }) => {
        // Prepare
        const [a, b] = idsInShard(1, 2);
        const [elsewhere] = idsInShard(4, 1);
        const sub = (id: string | undefined) => id ?? '';
        await store.recordMatch(match(sub(b), 3, { dueAt: at(30) }));
        await store.recordMatch(match(sub(a), 2, { dueAt: at(30) }));
        await store.recordMatch(match(sub(a), 1, { dueAt: at(30) }));
        await store.recordMatch(match(sub(a), 4, { dueAt: at(10) }));
        await store.recordMatch(match(sub(a), 5, { dueAt: at(31) }));
        await store.recordMatch(match(sub(elsewhere), 6, { dueAt: at(10) }));

        // Act
        const { items } = await dueOf(store, 1, at(30));

        // Assess
        const byKey = (e: { articleKey: string }) => e.articleKey;
        const sameTime = codeUnitOrder([`${sub(a)}#${keyOf(1)}`, `${sub(a)}#${keyOf(2)}`, `${sub(b)}#${keyOf(3)}`]);
        expect(items.map(byKey)).toEqual([keyOf(4), ...sameTime.map((k) => k.split('#')[1])]);
        expect(items.every((e) => e.dueAt <= at(30) && dueShardOf(e.subscriberId) === 1)).toBe(true);
        expect((await dueOf(store, 4, at(30))).items).toEqual([{ subscriberId: sub(elsewhere), articleKey: keyOf(6), dueAt: at(10) }]);
        expect((await dueOf(store, 1, at(9))).items).toEqual([]);
        const empty = [...Array(DUE_SHARDS).keys()].filter((s) => s !== 1 && s !== 4);
        for (const shard of empty) expect(await store.pageDue(shard, at(60), { limit: 10 })).toEqual({ entries: [] });
      });

      it('pages the index, each entry once, and skips none when one of an earlier page is frozen between pages', async ({ subject: { store } }) => {
        // Prepare
        const ids = idsInShard(0, 3);
        for (const [i, id] of ids.entries()) for (const n of [1, 2, 3]) await store.recordMatch(match(id, n, { dueAt: at(i * 3 + n) }));
        const expected = (await dueOf(store, 0, at(60))).items;
        let frozen = false;

        // Act
        const { items, sizes } = await dueOf(store, 0, at(60), 2, async (page) => {
          if (frozen || page[0] === undefined) return;
          frozen = true;
          await store.freeze(page[0].subscriberId, page[0].articleKey, 'alerts-2026-12-01T11-00');
        });

        // Assess
        expect(expected).toHaveLength(9);
        expect(items).toEqual(expected);
        expect(sizes.every((size) => size <= 2)).toBe(true);
      });

      it('refuses a cursor it did not make', async ({ subject: { store } }) => {
        // Act
        const act = store.pageDue(0, at(60), { limit: 1, cursor: 'not-a-cursor!' });

        // Assess
        await expect(act).rejects.toMatchObject({ name: 'ValidationError', message: 'cursor: malformed' });
      });
    });

    describe('Method: pending', () => {
      it("lists a subscriber's pending matches, due or not, in article key order, and not their frozen ones", async ({ subject: { store } }) => {
        // Prepare
        for (const n of [1, 2, 3, 4]) await store.recordMatch(match('s_1', n, { dueAt: at(n * 1000) }));
        await store.recordMatch(match('s_2', 5));
        await store.freeze('s_1', keyOf(3), 'alerts-2026-12-01T11-00');

        // Act
        const pending = await store.pending('s_1');

        // Assess
        expect(pending.map((p) => p.articleKey)).toEqual(codeUnitOrder([keyOf(1), keyOf(2), keyOf(4)]));
        expect(await store.pending('s_3')).toEqual([]);
      });
    });

    describe('Method: postpone', () => {
      it('moves the pending matches named to a later due time, and leaves others, tombstones and unknown articles alone', async ({ subject: { store } }) => {
        // Prepare
        for (const n of [1, 2, 3]) await store.recordMatch(match('s_1', n, { dueAt: at(60) }));
        await store.freeze('s_1', keyOf(3), 'alerts-2026-12-01T11-00');

        // Act
        await store.postpone('s_1', [keyOf(1), keyOf(3), keyOf(9)], at(24 * 60));

        // Assess
        const shard = dueShardOf('s_1');
        expect(Object.fromEntries((await store.pending('s_1')).map((p) => [p.articleKey, p.dueAt]))).toEqual({ [keyOf(1)]: at(24 * 60), [keyOf(2)]: at(60) });
        expect((await dueOf(store, shard, at(60))).items).toEqual([{ subscriberId: 's_1', articleKey: keyOf(2), dueAt: at(60) }]);
        expect((await dueOf(store, shard, at(24 * 60))).items).toHaveLength(2);
        expect(await store.recordMatch(match('s_1', 3))).toBe(false);
      });
    });

    describe('Methods: claim and releaseClaim', () => {
      const times = (nowMin: number) => ({ now: at(nowMin), staleBefore: at(nowMin - 10), staleAt: at(nowMin + 10) });

      it('grants an unclaimed window, and again to the same flush (its claim renewed)', async ({ subject: { store } }) => {
        // Act
        const first = await store.claim('s_1', 'flush-a', times(0));
        const again = await store.claim('s_1', 'flush-a', times(2));

        // Assess
        expect(first).toEqual({ granted: true });
        expect(again).toEqual({ granted: true, previous: { subscriberId: 's_1', flushId: 'flush-a', claimedAt: at(0) } });
        expect((await dueOf(store, dueShardOf('s_1'), at(60))).items).toEqual([{ subscriberId: 's_1', articleKey: CLAIM_ENTRY, dueAt: at(12) }]);
      });

      it('refuses another flush while the claim is fresh, up to and including the staleness limit', async ({ subject: { store } }) => {
        // Prepare
        await store.claim('s_1', 'flush-a', times(0));

        // Act
        const fresh = await store.claim('s_1', 'flush-b', times(5));
        const atLimit = await store.claim('s_1', 'flush-b', times(10));

        // Assess
        expect(fresh).toEqual({ granted: false });
        expect(atLimit).toEqual({ granted: false });
        expect(await store.releaseClaim('s_1', 'flush-b')).toBe(false);
      });

      it('lets another flush take over a stale claim; the dead flush can no longer release it', async ({ subject: { store } }) => {
        // Prepare
        await store.claim('s_1', 'flush-a', times(0));

        // Act
        const takeover = await store.claim('s_1', 'flush-b', times(11));

        // Assess
        expect(takeover).toEqual({ granted: true, previous: { subscriberId: 's_1', flushId: 'flush-a', claimedAt: at(0) } });
        expect(await store.releaseClaim('s_1', 'flush-a')).toBe(false);
        expect((await dueOf(store, dueShardOf('s_1'), at(60))).items).toEqual([{ subscriberId: 's_1', articleKey: CLAIM_ENTRY, dueAt: at(21) }]);
        expect(await store.releaseClaim('s_1', 'flush-b')).toBe(true);
      });

      it('puts a held claim in the due index at its stale time, and takes it out when released', async ({ subject: { store } }) => {
        // Prepare
        const shard = dueShardOf('s_1');
        await store.recordMatch(match('s_1', 1, { dueAt: at(0) }));
        await store.claim('s_1', 'flush-a', times(0));

        // Act
        const beforeStale = (await dueOf(store, shard, at(9))).items;
        const stale = (await dueOf(store, shard, at(10))).items;
        const released = await store.releaseClaim('s_1', 'flush-a');
        const afterRelease = (await dueOf(store, shard, at(60))).items;

        // Assess
        expect(beforeStale).toEqual([{ subscriberId: 's_1', articleKey: keyOf(1), dueAt: at(0) }]);
        expect(stale).toEqual([{ subscriberId: 's_1', articleKey: keyOf(1), dueAt: at(0) }, { subscriberId: 's_1', articleKey: CLAIM_ENTRY, dueAt: at(10) }]);
        expect(released).toBe(true);
        expect(afterRelease).toEqual([{ subscriberId: 's_1', articleKey: keyOf(1), dueAt: at(0) }]);
        expect(await store.releaseClaim('s_1', 'flush-a')).toBe(false);
        expect(await store.claim('s_1', 'flush-b', times(1))).toEqual({ granted: true });
      });

      it('grants the window to exactly one of two flushes claiming it at once', async ({ subject: { store } }) => {
        // Act
        const results = await Promise.all([store.claim('s_1', 'flush-a', times(0)), store.claim('s_1', 'flush-b', times(0))]);

        // Assess
        expect(results.filter((r) => r.granted)).toEqual([{ granted: true }]);
      });
    });

    describe('Methods: countDigest and uncountDigest', () => {
      it('counts up to the cap per subscriber and local day, each flush once', async ({ subject: { store } }) => {
        // Act
        const counted = [
          await store.countDigest('s_1', '2026-12-01', 'flush-a', 2),
          await store.countDigest('s_1', '2026-12-01', 'flush-a', 2),
          await store.countDigest('s_1', '2026-12-01', 'flush-b', 2),
          await store.countDigest('s_1', '2026-12-01', 'flush-c', 2),
          await store.countDigest('s_1', '2026-12-01', 'flush-b', 2),
        ];

        // Assess
        expect(counted).toEqual([true, true, true, false, true]);
        expect(await store.countDigest('s_1', '2026-12-02', 'flush-c', 2)).toBe(true);
        expect(await store.countDigest('s_2', '2026-12-01', 'flush-c', 2)).toBe(true);
      });

      it('gives a place back when a flush is uncounted, and uncounting what is not counted changes nothing', async ({ subject: { store } }) => {
        // Prepare
        await store.countDigest('s_1', '2026-12-01', 'flush-a', 1);

        // Act
        await store.uncountDigest('s_1', '2026-12-01', 'flush-z');
        await store.uncountDigest('s_1', '2026-11-30', 'flush-a');
        const stillFull = await store.countDigest('s_1', '2026-12-01', 'flush-b', 1);
        await store.uncountDigest('s_1', '2026-12-01', 'flush-a');
        const placeBack = await store.countDigest('s_1', '2026-12-01', 'flush-b', 1);

        // Assess
        expect(stillFull).toBe(false);
        expect(placeBack).toBe(true);
        expect(await store.countDigest('s_1', '2026-12-01', 'flush-a', 1)).toBe(false);
      });

      it('counts nothing under a cap of 0, not even in an empty day', async ({ subject: { store } }) => {
        // Act
        const counted = await store.countDigest('s_1', '2026-12-01', 'flush-a', 0);

        // Assess
        expect(counted).toBe(false);
        expect(await store.countDigest('s_1', '2026-12-01', 'flush-b', 1)).toBe(true);
        expect(await store.countDigest('s_1', '2026-12-01', 'flush-b', 0)).toBe(true);
      });

      it('counts exactly one of two flushes counting at once for the last place', async ({ subject: { store } }) => {
        // Act
        const results = await Promise.all([store.countDigest('s_1', '2026-12-01', 'flush-a', 1), store.countDigest('s_1', '2026-12-01', 'flush-b', 1)]);

        // Assess
        expect(results.filter(Boolean)).toHaveLength(1);
      });
    });

    describe('Methods: putDigest, replaceDigest and getDigest', () => {
      it('creates a frozen digest once; a second put returns the stored one and changes nothing', async ({ subject: { store } }) => {
        // Prepare
        const first = digest('s_1', 'flush-a', { page: 'archive/alerts/flush-a/s.html' });

        // Act
        const created = await store.putDigest(first);
        const second = await store.putDigest(digest('s_1', 'flush-a', { language: 'ru', shown: 0, articles: [] }));

        // Assess
        expect(created).toEqual({ created: true, digest: first });
        expect(second).toEqual({ created: false, digest: first });
        expect(await store.getDigest('s_1', 'flush-a')).toEqual(first);
        expect(await store.getDigest('s_1', 'flush-b')).toBeUndefined();
        expect(await store.getDigest('s_2', 'flush-a')).toBeUndefined();
      });

      it('replaces a frozen digest whole, and what a caller does with a copy never changes it', async ({ subject: { store } }) => {
        // Prepare
        await store.putDigest(digest('s_1', 'flush-a', { page: 'archive/alerts/flush-a/s.html' }));
        const replacement = digest('s_1', 'flush-a', { articles: [{ articleKey: keyOf(2), articleId: articleId(2), keywords: ['Belarus', 'Minsk'] }] });

        // Act
        await store.replaceDigest(replacement);
        const read = await store.getDigest('s_1', 'flush-a');
        read?.articles[0]?.keywords.push('changed by the caller');
        replacement.articles.length = 0;

        // Assess
        const stored = await store.getDigest('s_1', 'flush-a');
        expect(stored).toEqual(digest('s_1', 'flush-a', { articles: [{ articleKey: keyOf(2), articleId: articleId(2), keywords: ['Belarus', 'Minsk'] }] }));
        expect(stored).not.toHaveProperty('page');
      });
    });

    describe('Method: freeze', () => {
      it('turns a pending match into a tombstone of one flush: out of pending and the due index, refused to any other flush', async ({ subject: { store } }) => {
        // Prepare
        await store.recordMatch(match('s_1', 1, { dueAt: at(0) }));
        await store.recordMatch(match('s_1', 2, { dueAt: at(0) }));

        // Act
        const frozen = await store.freeze('s_1', keyOf(1), 'flush-a');
        const again = await store.freeze('s_1', keyOf(1), 'flush-a');
        const byOther = await store.freeze('s_1', keyOf(1), 'flush-b');
        const unknown = await store.freeze('s_1', keyOf(9), 'flush-a');

        // Assess
        expect([frozen, again, byOther, unknown]).toEqual([true, true, false, false]);
        expect((await store.pending('s_1')).map((p) => p.articleKey)).toEqual([keyOf(2)]);
        expect((await dueOf(store, dueShardOf('s_1'), at(60))).items).toEqual([{ subscriberId: 's_1', articleKey: keyOf(2), dueAt: at(0) }]);
      });

      it('lets exactly one of two flushes freeze the same match at once', async ({ subject: { store } }) => {
        // Prepare
        await store.recordMatch(match('s_1', 1));

        // Act
        const results = await Promise.all([store.freeze('s_1', keyOf(1), 'flush-a'), store.freeze('s_1', keyOf(1), 'flush-b')]);

        // Assess
        expect(results.filter(Boolean)).toHaveLength(1);
        expect(await store.pending('s_1')).toEqual([]);
      });
    });
  });
}
