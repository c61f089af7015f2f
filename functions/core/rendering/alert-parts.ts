/**
 * The alert digest without MJML: its content model, the per-digest values (subject,
 * preheader, count-dependent heading, keywords per card, "and N more"), the plain-text part,
 * and the assembly of a subscriber's email from pieces prepared once per flush.
 *
 * Alert digests differ per subscriber, so MJML must not run per subscriber. The flush compiles
 * the layout once per language with sentinel slots and each matched article's card once
 * (alert-email.ts, MJML), and stores the pieces: the {@link AlertShell} (the HTML before the
 * first card, between two cards, and after the last one, split at its slots) and one
 * {@link AlertCard} per article (its body HTML split where the keywords go). The send worker
 * joins them here with the subscriber's values, and the result equals what a direct MJML
 * render of the same content gives (`renderAlertDigest`; test/unit/rendering/alert-assembly.test.ts
 * proves it). This module is on the send path: it never reaches MJML.
 */
import { Token } from '../editions/types.ts';
import type { CheckedBranding, StoryView } from './digest-model.ts';
import { defuseTokens, escapeText, oneLine } from './escape.ts';
import { bodyPieces, staticPiece, type Piece } from './personalizer.ts';
import { buildPreheader, buildSubject, DEFAULT_SUBJECT_PATTERN } from './subject.ts';
import { wrapText } from './text-format.ts';

/** Articles an alert digest shows; the rest are counted ("and N more") and listed on a web page. */
export const MAX_SHOWN_ALERTS = 10;

/** One matched article as a digest shows it, with the subscriber's keywords that matched it. */
export interface AlertItem {
  /** `key` is the article key (unique within the digest). */
  story: StoryView;
  /** As the subscriber typed them. */
  keywords: readonly string[];
}

/** Everything one subscriber's alert digest shows. */
export interface AlertDigestView {
  id: string;
  /** BCP 47; the digest's `lang`. */
  language: string;
  /** Shown, in order (newest first), at most {@link MAX_SHOWN_ALERTS}. */
  items: readonly AlertItem[];
  /** Every matched article, shown or not (≥ items). */
  total: number;
  /** The page listing every matched article; required when `total` > `items.length`. */
  moreUrl?: string;
}

/** The values that differ per digest, as plain text (escaped where they are used). */
export interface AlertValues {
  subject: string;
  preheader: string;
  heading: string;
  /** Only when articles are left out. */
  more?: { text: string; url: string };
}

/** Texts that are the same in every digest of a site. */
export const ALERT_INTRO = 'These new articles match the keywords you follow.';

/**
 * Why the reader gets this email.
 *
 * @example
 * ```ts
 * alertReason('Digest'); // 'You receive this email because you follow keywords on Digest.'
 * ```
 */
export function alertReason(siteName: string): string {
  return `You receive this email because you follow keywords on ${oneLine(siteName)}.`;
}

/**
 * The per-digest values of a view: the subject (the site's subject pattern with the newest
 * article's headline and the count of the others), the preheader, the heading with the count
 * and, when articles are left out, the "and N more" link.
 *
 * @example
 * ```ts
 * alertValues(view, { siteName: 'Digest' }).heading; // '14 new articles for your alerts'
 * ```
 */
export function alertValues(view: AlertDigestView, options: { siteName: string; subjectPattern?: string }): AlertValues {
  return alertValuesOf(view.items.map((i) => i.story.headline), view.total, view.moreUrl, options);
}

/**
 * {@link alertValues} from the shown headlines, the total and the page (the send worker has
 * no article, only the cards).
 *
 * @example
 * ```ts
 * alertValuesOf(['Minsk talks'], 1, undefined, { siteName: 'Digest' }).subject; // 'Digest: Minsk talks'
 * ```
 */
