/**
 * Renders an edition's email ONCE: MJML layout + partials (`templates/`) → HTML, plus the
 * plain-text part, subject and preheader. Personalisation tokens (`%%{name}%%` …) stay in
 * the output and are replaced per recipient by the personaliser.
 *
 * This is the only module that imports MJML. The per-recipient send path must not import
 * it (it imports `escape.ts`, `types.ts` and `render-error.ts` only).
 *
 * Size: the HTML part must stay under `maxHtmlBytes` (90 KB). The size of each variant is
 * estimated from the MJML fragments before compiling (bytes of the filled fragments plus a
 * measured overhead per MJML component), the least recent articles are left out until the
 * estimate fits, and MJML compiles once. Only when the real size is still over does it
 * compile again with the estimate corrected by the measured error (at most 3 compiles).
 */
import path from 'node:path';
import mjml2html from 'mjml';
import { Token, type Branding, type RenderedEdition } from './types.ts';
import type { EditionContent } from '../editions/types.ts';
import type { StoredArticle } from '../articles/types.ts';
import { defuseTokens, escapeHtml, escapeText, oneLine, safeHttpUrl, tokensIn } from './escape.ts';
import { RenderError } from './render-error.ts';
import { assertIncludesInside, fillTemplate, readTemplate, resolveTemplatesDir, type Slots } from './templates.ts';
import {
  allStories,
  articleView,
  buildDigestView,
  checkBranding,
  dropOrder,
  formatEditionDate,
  languageTag,
  leadStory,
  storyCount,
  withoutStories,
  type CheckedBranding,
  type DigestView,
  type StoryView,
} from './digest-model.ts';
import { buildPreheader, buildSubject, DEFAULT_SUBJECT_PATTERN } from './subject.ts';
import { alertText, confirmationText, digestText } from './plain-text.ts';

export { RenderError } from './render-error.ts';

/** Options of {@link renderEdition} and {@link renderAlertDigest}. */
export interface RenderOptions {
  branding: Branding;
  /** Public web page of this edition (the "More stories" link). */
  editionUrl: string;
  /** Default `'{site}: {headline}{more}'`; also `{date}`. */
  subjectPattern?: string;
  /** Budget of the HTML part in UTF-8 bytes; default 90 × 1024. */
  maxHtmlBytes?: number;
  /** Folder of the MJML templates; default the project's `templates/`. */
  templatesDir?: string;
}

/** Default budget of the HTML part (bytes): Gmail clips messages above ~102 KB. */
export const DEFAULT_MAX_HTML_BYTES = 90 * 1024;
/** Most MJML compiles one render may take to fit the budget. */
export const MAX_COMPILES_PER_RENDER = 3;

let compileCount = 0;

/**
 * Number of MJML compiles done in this process (for benchmarks and tests).
 *
 * @example
 * ```ts
 * const before = mjmlCompileCount();
 * await renderEdition(content, options);
 * mjmlCompileCount() - before; // 1
 * ```
 */
export function mjmlCompileCount(): number {
  return compileCount;
}

/*
 * Size estimate. Bytes the compiled, minified HTML adds per MJML component beyond the
 * component's own MJML source, and per layout (head, styles, header, footer), measured with
 * mjml 5.4 on these templates (test/unit/rendering checks the estimate stays close).
 */
const COMPONENT_OVERHEAD: Readonly<Record<string, number>> = {
  'mj-section': 800,
  'mj-column': 340,
  'mj-text': 268,
  'mj-image': 460,
  'mj-button': 700,
};
const LAYOUT_OVERHEAD: Readonly<Record<Layout, number>> = {
  'digest.mjml': 5600,
  'alert-digest.mjml': 7200,
  'confirmation.mjml': 0,
};
/** Aim this far under the budget with the first estimate. */
const FIRST_TRY_MARGIN = 0.97;

type Layout = 'digest.mjml' | 'alert-digest.mjml' | 'confirmation.mjml';

