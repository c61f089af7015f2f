/**
 * The keyword-alert digest with MJML (`templates/alert-digest.mjml`), in two ways that give the
 * same HTML:
 * - {@link renderAlertDigest}: one subscriber's digest rendered directly, MJML per digest (the
 *   reference, the tests and the benchmark's per-subscriber figure);
 * - {@link compileAlertShell} and {@link compileAlertCards}: what the alert flush compiles once
 *   per flush: the layout per language, cut at its slots, and each matched article's card;
 *   the send worker assembles every digest from them without MJML (alert-parts.ts).
 *
 * How the pieces are cut. MJML's output between two sections carries Outlook conditional
 * comments that it merges across section boundaries, so a compiled card cannot simply be
 * concatenated with another one. Instead the layout is compiled with sentinels: each
 * per-digest slot holds a random marker, and so does each card's body (the card partial has
 * its body as one slot, `alert-card.mjml`). Everything between two markers is then fixed
 * HTML: before the first card body (the head), between two card bodies (the glue), after the
 * last (the tail). The cards are compiled the same way, all of a batch in one document with
 * the same markers around them, and their bodies cut out between the head and the tail at the
 * glue. The markers are random per compile, so no article text can forge one.
 */
import { randomBytes } from 'node:crypto';
import type { RenderedEdition } from '../editions/types.ts';
import { RenderError } from '../errors.ts';
import {
  alertCardText,
  ALERT_INTRO,
  alertReason,
  alertText,
  alertTextFooter,
  alertTextHead,
  alertValues,
  keywordsHtml,
  ShellSlot,
  type AlertCard,
  type AlertDigestView,
  type AlertShell,
  type AlertValues,
  type ShellSegment,
} from './alert-parts.ts';
import type { StoryView } from './digest-model.ts';
import { languageTag } from './digest-model.ts';
import { greeting, storySlots } from './email-parts.ts';
import { escapeText, tokensIn } from './escape.ts';
import { compileMjml, fragment, renderContext, type RenderContext, type RenderObserver } from './mjml-compiler.ts';
import type { Branding } from './types.ts';

/** Options of the alert renders. */
export interface AlertRenderOptions {
  branding: Branding;
  /** Default `'{site}: {headline}{more}'`. */
  subjectPattern?: string;
  /** Folder of the MJML templates; default the project's `templates/`. */
  templatesDir?: string;
  /** Told about each compile (benchmarks, tests). */
  observer?: RenderObserver;
}

/** The layout's slots that are the same in every digest of a language. */
function fixedSlots(ctx: RenderContext, language: string): Record<string, string> {
  return {
    lang: languageTag(language),
    greeting: greeting(),
    intro: escapeText(ALERT_INTRO),
    reason: escapeText(alertReason(ctx.branding.siteName)),
  };
}

/** A card's body (alert-card-body.mjml), filled and trimmed. */
function cardBody(ctx: RenderContext, story: StoryView, keywords: string): string {
  return fragment(ctx, 'alert-card-body', { ...storySlots(ctx, story), keywords }).trim();
}

function moreBlock(ctx: RenderContext, url: string, text: string): string {
  return fragment(ctx, 'alert-more', { more_url: url, more_text: text });
}

/**
 * Renders one subscriber's alert digest directly with MJML: at most 10 articles with the
 * keywords that matched each, then "and N more" linking to `moreUrl`. Tokens stay in.
 *
 * @throws RenderError when the digest has no article, or MJML reports an error.
 * @example
 * ```ts
 * const rendered = await renderAlertDigest(
 *   { id: 'alerts-2026-12-01T10-05', language: 'en', items: [{ story, keywords: ['Minsk'] }], total: 1 },
 *   { branding },
 * );
 * ```
 */
