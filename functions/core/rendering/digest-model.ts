/**
 * The view of an edition that every output (MJML email, plain text, web page) is built from:
 * cleaned one-line text, only http(s) URLs, each story once. Also the order in which stories
 * are left out when the email is too large. No MJML here.
 */
import type { Branding } from './types.ts';
import type { EditionContent } from '../editions/types.ts';
import type { StoredArticle } from '../articles/types.ts';
import { oneLine, safeHttpUrl } from './escape.ts';
import { RenderError } from '../errors.ts';

/** One story as shown: a pick or an article. Text is plain (not yet escaped). */
export interface StoryView {
  /** Unique within the view. */
  key: string;
  headline: string;
  summary: string;
  section: string;
  /** Absolute http(s) URL, when the source had a safe one. */
  url?: string;
  /** The story's id on the edition's web page (`<article id>`); set by buildDigestView. */
  anchor?: string;
  /**
   * Where the story links when it has no URL of its own: its place on the edition's web page
   * (`<page>#<anchor>`); set by buildDigestView when given the page URL. See {@link storyLink}.
   */
  fallbackUrl?: string;
  /** ms since epoch (0 when unknown): the least recent are left out first. */
  publishedAt: number;
  /** Only for picks (hero image) — http(s) only, alt never empty. */
  image?: { url: string; alt: string };
  /** Alert digests: the keyword that matched. */
  keyword?: string;
}

/** A section with the stories shown in it. */
export interface SectionView {
  name: string;
  stories: StoryView[];
}

/** Everything an output needs about an edition's stories. */
export interface DigestView {
  picks: StoryView[];
  sections: SectionView[];
}

/** Branding with its URLs checked. */
export interface CheckedBranding extends Branding {
  siteUrl: string;
  logoUrl?: string;
}

const HEX_COLOR = /^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/;

/**
 * Checks the branding values that end up in CSS or URLs (config validates them too).
 *
 * @throws RenderError for a colour that is not `#rgb`/`#rrggbb` or a non-http(s) site/logo URL.
 * @example
 * ```ts
 * checkBranding({ ...branding, primaryColor: 'red;}' }); // throws RenderError
 * ```
 */
export function checkBranding(branding: Branding): CheckedBranding {
  for (const key of ['primaryColor', 'textColor', 'backgroundColor'] as const) {
    if (!HEX_COLOR.test(branding[key])) throw new RenderError(`Branding ${key} is not a hex colour`);
  }
  const siteUrl = safeHttpUrl(branding.siteUrl);
  if (!siteUrl) throw new RenderError('Branding siteUrl must be an absolute http(s) URL');
  const logoUrl = branding.logoUrl === undefined || branding.logoUrl === '' ? undefined : safeHttpUrl(branding.logoUrl);
  if (branding.logoUrl && !logoUrl) throw new RenderError('Branding logoUrl must be an absolute http(s) URL');
  const { logoUrl: _ignored, ...rest } = branding;
  return logoUrl ? { ...rest, siteUrl, logoUrl } : { ...rest, siteUrl };
}

/**
 * A BCP 47-looking language tag for `lang`, else `und`.
 *
 * @example
 * ```ts
 * languageTag('nl-BE'); // 'nl-BE'
 * languageTag('"><x'); // 'und'
 * ```
 */
export function languageTag(language: string | undefined): string {
  const tag = (language ?? '').trim();
  return /^[a-zA-Z]{2,3}(?:-[a-zA-Z0-9]{1,8})*$/.test(tag) ? tag : 'und';
}

function time(iso: string | undefined): number {
  const ms = iso ? Date.parse(iso) : Number.NaN;
  return Number.isFinite(ms) ? ms : 0;
}