const COMPONENT = /<(mj-[a-z]+)\b/g;

function estimateBytes(layout: Layout, slots: Slots): number {
  let total = LAYOUT_OVERHEAD[layout];
  for (const value of Object.values(slots)) {
    // Minification collapses the templates' indentation, so count collapsed white space.
    total += Buffer.byteLength(value.replace(/\s+/g, ' '), 'utf8');
    for (const match of value.matchAll(COMPONENT)) total += COMPONENT_OVERHEAD[match[1] ?? ''] ?? 0;
  }
  return total;
}

/** Diagnostics of the last render (benchmarks, tests). */
export interface RenderStats {
  layout: string;
  /** MJML compiles this render took (1 unless the first estimate was too low). */
  compiles: number;
  /** Estimate of the variant compiled last, and its real size (UTF-8 bytes). */
  estimatedBytes: number;
  htmlBytes: number;
  shown: number;
  omitted: number;
}

let lastStats: RenderStats | undefined;

/**
 * Diagnostics of the most recent {@link renderEdition} / {@link renderAlertDigest} call in
 * this process (not meaningful when renders run concurrently).
 *
 * @example
 * ```ts
 * await renderEdition(content, options);
 * lastRenderStats()?.compiles; // 1
 * ```
 */
export function lastRenderStats(): RenderStats | undefined {
  return lastStats;
}

interface Context {
  dir: string;
  branding: CheckedBranding;
  /** Branding slots, available to every template. */
  brand: Slots;
}

function context(branding: Branding, templatesDir: string | undefined): Context {
  const checked = checkBranding(branding);
  const dir = resolveTemplatesDir(templatesDir);
  const postal = checked.postalAddress
    .split(/\r?\n/)
    .map((line) => escapeText(oneLine(line)))
    .filter(Boolean)
    .join('<br />');
  const logo = checked.logoUrl
    ? fillTemplate(
        readTemplate(dir, 'partials/logo.mjml'),
        {
          logo_url: escapeHtml(checked.logoUrl),
          site_url: escapeHtml(checked.siteUrl),
          site_name: escapeText(oneLine(checked.siteName)),
        },
        'logo',
      )
    : '';
  return {
    dir,
    branding: checked,
    brand: {
      site_name: escapeText(oneLine(checked.siteName)),
      site_url: escapeHtml(checked.siteUrl),
      primary_color: checked.primaryColor,
      text_color: checked.textColor,
      background_color: checked.backgroundColor,
      postal_address: postal,
      logo,
    },
  };
}

function fragment(ctx: Context, name: string, slots: Slots): string {
  return fillTemplate(readTemplate(ctx.dir, `partials/${name}.mjml`), { ...ctx.brand, ...slots }, name);
}

function headlineHtml(ctx: Context, story: StoryView): string {
  const text = escapeText(story.headline);
  if (!story.url) return text;
  return `<a href="${escapeText(story.url)}" style="color:${ctx.branding.textColor};text-decoration:none;">${text}</a>`;
}

function readMoreHtml(ctx: Context, story: StoryView): string {
  if (!story.url) return '';
  return `<a href="${escapeText(story.url)}" style="color:${ctx.branding.primaryColor};font-weight:bold;">Read more</a>`;
}

function storySlots(ctx: Context, story: StoryView): Record<string, string> {
  return {
    headline: headlineHtml(ctx, story),
    summary: escapeText(story.summary),
    section: escapeText(story.section),
    read_more: readMoreHtml(ctx, story),
  };
}

function pickFragment(ctx: Context, story: StoryView, hero: boolean): string {
  if (!hero) return fragment(ctx, 'pick-compact', storySlots(ctx, story));
  const image = story.image
    ? fragment(ctx, 'pick-image', {
        src: escapeText(story.image.url),
        alt: escapeText(story.image.alt),
        href_attr: story.url ? `href="${escapeText(story.url)}"` : '',
      })
    : '';
  return fragment(ctx, 'pick-hero', { ...storySlots(ctx, story), image });
}

