/**
 * Pieces shared by the edition email and the alert email: story fragments, the "more
 * stories" note, the greeting and the subject. MJML fragments only (filled partials); the
 * compile step is mjml-compiler.ts.
 */
import type { Branding } from './types.ts';
import { escapeText, safeHttpUrl } from './escape.ts';
import { RenderError } from '../errors.ts';
import { Token } from '../editions/types.ts';
import { fragment, type RenderContext, type RenderObserver } from './mjml-compiler.ts';
import type { CheckedBranding, DigestView, StoryView } from './digest-model.ts';
import { leadStory, storyCount, storyLink } from './digest-model.ts';
import { buildSubject, DEFAULT_SUBJECT_PATTERN } from './subject.ts';

/** Options of renderEdition and renderAlertDigest. */
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
  /** Told about each compile and render (benchmarks, tests). */
  observer?: RenderObserver;
  /** Let SES track clicks on the stories' links (the job's CLICK_TRACKING); default off. */
  trackClicks?: boolean;
}

function headlineHtml(ctx: RenderContext, story: StoryView): string {
  const text = escapeText(story.headline);
  const href = storyLink(story);
  if (!href) return text;
  return `<a href="${escapeText(href)}" style="color:${ctx.branding.textColor};text-decoration:none;">${text}</a>`;
}

function readMoreHtml(ctx: RenderContext, story: StoryView): string {
  const href = storyLink(story);
  if (!href) return '';
  return `<a href="${escapeText(href)}" style="color:${ctx.branding.primaryColor};font-weight:bold;">Read more</a>`;
}

/**
 * The slots of one story card: headline (linked), summary, section, "Read more". Both link to
 * the story's URL, else to its `fallbackUrl` (its place on the edition's web page), else the
 * headline is plain text and there is no "Read more".
 */
export function storySlots(ctx: RenderContext, story: StoryView): Record<string, string> {
  return {
    headline: headlineHtml(ctx, story),
    summary: escapeText(story.summary),
    section: escapeText(story.section),
    read_more: readMoreHtml(ctx, story),
  };
}

/** An editor's-choice item: the hero (with its image) or a compact card. */
export function pickFragment(ctx: RenderContext, story: StoryView, hero: boolean): string {
  if (!hero) return fragment(ctx, 'pick-compact', storySlots(ctx, story));
  const href = storyLink(story);
  const image = story.image
    ? fragment(ctx, 'pick-image', {
        src: escapeText(story.image.url),
        alt: escapeText(story.image.alt),
        href_attr: href ? `href="${escapeText(href)}"` : '',
      })
    : '';
  return fragment(ctx, 'pick-hero', { ...storySlots(ctx, story), image });
}

/** The sentence that says how many stories were left out. */
export function omittedNote(omitted: number): string {
  return omitted === 1
    ? '1 more story did not fit in this email.'
    : `${omitted} more stories did not fit in this email.`;
}

/** The "more stories" block linking to the web page, when stories were left out. */
export function moreStories(ctx: RenderContext, omitted: number, editionUrl: string): string {
  if (omitted === 0) return '';
  return fragment(ctx, 'more-stories', { omitted_note: escapeText(omittedNote(omitted)), edition_url: escapeText(editionUrl) });
}

/** The greeting, with the name token. */
export function greeting(): string {
  return `Hello ${Token.NAME},`;
}

/** The subject of a digest view. */
export function subjectFor(
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

/** The edition's web page URL, checked. */
export function checkedEditionUrl(url: string): string {
  const safe = safeHttpUrl(url);
  if (!safe) throw new RenderError('editionUrl must be an absolute http(s) URL');
  return safe;
}
