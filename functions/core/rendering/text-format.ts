/**
 * Small plain-text helpers: word-boundary truncation and line wrapping. No MJML here.
 */

const ELLIPSIS = '…';

/**
 * Shortens text to at most `max` UTF-16 code units, cutting at a word boundary when one is
 * reasonably close and appending "…". Never splits a surrogate pair.
 *
 * @example
 * ```ts
 * truncateAtWord('The quick brown fox', 12); // 'The quick…'
 * ```
 */
export function truncateAtWord(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= ELLIPSIS.length) return ELLIPSIS.slice(0, Math.max(0, max));
  let cut = max - ELLIPSIS.length;
  // Do not leave a lone high surrogate at the end.
  const last = text.charCodeAt(cut - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut -= 1;
  const head = text.slice(0, cut);
  // Cut at the last space when the next character is not already a boundary.
  const nextIsSpace = /\s/u.test(text.charAt(cut));
  const space = head.search(/\s\S*$/u);
  const base = !nextIsSpace && space > cut * 0.5 ? head.slice(0, space) : head;
  return `${base.replace(/[\s,;:.\-–—]+$/u, '')}${ELLIPSIS}`;
}

/**
 * Wraps one paragraph to lines of at most `width` characters. A word longer than the width
 * (a URL) gets a line of its own and is never broken.
 *
 * @example
 * ```ts
 * wrapText('Read more: https://example.com/a/very/long/path', 20);
 * // ['Read more:', 'https://example.com/a/very/long/path']
 * ```
 */
export function wrapText(paragraph: string, width = 78): string[] {
  const words = paragraph.split(/\s+/u).filter((w) => w.length > 0);
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    if (line.length === 0) line = word;
    else if (line.length + 1 + word.length <= width) line += ` ${word}`;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line.length > 0) lines.push(line);
  return lines;
}
