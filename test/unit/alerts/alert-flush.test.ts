/**
 * Matching and the alert flush on in-memory fakes with the adapters' conditional semantics:
 * coalescing, once ever, the cap and its roll-over, breaking, empty windows, a crash at each
 * step of a flush, and the send worker's assembly.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { AlertFlushService } from '../../../functions/core/alerts/alert-flush.ts';
import { AlertMatcher } from '../../../functions/core/alerts/alert-matcher.ts';
import { AlertDigestAssembler } from '../../../functions/core/alerts/alert-digests.ts';
import { AlertAdmin } from '../../../functions/core/alerts/alert-admin.ts';
import { articleKeyOf, flushIdFor, type FollowerEntry } from '../../../functions/core/alerts/types.ts';
import type { StoredArticle } from '../../../functions/core/articles/types.ts';
import { Links } from '../../../functions/core/links.ts';
import { silentLogger } from '../../../functions/core/logger.ts';
import { makeArticle } from '../../kit/fixtures/index.ts';
import {
  CountingAlertRenderer, InMemoryAlertPieceStore, InMemoryAlertStore, InMemoryArtefactStore, InMemoryEditionRepository, InMemoryKeywordIndex, RecordingSendQueue,
} from '../../kit/memory/index.ts';

const T0 = new Date('2026-12-01T10:00:00.000Z');
const minutes = (n: number) => new Date(T0.getTime() + n * 60_000);

function follower(subscriberId: string, label: string, overrides: Partial<FollowerEntry> = {}): FollowerEntry {
  return { phrase: label.toLowerCase(), subscriberId, label, cadence: 'instant', timezone: 'UTC', alertHour: 7, ...overrides };
}

function article(n: number, text: string, overrides: Partial<StoredArticle> = {}): StoredArticle {
  return makeArticle(n, { title: `Story ${n}: ${text}`, summary: text, bodyText: text, publishedAt: minutes(n).toISOString(), ...overrides });
}

function setup(options: { maxPerDay?: number } = {}) {
  const index = new InMemoryKeywordIndex();
  const store = new InMemoryAlertStore();
  const articles = new Map<string, StoredArticle>();
  const editions = new InMemoryEditionRepository();
  const queue = new RecordingSendQueue();
  const renderer = new CountingAlertRenderer();
  const pieces = new InMemoryAlertPieceStore();
  const archive = new InMemoryArtefactStore();
  let now = T0;
  const matcher = new AlertMatcher({ index, store, logger: silentLogger, instantWindowMs: 5 * 60_000, now: () => now });
  const flush = new AlertFlushService({
    store, articles: { getArticle: async (id) => articles.get(id) }, pieces, renderer, editions, archive, queue, logger: silentLogger,
    maxPerDay: options.maxPerDay ?? 5, claimMs: 10 * 60_000, pageSize: 2, pageToken: () => 'tok',
  });
  const ingest = async (a: StoredArticle, at: Date) => {
    now = at;
    articles.set(a.id, a);
    return matcher.match(a);
  };
  const runAt = (at: Date, dueBy?: Date) => flush.run({ scheduledAt: at, now: at, ...(dueBy ? { dueBy } : {}) });
  const tasksFor = (subscriberId: string) => queue.sent.map((s) => s.task).filter((t) => t.subscriberId === subscriberId);
  return { index, store, articles, editions, queue, renderer, pieces, archive, ingest, runAt, tasksFor, flush };
}

describe('Class: AlertMatcher', () => {
  describe('Method: match', () => {
    it('should record one pending match per subscriber and article, with every keyword that matched', async () => {
      // Prepare
      const h = setup();
      await h.index.follow([follower('s1', 'Minsk'), follower('s1', 'Iran'), follower('s2', 'Minsk'), follower('s3', 'Greenland')]);
      // Act
      const report = await h.ingest(article(1, "Talks on the Minsk agreements and Iran's programme"), T0);
      // Assess
      expect(report.phrases).toEqual(['iran', 'minsk']);
      expect(await h.store.pending('s1')).toMatchObject([{ keywords: ['Iran', 'Minsk'], dueAt: minutes(5).toISOString() }]);
      expect(await h.store.pending('s2')).toHaveLength(1);
      expect(await h.store.pending('s3')).toEqual([]);
    });

    it('should keep the first due time when the article comes again, and never record a sent article again', async () => {
      // Prepare
      const h = setup();
      await h.index.follow([follower('s1', 'Minsk')]);
      const a = article(1, 'Minsk talks');
      await h.ingest(a, T0);
      // Act 1: a duplicate event two minutes later
      await h.ingest(a, minutes(2));
      // Assess 1
      expect(await h.store.pending('s1')).toMatchObject([{ dueAt: minutes(5).toISOString() }]);
      // Act 2: sent, then edited and ingested again
      await h.runAt(minutes(5));
      const again = await h.ingest({ ...a, title: 'Minsk talks (updated)' }, minutes(30));
      // Assess 2
      expect(again.alreadySent).toBe(1);
      expect(await h.store.pending('s1')).toEqual([]);
    });

    it('should read followers page by page', async () => {
      // Prepare
      const h = setup();
      await h.index.follow(Array.from({ length: 1203 }, (_v, i) => follower(`s${i}`, 'Minsk')));
      // Act
      const report = await h.ingest(article(1, 'Minsk'), T0);
      // Assess
      expect(report.recorded).toBe(1203);
    });
  });
});

describe('Class: AlertFlushService', () => {
  describe('Method: run', () => {
    it('should send a due window as one digest listing each article once, and nothing before it is due', async () => {
      // Prepare: two matches within the instant window coalesce
      const h = setup();
      await h.index.follow([follower('s1', 'Minsk'), follower('s1', 'Iran')]);
      await h.ingest(article(1, 'Minsk and Iran'), T0);
      await h.ingest(article(2, 'Minsk again'), minutes(3));
      // Act 1: not due yet
      const early = await h.runAt(minutes(4));
      // Act 2: due
      const due = await h.runAt(minutes(5));
      // Assess
      expect(early).toMatchObject({ windows: 0, digests: 0 });
      expect(early.state).toBeUndefined();
      expect(due).toMatchObject({ flush: flushIdFor(minutes(5)), windows: 1, digests: 1, articles: 2, recipients: 1 });
      expect(h.queue.sent.map((s) => s.task)).toEqual([{ editionId: 'alerts-2026-12-01T10-05', subscriberId: 's1' }]);
      const digest = await h.store.getDigest('s1', 'alerts-2026-12-01T10-05');
      expect(digest?.articles.map((a) => [a.articleId, a.keywords])).toEqual([
        [article(2, '').id, ['Minsk']],
        [article(1, '').id, ['Iran', 'Minsk']],
      ]);
      expect(await h.store.pending('s1')).toEqual([]);
      expect(h.store.claims.size).toBe(0);
    });

    it('should render each card once per flush and the shell once per language', async () => {
      // Prepare
      const h = setup();
      await h.index.follow([follower('s1', 'Minsk'), follower('s2', 'Minsk'), follower('s3', 'Minsk'), follower('s4', 'Minsk')]);
      await h.ingest(article(1, 'Minsk'), T0);
      await h.ingest(article(2, 'Minsk', { language: 'ru' }), minutes(1));
      // Act
      await h.runAt(minutes(10));
      // Assess
      expect(h.renderer.cardKeys.sort()).toEqual([articleKeyOf(article(1, '').id), articleKeyOf(article(2, '').id)].sort());
      expect(h.renderer.shellLanguages).toEqual(['ru']);
      expect(h.queue.sent.map((s) => s.task)).toHaveLength(4);
    });

    it('should show at most 10 articles and write a page listing all of them', async () => {
      // Prepare
      const h = setup();
      await h.index.follow([follower('s1', 'Minsk', { cadence: 'hourly' })]);
      for (let n = 1; n <= 14; n += 1) await h.ingest(article(n, 'Minsk'), minutes(n));
      // Act
      await h.runAt(new Date('2026-12-01T11:00:00Z'));
      // Assess
      const digest = await h.store.getDigest('s1', 'alerts-2026-12-01T11-00');
      expect(digest).toMatchObject({ shown: 10, page: 'alerts/alerts-2026-12-01T11-00/tok.html' });
      expect(digest?.articles).toHaveLength(14);
      expect(h.archive.archive.get('alerts/alerts-2026-12-01T11-00/tok.html')?.body.match(/<li>/g)).toHaveLength(14);
    });

    it('should hold a window back over the daily cap, keep its matches, and send them the next day', async () => {
      // Prepare: a cap of 2, three instant windows in one day
      const h = setup({ maxPerDay: 2 });
      await h.index.follow([follower('s1', 'Minsk')]);
      for (const [n, at] of [[1, 0], [2, 10], [3, 20]] as const) {
        await h.ingest(article(n, 'Minsk'), minutes(at));
        await h.runAt(minutes(at + 5));
      }
      // Assess 1: the third was held until midnight UTC
      expect(h.tasksFor('s1')).toHaveLength(2);
      expect(await h.store.pending('s1')).toMatchObject([{ articleId: article(3, '').id, dueAt: '2026-12-02T00:00:00.000Z' }]);
      // Act 2: a fourth match joins the held window; nothing goes out until midnight
      await h.ingest(article(4, 'Minsk'), minutes(40));
      await h.runAt(minutes(45));
      expect(h.tasksFor('s1')).toHaveLength(2);
      // Act 3: the next day
      const next = await h.runAt(new Date('2026-12-02T00:00:00Z'));
      // Assess 3: one digest with both, none dropped
      expect(next.digests).toBe(1);
      expect((await h.store.getDigest('s1', 'alerts-2026-12-02T00-00'))?.articles).toHaveLength(2);
    });

    it('should bring a breaking article forward for instant followers only', async () => {
      // Prepare
      const h = setup();
      await h.index.follow([follower('s1', 'Minsk'), follower('s2', 'Minsk', { cadence: 'hourly' })]);
      // Act
      await h.ingest(article(1, 'Minsk', { breaking: true }), minutes(1));
      const result = await h.runAt(minutes(1));
      // Assess
      expect(result.digests).toBe(1);
      expect(h.tasksFor('s1')).toHaveLength(1);
      expect(h.tasksFor('s2')).toHaveLength(0);
    });

    it('should send nothing for a window whose articles were removed', async () => {
      // Prepare
      const h = setup();
      await h.index.follow([follower('s1', 'Minsk')]);
      const a = article(1, 'Minsk');
      await h.ingest(a, T0);
      h.articles.delete(a.id);
      // Act
      const result = await h.runAt(minutes(5));
      // Assess
      expect(result).toMatchObject({ windows: 1, digests: 0, empty: 1 });
      expect(h.queue.sent.map((s) => s.task)).toEqual([]);
      expect(await h.store.pending('s1')).toEqual([]);
    });

    it.each(['putDigest', 'freeze', 'releaseClaim'])('should send a window exactly once when a flush dies at %s', async (step) => {
      // Prepare
      const h = setup();
      await h.index.follow([follower('s1', 'Minsk'), follower('s2', 'Minsk')]);
      await h.ingest(article(1, 'Minsk'), T0);
      h.store.failOnce = step;
      // Act 1: the flush dies
      await expect(h.runAt(minutes(5))).rejects.toThrow('injected failure');
      // Act 2: the next run, 5 minutes later, does not touch the dead flush's fresh claims…
      await h.runAt(minutes(10));
      // …and the one after, past the claim's staleness, takes over
      await h.runAt(minutes(20));
      // Assess: each subscriber's digest went out once (the ledger dedups task copies of one digest)
      const digestsPerSubscriber = ['s1', 's2'].map((s) => new Set(h.tasksFor(s).map((t) => t.editionId)).size);
      expect(digestsPerSubscriber).toEqual([1, 1]);
      expect(await h.store.pending('s1')).toEqual([]);
      expect(await h.store.pending('s2')).toEqual([]);
      expect(h.store.claims.size).toBe(0);
      // The dead flush's record is finished; counting never exceeds what was handed out.
      for (const record of h.editions.items.values()) {
        expect(record.fanoutDone).toBe(true);
        expect(record.total).toBeLessThanOrEqual(new Set(h.queue.sent.map((s) => s.task).filter((t) => t.editionId === record.id).map((t) => t.subscriberId)).size);
      }
    });
  });
});

describe('Class: AlertDigestAssembler', () => {
  let h: ReturnType<typeof setup>;
  const links = new Links({ publicBaseUrl: 'https://api.example.com', archiveBaseUrl: 'https://example.com/archive' });
  const headers = { fromName: 'Digest', fromAddress: 'digest@example.com', listId: 'digest.example.com', messageIdDomain: 'example.com' };
  const subscriber = (overrides = {}) => ({ id: 's1', email: 'ann@example.org', status: 'confirmed' as const, newsletter: 'none' as const, alerts: 'instant' as const, keywords: ['Minsk'], createdAt: 't', updatedAt: 't', ...overrides });

  beforeEach(async () => {
    h = setup();
    await h.index.follow([follower('s1', 'Minsk')]);
    await h.ingest(article(1, 'Minsk'), T0);
    await h.runAt(minutes(5));
  });

  describe('Method: message', () => {
    it('should assemble the digest from the flush pieces', async () => {
      // Prepare
      const assembler = new AlertDigestAssembler({ store: h.store, pieces: h.pieces, links, headers, siteName: 'Digest' });
      // Act
      const message = await assembler.message('alerts-2026-12-01T10-05', subscriber());
      // Assess
      expect(message?.kind).toBe('message');
      if (message?.kind !== 'message') throw new Error('no message');
      expect(message.template.staticHeaders).toContain(`Subject: Digest: ${article(1, 'Minsk').title}`);
    });

    it.each([
      [{ alerts: 'none' }, 'alerts turned off since the match'],
      [{ keywords: ['Iran'] }, 'no longer follows the keywords of this digest'],
    ])('should skip a subscriber with %j', async (overrides, reason) => {
      // Prepare
      const assembler = new AlertDigestAssembler({ store: h.store, pieces: h.pieces, links, headers, siteName: 'Digest' });
      // Act
      const message = await assembler.message('alerts-2026-12-01T10-05', subscriber(overrides));
      // Assess
      expect(message).toEqual({ kind: 'skip', reason });
    });

    it('should answer undefined (retry) while the pieces are missing', async () => {
      // Prepare
      const assembler = new AlertDigestAssembler({ store: h.store, pieces: new InMemoryAlertPieceStore(), links, headers, siteName: 'Digest' });
      // Act / Assess
      expect(await assembler.message('alerts-2026-12-01T10-05', subscriber())).toBeUndefined();
    });
  });
});

describe('Class: AlertAdmin', () => {
  describe('Method: status', () => {
    it('should count open windows, those due, pending matches and the recent flushes', async () => {
      // Prepare
      const h = setup();
      await h.index.follow([follower('s1', 'Minsk'), follower('s2', 'Minsk', { cadence: 'hourly' }), follower('s3', 'Iran')]);
      await h.ingest(article(1, 'Minsk'), T0);
      await h.ingest(article(2, 'Minsk and Iran'), minutes(1));
      await h.runAt(minutes(6));
      await h.ingest(article(3, 'Minsk'), minutes(7));
      // Act
      const status = await new AlertAdmin({ store: h.store, editions: h.editions }).status(minutes(8));
      // Assess: s1 (instant, due at 10:12) and s2 (hourly, 3 articles, due at 11:00) are open; s3 was sent
      expect(status).toMatchObject({ windows: 2, dueNow: 0, pendingMatches: 4, claimed: 0, nextDue: minutes(12).toISOString() });
      expect(status.flushes).toEqual([{ flush: 'alerts-2026-12-01T10-06', state: 'sending', total: 2, sent: 0, failed: 0, skipped: 0, articles: 2, fanoutDone: true }]);
    });
  });
});