function omittedNote(omitted: number): string {
  return omitted === 1
    ? '1 more story did not fit in this email.'
    : `${omitted} more stories did not fit in this email.`;
}

function moreStories(ctx: Context, omitted: number, editionUrl: string): string {
  if (omitted === 0) return '';
  return fragment(ctx, 'more-stories', { omitted_note: escapeText(omittedNote(omitted)), edition_url: escapeText(editionUrl) });
}

/** Caches the filled fragment of each story: a render estimates several variants. */
class FragmentCache {
  private readonly cache = new Map<string, string>();
  public get(key: string, build: () => string): string {
    let value = this.cache.get(key);
    if (value === undefined) {
      value = build();
      this.cache.set(key, value);
    }
    return value;
  }
}

/** Slot values that depend on the stories shown. */
type Variant = (view: DigestView, omitted: number) => Slots;

interface Fitted {
  view: DigestView;
  omitted: number;
  html: string;
  compiles: number;
}

async function compile(ctx: Context, layout: Layout, slots: Slots): Promise<string> {
  assertIncludesInside(ctx.dir, layout);
  const source = readTemplate(ctx.dir, layout);
  const all: Slots = { ...ctx.brand, ...slots };
  compileCount += 1;
  let result: Awaited<ReturnType<typeof mjml2html>>;
  try {
    result = await mjml2html(source, {
      validationLevel: 'strict',
      filePath: path.join(ctx.dir, layout),
      ignoreIncludes: false,
      keepComments: false,
      minify: true,
      // No SVG in our templates; htmlnano's SVG module would only warn that svgo is missing.
      minifyOptions: { minifyCss: false, minifySvg: false, removeComments: 'safe' } as Record<string, unknown>,
      fonts: {},
      preprocessors: [(xml: string) => fillTemplate(xml, all, layout)],
    });
  } catch (error) {
    if (error instanceof RenderError) throw error;
    const details = mjmlErrors(error);
    throw new RenderError(`MJML could not compile ${layout}${summarize(details)}`, {
      cause: error,
      details,
    });
  }
  if (result.errors.length > 0) {
    const details = result.errors.map((e) => e.formattedMessage);
    throw new RenderError(`MJML reported errors in ${layout}${summarize(details)}`, { details });
  }
  if (result.html.includes('mj-include denied') || result.html.includes('mj-include fails')) {
    throw new RenderError(`An mj-include of ${layout} could not be resolved inside the templates folder`);
  }
  return result.html;
}

function summarize(details: readonly string[]): string {
  if (details.length === 0) return '';
  const shown = [...new Set(details)].slice(0, 3).join('; ');
  return details.length > 3 ? `: ${shown} (${details.length} problems)` : `: ${shown}`;
}

function mjmlErrors(error: unknown): string[] {
  if (typeof error === 'object' && error !== null && 'errors' in error && Array.isArray(error.errors)) {
    return error.errors.map((e: unknown) =>
      typeof e === 'object' && e !== null && 'formattedMessage' in e ? String(e.formattedMessage) : String(e),
    );
  }
  return [error instanceof Error ? error.message : String(error)];
}

/**
 * Picks the largest variant whose estimate fits, compiles it, and recompiles with a smaller
 * variant only when the real HTML is over the budget.
 */
