/**
 * Deterministic fixtures of the benchmarks: branding, a 15-story edition (2 editor's picks,
 * the first with an image, and 13 articles among which non-ASCII, HTML-looking and
 * token-looking text), recipients, and article files for the content bucket. Copied from the
 * rendering test factories so that the benchmarks do not depend on test code.
 */
import type { StoredArticle } from '../../functions/core/articles/types.ts';
import type { EditionContent, EditionPick, EditionSection } from '../../functions/core/editions/types.ts';
import type { Branding } from '../../functions/core/rendering/types.ts';
import type { MessageHeaders, Recipient } from '../../functions/core/rendering/personalizer.ts';

export const EDITION_URL = 'https://archive.example.com/editions/2024-05-01-daily.html';

export function makeBranding(overrides: Partial<Branding> = {}): Branding {
  return {
    siteName: 'CommonSpace Digest',
    siteUrl: 'https://www.commonspace.eu',
    logoUrl: 'https://www.commonspace.eu/logo.png',
    primaryColor: '#0b5394',
    textColor: '#1f2328',
    backgroundColor: '#f4f5f7',
    fromName: 'CommonSpace Digest',
    fromAddress: 'digest@commonspace.eu',
    postalAddress: 'CommonSpace.eu, Stationsplein 1, 2511 AA The Hague, Netherlands',
    ...overrides,
  };
}

const SUMMARY =
  'Ministers met on the margins of the annual council to discuss growing tensions in the region, ' +
  'the state of the ceasefire and a plan to reopen the border crossings before the winter; ' +
  'observers said the talks were frank and that a follow-up meeting is planned next month.';

function makeArticle(n: number, overrides: Partial<StoredArticle> = {}): StoredArticle {
  const publishedAt = new Date(Date.UTC(2024, 4, 1, 6, 0) - n * 60_000).toISOString();
  const url = `https://www.commonspace.eu/news/story-${n}-tensions-in-the-region`;
  return {
    id: url,
    title: `Story ${n}: ministers discuss growing tensions and a plan for the border crossings`,
    url,
    publishedAt,
    section: 'News',
    summary: SUMMARY.slice(0, 290),
    bodyText: `${SUMMARY}\n\n${SUMMARY}`,
    tags: ['politics'],
    editorsChoice: false,
    breaking: false,
    language: 'en',
    ingestedAt: publishedAt,
    updated: false,
    sourceKey: `articles/story-${n}.json`,
    contentHash: `hash-${n}`,
    keywords: ['ministers', 'tensions', 'border'],
    ...overrides,
  };
}

function makePick(n: number, overrides: Partial<EditionPick> = {}): EditionPick {
  return {
    id: `pick-${n}`,
    headline: `Pick ${n}: Zürich and Tbilisi sign a cultural exchange — “a new chapter”`,
    section: 'Culture',
    summary: `Pick ${n} summary: the two cities agreed to exchange artists and students from next year.`,
    url: `https://www.commonspace.eu/culture/pick-${n}`,
    ...overrides,
  };
}

function makeSections(count: number, startAt: number): EditionSection[] {
  const names = ['News', 'Analysis', 'Économie', 'Culture'];
  const sections: EditionSection[] = names.map((name) => ({ name, articles: [] }));
  for (let i = 0; i < count; i += 1) {
    const section = sections[i % names.length];
    section?.articles.push(makeArticle(startAt + i, { section: section.name }));
  }
  return sections.filter((s) => s.articles.length > 0);
}

/** The benchmark edition: 2 picks + `articles` articles (15 stories by default). */
export function makeEdition(articles = 13, id = '2024-05-01-daily'): EditionContent {
  const sections = makeSections(Math.max(0, articles - 3), 10);
  const special: StoredArticle[] = [
    makeArticle(1, {
      id: 'unicode',
      title: 'Ünïcødé: Грузия и Армения — 日本語のニュース 🎉',
      url: 'https://www.commonspace.eu/news/unicode',
      summary: 'Naïve café résumé: «quotes», “curly” and emoji 🚀 survive rendering.',
    }),
    makeArticle(2, {
      id: 'evil',
      title: 'Evil <script>alert(1)</script> & "quotes"',
      url: 'javascript:alert(1)',
      summary: 'An <img src=x onerror=alert(1)> summary that must be escaped.',
    }),
    makeArticle(3, {
      id: 'token-like',
      title: 'Token look-alike',
      url: 'https://www.commonspace.eu/news/token?ref=%%{unsubscribe_url}%%',
      summary: 'Summary mentioning %%{unsubscribe_url}%% and %%{name}%% as plain text.',
    }),
  ];
  const news = sections.find((s) => s.name === 'News');
  if (news) news.articles = [...special, ...news.articles];
  else sections.unshift({ name: 'News', articles: special });
  return {
    id,
    job: 'daily',
    from: '2024-04-30T06:00:00.000Z',
    to: '2024-05-01T06:00:00.000Z',
    picks: [
      makePick(1, { image: { url: 'https://www.commonspace.eu/img/pick-1.jpg', alt: 'Signing ceremony in Zürich' } }),
      makePick(2),
    ],
    sections,
    language: 'en',
  };
}

export function storiesIn(content: EditionContent): number {
  return content.picks.length + content.sections.reduce((n, s) => n + s.articles.length, 0);
}

export const HEADERS: MessageHeaders = {
  fromName: 'CommonSpace Digest',
  fromAddress: 'digest@commonspace.eu',
  subject: '',
  listId: 'digest.commonspace.eu',
  messageIdDomain: 'commonspace.eu',
};

const NAMES = ['Ann', 'Zoë & "Bo"', 'Łukasz', 'Mary-Jane O\'Neil', '', 'Гиорги', 'Chen 陈', 'Ana <b>'];

/** A recipient: names cycle through ASCII, quoted, non-ASCII, HTML-looking and empty. */
export function makeRecipient(i: number): Recipient & { id: string } {
  const id = `s_${i.toString(36).padStart(6, '0')}`;
  const name = NAMES[i % NAMES.length] ?? '';
  return {
    id,
    email: `reader${i}@news-digest.test`,
    ...(name ? { name } : {}),
    unsubscribeUrl: `https://api.example.com/unsubscribe?token=${id}.u.${'a'.repeat(43)}`,
    preferencesUrl: `https://api.example.com/preferences?token=${id}.p.${'b'.repeat(43)}`,
    webViewUrl: EDITION_URL,
  };
}

/** One article file (JSON) for the content bucket; every tenth is an editor's pick. */
export function articleFile(i: number, now: Date): { key: string; body: string } {
  const sections = ['News', 'Analysis', 'Économie', 'Culture', 'Opinion'];
  const published = new Date(now.getTime() - (i + 1) * 60_000).toISOString();
  return {
    key: `articles/${String(i).padStart(5, '0')}.json`,
    body: JSON.stringify({
      title: `Story ${i}: ministers discuss growing tensions and a plan for the border crossings`,
      url: `https://www.commonspace.eu/news/story-${i}`,
      publishedAt: published,
      section: sections[i % sections.length],
      summary: SUMMARY.slice(0, 280),
      body: `${SUMMARY}\n\n${SUMMARY}\n\n${SUMMARY}`,
      tags: ['politics', `tag${i % 17}`],
      editorsChoice: i % 10 === 0,
      ...(i % 7 === 0 ? { image: { url: `https://www.commonspace.eu/img/${i}.jpg`, alt: `Photo ${i}` } } : {}),
      language: 'en',
    }),
  };
}
