/**
 * Summaries and teasers: plain text, at most 300 characters, cut at a word boundary.
 */

/** Longest summary or teaser, in characters (Unicode code points), ellipsis included. */
export const MAX_SUMMARY_CHARS = 300;

/** Appended when a text was cut. */
export const ELLIPSIS = '…';

/** Punctuation that should not dangle before the ellipsis. */
const DANGLING = /[\s,;:–—-]+$/u;

/**
 * Cuts a text to at most `max` characters (code points, so no surrogate pair is split) at a
 * word boundary and appends "…", only when it is too long. Whitespace is collapsed first.
 * A single word longer than `max` is cut inside the word.
 *
 * @example
 * cutAtWordBoundary('Short text');              // 'Short text'
 * cutAtWordBoundary('one two three four', 12);  // 'one two…'
 */
export function cutAtWordBoundary(text: string, max: number = MAX_SUMMARY_CHARS): string {
  const flat = collapseWhitespace(text);
  if (flat.length <= max) {
    // UTF-16 length is at least the number of code points.
    return flat;
  }
  // The first `max` code points lie within the first 2 * max UTF-16 units; a slice that
  // was truncated holds more than `max` code points, so `<= max` means the whole text.
  const chars = Array.from(flat.slice(0, 2 * max + 2));
  if (chars.length <= max) {
    return flat;
  }
  // Keep room for the ellipsis, then go back to the last space within the limit.
  const head = chars.slice(0, max - 1).join('');
  const nextIsSpace = chars[max - 1] === ' ';
  const lastSpace = head.lastIndexOf(' ');
  const cut = nextIsSpace ? head : lastSpace > 0 ? head.slice(0, lastSpace) : head;
  return `${cut.replace(DANGLING, '')}${ELLIPSIS}`;
}

/**
 * The first non-empty paragraph of a plain-text body (paragraphs are separated by blank
 * lines), with its whitespace collapsed to single spaces; '' when there is none.
 *
 * @example
 * firstParagraph('\n\nFirst line\ncontinues.\n\nSecond.'); // 'First line continues.'
 */
export function firstParagraph(bodyText: string): string {
  for (const paragraph of bodyText.split(/\n[ \t]*\n/)) {
    const flat = collapseWhitespace(paragraph);
    if (flat !== '') {
      return flat;
    }
  }
  return '';
}

/**
 * The summary of an article: the explicit one when given and not blank, else the first
 * paragraph of the body; in both cases cut to {@link MAX_SUMMARY_CHARS}.
 *
 * @example
 * summaryFor(undefined, 'Lead paragraph.\n\nMore.'); // 'Lead paragraph.'
 */
export function summaryFor(explicit: string | undefined, bodyText: string): string {
  const given = explicit === undefined ? '' : collapseWhitespace(explicit);
  return cutAtWordBoundary(given !== '' ? given : firstParagraph(bodyText));
}

/** Every run of whitespace (NBSP included) as one plain space, trimmed. */
export function collapseWhitespace(text: string): string {
  return text.replace(/\s+/gu, ' ').trim();
}