async function fit(
  ctx: Context,
  layout: Layout,
  view: DigestView,
  variant: Variant,
  maxBytes: number,
): Promise<Fitted> {
  const order = dropOrder(view);
  const total = storyCount(view);
  const variantFor = (dropped: number): { view: DigestView; slots: Slots } => {
    const smaller = dropped === 0 ? view : withoutStories(view, new Set(order.slice(0, dropped).map((s) => s.key)));
    return { view: smaller, slots: { ...ctx.brand, ...variant(smaller, dropped) } };
  };
  /** Fewest stories to drop so that estimate × correction ≤ target (binary search). */
  const choose = (target: number, correction: number, atLeast: number): number => {
    let lo = atLeast;
    let hi = total - 1;
    if (estimateBytes(layout, variantFor(lo).slots) * correction <= target) return lo;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if (estimateBytes(layout, variantFor(mid).slots) * correction <= target) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };

  let correction = 1;
  let dropped = choose(maxBytes * FIRST_TRY_MARGIN, correction, 0);
  for (let attempt = 1; ; attempt += 1) {
    const chosen = variantFor(dropped);
    const html = await compile(ctx, layout, chosen.slots);
    const bytes = Buffer.byteLength(html, 'utf8');
    if (bytes <= maxBytes) {
      lastStats = {
        layout,
        compiles: attempt,
        estimatedBytes: Math.round(estimateBytes(layout, chosen.slots)),
        htmlBytes: bytes,
        shown: storyCount(chosen.view),
        omitted: dropped,
      };
      return { view: chosen.view, omitted: dropped, html, compiles: attempt };
    }
    if (attempt >= MAX_COMPILES_PER_RENDER || dropped >= total - 1) {
      throw new RenderError(
        `The email is ${bytes} bytes, over the ${maxBytes}-byte budget, with ${storyCount(chosen.view)} stories`,
      );
    }
    // Correct the estimate by the measured error, with a little more margin each time.
    correction = Math.max(correction, bytes / estimateBytes(layout, chosen.slots)) * (1 + 0.02 * attempt);
    dropped = choose(maxBytes, correction, dropped + 1);
  }
}

function greeting(): string {
  return `Hello ${Token.NAME},`;
}

function introFor(job: string): string {
  if (job === 'daily') return "Here are today's stories.";
  if (job === 'weekly') return "Here are this week's stories.";
  return 'Here are the latest stories.';
}

function digestReason(siteName: string, job: string): string {
  const kind = job === 'daily' || job === 'weekly' ? `the ${job} digest of ${siteName}` : siteName;
  return `You receive this email because you subscribed to ${kind}.`;
}

function subjectFor(
  pattern: string | undefined,
  branding: CheckedBranding,
  view: DigestView,
  date: string,
): string {
  return buildSubject(pattern ?? DEFAULT_SUBJECT_PATTERN, {
    site: branding.siteName,
    headline: leadStory(view)?.headline ?? '',
    moreCount: Math.max(0, storyCount(view) - 1),
    date,
  });
}

function checkedEditionUrl(url: string): string {
  const safe = safeHttpUrl(url);
  if (!safe) throw new RenderError('editionUrl must be an absolute http(s) URL');
  return safe;
}

/**
 * Renders one edition's email once, with personalisation tokens left in the HTML and text.
 * Editor's choice comes first (the first pick as a hero), then the sections as cards. When
 * the HTML would exceed `maxHtmlBytes`, the least recent articles are left out and a "More
 * stories" link to `editionUrl` is shown.
 *
 * @throws RenderError when MJML reports errors, the branding or `editionUrl` is unusable, the
 *   edition has no story, or it cannot fit the budget.
 * @example
 * ```ts
 * const rendered = await renderEdition(content, {
 *   branding,
 *   editionUrl: 'https://archive.example.com/editions/2024-05-01-daily.html',
 * });
 * rendered.html.includes('%%{unsubscribe_url}%%'); // true
 * ```
 */
