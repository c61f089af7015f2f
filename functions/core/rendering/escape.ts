/**
 * Escaping and URL helpers shared by the renderer, the web archive and the personaliser.
 *
 * This file must stay tiny and free of MJML: the per-recipient send path imports it.
 */
import { Token } from '../editions/types.ts';

/** Every personalisation token, in a stable order. */
export const ALL_TOKENS: readonly Token[] = Object.values(Token);

/** Matches any `%%{...}%%` token-like sequence. */
export const TOKEN_LIKE = /%%\{[a-z_]+\}%%/g;

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * Escapes text for HTML text content and double- or single-quoted attribute values.
 *
 * @example
 * ```ts
 * escapeHtml('<b>"Tom" & Jerry</b>'); // '&lt;b&gt;&quot;Tom&quot; &amp; Jerry&lt;/b&gt;'
 * ```
 */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (ch) => HTML_ESCAPES[ch] ?? ch);
}

/**
 * Escapes text for XML (Atom) text content and attribute values; drops characters XML 1.0
 * does not allow.
 *
 * @example
 * ```ts
 * escapeXml('a < b & "c"'); // 'a &lt; b &amp; &quot;c&quot;'
 * ```
 */
export function escapeXml(value: string): string {
  return escapeHtml(
    // eslint-disable-next-line no-control-regex
    value.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, ''),
  ).replace(/&#39;/g, '&apos;');
}

/**
 * Removes control characters (C0, DEL, C1, line/paragraph separators) and collapses
 * white space to single spaces: the shape of one line of text.
 *
 * @example
 * ```ts
 * oneLine('Breaking:\r\n  news\u0007'); // 'Breaking: news'
 * ```
 */
export function oneLine(value: string): string {
  return value
    .replace(/[\p{Cc}\u2028\u2029]+/gu, ' ')
    .replace(/\s+/gu, ' ')
    .trim();
}

/**
 * Keeps a URL only when it is an absolute http(s) URL; returns it normalised, else undefined.
 * Blocks `javascript:`, `data:`, relative and protocol-relative URLs, and URLs with
 * credentials. Braces are percent-encoded so no URL can look like a personalisation token.
 *
 * @example
 * ```ts
 * safeHttpUrl('https://example.com/a b'); // 'https://example.com/a%20b'
 * safeHttpUrl('javascript:alert(1)');   // undefined
 * ```
 */
export function safeHttpUrl(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (!/^https?:\/\//i.test(trimmed)) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(trimmed);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return undefined;
  if (parsed.username || parsed.password || !parsed.hostname) return undefined;
  // Braces are legal in a query but would let a URL carry a `%%{token}%%` look-alike.
  return parsed.href.replace(/\{/g, '%7B').replace(/\}/g, '%7D');
}

/**
 * Stops data text from containing something the personaliser would take for a token:
 * `%%{` becomes `%%&#123;` in HTML (renders the same) and `%%\u200B{` in plain text.
 *
 * @example
 * ```ts
 * defuseTokens('%%{name}%%', 'html'); // '%%&#123;name}%%'
 * ```
 */
export function defuseTokens(value: string, mode: 'html' | 'text'): string {
  return value.replace(/%%\{/g, mode === 'html' ? '%%&#123;' : '%%\u200b{');
}

/**
 * Escapes untrusted text for HTML and defuses token look-alikes: the one function every
 * piece of article text goes through before it reaches a template.
 *
 * @example
 * ```ts
 * escapeText('<script>alert(1)</script>'); // '&lt;script&gt;alert(1)&lt;/script&gt;'
 * ```
 */
export function escapeText(value: string): string {
  return defuseTokens(escapeHtml(value), 'html');
}

/**
 * Lists the tokens present in any of the given strings, in {@link ALL_TOKENS} order.
 *
 * @example
 * ```ts
 * tokensIn('<a href="%%{unsubscribe_url}%%">'); // ['%%{unsubscribe_url}%%']
 * ```
 */
export function tokensIn(...parts: readonly string[]): Token[] {
  return ALL_TOKENS.filter((token) => parts.some((part) => part.includes(token)));
}
