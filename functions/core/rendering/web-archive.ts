/**
 * The public web archive: one HTML5 page per edition, an index of editions and an Atom feed.
 * Pure string building (no MJML): these pages are public, so they carry NO personal data
 * and NO personalisation tokens.
 */
import type { Branding } from './types.ts';
import type { EditionContent } from '../editions/types.ts';
import { escapeText, escapeXml, oneLine, safeHttpUrl } from './escape.ts';
import {
  buildDigestView,
  checkBranding,
  formatEditionDate,
  languageTag,
  type CheckedBranding,
  type StoryView,
} from './digest-model.ts';
import { RenderError } from '../errors.ts';

/** One published edition, as listed in the archive index and the feed. */
export interface ArchivedEdition {
  id: string;
  title: string;
  /** Public page of the edition (absolute http(s)). */
  url: string;
  /** ISO-8601. */
  publishedAt: string;
}

function styles(b: CheckedBranding): string {
  return `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: ${b.backgroundColor}; color: ${b.textColor};
  font: 17px/1.55 Helvetica, Arial, sans-serif; }
a { color: ${b.primaryColor}; }
a:focus-visible { outline: 3px solid ${b.primaryColor}; outline-offset: 2px; }
.skip { position: absolute; left: -9999px; }
.skip:focus { left: 1rem; top: 1rem; background: #fff; padding: .5rem 1rem; }
.wrap { max-width: 40rem; margin: 0 auto; padding: 1.5rem 1rem 2rem; }
.masthead { text-align: center; }
.masthead img { max-width: 10rem; height: auto; }
.site-name { font-size: 1.6rem; font-weight: bold; margin: .25rem 0 0; }
.site-name a { color: ${b.textColor}; text-decoration: none; }
h1 { font-size: 1.4rem; margin: 1.5rem 0 .5rem; }
h2 { font-size: 1.25rem; margin: 2rem 0 .75rem; }
h3 { font-size: 1.15rem; line-height: 1.3; margin: 0 0 .4rem; }
h3 a { color: ${b.textColor}; }
.card { background: #fff; border-radius: 6px; padding: 1rem 1.25rem; margin: 0 0 .75rem; overflow-wrap: anywhere; }
.hero { padding: 0; overflow: hidden; }
.hero .body { padding: 1rem 1.25rem 1.25rem; }
.hero h3 { font-size: 1.6rem; line-height: 1.25; }
.hero img { display: block; width: 100%; height: auto; }
.kicker { font-size: .8rem; letter-spacing: .06em; text-transform: uppercase; margin: 0 0 .25rem; }
.card p { margin: 0 0 .5rem; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
footer { font-size: .9rem; text-align: center; margin-top: 2rem; }
ol.editions { list-style: none; padding: 0; }
ol.editions li { background: #fff; border-radius: 6px; padding: .75rem 1rem; margin: 0 0 .5rem; }
@media (max-width: 30rem) { body { font-size: 16px; } .hero h3 { font-size: 1.3rem; } }
`.trim();
}

function page(b: CheckedBranding, lang: string, title: string, main: string, footer: string): string {
  const logo = b.logoUrl
    ? `<a href="${escapeText(b.siteUrl)}"><img src="${escapeText(b.logoUrl)}" alt="${escapeText(oneLine(b.siteName))}" width="160" height="48"></a>`
    : '';
  return `<!DOCTYPE html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeText(title)}</title>
<style>
${styles(b)}
</style>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<div class="wrap">
<header class="masthead">
${logo}
<p class="site-name"><a href="${escapeText(b.siteUrl)}">${escapeText(oneLine(b.siteName))}</a></p>
</header>
<main id="main">
${main}
</main>
<footer>
${footer}
<p>${b.postalAddress
    .split(/\r?\n/)
    .map((line) => escapeText(oneLine(line)))
    .filter(Boolean)
    .join('<br>')}</p>
</footer>
</div>
</body>
</html>
`;
}

function storyHtml(story: StoryView, hero: boolean, withKicker: boolean): string {
  const headline = story.url
    ? `<a href="${escapeText(story.url)}">${escapeText(story.headline)}</a>`
    : escapeText(story.headline);
  const image =
    hero && story.image
      ? `<img src="${escapeText(story.image.url)}" alt="${escapeText(story.image.alt)}" width="640" height="360">`
      : '';
  const body = [
    withKicker && story.section ? `<p class="kicker">${escapeText(story.section)}</p>` : '',
    `<h3>${headline}</h3>`,
    story.summary ? `<p>${escapeText(story.summary)}</p>` : '',
    story.url
      ? `<p><a href="${escapeText(story.url)}">Read more<span class="visually-hidden">: ${escapeText(story.headline)}</span></a></p>`
      : '',
  ]
    .filter(Boolean)
    .join('\n');
  // The anchor is what a URL-less story links to from the email (`<page>#<anchor>`).
  const id = story.anchor ? ` id="${escapeText(story.anchor)}"` : '';
  return hero
    ? `<article class="card hero"${id}>\n${image}\n<div class="body">\n${body}\n</div>\n</article>`
    : `<article class="card"${id}>\n${body}\n</article>`;
}

