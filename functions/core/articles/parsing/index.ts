/**
 * The content parsers of the ingestion: bytes of one object in, one article and/or
 * editor's-choice teasers out, or an {@link UnreadableContentError} whose reason goes to
 * quarantine. Pure functions: no AWS, no environment.
 *
 * Formats: JSON (`.json`), Markdown with YAML front matter (`.md`, `.markdown`), and
 * plain-text page exports (`.txt`, no extension); `.txt`/no extension are sniffed, so a
 * JSON object or a front-matter file saved as `.txt` is read as such.
 */
import { DigestError, UnreadableContentError } from '../../errors.ts';
import { ArticleFormat } from '../types.ts';
import type { ParseResult, SourceObject } from '../types.ts';
import type { ParseOptions } from './article-builder.ts';
import { decodeSourceText } from './decode.ts';
import { assertSupportedExtension, detectFormat } from './format-detector.ts';
import { parseJsonArticle } from './json-parser.ts';
import { assertWithinLimits } from './limits.ts';
import { parseMarkdownArticle } from './markdown-parser.ts';
import { parsePageExport } from './page-export-parser.ts';

export type { ParseOptions } from './article-builder.ts';
export { articleJsonSchema } from './article-schema.ts';
export { MAX_OBJECT_BYTES, oversizeReason } from './decode.ts';
export { detectFormat, extensionOf } from './format-detector.ts';
export { articleIdFor, normaliseHeadline, pickIdFor } from './identity.ts';
export { ArticleLimits, assertWithinLimits, limitProblems, TOO_LONG } from './limits.ts';
export { htmlToPlainText, looksLikeHtml, sanitizeArticleHtml } from './sanitize.ts';
export { cutAtWordBoundary, MAX_SUMMARY_CHARS } from './summary.ts';

/**
 * Parses one source object. Checks, in order: supported extension ("unsupported file type
 * .pdf"), size (at most {@link MAX_OBJECT_BYTES}, before decoding), emptiness, binary
 * content, UTF-8 validity (a BOM is stripped, CRLF accepted), the format's own rules, then
 * the field limits of every format ({@link ArticleLimits}: "too long: url: …"), so that what
 * comes out always fits the store's keys and items.
 * Any failure is an {@link UnreadableContentError} (key + plain-words reason); an unexpected
 * failure inside a library is wrapped as one too, so a bad object can always be quarantined.
 *
 * @example
 * const result = parseSourceObject(
 *   { key: 'news/story.json', body: new TextEncoder().encode('{"title":"Hello","body":"World"}'), lastModified: new Date() },
 *   { defaultLanguage: 'en' },
 * );
 * result.format;          // 'json'
 * result.article?.title;  // 'Hello'
 * result.article?.id;     // 'news-story'
 */
export function parseSourceObject(obj: SourceObject, options: ParseOptions): ParseResult {
  const { key } = obj;
  try {
    assertSupportedExtension(key);
    const text = decodeSourceText(key, obj.body);
    const result = parseAs(detectFormat(key, text), key, text, options);
    assertWithinLimits(key, result);
    return result;
  } catch (error) {
    if (error instanceof DigestError) {
      throw error;
    }
    const message = error instanceof Error ? error.message : String(error);
    throw new UnreadableContentError(key, `could not be read: ${message}`, { cause: error });
  }
}

function parseAs(format: ArticleFormat, key: string, text: string, options: ParseOptions): ParseResult {
  switch (format) {
    case ArticleFormat.JSON:
      return parseJsonArticle(key, text, options);
    case ArticleFormat.MARKDOWN:
      return parseMarkdownArticle(key, text, options);
    case ArticleFormat.PAGE_EXPORT:
      return parsePageExport(key, text, options);
  }
}
