/**
 * The article format of JSON files and Markdown front matter, as a zod schema; the JSON
 * Schema handed to publishers is generated from it ({@link articleJsonSchema}).
 *
 * Rules beyond the schema (applied by the parsers): `null` means "absent"; `language`
 * defaults to the configured content language; `image.alt` defaults to the title (decision:
 * an image is never without alt text, and the headline describes the story's picture best);
 * `summary` defaults to the first paragraph of the body (the first `<p>` with text for HTML
 * and Markdown bodies); `id` defaults to the URL, else a slug of the object key;
 * `publishedAt` is stored as a UTC ISO-8601 date-time (a date alone means 00:00 UTC).
 *
 * The field limits ({@link ArticleLimits}) are shown here as `maxLength` / `maxItems` for
 * publishers; they are enforced for every format at once by the parsing façade.
 */
import * as z from 'zod'; // the namespace form lets esbuild leave out what is unused (zod's 260 KB of locales)
import { UnreadableContentError } from '../../errors.ts';
import { ArticleLimits } from './limits.ts';

/** Text that must be there when the field is: says "is required" or "must be text". */
function text(): z.ZodString {
  return z.string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be text') });
}

function httpUrl(): z.ZodURL {
  return z.url({
    protocol: /^https?$/,
    error: (issue) =>
      issue.input === undefined ? 'is required' : `must be an http or https URL (got ${describe(issue.input)})`,
  });
}

function flag(): z.ZodBoolean {
  return z.boolean({ error: (issue) => `must be true or false (got ${describe(issue.input)})` });
}

/** A BCP 47 language tag, loosely: "en", "hy", "ka", "ru", "en-GB", "sr-Latn-RS". */
const LANGUAGE_TAG = /^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$/;

/** The fields of one article, as published (input) and as validated (output). */
export const articleFieldsSchema = z
  .object({
    id: text().trim().min(1, { error: 'must not be empty' }).optional().meta({
      description: `Stable id. Default: the url, else a slug of the object key. At most ${ArticleLimits.ID_BYTES} bytes in UTF-8.`,
      maxLength: ArticleLimits.ID_BYTES,
    }),
    title: text()
      .trim()
      .min(1, { error: 'must not be empty' })
      .refine((value) => !/[\r\n]/.test(value), { error: 'must be a single line' })
      .meta({ description: 'Headline, one line.', maxLength: ArticleLimits.TITLE_CHARS }),
    url: httpUrl().optional().meta({ description: 'Canonical http(s) address of the story.', maxLength: ArticleLimits.URL_CHARS }),
    publishedAt: z
      .union([z.iso.datetime({ offset: true }), z.iso.date()], {
        error: (issue) =>
          `must be an ISO-8601 date (2026-03-01) or date-time with a time zone (2026-03-01T09:30:00Z) (got ${describe(issue.input)})`,
      })
      .optional()
      .meta({ description: 'Publication date or date-time. Default: the object’s last-modified time.' }),
    section: text().trim().min(1, { error: 'must not be empty' }).default('News').meta({ maxLength: ArticleLimits.SECTION_CHARS }),
    summary: text().optional().meta({
      description: 'Plain text; cut to 300 characters. Default: the first paragraph of the body.',
    }),
    body: text().optional().meta({ description: 'Plain text (paragraphs separated by a blank line) or HTML.' }),
    image: z
      .object(
        {
          url: httpUrl().meta({ maxLength: ArticleLimits.URL_CHARS }),
          alt: text().optional().meta({ description: 'Default: the title.', maxLength: ArticleLimits.IMAGE_ALT_CHARS }),
          caption: text().optional().meta({ maxLength: ArticleLimits.IMAGE_CAPTION_CHARS }),
        },
        { error: (issue) => `must be an object with a url (got ${describe(issue.input)})` },
      )
      .optional(),
    tags: z
      .array(text().trim().min(1, { error: 'must not be empty' }).meta({ maxLength: ArticleLimits.TAG_CHARS }), {
        error: (issue) => `must be a list of words (got ${describe(issue.input)})`,
      })
      .default([])
      .meta({ maxItems: ArticleLimits.TAGS }),
    editorsChoice: flag().default(false).meta({ description: 'Highlight in the editor’s-choice block.' }),
    breaking: flag().default(false).meta({ description: 'Breaking news: instant keyword-alert followers get it at once, not at the end of their 5-minute window (docs/alerts.md).' }),
    source: text()
      .optional()
      .meta({ description: 'Who the story comes from, e.g. "commonspace.eu with agencies".', maxLength: ArticleLimits.CREDIT_CHARS }),
    language: text()
      .regex(LANGUAGE_TAG, { error: (issue) => `must be a language tag such as "en" or "hy" (got ${describe(issue.input)})` })
      .optional()
      .meta({ description: 'BCP 47 tag. Default: the configured content language.', maxLength: ArticleLimits.LANGUAGE_CHARS }),
  })
  .meta({
    title: 'Article',
    description: 'One article per file (JSON, or the front matter of a Markdown file). Unknown fields are ignored.',
  });

