/**
 * HTML and text hygiene: the allow-list sanitiser every HTML body goes through, the
 * HTML → plain-text conversion, and the whitespace tidying of plain text.
 *
 * Decision (NBSP): in plain text (titles, bodies, summaries, teasers, `source`, `photo`) the
 * no-break spaces U+00A0, U+2007 and U+202F become plain spaces, runs of spaces and tabs
 * inside a line collapse to one, and lines are trimmed. Page exports are full of stray NBSPs
 * ("agenda.\u00a0\u00a0", "The\u00a0 US") that are layout, not content. Every other character
 * (curly quotes, dashes, ellipses, any script) is kept exactly. Sanitised HTML keeps its
 * no-break spaces (`&nbsp;` is meaningful markup there).
 */
import { convert } from 'html-to-text';
import sanitizeHtml from 'sanitize-html';

/** Tags an article body may keep. Anything else is dropped (its text kept, except below). */
export const ALLOWED_TAGS: readonly string[] = [
  'p', 'br', 'a', 'strong', 'em', 'b', 'i', 'ul', 'ol', 'li', 'blockquote',
  'h2', 'h3', 'h4', 'figure', 'figcaption', 'img',
];

/** Tags dropped together with their content. */
const DROPPED_WITH_CONTENT = [
  'script', 'style', 'iframe', 'noscript', 'textarea', 'option', 'template', 'object', 'embed',
  'svg', 'math', 'head', 'title',
];

const SANITIZE_OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: [...ALLOWED_TAGS],
  allowedAttributes: { a: ['href', 'title'], img: ['src', 'alt'] },
  // Links: web and mail only; images: web only. Relative links stay (no scheme to judge).
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: { img: ['http', 'https'] },
  allowedSchemesAppliedToAttributes: ['href', 'src'],
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  nonTextTags: DROPPED_WITH_CONTENT,
  // Keep the outline when a source uses h1/h5/h6: the title is the page's only h1.
  transformTags: { h1: 'h2', h5: 'h4', h6: 'h4' },
  exclusiveFilter: (frame) => {
    // An image without an absolute http(s) source is useless in an email: drop it.
    if (frame.tag === 'img') {
      return !/^https?:\/\//i.test(frame.attribs['src'] ?? '');
    }
    // A link whose address was refused (javascript:, data:) keeps its text, loses the tag.
    if (frame.tag === 'a' && (frame.attribs['href'] ?? '') === '') {
      return 'excludeTag';
    }
    return false;
  },
};

/** An HTML tag the sources use (opening or closing), to tell HTML from plain text. */
const HTML_TAG =
  /<\/?(?:p|br|a|strong|em|b|i|u|ul|ol|li|blockquote|h[1-6]|figure|figcaption|img|div|span|script|style|iframe|table|tr|td|section|article|header|footer|hr|pre|code)\b[^>]*>/i;

/**
 * Whether a text is HTML (contains a known tag) rather than plain text. "a < b" is not.
 *
 * @example
 * looksLikeHtml('<p>Hello</p>'); // true
 * looksLikeHtml('3 < 4 and 5 > 2'); // false
 */
export function looksLikeHtml(text: string): boolean {
  return HTML_TAG.test(text);
}

/**
 * Sanitises an HTML fragment with the allow-list: p, br, a[href title], strong, em, b, i,
 * ul, ol, li, blockquote, h2–h4, figure, figcaption, img[src alt]. Scripts, styles, iframes
 * and the like are removed with their content; `on*` and every other attribute are dropped;
 * `javascript:`/`data:` URLs are removed (images need an http/https source or go).
 *
 * @example
 * sanitizeArticleHtml('<p onclick="x()">Hi<script>alert(1)</script> <a href="javascript:x()">a</a></p>');
 * // '<p>Hi a</p>' (a link whose URL was refused keeps only its text)
 */
export function sanitizeArticleHtml(html: string): string {
  return sanitizeHtml(html, SANITIZE_OPTIONS).trim();
}

/**
 * Plain text of (sanitised) HTML: no line wrapping, no link URLs, no images, headings as
 * written (not upper-cased), paragraphs separated by one blank line, then {@link tidyText}.
 *
 * @example
 * htmlToPlainText('<p>One <a href="https://x.test">link</a></p><p>Two</p>'); // 'One link\n\nTwo'
 */
export function htmlToPlainText(html: string): string {
  const text = convert(html, {
    wordwrap: false,
    selectors: [
      { selector: 'a', options: { ignoreHref: true } },
      { selector: 'img', format: 'skip' },
      { selector: 'h1', options: { uppercase: false } },
      { selector: 'h2', options: { uppercase: false } },
      { selector: 'h3', options: { uppercase: false } },
      { selector: 'h4', options: { uppercase: false } },
      { selector: 'h5', options: { uppercase: false } },
      { selector: 'h6', options: { uppercase: false } },
      { selector: 'figcaption', format: 'block' },
    ],
  });
  return tidyText(text);
}

/**
 * The text of the first paragraph (`<p>`) of sanitised HTML that has any, tidied to one
 * line; '' when none has text. Used for default summaries, so that a leading heading or
 * image does not become the summary.
 *
 * @example
 * firstHtmlParagraph('<h2>Sub</h2><p><img src="https://x.test/a.png" alt="" /></p><p>Lead <em>text</em>.</p>'); // 'Lead text.'
 */
export function firstHtmlParagraph(html: string): string {
  for (const match of html.matchAll(/<p>([\s\S]*?)<\/p>/g)) {
    const text = htmlToPlainText(match[1] ?? '').replace(/\s+/g, ' ').trim();
    if (text !== '') {
      return text;
    }
  }
  return '';
}

/**
 * Tidies plain text: NBSP-like spaces become spaces, spaces/tabs collapse within a line,
 * lines are trimmed, more than one blank line becomes one, leading/trailing blank lines go.
 * Expects `\n` line ends (the decoder already turned CRLF into LF).
 *
 * @example
 * tidyText('The\u00a0 US  said\n\n\n\nmore '); // 'The US said\n\nmore'
 */
export function tidyText(text: string): string {
  return text
    .split('\n')
    .map(tidyLine)
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/**
 * One line tidied: NBSP-like spaces (U+00A0, U+2007, U+202F) become spaces, runs of
 * spaces/tabs collapse to one, ends trimmed.
 *
 * @example
 * tidyLine('\u00a0Editor’s\u00a0choice\t'); // 'Editor’s choice'
 */
export function tidyLine(line: string): string {
  return line.replace(/[\u00a0\u2007\u202f]/g, ' ').replace(/[ \t\f\v]+/g, ' ').trim();
}
