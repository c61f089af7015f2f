import { describe, expect, it } from 'vitest';
import { EditionService, newEditionRecord } from '../../../functions/core/editions/edition-service.ts';
import type { EditionRecord, FanOut } from '../../../functions/core/editions/ports.ts';
import { EditionState } from '../../../functions/core/editions/types.ts';
import { makeArticle } from '../../kit/fixtures/index.ts';
import {
  FakeEditionRenderer, InMemoryArtefactStore, InMemoryArticleStore, InMemoryEditionRepository, InMemoryPickOverrideStore, MemoryLogger,
} from '../../kit/memory/index.ts';

const NOW = new Date('2026-11-28T06:00:00.000Z');

/** An edition service over fakes, with three articles ingested in the last day. */
async function setup() {
  const articles = new InMemoryArticleStore();
  for (const n of [1, 2, 3]) await articles.putArticle(makeArticle(n, { ingestedAt: new Date(NOW.getTime() - n * 3600_000).toISOString(), editorsChoice: n === 1 }));
  const editions = new InMemoryEditionRepository();
  const artefacts = new InMemoryArtefactStore();
  const renderer = new FakeEditionRenderer();
  const picks = new InMemoryPickOverrideStore();
  const fanOut: FanOut = {
    fanOut: async (edition: EditionRecord) => {
      await editions.update(edition.id, { fanoutDone: true });
      return { ...edition, fanoutDone: true };
    },
  };
  const service = new EditionService({ articles, editions, artefacts, renderer, fanOut, picks, logger: new MemoryLogger(), defaultLanguage: 'en', maxDelayMs: 6 * 3600_000 });
  const story = (n: number) => makeArticle(n).id;
  return { service, articles, editions, artefacts, renderer, picks, story };
}

describe('Class: EditionService', () => {
  describe('Method: run', () => {
    it('creates and sends an edition of a given id with the period fixed beforehand (an editor\'s special edition)', async () => {
      // Prepare
      const t = await setup();
      const from = new Date(NOW.getTime() - 2.5 * 3600_000).toISOString();

      // Act
      const result = await t.service.run({ job: 'daily', scheduledAt: NOW, now: new Date(NOW.getTime() + 60_000), force: true, editionId: 'daily-2026-11-28-s2', from, to: NOW.toISOString() });

      // Assess: only the two stories ingested after `from`
      expect(result).toMatchObject({ edition: 'daily-2026-11-28-s2', created: true, state: EditionState.SENDING, articles: 2 });
      expect(await t.editions.get('daily-2026-11-28-s2')).toMatchObject({ from, to: NOW.toISOString(), fanoutDone: true });
      expect((await t.editions.get('daily-2026-11-28-s2'))?.sendingAt).toEqual(expect.any(String));
    });

    it('builds with the job\'s pick override and marks it used, a rebuild of that edition uses it again, the next edition does not', async () => {
      // Prepare
      const t = await setup();
      await t.picks.put('daily', { pinned: [t.story(3)], unpinned: [], updatedBy: 'ann' }, 0);

      // Act
      await t.service.run({ job: 'daily', scheduledAt: NOW, now: NOW });
      const first = await t.artefacts.getEdition('daily-2026-11-28');
      await t.editions.update('daily-2026-11-28', { state: EditionState.BUILDING });
      await t.service.run({ job: 'daily', scheduledAt: NOW, now: NOW });
      const rebuilt = await t.artefacts.getEdition('daily-2026-11-28');
      await t.articles.putArticle(makeArticle(4, { ingestedAt: new Date(NOW.getTime() + 3600_000).toISOString() }));
      const next = await t.service.preview('daily', new Date(NOW.getTime() + 86_400_000));

      // Assess
      expect(first?.subject).toBe(`Digest: ${makeArticle(3).title}`);
      expect(rebuilt?.html).toBe(first?.html);
      expect((await t.picks.get('daily'))?.appliedTo).toBe('daily-2026-11-28');
      expect(next.content.picks.map((p) => p.id)).toEqual([]);
    });
  });

  describe('Method: preview', () => {
    it('renders, with the override, exactly what the build of that edition id and period end will render', async () => {
      // Prepare
      const t = await setup();
      await t.picks.put('daily', { pinned: [t.story(2)], unpinned: [t.story(1)], updatedBy: 'ann' }, 0);
      const to = NOW.toISOString();

      // Act
      const preview = await t.service.preview('daily', NOW, { editionId: 'daily-2026-11-28', to });
      await t.editions.createIfAbsent(newEditionRecord({ id: 'daily-2026-11-28', job: 'daily', scheduledAt: NOW, now: NOW, to }));
      await t.service.run({ job: 'daily', scheduledAt: NOW, now: new Date(NOW.getTime() + 5 * 60_000), force: true });

      // Assess
      expect(preview.content.picks.map((p) => p.id)).toEqual([t.story(2)]);
      expect(await t.artefacts.getEdition('daily-2026-11-28')).toEqual(preview.rendered);
      expect(await t.editions.get('daily-2026-11-28')).toMatchObject({ state: EditionState.SENDING, to, picks: 1 });
      expect(await t.editions.listRecent('daily', 5)).toHaveLength(1);
    });
  });
});