/** The validated fields (defaults applied). */
export type ArticleFields = z.output<typeof articleFieldsSchema>;

/** Same fields with an optional title (Markdown may take it from the first `# ` heading). */
const frontMatterSchema = articleFieldsSchema.partial({ title: true });

/** Validated front matter. */
export type FrontMatterFields = z.output<typeof frontMatterSchema>;

/**
 * The JSON Schema (draft 2020-12) of the article format of JSON files and front matter,
 * as publishers write it (defaults shown, not required).
 *
 * @example
 * const schema = articleJsonSchema();
 * schema.required; // ['title']
 */
export function articleJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(articleFieldsSchema, { io: 'input' }) as Record<string, unknown>;
}

/**
 * Validates the fields of a JSON article. `null` values count as absent; a missing or blank
 * title gives "JSON article has no title"; other problems name the field path.
 *
 * @example
 * validateJsonArticle('a.json', { title: 'T', url: 'ftp://x' });
 * // throws: 'JSON article is invalid: url: must be an http or https URL (got "ftp://x")'
 */
export function validateJsonArticle(key: string, input: Record<string, unknown>): ArticleFields {
  const fields = withoutNulls(input);
  if (isBlank(fields['title'])) {
    throw new UnreadableContentError(key, 'JSON article has no title');
  }
  const result = articleFieldsSchema.safeParse(fields);
  if (!result.success) {
    throw new UnreadableContentError(key, `JSON article is invalid: ${formatIssues(result.error.issues)}`, {
      cause: result.error,
    });
  }
  return result.data;
}

/**
 * Validates Markdown front matter (title optional; the caller checks it is found somewhere).
 *
 * @example
 * validateFrontMatter('a.md', { publishedAt: 'yesterday' });
 * // throws: 'front matter is invalid: publishedAt: must be an ISO-8601 date …'
 */
export function validateFrontMatter(key: string, input: Record<string, unknown>): FrontMatterFields {
  const fields = withoutNulls(input);
  if (fields['title'] !== undefined && isBlank(fields['title'])) {
    delete fields['title'];
  }
  const result = frontMatterSchema.safeParse(fields);
  if (!result.success) {
    throw new UnreadableContentError(key, `front matter is invalid: ${formatIssues(result.error.issues)}`, {
      cause: result.error,
    });
  }
  return result.data;
}

/** "url: must be …; tags[1]: must not be empty". */
function formatIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .map((issue) => {
      const path = issue.path
        .map((part, index) => (typeof part === 'number' ? `[${part}]` : `${index > 0 ? '.' : ''}${String(part)}`))
        .join('');
      return path === '' ? issue.message : `${path}: ${issue.message}`;
    })
    .join('; ');
}

/** `null` values dropped (absent), URLs trimmed, at the top level and in `image`. */
function withoutNulls(input: Record<string, unknown>): Record<string, unknown> {
  const fields = Object.fromEntries(Object.entries(input).filter(([, value]) => value !== null));
  if (typeof fields['url'] === 'string') {
    fields['url'] = fields['url'].trim();
  }
  const image = fields['image'];
  if (typeof image === 'object' && image !== null && !Array.isArray(image)) {
    fields['image'] = withoutNulls(image as Record<string, unknown>);
  }
  return fields;
}

function isBlank(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

/** A value as an editor would recognise it, shortened. */
function describe(value: unknown): string {
  if (value === undefined) {
    return 'nothing';
  }
  if (Array.isArray(value)) {
    return 'a list';
  }
  if (typeof value === 'object' && value !== null) {
    return 'an object';
  }
  const shown = JSON.stringify(value) ?? String(value);
  return shown.length > 80 ? `${shown.slice(0, 77)}…` : shown;
}