function editionTitle(content: EditionContent, lang: string): string {
  const kind = content.job === 'daily' ? 'Daily digest' : content.job === 'weekly' ? 'Weekly digest' : 'Digest';
  const date = formatEditionDate(content.to, lang);
  return date ? `${kind}, ${date}` : kind;
}

/**
 * The public web page of one edition: every story (no size limit), editor's choice first,
 * then the sections. Each story is an `<article>` with a stable id (its anchor, see
 * buildDigestView): the email links a story without a URL there. No personal data, no tokens.
 *
 * @example
 * ```ts
 * const html = renderEditionPage(content, {
 *   branding,
 *   archiveIndexUrl: 'https://archive.example.com/',
 *   subscribeUrl: 'https://api.example.com/subscribe',
 * });
 * ```
 */
export function renderEditionPage(
  content: EditionContent,
  options: { branding: Branding; archiveIndexUrl: string; subscribeUrl?: string },
): string {
  const b = checkBranding(options.branding);
  const archive = safeHttpUrl(options.archiveIndexUrl);
  if (!archive) throw new RenderError('archiveIndexUrl must be an absolute http(s) URL');
  const subscribe = subscribeLink(options.subscribeUrl);
  const lang = languageTag(content.language);
  const view = buildDigestView(content);
  const title = editionTitle(content, lang);
  const parts: string[] = [`<h1>${escapeText(title)}</h1>`];
  if (view.picks.length > 0) {
    parts.push(
      `<section aria-labelledby="editors-choice">\n<h2 id="editors-choice">Editor's choice</h2>\n${view.picks
        .map((pick, index) => storyHtml(pick, index === 0, true))
        .join('\n')}\n</section>`,
    );
  }
  view.sections.forEach((section, index) => {
    parts.push(
      `<section aria-labelledby="section-${index + 1}">\n<h2 id="section-${index + 1}">${escapeText(section.name)}</h2>\n${section.stories
        .map((story) => storyHtml(story, false, false))
        .join('\n')}\n</section>`,
    );
  });
  if (view.picks.length === 0 && view.sections.length === 0) parts.push('<p>This edition has no stories.</p>');
  const footer = `<p><a href="${escapeText(archive)}">All editions</a>${subscribe ? ` · ${subscribe}` : ''} · <a href="${escapeText(b.siteUrl)}">${escapeText(oneLine(b.siteName))}</a></p>`;
  return page(b, lang, `${title} — ${oneLine(b.siteName)}`, parts.join('\n'), footer);
}

/**
 * The page behind an alert digest's "and N more": every article the digest matched, newest
 * first. Public by an unguessable address: no keywords, no personal data, no tokens.
 *
 * @example
 * ```ts
 * const html = renderAlertMatchesPage(stories, { branding, language: 'en' });
 * ```
 */
export function renderAlertMatchesPage(stories: readonly StoryView[], options: { branding: Branding; language: string }): string {
  const b = checkBranding(options.branding);
  const lang = languageTag(options.language);
  const title = stories.length === 1 ? '1 article for your alerts' : `${stories.length} articles for your alerts`;
  const main = `<h1>${escapeText(title)}</h1>\n${stories.map((story) => storyHtml(story, false, true)).join('\n')}`;
  const footer = `<p><a href="${escapeText(b.siteUrl)}">${escapeText(oneLine(b.siteName))}</a></p>`;
  return page(b, lang, `${title} — ${oneLine(b.siteName)}`, main, footer);
}

function byNewest(editions: readonly ArchivedEdition[]): ArchivedEdition[] {
  const time = (e: ArchivedEdition): number => {
    const ms = Date.parse(e.publishedAt);
    return Number.isFinite(ms) ? ms : 0;
  };
  return [...editions].sort((a, b) => time(b) - time(a));
}

function isoOrUndefined(value: string): string | undefined {
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}

/** The "Subscribe" link to the subscribe page, or '' without a usable URL. */
function subscribeLink(url: string | undefined): string {
  const safe = url === undefined ? undefined : safeHttpUrl(url);
  if (url !== undefined && !safe) throw new RenderError('subscribeUrl must be an absolute http(s) URL');
  return safe ? `<a href="${escapeText(safe)}">Subscribe</a>` : '';
}

