/**
 * Stable identities: of articles (URL or key slug) and of editor's-choice teasers
 * (hash of the normalised headline, so the same teaser on two pages is one item).
 */
import { createHash } from 'node:crypto';
import { foldForMatching } from '../keywords.ts';
import { ArticleLimits, utf8ByteCount } from './limits.ts';

/** Runs of anything that is not a letter, digit or combining mark. */
const NON_WORD = /[^\p{L}\p{N}\p{M}]+/gu;

/** Prefix of the ids of editor's-choice items found on page exports. */
export const PICK_ID_PREFIX = 'pick-';

/**
 * A headline folded for comparison: NFKC, lower case, diacritics removed (Latin/Greek, as
 * for keywords), and every run of punctuation or whitespace collapsed to one space.
 * Straight and curly apostrophes, dashes and a trailing ellipsis therefore make no difference.
 *
 * @example
 * normaliseHeadline('  Council of Europe — “Claims” Commission… '); // 'council of europe claims commission'
 * normaliseHeadline('Russia’s café') === normaliseHeadline("RUSSIA'S CAFE"); // true
 */
export function normaliseHeadline(s: string): string {
  return foldForMatching(s).replace(NON_WORD, ' ').trim();
}

/**
 * Id of an editor's-choice teaser: `pick-` + the first 16 hex digits of the sha256 of the
 * normalised headline (UTF-8).
 *
 * @example
 * pickIdFor('Council of Europe launches new International Claims Commission for Ukraine');
 * // 'pick-' followed by 16 hex digits, the same for 'COUNCIL OF EUROPE LAUNCHES NEW …'
 */
export function pickIdFor(headline: string): string {
  const digest = createHash('sha256').update(normaliseHeadline(headline), 'utf8').digest('hex');
  return `${PICK_ID_PREFIX}${digest.slice(0, 16)}`;
}

/**
 * Stable id of an article: its URL when known (trimmed, the `#fragment` removed; nothing
 * else is changed), else a slug of the object key: extension dropped, folded like a
 * headline, every run of non-letters/digits turned into one `-`. Letters of any script are
 * kept. A key that slugs to nothing gives `article-` + 16 hex digits of the key's sha256.
 * An id is a key of the store, so a URL or slug longer than {@link ArticleLimits.ID_BYTES}
 * (512 bytes of UTF-8) gives `article-` + 16 hex digits of its own sha256 instead: stable,
 * and the URL itself is kept in the article's `url`.
 *
 * @example
 * articleIdFor('https://commonspace.eu/news/x#top', 'a.json'); // 'https://commonspace.eu/news/x'
 * articleIdFor(undefined, 'news/2026/My Story.md');           // 'news-2026-my-story'
 * articleIdFor(`https://x.org/${'a'.repeat(600)}`, 'a.json'); // 'article-' followed by 16 hex digits
 */
export function articleIdFor(url: string | undefined, key: string): string {
  const trimmed = url?.trim() ?? '';
  const withoutFragment = trimmed.split('#', 1)[0] ?? '';
  const id = withoutFragment !== '' ? withoutFragment : foldForMatching(stripExtension(key)).replace(NON_WORD, '-').replace(/^-+|-+$/g, '');
  if (id === '') {
    return hashedId(key);
  }
  return utf8ByteCount(id) > ArticleLimits.ID_BYTES ? hashedId(id) : id;
}

/** `article-` + the first 16 hex digits of the sha256 of a text (UTF-8). */
function hashedId(text: string): string {
  return `article-${createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 16)}`;
}

/** The key without the extension of its last segment (`a/b.c/d.md` → `a/b.c/d`). */
function stripExtension(key: string): string {
  const slash = key.lastIndexOf('/');
  const dot = key.lastIndexOf('.');
  // A dot that starts the file name (".hidden") is not an extension.
  return dot > slash + 1 ? key.slice(0, dot) : key;
}
