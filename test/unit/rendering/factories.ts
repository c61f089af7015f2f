/**
 * Fixtures for the rendering tests: branding, stored articles and edition contents.
 * Deterministic (no clock, no randomness).
 */
import type { StoredArticle } from '../../../functions/core/articles/types.ts';
import type { EditionContent, EditionPick, EditionSection } from '../../../functions/core/editions/types.ts';
import type { Branding } from '../../../functions/core/rendering/types.ts';
import { Token } from '../../../functions/core/editions/types.ts';

export const EDITION_URL = 'https://archive.example.com/editions/2024-05-01-daily.html';
export const ARCHIVE_URL = 'https://archive.example.com/';

/** Values a personaliser would put in place of the tokens (for tests that replace them). */
export const TOKEN_VALUES: Readonly<Record<Token, string>> = {
  [Token.NAME]: 'Zoë & "Ann"',
  [Token.UNSUBSCRIBE_URL]: 'https://api.example.com/unsubscribe?t=abc&s=1',
  [Token.PREFERENCES_URL]: 'https://api.example.com/preferences?t=abc',
  [Token.WEB_VIEW_URL]: EDITION_URL,
};

/**
 * Replaces every token the way a simple personaliser would (HTML-escaping for HTML).
 */
export function replaceTokens(body: string, html: boolean): string {
  let out = body;
  for (const [token, value] of Object.entries(TOKEN_VALUES)) {
    const safe = html ? value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;') : value;
    out = out.split(token).join(safe);
  }
  return out;
}

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

let counter = 0;

/** A stored article; `n` drives the id, URL and a publish time n minutes before 06:00 UTC. */
export function makeArticle(n: number, overrides: Partial<StoredArticle> = {}): StoredArticle {
  counter += 1;
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
    contentHash: `hash-${n}-${counter}`,
    keywords: ['ministers', 'tensions', 'border'],
    ...overrides,
  };
}

export function makePick(n: number, overrides: Partial<EditionPick> = {}): EditionPick {
  return {
    id: `pick-${n}`,
    headline: `Pick ${n}: Zürich and Tbilisi sign a cultural exchange — “a new chapter”`,
    section: 'Culture',
    summary: `Pick ${n} summary: the two cities agreed to exchange artists and students from next year.`,
    url: `https://www.commonspace.eu/culture/pick-${n}`,
    ...overrides,
  };
}

/** Spreads `count` articles over a few sections (most recent first within each section). */
export function makeSections(count: number, startAt = 1): EditionSection[] {
  const names = ['News', 'Analysis', 'Économie', 'Culture'];
  const sections: EditionSection[] = names.map((name) => ({ name, articles: [] }));
  for (let i = 0; i < count; i += 1) {
    const n = startAt + i;
    const section = sections[i % names.length];
    if (!section) continue;
    section.articles.push(makeArticle(n, { section: section.name }));
  }
  return sections.filter((s) => s.articles.length > 0);
}

/**
 * The everyday fixture: 2 picks (the first with an image) and `articles` articles, among
 * them one with non-ASCII text, one with a `<script>` title and a `javascript:` URL, and one
 * whose summary tries to look like a token.
 */
export function makeContent(articles = 13, overrides: Partial<EditionContent> = {}): EditionContent {
  const sections = makeSections(Math.max(0, articles - 3), 10);
  const special: StoredArticle[] = [
    makeArticle(1, {
      id: 'unicode',
      title: 'Ünïcødé: Грузия и Армения — 日本語のニュース 🎉',
      url: 'https://www.commonspace.eu/news/unicode',
      section: 'News',
      summary: 'Naïve café résumé: «quotes», “curly” and emoji 🚀 survive rendering.',
    }),
    makeArticle(2, {
      id: 'evil',
      title: 'Evil <script>alert(1)</script> & "quotes"',
      url: 'javascript:alert(1)',
      section: 'News',
      summary: 'An <img src=x onerror=alert(1)> summary that must be escaped.',
    }),
    makeArticle(3, {
      id: 'token-like',
      title: 'Token look-alike',
      url: 'https://www.commonspace.eu/news/token?ref=%%{unsubscribe_url}%%',
      section: 'News',
      summary: 'Summary mentioning %%{unsubscribe_url}%% and %%{name}%% as plain text.',
    }),
  ];
  const news = sections.find((s) => s.name === 'News');
  if (news) news.articles = [...special, ...news.articles];
  else sections.unshift({ name: 'News', articles: special });
  return {
    id: '2024-05-01-daily',
    job: 'daily',
    from: '2024-04-30T06:00:00.000Z',
    to: '2024-05-01T06:00:00.000Z',
    picks: [
      makePick(1, {
        image: { url: 'https://www.commonspace.eu/img/pick-1.jpg', alt: 'Signing ceremony in Zürich' },
      }),
      makePick(2),
    ],
    sections,
    language: 'en',
    ...overrides,
  };
}

/** Every headline a content shows, picks first. */
export function headlinesOf(content: EditionContent): string[] {
  return [...content.picks.map((p) => p.headline), ...content.sections.flatMap((s) => s.articles.map((a) => a.title))];
}