export function alertValuesOf(
  headlines: readonly string[],
  total: number,
  moreUrl: string | undefined,
  options: { siteName: string; subjectPattern?: string },
): AlertValues {
  const values: AlertValues = {
    subject: buildSubject(options.subjectPattern ?? DEFAULT_SUBJECT_PATTERN, {
      site: options.siteName,
      headline: headlines[0] ?? '',
      moreCount: Math.max(0, total - 1),
      date: '',
    }),
    preheader: buildPreheader('', headlines),
    heading: total === 1 ? 'A new article for your alerts' : `${total} new articles for your alerts`,
  };
  const left = total - headlines.length;
  if (left > 0 && moreUrl) {
    values.more = { text: `And ${left} more ${left === 1 ? 'article' : 'articles'}: see all ${total}`, url: moreUrl };
  }
  return values;
}

/**
 * The keywords of a card, escaped for HTML.
 *
 * @example
 * ```ts
 * keywordsHtml(['Minsk', 'A & B']); // 'Minsk, A &amp; B'
 * ```
 */
export function keywordsHtml(keywords: readonly string[]): string {
  return escapeText(keywords.map(oneLine).join(', '));
}

// ---------- plain text ----------

const WIDTH = 78;

function para(text: string, trusted = false): string {
  return wrapText(trusted ? text : defuseTokens(text, 'text'), WIDTH).join('\n');
}

function underline(text: string, rule: '=' | '-'): string {
  const title = defuseTokens(oneLine(text), 'text');
  return `${wrapText(title, WIDTH).join('\n')}\n${rule.repeat(Math.min(Math.max(title.length, 3), WIDTH))}`;
}

/**
 * The text before the heading: the site name, the greeting and the intro.
 *
 * @example
 * ```ts
 * alertTextHead(checkBranding(branding)); // 'Digest\n======\n\nHello %%{name}%%,\n…'
 * ```
 */
export function alertTextHead(branding: CheckedBranding): string {
  return `${underline(branding.siteName, '=')}\n\n${para(`Hello ${Token.NAME},`, true)}\n${para(ALERT_INTRO, true)}\n\n`;
}

/**
 * The text after the last card: the links (tokens) and the postal address.
 *
 * @example
 * ```ts
 * alertTextFooter(checkBranding(branding)).includes('%%{unsubscribe_url}%%'); // true
 * ```
 */
export function alertTextFooter(branding: CheckedBranding): string {
  const postal = branding.postalAddress
    .split(/\r?\n/)
    .map((line) => para(line))
    .filter(Boolean)
    .join('\n');
  return [
    '--',
    para(alertReason(branding.siteName)),
    '',
    `Manage preferences and keywords:\n${Token.PREFERENCES_URL}`,
    `Stop these alerts:\n${Token.UNSUBSCRIBE_URL}`,
    '',
    postal,
  ].join('\n').concat('\n');
}

/**
 * A card's text without its kicker: headline, summary, link.
 *
 * @example
 * ```ts
 * alertCardText(articleView(article, 'k1')); // 'Minsk talks resume\nThe summary…\nRead more: https://…'
 * ```
 */
export function alertCardText(story: StoryView): string {
  const lines = [para(story.headline)];
  if (story.summary) lines.push(para(story.summary));
  if (story.url) lines.push(wrapText(`Read more: ${story.url}`, WIDTH).join('\n'));
  return lines.join('\n');
}

/**
 * A card's kicker line: the keywords that matched, then the section.
 *
 * @example
 * ```ts
 * alertKicker(['Iran', 'Minsk'], 'News'); // 'Matched: Iran, Minsk · News'
 * ```
 */
export function alertKicker(keywords: readonly string[], section: string): string {
  return para([`Matched: ${keywords.map(oneLine).join(', ')}`, section].filter(Boolean).join(' · '));
}

/** The per-digest text between the head and the cards, and after them. */
function textHeading(values: AlertValues): string {
  return `${underline(values.heading, '-')}\n\n`;
}

