/**
 * JSON articles: one article object per file (see article-schema.ts for the fields).
 */
import { UnreadableContentError } from '../../errors.ts';
import { ArticleFormat } from '../types.ts';
import type { ParseResult } from '../types.ts';
import { bodyFromSource, buildArticle } from './article-builder.ts';
import type { ParseOptions } from './article-builder.ts';
import { validateJsonArticle } from './article-schema.ts';

/**
 * Parses a JSON article. Throws {@link UnreadableContentError} for invalid JSON (with line
 * and column), anything but one object ("expected one article object per file …"), and
 * fields failing the schema. JSON articles never carry teasers: `picks` is empty.
 *
 * @example
 * parseJsonArticle('news/a.json', '{"title":"Hello","body":"<p>World</p>"}', { defaultLanguage: 'en' });
 * // { format: 'json', article: { title: 'Hello', bodyHtml: '<p>World</p>', bodyText: 'World', … }, picks: [] }
 */
export function parseJsonArticle(key: string, text: string, options: ParseOptions): ParseResult {
  const value = parseJson(key, text);
  if (Array.isArray(value)) {
    throw new UnreadableContentError(key, 'expected one article object per file (found a JSON array)');
  }
  if (typeof value !== 'object' || value === null) {
    throw new UnreadableContentError(key, `expected one article object per file (found ${kindOf(value)})`);
  }
  const input = value as Record<string, unknown>;
  if (input['title'] === undefined && Array.isArray(input['articles'])) {
    throw new UnreadableContentError(key, 'expected one article object per file (found a list of "articles")');
  }
  const fields = validateJsonArticle(key, input);
  const article = buildArticle({ key, fields, body: bodyFromSource(fields.body), options });
  return { format: ArticleFormat.JSON, article, picks: [] };
}

function parseJson(key: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UnreadableContentError(key, `invalid JSON: ${describeJsonError(text, error)}`, { cause: error });
  }
}

/**
 * The engine's message without its position/echo, plus "at line L, column C" of the first
 * character that cannot continue a valid JSON text; or "the file ends before the JSON is
 * complete" for a truncated file. The position is found by bisection on prefixes (a prefix
 * of valid-so-far JSON fails only at its very end), so it does not depend on whether the
 * engine's message gives one.
 */
function describeJsonError(text: string, error: unknown): string {
  const raw = error instanceof Error ? error.message : String(error);
  const message = raw
    .replace(/, .* is not valid JSON$/s, '')
    .replace(/\s+(?:in JSON\s+)?at position \d+(?:\s+\(line \d+ column \d+\))?$/, '')
    .trim();
  const offset = firstBadOffset(text);
  if (offset === undefined) {
    return 'the file ends before the JSON is complete';
  }
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return `${message} at line ${line}, column ${column}`;
}

/** Whether `prefix` can still be the start of a valid JSON text (parses, or fails at its end). */
function isViablePrefix(prefix: string): boolean {
  try {
    JSON.parse(prefix);
    return true;
  } catch (error) {
    if (!(error instanceof SyntaxError)) {
      return false;
    }
    if (/Unexpected end of JSON input/.test(error.message)) {
      return true;
    }
    const position = /at position (\d+)/.exec(error.message)?.[1];
    return position !== undefined && Number(position) >= prefix.length;
  }
}

/** Offset of the first character after which no valid JSON can follow; undefined if none. */
function firstBadOffset(text: string): number | undefined {
  if (isViablePrefix(text)) {
    return undefined;
  }
  // isViablePrefix('') holds: bisect for the longest viable prefix.
  let low = 0;
  let high = text.length;
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (isViablePrefix(text.slice(0, middle))) {
      low = middle;
    } else {
      high = middle;
    }
  }
  return low;
}

function kindOf(value: unknown): string {
  if (value === null) {
    return 'null';
  }
  if (typeof value === 'string') {
    return 'a string';
  }
  if (typeof value === 'number') {
    return 'a number';
  }
  return `a ${typeof value}`;
}