export async function renderAlertDigest(view: AlertDigestView, options: AlertRenderOptions): Promise<RenderedEdition> {
  if (view.items.length === 0) throw new RenderError(`Alert digest ${view.id} has no article to render`);
  if (view.total > view.items.length && !view.moreUrl) throw new RenderError(`Alert digest ${view.id} leaves articles out but has no page listing them`);
  const ctx = renderContext(options.branding, options.templatesDir);
  const values = alertValues(view, { siteName: ctx.branding.siteName, ...(options.subjectPattern ? { subjectPattern: options.subjectPattern } : {}) });
  const html = await compileMjml(
    ctx,
    'alert-digest.mjml',
    {
      ...fixedSlots(ctx, view.language),
      title: escapeText(values.subject),
      preheader: escapeText(values.preheader),
      heading: escapeText(values.heading),
      matches: view.items.map((item) => fragment(ctx, 'alert-card', { card: cardBody(ctx, item.story, keywordsHtml(item.keywords)) })).join('\n'),
      more: values.more ? moreBlock(ctx, escapeText(values.more.url), escapeText(values.more.text)) : '',
    },
    options.observer,
  );
  const text = alertText(ctx.branding, view, values);
  return {
    editionId: view.id,
    subject: values.subject,
    preheader: values.preheader,
    html,
    text,
    language: languageTag(view.language),
    tokens: tokensIn(html, text),
    shown: view.items.length,
    omitted: view.total - view.items.length,
  };
}

/** The random markers of one compile. */
class Sentinels {
  readonly #nonce = randomBytes(8).toString('hex');

  public of(name: string): string {
    return `XQ${this.#nonce}${name.toUpperCase()}QX`;
  }

  /** Splits HTML at this compile's markers: fixed runs and the names of the markers between them. */
  public split(html: string): Array<string | { marker: string }> {
    const out: Array<string | { marker: string }> = [];
    const pattern = new RegExp(`XQ${this.#nonce}([A-Z0-9_]+)QX`, 'g');
    let last = 0;
    for (const m of html.matchAll(pattern)) {
      out.push(html.slice(last, m.index));
      out.push({ marker: (m[1] ?? '').toLowerCase() });
      last = m.index + m[0].length;
    }
    out.push(html.slice(last));
    return out;
  }
}

const PER_DIGEST_SLOTS: readonly ShellSlot[] = [ShellSlot.TITLE, ShellSlot.PREHEADER, ShellSlot.HEADING];

/** The layout with markers in the per-digest slots and `cards` as the matches. */
async function compileWithMarkers(ctx: RenderContext, language: string, s: Sentinels, cards: readonly string[], more: boolean, observer?: RenderObserver): Promise<string> {
  return compileMjml(
    ctx,
    'alert-digest.mjml',
    {
      ...fixedSlots(ctx, language),
      ...Object.fromEntries(PER_DIGEST_SLOTS.map((slot) => [slot, s.of(slot)])),
      matches: cards.map((card) => fragment(ctx, 'alert-card', { card })).join('\n'),
      more: more ? moreBlock(ctx, s.of(ShellSlot.MORE_URL), s.of(ShellSlot.MORE_TEXT)) : '',
    },
    observer,
  );
}

/** Fixed runs and slots of a run of HTML split at markers; only the given slots may appear. */
function segments(parts: ReadonlyArray<string | { marker: string }>, allowed: readonly string[]): ShellSegment[] {
  return parts
    .map((p): ShellSegment => {
      if (typeof p === 'string') return p;
      if (!allowed.includes(p.marker)) throw new RenderError(`alert shell: unexpected marker ${p.marker}`);
      return { slot: p.marker as ShellSlot };
    })
    .filter((p) => p !== '');
}

/** Cuts a compile with two card markers into head, glue and tail. */
function cut(html: string, s: Sentinels, allowedInTail: readonly string[]): { head: ShellSegment[]; glue: string; tail: ShellSegment[] } {
  const parts = s.split(html);
  const first = parts.findIndex((p) => typeof p !== 'string' && p.marker === 'card1');
  const second = parts.findIndex((p) => typeof p !== 'string' && p.marker === 'card2');
  const glue = parts[first + 1];
  if (first < 0 || second !== first + 2 || typeof glue !== 'string') throw new RenderError('alert shell: the card markers did not survive the compile');
  return {
    head: segments(parts.slice(0, first), PER_DIGEST_SLOTS),
    glue,
    tail: segments(parts.slice(second + 1), allowedInTail),
  };
}