function textMore(values: AlertValues): string {
  return values.more ? `${para(values.more.text)}\n${wrapText(`See them all: ${values.more.url}`, WIDTH).join('\n')}\n\n` : '';
}

// ---------- pieces ----------

/** The per-digest slots of the HTML shell. */
export const ShellSlot = {
  TITLE: 'title',
  PREHEADER: 'preheader',
  HEADING: 'heading',
  MORE_URL: 'more_url',
  MORE_TEXT: 'more_text',
} as const;
export type ShellSlot = (typeof ShellSlot)[keyof typeof ShellSlot];

/** A run of the shell: fixed HTML, or a slot filled per digest. */
export type ShellSegment = string | { slot: ShellSlot };

/**
 * The alert layout compiled once per flush and language, cut at its cards and slots. Stored
 * as JSON beside the flush; the send worker assembles every digest of the flush from it.
 */
export interface AlertShell {
  language: string;
  /** The HTML up to the first card's body. */
  head: ShellSegment[];
  /** The HTML from the end of one card's body to the start of the next one's. */
  glue: string;
  /** The HTML after the last card's body, without and with the "and N more" block. */
  tail: ShellSegment[];
  tailMore: ShellSegment[];
  /** The plain text before the heading, and after the cards. */
  textHead: string;
  textFooter: string;
}

/** One matched article's card, rendered once per flush. */
export interface AlertCard {
  /** The article key. */
  key: string;
  /** The card's body HTML (compiled and minified by MJML) before and after the keywords. */
  before: string;
  after: string;
  /** Its plain text without the kicker, and its section (for the kicker). */
  text: string;
  section: string;
  /** The headline, as shown (the subject and preheader use it). */
  headline: string;
}

/** Text prepared once: the string and its MIME pieces (quoted-printable, tokens apart). */
export interface Prepared {
  readonly raw: string;
  readonly pieces: readonly Piece[];
}

/** A run of an assembled body: prepared once per flush, or a per-digest string. */
export type Run = Prepared | string;

/**
 * Prepares fixed text once (the shell and the cards, per process and flush).
 *
 * @example
 * ```ts
 * const glue = prepared(shell.glue);
 * ```
 */
export function prepared(raw: string): Prepared {
  return { raw, pieces: bodyPieces(raw) };
}

/** A shell with its fixed runs prepared. */
export interface PreparedShell {
  language: string;
  head: Array<Prepared | { slot: ShellSlot }>;
  glue: Prepared;
  tail: Array<Prepared | { slot: ShellSlot }>;
  tailMore: Array<Prepared | { slot: ShellSlot }>;
  textHead: Prepared;
  textFooter: Prepared;
}

/** A card with its fixed runs prepared. */
export interface PreparedCard {
  key: string;
  before: Prepared;
  after: Prepared;
  text: Prepared;
  section: string;
  headline: string;
}

const prepareSegments = (segments: readonly ShellSegment[]): Array<Prepared | { slot: ShellSlot }> =>
  segments.map((s) => (typeof s === 'string' ? prepared(s) : s));

/**
 * Prepares a stored shell for assembly (once per process, flush and language).
 *
 * @example
 * ```ts
 * const shell = prepareShell(JSON.parse(stored) as AlertShell);
 * ```
 */
export function prepareShell(shell: AlertShell): PreparedShell {
  return {
    language: shell.language,
    head: prepareSegments(shell.head),
    glue: prepared(shell.glue),
    tail: prepareSegments(shell.tail),
    tailMore: prepareSegments(shell.tailMore),
    textHead: prepared(shell.textHead),
    textFooter: prepared(shell.textFooter),
  };
}

/**
 * Prepares a stored card for assembly (once per process, flush and article).
 *
 * @example
 * ```ts
 * const card = prepareCard(stored);
 * ```
 */
export function prepareCard(card: AlertCard): PreparedCard {
  return { key: card.key, before: prepared(card.before), after: prepared(card.after), text: prepared(card.text), section: card.section, headline: card.headline };
}

