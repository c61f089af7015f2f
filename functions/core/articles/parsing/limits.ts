/**
 * The limits of the fields that become a key, an index entry, a header or a line of an
 * edition, checked in one place: the parsing façade calls {@link assertWithinLimits} on every
 * parse result, whatever the format, so that nothing the store or the editions cannot hold
 * gets past the parser. An article over a limit is quarantined with a reason that names the
 * field (`too long: url: at most 2048 characters (got 2125)`); docs/content-formats.md lists
 * them, and docs/article.schema.json shows them as `maxLength` / `maxItems`.
 *
 * Why these numbers: an article is stored under `ART#<id>` (a DynamoDB partition key, at most
 * 2,048 bytes) and indexed under `<ingestedAt>#A#<id>` (a sort key, at most 1,024 bytes); one
 * item holds at most 400 KB. The others are far above any real headline, section or credit,
 * and keep an item, an edition and its email small.
 */
import { UnreadableContentError } from '../../errors.ts';
import type { ParseResult } from '../types.ts';

/** Field limits, in characters (Unicode code points) unless the name says bytes. */
export const ArticleLimits = {
  /** The article id, in UTF-8 bytes. An id derived from the URL or the key is hashed beyond it. */
  ID_BYTES: 512,
  /** `url` and `image.url`. */
  URL_CHARS: 2048,
  TITLE_CHARS: 300,
  SECTION_CHARS: 100,
  /** `source`, and the `photo:` credit of page exports. */
  CREDIT_CHARS: 500,
  IMAGE_ALT_CHARS: 500,
  IMAGE_CAPTION_CHARS: 1000,
  TAGS: 50,
  TAG_CHARS: 100,
  /** BCP 47 asks implementations to accept tags of at least 35 characters. */
  LANGUAGE_CHARS: 35,
  /** Editor's-choice teasers of one object (each is an item and an index entry). */
  PICKS: 50,
  /** A teaser's headline (the page-export rule of a plausible headline). */
  PICK_HEADLINE_CHARS: 200,
  /** A teaser's section label (the page-export rule of a label). */
  PICK_SECTION_CHARS: 40,
} as const;

/** Number of characters (code points) of a text. */
export const charCount = (text: string): number => {
  let n = 0;
  for (const _ of text) n += 1;
  return n;
};

/** Number of UTF-8 bytes of a text. */
export const utf8ByteCount = (text: string): number => Buffer.byteLength(text, 'utf8');

/** Prefix of every reason given for a field over its limit. */
export const TOO_LONG = 'too long';

/**
 * The fields of a parse result that are over their limit, one `field: problem` each, in the
 * order of the article format; empty when every field is within its limit.
 *
 * @example
 * ```ts
 * limitProblems({ format: 'json', article: { ...article, url: 'https://x.org/' + 'a'.repeat(2100) }, picks: [] });
 * // ['url: at most 2048 characters (got 2115)']
 * ```
 */
export function limitProblems(result: ParseResult): string[] {
  const problems: string[] = [];
  const chars = (field: string, value: string | undefined, max: number): void => {
    if (value === undefined) return;
    const n = charCount(value);
    if (n > max) problems.push(`${field}: at most ${max} characters (got ${n})`);
  };
  const a = result.article;
  if (a) {
    const idBytes = utf8ByteCount(a.id);
    if (idBytes > ArticleLimits.ID_BYTES) problems.push(`id: at most ${ArticleLimits.ID_BYTES} bytes in UTF-8 (got ${idBytes})`);
    chars('title', a.title, ArticleLimits.TITLE_CHARS);
    chars('url', a.url, ArticleLimits.URL_CHARS);
    chars('section', a.section, ArticleLimits.SECTION_CHARS);
    chars('image.url', a.image?.url, ArticleLimits.URL_CHARS);
    chars('image.alt', a.image?.alt, ArticleLimits.IMAGE_ALT_CHARS);
    chars('image.caption', a.image?.caption, ArticleLimits.IMAGE_CAPTION_CHARS);
    if (a.tags.length > ArticleLimits.TAGS) problems.push(`tags: at most ${ArticleLimits.TAGS} tags (got ${a.tags.length})`);
    a.tags.forEach((tag, i) => chars(`tags[${i}]`, tag, ArticleLimits.TAG_CHARS));
    chars('source', a.source, ArticleLimits.CREDIT_CHARS);
    chars('photo', a.photo, ArticleLimits.CREDIT_CHARS);
    chars('language', a.language, ArticleLimits.LANGUAGE_CHARS);
  }
  if (result.picks.length > ArticleLimits.PICKS) {
    problems.push(`editor's-choice teasers: at most ${ArticleLimits.PICKS} (got ${result.picks.length})`);
  }
  result.picks.forEach((pick, i) => {
    chars(`teaser[${i}].headline`, pick.headline, ArticleLimits.PICK_HEADLINE_CHARS);
    chars(`teaser[${i}].section`, pick.section, ArticleLimits.PICK_SECTION_CHARS);
    chars(`teaser[${i}].url`, pick.url, ArticleLimits.URL_CHARS);
  });
  return problems;
}

/**
 * Throws when a field of the parse result is over its limit. At most the first five problems
 * are named, so that a reason stays short.
 *
 * @throws UnreadableContentError `too long: url: at most 2048 characters (got 2125)`.
 * @example
 * ```ts
 * assertWithinLimits('news/a.json', parseJsonArticle('news/a.json', text, options));
 * ```
 */
export function assertWithinLimits(key: string, result: ParseResult): void {
  const problems = limitProblems(result);
  if (problems.length === 0) return;
  const shown = problems.slice(0, 5);
  const more = problems.length > shown.length ? `; and ${problems.length - shown.length} more` : '';
  throw new UnreadableContentError(key, `${TOO_LONG}: ${shown.join('; ')}${more}`);
}
