/**
 * Plain-text page exports (a web page saved as text, like the commonspace.eu exports):
 *
 * ```text
 * Headline                        ← first non-empty line
 *
 * Paragraph one.                  ← paragraphs separated by blank lines
 *
 * Paragraph two.
 *
 * source: commonspace.eu          ← trailing metadata lines, not body
 * photo: The US Secretary …
 *
 * Related articles                ← a block marker ends the body
 *
 * Editor's choice                 ← teaser block: marker,
 * News                            ←   section label,
 * Teaser headline                 ←   headline (often repeated on the next non-empty line),
 *
 * Teaser headline
 *
 * Teaser summary paragraph.       ←   teaser text
 *
 * Popular
 * …
 * ```
 *
 * Whitespace is tidied line by line (NBSP → space, see sanitize.ts); all other characters
 * are kept exactly.
 */
import { UnreadableContentError } from '../../errors.ts';
import { ArticleFormat } from '../types.ts';
import type { EditorsChoiceItem, ParsedArticle, ParseResult } from '../types.ts';
import type { ParseOptions } from './article-builder.ts';
import { articleIdFor, normaliseHeadline, pickIdFor } from './identity.ts';
import { tidyLine } from './sanitize.ts';
import { cutAtWordBoundary, summaryFor } from './summary.ts';

/** Longest plausible headline, in characters. */
export const MAX_HEADLINE_CHARS = 200;

/** Section of page-export articles and of teasers without a section label. */
export const DEFAULT_SECTION = 'News';

/** Lines that end the article body and start the page's furniture. */
const BlockMarker = {
  RELATED: 'related',
  EDITORS_CHOICE: 'editors-choice',
  POPULAR: 'popular',
} as const;
type BlockMarker = (typeof BlockMarker)[keyof typeof BlockMarker];

/** Longest section label of a teaser block ("Monday Commentary"), in characters and words. */
const MAX_LABEL_CHARS = 40;
const MAX_LABEL_WORDS = 4;