/**
 * The archive's index page: every edition, newest first, linking to its page; with
 * `subscribeUrl`, a "Subscribe" link to the subscribe page under the heading and in the footer.
 *
 * @throws RenderError for a `subscribeUrl` that is not an absolute http(s) URL.
 * @example
 * ```ts
 * renderArchiveIndex(
 *   [{ id: 'e1', title: 'Daily digest, May 1, 2024', url: 'https://…/e1.html', publishedAt: '2024-05-01T06:00:00Z' }],
 *   branding,
 *   { subscribeUrl: 'https://api.example.com/subscribe' },
 * );
 * ```
 */
export function renderArchiveIndex(
  editions: readonly ArchivedEdition[],
  branding: Branding,
  options: { subscribeUrl?: string } = {},
): string {
  const b = checkBranding(branding);
  const subscribe = subscribeLink(options.subscribeUrl);
  const items = byNewest(editions).map((edition) => {
    const url = safeHttpUrl(edition.url);
    const title = escapeText(oneLine(edition.title) || edition.id);
    const iso = isoOrUndefined(edition.publishedAt);
    const date = iso ? ` <time datetime="${iso}">${escapeText(formatEditionDate(iso, 'en'))}</time>` : '';
    return `<li>${url ? `<a href="${escapeText(url)}">${title}</a>` : title}${date}</li>`;
  });
  const main = [
    '<h1>All editions</h1>',
    subscribe ? `<p class="subscribe">${subscribe} to get every edition by email.</p>` : '',
    items.length > 0 ? `<ol class="editions">\n${items.join('\n')}\n</ol>` : '<p>No edition has been published yet.</p>',
  ]
    .filter(Boolean)
    .join('\n');
  const footer = `<p>${subscribe ? `${subscribe} · ` : ''}<a href="${escapeText(b.siteUrl)}">${escapeText(oneLine(b.siteName))}</a></p>`;
  return page(b, 'en', `Archive — ${oneLine(b.siteName)}`, main, footer);
}

/**
 * The Atom 1.0 feed of the archive: one entry per edition, newest first. Valid XML: every
 * value is escaped and characters XML forbids are dropped.
 *
 * @example
 * ```ts
 * renderFeed(editions, {
 *   branding,
 *   feedUrl: 'https://archive.example.com/feed.xml',
 *   archiveUrl: 'https://archive.example.com/',
 * });
 * ```
 */
export function renderFeed(
  editions: readonly ArchivedEdition[],
  options: { branding: Branding; feedUrl: string; archiveUrl: string },
): string {
  const b = checkBranding(options.branding);
  const feedUrl = safeHttpUrl(options.feedUrl);
  const archiveUrl = safeHttpUrl(options.archiveUrl);
  if (!feedUrl || !archiveUrl) throw new RenderError('feedUrl and archiveUrl must be absolute http(s) URLs');
  const sorted = byNewest(editions);
  const newest = sorted.map((e) => isoOrUndefined(e.publishedAt)).find((iso) => iso !== undefined);
  const updated = newest ?? new Date(0).toISOString();
  const entries = sorted.map((edition) => {
    const url = safeHttpUrl(edition.url);
    const id = url ?? `urn:news-digest:edition:${encodeURIComponent(edition.id)}`;
    const when = isoOrUndefined(edition.publishedAt) ?? updated;
    return [
      '  <entry>',
      `    <id>${escapeXml(id)}</id>`,
      `    <title type="text">${escapeXml(oneLine(edition.title) || edition.id)}</title>`,
      url ? `    <link rel="alternate" type="text/html" href="${escapeXml(url)}"/>` : '',
      `    <published>${when}</published>`,
      `    <updated>${when}</updated>`,
      '  </entry>',
    ]
      .filter(Boolean)
      .join('\n');
  });
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<feed xmlns="http://www.w3.org/2005/Atom">',
    `  <id>${escapeXml(feedUrl)}</id>`,
    `  <title type="text">${escapeXml(oneLine(b.siteName))}</title>`,
    `  <updated>${updated}</updated>`,
    `  <link rel="self" type="application/atom+xml" href="${escapeXml(feedUrl)}"/>`,
    `  <link rel="alternate" type="text/html" href="${escapeXml(archiveUrl)}"/>`,
    `  <author><name>${escapeXml(oneLine(b.fromName) || oneLine(b.siteName))}</name></author>`,
    ...entries,
    '</feed>',
    '',
  ].join('\n');
}
