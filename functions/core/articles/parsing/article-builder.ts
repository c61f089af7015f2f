/**
 * Turns validated fields plus a body into a {@link ParsedArticle}: the defaults shared by the
 * JSON and Markdown formats live here.
 */
import type { ArticleImage, ParsedArticle } from '../types.ts';
import type { ArticleFields } from './article-schema.ts';
import { articleIdFor } from './identity.ts';
import { firstHtmlParagraph, htmlToPlainText, looksLikeHtml, sanitizeArticleHtml, tidyLine, tidyText } from './sanitize.ts';
import { summaryFor } from './summary.ts';

/** Options of every parser. */
export interface ParseOptions {
  /** BCP 47 tag used when a source does not say its language (config CONTENT_LANGUAGE). */
  defaultLanguage: string;
}

/** A body in both renderings; `html` only when the source was HTML or Markdown. */
export interface ArticleBody {
  text: string;
  html?: string;
  /** First `<p>` of the HTML, for the default summary (else the first text paragraph is used). */
  lead?: string;
}

/**
 * The body of a JSON article or front-matter `body`: HTML (detected by its tags) is
 * sanitised and converted to text; plain text is tidied.
 *
 * @example
 * bodyFromSource('<p>Hi<script>x()</script></p>'); // { text: 'Hi', html: '<p>Hi</p>', lead: 'Hi' }
 * bodyFromSource('One\u00a0 two\n\n\nThree');       // { text: 'One two\n\nThree' }
 */
export function bodyFromSource(body: string | undefined): ArticleBody {
  if (body === undefined) {
    return { text: '' };
  }
  if (looksLikeHtml(body)) {
    return bodyFromHtml(body);
  }
  return { text: tidyText(body) };
}

/** Sanitises HTML and derives its text; an HTML body that sanitises to nothing has no `html`. */
export function bodyFromHtml(html: string): ArticleBody {
  const clean = sanitizeArticleHtml(html);
  const text = htmlToPlainText(clean);
  if (clean === '') {
    return { text };
  }
  const lead = firstHtmlParagraph(clean);
  return lead === '' ? { text, html: clean } : { text, html: clean, lead };
}

/**
 * Builds the article from validated fields. Plain text fields are tidied (see sanitize.ts);
 * a summary written as HTML is reduced to its text.
 */
export function buildArticle(input: {
  key: string;
  fields: ArticleFields;
  body: ArticleBody;
  options: ParseOptions;
}): ParsedArticle {
  const { key, fields, body, options } = input;
  const title = tidyLine(fields.title);
  const explicitSummary =
    fields.summary === undefined
      ? undefined
      : looksLikeHtml(fields.summary)
        ? htmlToPlainText(sanitizeArticleHtml(fields.summary))
        : fields.summary;
  const url = fields.url?.trim();
  const article: ParsedArticle = {
    id: fields.id ?? articleIdFor(url, key),
    title,
    section: tidyLine(fields.section),
    summary: summaryFor(explicitSummary, body.lead ?? body.text),
    bodyText: body.text,
    tags: uniqueTags(fields.tags),
    editorsChoice: fields.editorsChoice,
    breaking: fields.breaking,
    language: fields.language ?? options.defaultLanguage,
  };
  if (url !== undefined) {
    article.url = url;
  }
  if (fields.publishedAt !== undefined) {
    // Both forms pass the schema, so the date is valid: store one comparable form (UTC).
    article.publishedAt = new Date(fields.publishedAt).toISOString();
  }
  if (body.html !== undefined) {
    article.bodyHtml = body.html;
  }
  if (fields.image !== undefined) {
    article.image = imageOf(fields.image, title);
  }
  const source = fields.source === undefined ? '' : tidyLine(fields.source);
  if (source !== '') {
    article.source = source;
  }
  return article;
}

/** Decision: an image without (or with a blank) `alt` gets the article title as alt text. */
function imageOf(image: NonNullable<ArticleFields['image']>, title: string): ArticleImage {
  const alt = image.alt === undefined ? '' : tidyLine(image.alt);
  const result: ArticleImage = { url: image.url.trim(), alt: alt === '' ? title : alt };
  const caption = image.caption === undefined ? '' : tidyLine(image.caption);
  if (caption !== '') {
    result.caption = caption;
  }
  return result;
}

function uniqueTags(tags: readonly string[]): string[] {
  return [...new Set(tags.map(tidyLine).filter((tag) => tag !== ''))];
}
