import { describe, expect, it } from 'vitest';
import type { IngestedItem } from '../../../functions/core/articles/ports.ts';
import type { StoredArticle, StoredPick } from '../../../functions/core/articles/types.ts';
import { assembleEdition, storyCount } from '../../../functions/core/editions/edition-builder.ts';
import type { EditionContent } from '../../../functions/core/editions/types.ts';

const META = { id: 'daily-2026-11-28', job: 'daily', from: '2026-11-27T06:00:00.000Z', to: '2026-11-28T06:00:00.000Z', language: 'en' } as const;

/** A stored article in the item shape the store yields; the id is a slug of the title. */
function article(title: string, fields: Partial<StoredArticle> = {}): IngestedItem {
  const id = title.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  return {
    type: 'article',
    article: {
      id,
      title,
      section: 'News',
      summary: `${title}.`,
      bodyText: `${title}.`,
      tags: [],
      editorsChoice: false,
      breaking: false,
      language: 'en',
      publishedAt: '2026-11-27T12:00:00.000Z',
      ingestedAt: '2026-11-27T12:05:00.000Z',
      updated: false,
      sourceKey: `news/${id}.json`,
      contentHash: id,
      keywords: [],
      ...fields,
    },
  };
}

/** An editor's-choice teaser found on a page export. */
function teaser(headline: string, fields: Partial<StoredPick> = {}): IngestedItem {
  return {
    type: 'pick',
    pick: {
      id: `pick-${headline.length}`,
      headline,
      section: 'Opinion',
      teaser: `About ${headline}.`,
      ingestedAt: '2026-11-27T12:05:00.000Z',
      sourceKey: 'pages/front.txt',
      ...fields,
    },
  };
}

const headlines = (content: EditionContent): string[] => content.picks.map((p) => p.headline);
const sections = (content: EditionContent): Array<[string, string[]]> => content.sections.map((s) => [s.name, s.articles.map((a) => a.title)]);

describe('Function: assembleEdition', () => {
  it('gives an empty edition for no items', () => {
    // Act
    const content = assembleEdition(META, []);

    // Assess
    expect(content).toEqual({ ...META, picks: [], sections: [] });
    expect(storyCount(content)).toBe(0);
  });

  it('puts flagged articles first, most recent first, then the teasers in the order found', () => {
    // Prepare
    const items = [
      teaser('A teaser from the front page'),
      article('Older choice', { editorsChoice: true, publishedAt: '2026-11-20T08:00:00.000Z' }),
      teaser('Another teaser'),
      article('Newer choice', { editorsChoice: true, publishedAt: '2026-11-27T08:00:00.000Z' }),
      article('Plain story'),
    ];

    // Act
    const content = assembleEdition(META, items);

    // Assess
    expect(headlines(content)).toEqual(['Newer choice', 'Older choice', 'A teaser from the front page', 'Another teaser']);
    expect(sections(content)).toEqual([['News', ['Plain story']]]);
    expect(storyCount(content)).toBe(5);
  });

  it('turns a teaser whose headline is an article of the edition into that article, shown once', () => {
    // Prepare
    const items = [
      article('Armenia and Azerbaijan: the long road to a peace treaty', {
        url: 'https://news.example.org/peace',
        section: 'Analysis',
        image: { url: 'https://cdn.example.org/peace.jpg', alt: 'Leaders' },
      }),
      teaser('ARMENIA AND AZERBAIJAN — the long road to a peace treaty…', { teaser: 'Short teaser text.' }),
    ];

    // Act
    const content = assembleEdition(META, items);

    // Assess
    expect(content.picks).toEqual([
      {
        id: 'armenia-and-azerbaijan-the-long-road-to-a-peace-treaty',
        headline: 'Armenia and Azerbaijan: the long road to a peace treaty',
        section: 'Analysis',
        summary: 'Armenia and Azerbaijan: the long road to a peace treaty.',
        url: 'https://news.example.org/peace',
        image: { url: 'https://cdn.example.org/peace.jpg', alt: 'Leaders' },
      },
    ]);
    expect(content.sections).toEqual([]);
  });

  it('keeps a teaser without a matching article as it is, with its section and text', () => {
    // Act
    const content = assembleEdition(META, [teaser('Europe must not forget the Black Sea', { url: 'https://news.example.org/black-sea' })]);

    // Assess
    expect(content.picks).toEqual([
      { id: 'pick-36', headline: 'Europe must not forget the Black Sea', section: 'Opinion', summary: 'About Europe must not forget the Black Sea.', url: 'https://news.example.org/black-sea' },
    ]);
  });

  it('lists one pick per normalised headline, the flagged article before a teaser of it', () => {
    // Prepare
    const items = [
      teaser('Europe’s energy plan'),
      teaser("EUROPE'S ENERGY PLAN"),
      article("Europe's energy plan", { editorsChoice: true, section: 'Economy' }),
    ];

    // Act
    const content = assembleEdition(META, items);

    // Assess
    expect(content.picks).toHaveLength(1);
    expect(content.picks[0]).toMatchObject({ headline: "Europe's energy plan", section: 'Economy', id: 'europe-s-energy-plan' });
    expect(content.sections).toEqual([]);
  });

  it('lets the most recent of two articles with one headline stand for a teaser of it', () => {
    // Prepare
    const items = [
      article('Border talks resume', { id: 'old', publishedAt: '2026-11-20T08:00:00.000Z' }),
      article('Border talks resume', { id: 'new', publishedAt: '2026-11-27T08:00:00.000Z' }),
      teaser('Border talks resume'),
    ];

    // Act
    const content = assembleEdition(META, items);

    // Assess
    expect(content.picks.map((p) => p.id)).toEqual(['new']);
    expect(content.sections.map((s) => s.articles.map((a) => a.id))).toEqual([['old']]);
  });

  it('orders sections News, Analysis, Opinion, Interview, then the others alphabetically', () => {
    // Prepare
    const items = ['Sport', 'Interview', 'Culture', 'Opinion', 'Economy', 'Analysis', 'News'].map((section) =>
      article(`${section} story`, { section }),
    );

    // Act
    const content = assembleEdition(META, items);

    // Assess
    expect(content.sections.map((s) => s.name)).toEqual(['News', 'Analysis', 'Opinion', 'Interview', 'Culture', 'Economy', 'Sport']);
  });

  it('sorts each section most recent first, ties by title', () => {
    // Prepare
    const items = [
      article('B same time', { publishedAt: '2026-11-27T10:00:00.000Z' }),
      article('Oldest', { publishedAt: '2026-11-01T10:00:00.000Z' }),
      article('Newest', { publishedAt: '2026-11-28T05:00:00.000Z' }),
      article('A same time', { publishedAt: '2026-11-27T10:00:00.000Z' }),
    ];

    // Act
    const content = assembleEdition(META, items);

    // Assess
    expect(sections(content)).toEqual([['News', ['Newest', 'A same time', 'B same time', 'Oldest']]]);
  });

  it('makes one section of names that differ only in case or spacing', () => {
    // Prepare
    const items = [
      article('Lower', { section: 'news', publishedAt: '2026-11-27T10:00:00.000Z' }),
      article('Upper', { section: 'News', publishedAt: '2026-11-26T10:00:00.000Z' }),
      article('Culture new', { section: 'culture ', publishedAt: '2026-11-27T10:00:00.000Z' }),
      article('Culture old', { section: 'Culture', publishedAt: '2026-11-26T10:00:00.000Z' }),
    ];

    // Act
    const content = assembleEdition(META, items);

    // Assess
    expect(sections(content)).toEqual([
      ['News', ['Lower', 'Upper']],
      ['culture', ['Culture new', 'Culture old']],
    ]);
  });

  it('takes the language most articles are in, else the configured one', () => {
    // Prepare
    const items = [article('One', { language: 'hy' }), article('Two', { language: 'hy' }), article('Three', { language: 'en' })];

    // Act
    const armenian = assembleEdition(META, items);
    const teasersOnly = assembleEdition({ ...META, language: 'ka' }, [teaser('Only a teaser')]);

    // Assess
    expect(armenian.language).toBe('hy');
    expect(teasersOnly.language).toBe('ka');
  });

  it('keeps the edition’s id, job and period', () => {
    // Act
    const content = assembleEdition(META, [article('Story')]);

    // Assess
    expect(content).toMatchObject({ id: META.id, job: 'daily', from: META.from, to: META.to });
  });
});