export async function renderEdition(content: EditionContent, options: RenderOptions): Promise<RenderedEdition> {
  const ctx = context(options.branding, options.templatesDir);
  const editionUrl = checkedEditionUrl(options.editionUrl);
  const lang = languageTag(content.language);
  const date = formatEditionDate(content.to, lang);
  const full = buildDigestView(content);
  const total = storyCount(full);
  if (total === 0) throw new RenderError(`Edition ${content.id} has no story to render`);

  const cache = new FragmentCache();
  const reason = digestReason(ctx.branding.siteName, content.job);
  const intro = introFor(content.job);
  const variant: Variant = (view, omitted) => {
    const picks = view.picks.map((pick, index) =>
      cache.get(`${pick.key}:${index === 0 ? 'hero' : 'compact'}`, () => pickFragment(ctx, pick, index === 0)),
    );
    const sections = view.sections.map((section) =>
      fragment(ctx, 'section', {
        section: escapeText(section.name),
        cards: section.stories.map((s) => cache.get(s.key, () => fragment(ctx, 'card', storySlots(ctx, s)))).join('\n'),
      }),
    );
    const subject = subjectFor(options.subjectPattern, ctx.branding, view, date);
    const lead = leadStory(view);
    return {
      lang,
      title: escapeText(subject),
      preheader: escapeText(buildPreheader(lead?.summary ?? '', allStories(view).map((s) => s.headline))),
      greeting: greeting(),
      intro: escapeText(intro),
      reason: escapeText(reason),
      editors_choice: picks.length > 0 ? fragment(ctx, 'editors-choice', { hero: picks[0] ?? '', picks: picks.slice(1).join('\n') }) : '',
      sections: sections.join('\n'),
      more_stories: moreStories(ctx, omitted, editionUrl),
    };
  };

  const fitted = await fit(ctx, 'digest.mjml', full, variant, options.maxHtmlBytes ?? DEFAULT_MAX_HTML_BYTES);
  const subject = subjectFor(options.subjectPattern, ctx.branding, fitted.view, date);
  const lead = leadStory(fitted.view);
  const text = digestText(fitted.view, {
    branding: ctx.branding,
    greeting: greeting(),
    intro,
    reason,
    omitted: fitted.omitted,
    editionUrl,
    omittedNote: omittedNote(fitted.omitted),
  });
  return {
    editionId: content.id,
    subject,
    preheader: buildPreheader(lead?.summary ?? '', allStories(fitted.view).map((s) => s.headline)),
    html: fitted.html,
    text,
    language: lang,
    tokens: tokensIn(fitted.html, text),
    shown: storyCount(fitted.view),
    omitted: fitted.omitted,
  };
}

/** Input of {@link renderAlertDigest}. */
export interface AlertDigestContent {
  id: string;
  language: string;
  matches: { keyword: string; article: StoredArticle }[];
}

/**
 * Renders a keyword-alert digest once: the matched articles, each with the keyword(s) that
 * matched it (an article matched by several keywords is shown once). Same size budget and
 * tokens as {@link renderEdition}.
 *
 * @throws RenderError as {@link renderEdition}.
 * @example
 * ```ts
 * const rendered = await renderAlertDigest(
 *   { id: 'alerts-2024-05-01', language: 'en', matches: [{ keyword: 'climate', article }] },
 *   { branding, editionUrl: 'https://archive.example.com/alerts/2024-05-01.html' },
 * );
 * ```
 */