function urlKey(url: string | undefined): string | undefined {
  return url?.replace(/#.*$/, '').replace(/\/$/, '').toLowerCase();
}

/**
 * Turns a stored article into a story view.
 *
 * @example
 * ```ts
 * articleView(article).url; // undefined for a `javascript:` URL
 * ```
 */
export function articleView(article: StoredArticle, key: string): StoryView {
  const url = safeHttpUrl(article.url);
  return {
    key,
    headline: oneLine(article.title) || 'Untitled',
    summary: oneLine(article.summary),
    section: oneLine(article.section),
    ...(url ? { url } : {}),
    publishedAt: time(article.publishedAt),
  };
}

/**
 * Where a story links: its own URL, else its place on the edition's web page, else nowhere.
 *
 * @example
 * ```ts
 * storyLink({ ...story, url: undefined, fallbackUrl: 'https://…/e1.html#story-talks' }); // 'https://…/e1.html#story-talks'
 * ```
 */
export function storyLink(story: StoryView): string | undefined {
  return story.url ?? story.fallbackUrl;
}

/** Longest slug kept in an anchor (the id stays readable in a URL). */
const MAX_ANCHOR_SLUG = 60;
/** Latin letters that Unicode does not decompose into a base letter and an accent. */
const LETTERS: Readonly<Record<string, string>> = { ø: 'o', æ: 'ae', œ: 'oe', ß: 'ss', ł: 'l', đ: 'd', ı: 'i' };

/**
 * A story's anchor on the web page: `story-` and an ASCII slug of its headline (accents
 * dropped), else of its view key; `-2`, `-3`… when taken. The same content always gives the
 * same anchors, so the email and the web page agree.
 */
function anchorFor(story: StoryView, taken: Set<string>): string {
  const full = story.headline
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[øæœßłđı]/g, (c) => LETTERS[c] ?? '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  // Cut a long slug at a word boundary.
  const cut = full.length > MAX_ANCHOR_SLUG ? full.slice(0, MAX_ANCHOR_SLUG + 1).replace(/-[^-]*$/, '') : full;
  const slug = cut.slice(0, MAX_ANCHOR_SLUG);
  const base = `story-${slug || story.key}`;
  let anchor = base;
  for (let n = 2; taken.has(anchor); n += 1) anchor = `${base}-${n}`;
  taken.add(anchor);
  return anchor;
}

/**
 * Builds the view of an edition: picks first, then the sections in order. An article that is
 * also a pick (same id or URL), or that appears twice, is shown once; empty sections go. Every
 * story gets its web-page anchor; with `pageUrl` (the edition's web page), a story without a
 * URL links to its place there (`fallbackUrl`).
 *
 * @example
 * ```ts
 * const view = buildDigestView(content, { pageUrl: 'https://archive.example.com/editions/daily-2024-05-01.html' });
 * view.picks[0]?.headline;
 * storyLink(view.picks[0]!); // its URL, or 'https://archive.example.com/editions/daily-2024-05-01.html#story-…'
 * ```
 */
export function buildDigestView(content: EditionContent, options: { pageUrl?: string } = {}): DigestView {
  const seenIds = new Set<string>();
  const seenUrls = new Set<string>();
  const isNew = (id: string, url: string | undefined): boolean => {
    const u = urlKey(url);
    if (seenIds.has(id) || (u !== undefined && seenUrls.has(u))) return false;
    seenIds.add(id);
    if (u !== undefined) seenUrls.add(u);
    return true;
  };
  const picks: StoryView[] = [];
  for (const pick of content.picks) {
    const url = safeHttpUrl(pick.url);
    if (!isNew(pick.id, url)) continue;
    const imageUrl = safeHttpUrl(pick.image?.url);
    const headline = oneLine(pick.headline) || 'Untitled';
    picks.push({
      key: `p${picks.length}`,
      headline,
      summary: oneLine(pick.summary),
      section: oneLine(pick.section),
      ...(url ? { url } : {}),
      publishedAt: Number.POSITIVE_INFINITY,
      ...(imageUrl ? { image: { url: imageUrl, alt: oneLine(pick.image?.alt ?? '') || headline } } : {}),
    });
  }
  const sections: SectionView[] = [];
  let n = 0;
  for (const section of content.sections) {
    const stories: StoryView[] = [];
    for (const article of section.articles) {
      const view = articleView(article, `a${n}`);
      n += 1;
      if (isNew(article.id, view.url)) stories.push(view);
    }
    const name = oneLine(section.name) || stories[0]?.section || 'News';
    if (stories.length > 0) sections.push({ name, stories });
  }
  const view = { picks, sections };
  const taken = new Set<string>();
  for (const story of allStories(view)) {
    story.anchor = anchorFor(story, taken);
    if (!story.url && options.pageUrl) story.fallbackUrl = `${options.pageUrl}#${story.anchor}`;
  }
  return view;
}

/**
 * Number of stories in a view.
 *
 * @example
 * ```ts
 * storyCount({ picks: [], sections: [] }); // 0
 * ```
 */
export function storyCount(view: DigestView): number {
  return view.picks.length + view.sections.reduce((sum, s) => sum + s.stories.length, 0);
}

/**
 * The order in which stories are left out when the email is too large: non-pick stories
 * least recent first (ties: the later one first), then picks from the last one.
 *
 * @example
 * ```ts
 * const order = dropOrder(view); // order[0] is the oldest article
 * ```
 */
export function dropOrder(view: DigestView): StoryView[] {
  const articles = view.sections.flatMap((s) => s.stories);
  const position = new Map(articles.map((story, index) => [story.key, index]));
  const sorted = [...articles].sort(
    (a, b) => a.publishedAt - b.publishedAt || (position.get(b.key) ?? 0) - (position.get(a.key) ?? 0),
  );
  return [...sorted, ...[...view.picks].reverse()];
}

/**
 * A copy of the view without the given stories (sections left empty go).
 *
 * @example
 * ```ts
 * const smaller = withoutStories(view, new Set(dropOrder(view).slice(0, 3).map((s) => s.key)));
 * ```
 */
export function withoutStories(view: DigestView, keys: ReadonlySet<string>): DigestView {
  return {
    picks: view.picks.filter((s) => !keys.has(s.key)),
    sections: view.sections
      .map((section) => ({ name: section.name, stories: section.stories.filter((s) => !keys.has(s.key)) }))
      .filter((section) => section.stories.length > 0),
  };
}

/**
 * The lead story: the first pick, else the first article.
 *
 * @example
 * ```ts
 * leadStory(view)?.headline;
 * ```
 */
export function leadStory(view: DigestView): StoryView | undefined {
  return view.picks[0] ?? view.sections[0]?.stories[0];
}

/**
 * All stories in display order.
 *
 * @example
 * ```ts
 * allStories(view).map((s) => s.headline);
 * ```
 */
export function allStories(view: DigestView): StoryView[] {
  return [...view.picks, ...view.sections.flatMap((s) => s.stories)];
}

/**
 * Formats the edition date for subjects and titles (UTC, long style, in the edition's
 * language when the runtime knows it).
 *
 * @example
 * ```ts
 * formatEditionDate('2024-05-01T06:00:00Z', 'en'); // 'May 1, 2024'
 * ```
 */
export function formatEditionDate(iso: string, language: string): string {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return '';
  const options: Intl.DateTimeFormatOptions = { dateStyle: 'long', timeZone: 'UTC' };
  try {
    return new Intl.DateTimeFormat(language, options).format(ms);
  } catch {
    return new Intl.DateTimeFormat('en', options).format(ms);
  }
}