/**
 * Compiles the alert layout for one language and cuts it into its fixed pieces (two MJML
 * compiles: without and with the "and N more" block). Once per flush and language.
 *
 * @throws RenderError when MJML fails or the markers do not come out as expected.
 * @example
 * ```ts
 * const shell = await compileAlertShell('en', { branding });
 * ```
 */
export async function compileAlertShell(language: string, options: AlertRenderOptions): Promise<AlertShell> {
  const ctx = renderContext(options.branding, options.templatesDir);
  const s = new Sentinels();
  const cards = [s.of('card1'), s.of('card2')];
  const [plain, withMore] = await Promise.all([
    compileWithMarkers(ctx, language, s, cards, false, options.observer),
    compileWithMarkers(ctx, language, s, cards, true, options.observer),
  ]);
  const a = cut(plain, s, []);
  const b = cut(withMore, s, [ShellSlot.MORE_URL, ShellSlot.MORE_TEXT]);
  if (JSON.stringify(a.head) !== JSON.stringify(b.head) || a.glue !== b.glue) throw new RenderError('alert shell: the two compiles disagree before the tail');
  return {
    language: languageTag(language),
    head: a.head,
    glue: a.glue,
    tail: a.tail,
    tailMore: b.tail,
    textHead: alertTextHead(ctx.branding),
    textFooter: alertTextFooter(ctx.branding),
  };
}

/** Cards compiled in one document (MJML's time grows with the document). */
const CARDS_PER_COMPILE = 40;

/**
 * Renders the cards of some articles once each (one MJML compile per 40 cards, plus one for
 * the edges around them), with a gap
 * where each subscriber's keywords go. The HTML is the same in every language's shell.
 *
 * @throws RenderError when MJML fails or a card cannot be cut out.
 * @example
 * ```ts
 * const cards = await compileAlertCards([articleView(article, key)], { branding });
 * ```
 */
export async function compileAlertCards(stories: readonly StoryView[], options: AlertRenderOptions): Promise<AlertCard[]> {
  const ctx = renderContext(options.branding, options.templatesDir);
  const out: AlertCard[] = [];
  if (stories.length === 0) return out;
  const s = new Sentinels();
  const keywords = s.of('keywords');
  // The head and tail around the cards are those of a shell with the same markers.
  const edges = cut(await compileWithMarkers(ctx, 'en', s, [s.of('card1'), s.of('card2')], false, options.observer), s, []);
  const head = edges.head.map((p) => (typeof p === 'string' ? p : s.of(p.slot))).join('');
  const tail = edges.tail.map((p) => (typeof p === 'string' ? p : s.of(p.slot))).join('');
  for (let i = 0; i < stories.length; i += CARDS_PER_COMPILE) {
    const batch = stories.slice(i, i + CARDS_PER_COMPILE);
    const bodies = batch.map((story) => cardBody(ctx, story, keywords));
    const html = await compileWithMarkers(ctx, 'en', s, bodies, false, options.observer);
    if (!html.startsWith(head) || !html.endsWith(tail)) throw new RenderError('alert cards: the compile does not share the shell around the cards');
    const compiled = html.slice(head.length, html.length - tail.length).split(edges.glue);
    if (compiled.length !== batch.length) throw new RenderError(`alert cards: cut ${compiled.length} cards out of ${batch.length}`);
    compiled.forEach((body, j) => {
      const story = batch[j] as StoryView;
      const halves = body.split(keywords);
      if (halves.length !== 2) throw new RenderError(`alert cards: the card of ${story.key} has ${halves.length - 1} keyword markers`);
      out.push({ key: story.key, before: halves[0] as string, after: halves[1] as string, text: alertCardText(story), section: story.section, headline: story.headline });
    });
  }
  return out;
}

export type { AlertValues };