describe('Function: assembleEdition, with an editor\'s pick override', () => {
  const items = [
    article('First choice', { editorsChoice: true, publishedAt: '2026-11-27T09:00:00.000Z' }),
    article('Second choice', { editorsChoice: true, publishedAt: '2026-11-27T08:00:00.000Z' }),
    teaser('A teaser from the front page'),
    article('Plain story', { section: 'Analysis' }),
  ];

  it('leaves the content\'s own order when the override pins and unpins nothing', () => {
    // Act
    const content = assembleEdition(META, items, { pinned: [], unpinned: [] });

    // Assess
    expect(content).toEqual(assembleEdition(META, items));
  });

  it('moves pinned picks to the top in the editor\'s order, the rest after in their own order', () => {
    // Act
    const content = assembleEdition(META, items, { pinned: ['pick-28', 'second-choice'], unpinned: [] });

    // Assess
    expect(headlines(content)).toEqual(['A teaser from the front page', 'Second choice', 'First choice']);
  });

  it('promotes a pinned article of the period to a pick and takes it out of its section', () => {
    // Act
    const content = assembleEdition(META, items, { pinned: ['plain-story'], unpinned: [] });

    // Assess
    expect(headlines(content)).toEqual(['Plain story', 'First choice', 'Second choice', 'A teaser from the front page']);
    expect(sections(content)).toEqual([]);
  });

  it('takes unpinned picks out: an article goes back to its section, a teaser is left out', () => {
    // Act
    const content = assembleEdition(META, items, { pinned: ['first-choice'], unpinned: ['first-choice', 'pick-28'] });

    // Assess: unpinning wins over pinning the same story
    expect(headlines(content)).toEqual(['Second choice']);
    expect(sections(content)).toEqual([['News', ['First choice']], ['Analysis', ['Plain story']]]);
  });

  it('ignores ids that are not in the period and ids pinned twice', () => {
    // Act
    const content = assembleEdition(META, items, { pinned: ['gone', 'second-choice', 'second-choice'], unpinned: ['also-gone'] });

    // Assess
    expect(headlines(content)).toEqual(['Second choice', 'First choice', 'A teaser from the front page']);
    expect(storyCount(content)).toBe(4);
  });
});
