/**
 * Markdown articles: optional YAML front matter with the fields of the JSON format, then a
 * Markdown body. The title is the front matter's `title`, else the first `# ` heading
 * (which then leaves the body).
 */
import matter from 'gray-matter';
import { Marked } from 'marked';
import type { Token, TokensList } from 'marked';
import YAML from 'yaml';
import { UnreadableContentError } from '../../errors.ts';
import { ArticleFormat } from '../types.ts';
import type { ParseResult } from '../types.ts';
import { bodyFromHtml, bodyFromSource, buildArticle } from './article-builder.ts';
import type { ArticleBody, ParseOptions } from './article-builder.ts';
import { validateFrontMatter } from './article-schema.ts';
import { normaliseHeadline } from './identity.ts';
import { htmlToPlainText, sanitizeArticleHtml, tidyLine } from './sanitize.ts';

/** Our own instance: no global `marked.use()` elsewhere can change how articles render. */
const markdown = new Marked({ gfm: true, async: false });

/** Front matter opened but never closed: the rest of the file would be read as YAML. */
const OPEN_FRONT_MATTER = /^---[ \t]*\n/;
const CLOSED_FRONT_MATTER = /^---[ \t]*\n(?:[\s\S]*?\n)?---[ \t]*(?:\n|$)/;

/**
 * Parses a Markdown article. The body is rendered with marked, sanitised with the
 * allow-list (`bodyHtml`) and converted to text (`bodyText`). YAML is read with the YAML 1.2
 * core schema, so `publishedAt: 2026-03-01` stays the text it looks like.
 *
 * @example
 * parseMarkdownArticle('a.md', '---\nsection: Opinion\n---\n# Title\n\nBody *text*.', { defaultLanguage: 'en' });
 * // { format: 'markdown', article: { title: 'Title', section: 'Opinion', bodyHtml: '<p>Body <em>text</em>.</p>', … }, picks: [] }
 */
export function parseMarkdownArticle(key: string, text: string, options: ParseOptions): ParseResult {
  if (OPEN_FRONT_MATTER.test(text) && !CLOSED_FRONT_MATTER.test(text)) {
    throw new UnreadableContentError(key, 'front matter is not closed (no second --- line)');
  }
  const { data, content } = readFrontMatter(key, text);
  const fields = validateFrontMatter(key, data);

  const tokens = markdown.lexer(content);
  const headingIndex = tokens.findIndex((token) => token.type === 'heading' && token.depth === 1);
  const heading = headingIndex === -1 ? undefined : headingText(tokens[headingIndex]);
  const title = fields.title ?? heading;
  if (title === undefined || title === '') {
    throw new UnreadableContentError(key, 'Markdown article has no title (no title in the front matter and no # heading)');
  }
  // The heading that gave the title (or repeats it) is not part of the body.
  if (heading !== undefined && (fields.title === undefined || normaliseHeadline(heading) === normaliseHeadline(title))) {
    tokens.splice(headingIndex, 1);
  }

  const body = bodyOf(tokens, fields.body);
  const article = buildArticle({ key, fields: { ...fields, title }, body, options });
  return { format: ArticleFormat.MARKDOWN, article, picks: [] };
}

function readFrontMatter(key: string, text: string): { data: Record<string, unknown>; content: string } {
  let parsed: { data: unknown; content: string };
  try {
    parsed = matter(text, {
      engines: { yaml: (source: string) => YAML.parse(source) as object },
    });
  } catch (error) {
    const firstLine = (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
    const message = firstLine.replace(/:\s*$/, '');
    throw new UnreadableContentError(key, `invalid front matter (YAML): ${message}`, { cause: error });
  }
  const data = parsed.data ?? {};
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw new UnreadableContentError(key, 'front matter is not a list of "field: value" lines');
  }
  return { data: { ...(data as Record<string, unknown>) }, content: parsed.content };
}

/** Plain text of a heading token (inline Markdown rendered, then reduced to text). */
function headingText(token: Token | undefined): string | undefined {
  if (token === undefined || token.type !== 'heading') {
    return undefined;
  }
  const html = markdown.parseInline(String(token.text), { async: false });
  return tidyLine(htmlToPlainText(sanitizeArticleHtml(html)).replace(/\s+/g, ' '));
}

/** The rendered body; a file with nothing under the front matter may use the `body` field. */
function bodyOf(tokens: TokensList, fallback: string | undefined): ArticleBody {
  const hasContent = tokens.some((token) => token.type !== 'space');
  if (!hasContent) {
    return bodyFromSource(fallback);
  }
  return bodyFromHtml(markdown.parser(tokens, { async: false }));
}