/** One subscriber's assembled digest: the values and the two bodies as runs. */
export interface AssembledAlert {
  subject: string;
  preheader: string;
  html: Run[];
  text: Run[];
}

function slotHtml(slot: ShellSlot, values: AlertValues): string {
  switch (slot) {
    case ShellSlot.TITLE:
      return escapeText(values.subject);
    case ShellSlot.PREHEADER:
      return escapeText(values.preheader);
    case ShellSlot.HEADING:
      return escapeText(values.heading);
    case ShellSlot.MORE_URL:
      return escapeText(values.more?.url ?? '');
    case ShellSlot.MORE_TEXT:
      return escapeText(values.more?.text ?? '');
  }
}

/**
 * Assembles one subscriber's alert digest from the prepared pieces: the shell's runs with the
 * slots filled, the cards in order joined by the glue (each with the subscriber's keywords),
 * and the plain text. No MJML, nothing large encoded: a few small strings per recipient.
 *
 * @param items the cards to show, in order, each with the keywords that matched it.
 * @example
 * ```ts
 * const digest = assembleAlert(shell, [{ card, keywords: ['Minsk'] }], { total: 1 }, { siteName: 'Digest' });
 * runsToString(digest.html); // the HTML, tokens left in
 * ```
 */
export function assembleAlert(
  shell: PreparedShell,
  items: ReadonlyArray<{ card: PreparedCard; keywords: readonly string[] }>,
  values: AlertValues,
): AssembledAlert {
  const html: Run[] = [];
  const fill = (segments: PreparedShell['head']): void => {
    for (const s of segments) html.push('slot' in s ? slotHtml(s.slot, values) : s);
  };
  fill(shell.head);
  const text: Run[] = [shell.textHead, textHeading(values)];
  items.forEach(({ card, keywords }, i) => {
    if (i > 0) {
      html.push(shell.glue);
      text.push('\n\n');
    }
    html.push(card.before, keywordsHtml(keywords), card.after);
    text.push(`${alertKicker(keywords, card.section)}\n`, card.text);
  });
  fill(values.more ? shell.tailMore : shell.tail);
  text.push('\n\n', textMore(values), shell.textFooter);
  return { subject: values.subject, preheader: values.preheader, html, text };
}

/**
 * The text of some runs.
 *
 * @example
 * ```ts
 * runsToString(['a', prepared('b')]); // 'ab'
 * ```
 */
export function runsToString(runs: readonly Run[]): string {
  let out = '';
  for (const r of runs) out += typeof r === 'string' ? r : r.raw;
  return out;
}

/**
 * The MIME pieces of some runs: prepared runs as they are, per-digest strings encoded now.
 *
 * @example
 * ```ts
 * const template = messageFromPieces(flushId, digest.subject, runsToPieces(digest.html), runsToPieces(digest.text), headers);
 * ```
 */
export function runsToPieces(runs: readonly Run[]): Piece[] {
  const pieces: Piece[] = [];
  for (const r of runs) {
    if (typeof r === 'string') {
      if (r !== '') pieces.push(staticPiece(r));
    } else {
      for (const p of r.pieces) pieces.push(p);
    }
  }
  return pieces;
}

/**
 * The plain-text part of a digest built in one go (the direct render uses it; the assembly
 * builds the same text from the prepared runs).
 *
 * @example
 * ```ts
 * const text = alertText(branding, view, alertValues(view, { siteName: branding.siteName }));
 * ```
 */
export function alertText(branding: CheckedBranding, view: AlertDigestView, values: AlertValues): string {
  const cards = view.items.map((item) => `${alertKicker(item.keywords, item.story.section)}\n${alertCardText(item.story)}`);
  return `${alertTextHead(branding)}${textHeading(values)}${cards.join('\n\n')}\n\n${textMore(values)}${alertTextFooter(branding)}`;
}