/** The kind of block a (tidied) line starts, if it is exactly a marker (any case, ' or ’). */
function markerOf(line: string): BlockMarker | undefined {
  const folded = line.toLowerCase().replace(/[’‘`´]/g, "'");
  if (folded === 'related articles') {
    return BlockMarker.RELATED;
  }
  if (folded === "editor's choice" || folded === "editors' choice") {
    return BlockMarker.EDITORS_CHOICE;
  }
  if (folded === 'popular') {
    return BlockMarker.POPULAR;
  }
  return undefined;
}

/** A trailing `source:` / `photo:` line (any case). */
const METADATA_LINE = /^(source|photo)\s*:\s*(.*)$/i;

/**
 * Parses a page export. A page with body paragraphs gives an article (section "News",
 * id from the key, no `bodyHtml`) plus the teasers found in its "Editor's choice" blocks; a
 * page with teasers but no body paragraphs is a listing page (no article). Throws
 * {@link UnreadableContentError} when the first line is not a plausible headline, or when
 * the page has neither body paragraphs nor teasers.
 *
 * @example
 * parsePageExport('pages/a.txt', 'Headline\n\nFirst paragraph.\n\nsource: agencies', { defaultLanguage: 'en' });
 * // { format: 'page-export', article: { title: 'Headline', bodyText: 'First paragraph.', source: 'agencies', … }, picks: [] }
 */
export function parsePageExport(key: string, text: string, options: ParseOptions): ParseResult {
  const lines = text.split('\n').map(tidyLine);
  const first = lines.findIndex((line) => line !== '');
  if (first === -1) {
    throw new UnreadableContentError(key, 'empty file (only whitespace)');
  }
  const headline = markerOf(lines[first] ?? '') === undefined ? lines[first] : undefined;
  if (headline !== undefined) {
    assertPlausibleHeadline(key, headline);
  }
  const bodyStart = headline === undefined ? first : first + 1;
  const markerAt = lines.findIndex((line, index) => index >= bodyStart && markerOf(line) !== undefined);
  const bodyEnd = markerAt === -1 ? lines.length : markerAt;

  const { paragraphs, source, photo } = splitBody(lines.slice(bodyStart, bodyEnd));
  const picks = teasersOf(lines.slice(bodyEnd));

  if (headline === undefined || paragraphs.length === 0) {
    if (picks.length === 0) {
      throw new UnreadableContentError(
        key,
        headline === undefined
          ? "page export has no article text and no editor's-choice teasers"
          : "page export has only a headline: no body paragraphs and no editor's-choice teasers",
      );
    }
    return { format: ArticleFormat.PAGE_EXPORT, picks };
  }

  const bodyText = paragraphs.join('\n\n');
  const article: ParsedArticle = {
    id: articleIdFor(undefined, key),
    title: headline,
    section: DEFAULT_SECTION,
    summary: summaryFor(undefined, bodyText),
    bodyText,
    tags: [],
    editorsChoice: false,
    breaking: false,
    language: options.defaultLanguage,
  };
  if (source !== undefined) {
    article.source = source;
  }
  if (photo !== undefined) {
    article.photo = photo;
  }
  return { format: ArticleFormat.PAGE_EXPORT, article, picks };
}

/**
 * Throws unless `line` reads like a headline: at most 200 characters, and not a paragraph of
 * several sentences ending in sentence punctuation.
 *
 * @example
 * assertPlausibleHeadline('a.txt', 'Blinken and Lavrov discuss growing tensions'); // ok
 * assertPlausibleHeadline('a.txt', 'He came. He saw. He left.');
 * // throws: 'first line is not a plausible headline (it reads like a paragraph of 3 sentences)'
 */
export function assertPlausibleHeadline(key: string, line: string): void {
  const length = Array.from(line).length;
  if (length === 0) {
    throw new UnreadableContentError(key, 'first line is not a plausible headline (it is empty)');
  }
  if (length > MAX_HEADLINE_CHARS) {
    throw new UnreadableContentError(key, `first line is not a plausible headline (it is a ${length}-character paragraph)`);
  }
  const sentences = sentenceCount(line);
  if (sentences >= 2 && /[.!?…]["'”’»)\]]*$/u.test(line)) {
    throw new UnreadableContentError(
      key,
      `first line is not a plausible headline (it reads like a paragraph of ${sentences} sentences)`,
    );
  }
}

/** Sentences: a terminator, optional closing quote, space, then an upper-case start. */
function sentenceCount(line: string): number {
  return line.split(/(?<=[.!?…]["'”’»)\]]*)\s+(?=["'“‘«(\[]?\p{Lu})/u).filter((part) => part.trim() !== '').length;
}

/** Body paragraphs (non-empty lines joined by blank-line groups) and the trailing metadata. */
function splitBody(lines: readonly string[]): { paragraphs: string[]; source?: string; photo?: string } {
  let end = lines.length;
  let source: string | undefined;
  let photo: string | undefined;
  // Walk back over blank lines and `source:`/`photo:` lines: they are metadata, not body.
  for (let index = lines.length - 1; index >= 0; index -= 1) {
    const line = lines[index] ?? '';
    if (line === '') {
      continue;
    }
    const match = METADATA_LINE.exec(line);
    if (match === null) {
      break;
    }
    const value = (match[2] ?? '').trim();
    if ((match[1] ?? '').toLowerCase() === 'source') {
      source ??= value === '' ? undefined : value;
    } else {
      photo ??= value === '' ? undefined : value;
    }
    end = index;
  }
  const result: { paragraphs: string[]; source?: string; photo?: string } = {
    paragraphs: groupParagraphs(lines.slice(0, end)),
  };
  if (source !== undefined) {
    result.source = source;
  }
  if (photo !== undefined) {
    result.photo = photo;
  }
  return result;
}

/** Consecutive non-empty lines form one paragraph (their line breaks kept). */
function groupParagraphs(lines: readonly string[]): string[] {
  const paragraphs: string[] = [];
  let current: string[] = [];
  for (const line of [...lines, '']) {
    if (line === '') {
      if (current.length > 0) {
        paragraphs.push(current.join('\n'));
        current = [];
      }
    } else {
      current.push(line);
    }
  }
  return paragraphs;
}

/**
 * The "Editor's choice" teasers after the body, de-duplicated by normalised headline (the
 * first occurrence wins). Lines of other blocks ("Related articles", "Popular") are ignored.
 */
function teasersOf(lines: readonly string[]): EditorsChoiceItem[] {
  const items = new Map<string, EditorsChoiceItem>();
  for (let index = 0; index < lines.length; index += 1) {
    if (markerOf(lines[index] ?? '') !== BlockMarker.EDITORS_CHOICE) {
      continue;
    }
    let end = index + 1;
    while (end < lines.length && markerOf(lines[end] ?? '') === undefined) {
      end += 1;
    }
    const item = teaserOf(groupParagraphs(lines.slice(index + 1, end)));
    const normalised = item === undefined ? '' : normaliseHeadline(item.headline);
    if (item !== undefined && normalised !== '' && !items.has(normalised)) {
      items.set(normalised, item);
    }
    index = end - 1;
  }
  return [...items.values()];
}

/**
 * One teaser block, given its paragraphs (groups of non-empty lines). The lines are read in
 * order: an optional short section label, the headline, its optional repeat, then the
 * first paragraph that follows is the teaser text.
 */
function teaserOf(paragraphs: readonly string[]): EditorsChoiceItem | undefined {
  // Lines in order, each with the paragraph it belongs to.
  const lines = paragraphs.flatMap((paragraph, group) => paragraph.split('\n').map((text) => ({ text, group })));
  let cursor = 0;
  let section = DEFAULT_SECTION;
  const labelCandidate = lines[0];
  const afterLabel = lines[1];
  if (
    labelCandidate !== undefined &&
    afterLabel !== undefined &&
    isPlausibleLabel(labelCandidate.text) &&
    isHeadlineLike(afterLabel.text)
  ) {
    section = labelCandidate.text;
    cursor = 1;
  }
  const headlineLine = lines[cursor];
  if (headlineLine === undefined) {
    return undefined;
  }
  const headline = headlineLine.text;
  cursor += 1;
  if (lines[cursor] !== undefined && normaliseHeadline(lines[cursor]?.text ?? '') === normaliseHeadline(headline)) {
    cursor += 1;
  }
  const teaserStart = lines[cursor];
  const teaser =
    teaserStart === undefined
      ? ''
      : lines
          .slice(cursor)
          .filter((line) => line.group === teaserStart.group)
          .map((line) => line.text)
          .join(' ');
  return { id: pickIdFor(headline), headline, section, teaser: cutAtWordBoundary(teaser) };
}

/** A section label: short, few words, no sentence punctuation, not a marker. */
function isPlausibleLabel(line: string): boolean {
  return (
    Array.from(line).length <= MAX_LABEL_CHARS &&
    line.split(' ').length <= MAX_LABEL_WORDS &&
    !/[.!?:;,]$/.test(line) &&
    markerOf(line) === undefined
  );
}

/** Could be a headline (not a paragraph). */
function isHeadlineLike(line: string): boolean {
  return Array.from(line).length <= MAX_HEADLINE_CHARS && !(sentenceCount(line) >= 2 && /[.!?…]["'”’»)\]]*$/u.test(line));
}