export async function renderAlertDigest(content: AlertDigestContent, options: RenderOptions): Promise<RenderedEdition> {
  const ctx = context(options.branding, options.templatesDir);
  const editionUrl = checkedEditionUrl(options.editionUrl);
  const lang = languageTag(content.language);
  const byArticle = new Map<string, StoryView>();
  for (const match of content.matches) {
    const keyword = oneLine(match.keyword);
    const existing = byArticle.get(match.article.id);
    if (existing) {
      const keywords = new Set((existing.keyword ?? '').split(', ').filter(Boolean));
      keywords.add(keyword);
      existing.keyword = [...keywords].join(', ');
    } else {
      byArticle.set(match.article.id, { ...articleView(match.article, `m${byArticle.size}`), keyword });
    }
  }
  const stories = [...byArticle.values()];
  if (stories.length === 0) throw new RenderError(`Alert digest ${content.id} has no match to render`);
  const full: DigestView = { picks: [], sections: [{ name: 'Alerts', stories }] };
  const heading = stories.length === 1 ? 'New article for your alerts' : 'New articles for your alerts';
  const intro = 'These new articles match the keywords you follow.';
  const reason = `You receive this email because you set up keyword alerts on ${ctx.branding.siteName}.`;
  const cache = new FragmentCache();
  const variant: Variant = (view, omitted) => {
    const shown = view.sections.flatMap((s) => s.stories);
    const subject = subjectFor(options.subjectPattern, ctx.branding, view, '');
    return {
      lang,
      title: escapeText(subject),
      preheader: escapeText(buildPreheader('', ['', ...shown.map((s) => s.headline)])),
      greeting: greeting(),
      intro: escapeText(intro),
      reason: escapeText(reason),
      heading: escapeText(heading),
      matches: shown
        .map((s) => cache.get(s.key, () => fragment(ctx, 'alert-card', { ...storySlots(ctx, s), keyword: escapeText(s.keyword ?? '') })))
        .join('\n'),
      more_stories: moreStories(ctx, omitted, editionUrl),
    };
  };
  const fitted = await fit(ctx, 'alert-digest.mjml', full, variant, options.maxHtmlBytes ?? DEFAULT_MAX_HTML_BYTES);
  const shown = fitted.view.sections.flatMap((s) => s.stories);
  const text = alertText(shown, {
    branding: ctx.branding,
    greeting: greeting(),
    intro,
    reason,
    heading,
    omitted: fitted.omitted,
    editionUrl,
    omittedNote: omittedNote(fitted.omitted),
  });
  return {
    editionId: content.id,
    subject: subjectFor(options.subjectPattern, ctx.branding, fitted.view, ''),
    preheader: buildPreheader('', ['', ...shown.map((s) => s.headline)]),
    html: fitted.html,
    text,
    language: lang,
    tokens: tokensIn(fitted.html, text),
    shown: shown.length,
    omitted: fitted.omitted,
  };
}

/**
 * Renders the double opt-in email: a greeting, a "Confirm subscription" button and a note
 * that nothing happens if it is ignored. `confirmUrl` is the real link (no token).
 *
 * @throws RenderError when `confirmUrl` is not an absolute http(s) URL or MJML fails.
 * @example
 * ```ts
 * const mail = await renderConfirmationEmail({
 *   branding,
 *   confirmUrl: 'https://api.example.com/confirm?token=abc',
 *   name: 'Ann',
 * });
 * mail.subject; // 'Confirm your subscription to Example News'
 * ```
 */
export async function renderConfirmationEmail(options: {
  branding: Branding;
  confirmUrl: string;
  name?: string;
  language?: string;
  templatesDir?: string;
}): Promise<{ subject: string; html: string; text: string }> {
  const ctx = context(options.branding, options.templatesDir);
  const confirmUrl = safeHttpUrl(options.confirmUrl);
  if (!confirmUrl) throw new RenderError('confirmUrl must be an absolute http(s) URL');
  const name = oneLine(options.name ?? '');
  const hello = name ? `Hello ${name},` : 'Hello,';
  const subject = buildSubject('Confirm your subscription to {site}', {
    site: ctx.branding.siteName,
    headline: '',
    moreCount: 0,
    date: '',
  });
  const html = await compile(ctx, 'confirmation.mjml', {
    lang: languageTag(options.language ?? 'en'),
    title: escapeText(subject),
    preheader: escapeText(`One click to confirm your subscription to ${oneLine(ctx.branding.siteName)}.`),
    greeting: escapeText(hello),
    intro: escapeText(`Thank you for signing up for ${oneLine(ctx.branding.siteName)}.`),
    confirm_url: escapeText(confirmUrl),
  });
  const text = confirmationText(ctx.branding, {
    greeting: defuseTokens(hello, 'text'),
    confirmUrl,
  });
  return { subject, html, text };
}
