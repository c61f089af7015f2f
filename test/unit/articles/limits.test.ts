/**
 * The field limits of every format, enforced once by the parsing façade: a field over its
 * limit quarantines the object with a reason that names the field; an id derived from a long
 * URL or key is hashed instead, and the URL is kept.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ArticleLimits, articleIdFor, parseSourceObject } from '../../../functions/core/articles/parsing/index.ts';
import { OPTIONS, sourceObject, unreadableFrom } from './fixtures.ts';

const json = (fields: Record<string, unknown>): string => JSON.stringify({ title: 'A story', body: 'Text.', ...fields });
const urlOf = (length: number): string => {
  const base = 'https://news.example.org/';
  return base + 'a'.repeat(length - base.length);
};
const parseJson = (fields: Record<string, unknown>) => parseSourceObject(sourceObject('news/story.json', json(fields)), OPTIONS);
const reasonFor = (fields: Record<string, unknown>): string => unreadableFrom(() => parseJson(fields)).message;

describe('Function: parseSourceObject (field limits)', () => {
  it('quarantines a JSON article with a 2,100-character url, naming the field', () => {
    // Act
    const reason = reasonFor({ url: urlOf(2100) });

    // Assess
    expect(reason).toBe('too long: url: at most 2048 characters (got 2100)');
  });

  it('accepts a url of exactly 2,048 characters, keeps it, and keys the article by its hash', () => {
    // Prepare
    const url = urlOf(ArticleLimits.URL_CHARS);

    // Act
    const first = parseJson({ url }).article;
    const again = parseJson({ url, body: 'Changed text.' }).article;

    // Assess
    expect(first?.url).toBe(url);
    expect(first?.id).toBe(`article-${createHash('sha256').update(url).digest('hex').slice(0, 16)}`);
    expect(again?.id).toBe(first?.id);
  });

  it('keeps a url within 512 bytes as the id, as before', () => {
    // Prepare
    const url = urlOf(ArticleLimits.ID_BYTES);

    // Act
    const article = parseJson({ url }).article;

    // Assess
    expect(article?.id).toBe(url);
  });

  it('measures an explicit id in UTF-8 bytes and quarantines it over 512', () => {
    // Prepare: Armenian letters take 2 bytes each.
    const fits = 'Ա'.repeat(256);
    const over = 'Ա'.repeat(257);

    // Act
    const kept = parseJson({ id: fits }).article;
    const reason = reasonFor({ id: over });

    // Assess
    expect(kept?.id).toBe(fits);
    expect(reason).toBe('too long: id: at most 512 bytes in UTF-8 (got 514)');
  });

  it('hashes the id slugged from a long object key', () => {
    // Prepare: 600 characters of key, within S3's 1,024 bytes.
    const key = `archive/${'x'.repeat(600)}.txt`;

    // Act
    const result = parseSourceObject(sourceObject(key, 'A plausible headline\n\nA paragraph of text.\n'), OPTIONS);

    // Assess
    expect(result.article?.id).toMatch(/^article-[0-9a-f]{16}$/);
    expect(result.article?.id).toBe(articleIdFor(undefined, key));
  });

  it.each([
    ['title', { title: 'T'.repeat(301) }, 'title: at most 300 characters (got 301)'],
    ['section', { section: 'S'.repeat(101) }, 'section: at most 100 characters (got 101)'],
    ['image.url', { image: { url: urlOf(2049) } }, 'image.url: at most 2048 characters (got 2049)'],
    ['image.alt', { image: { url: urlOf(40), alt: 'a'.repeat(501) } }, 'image.alt: at most 500 characters (got 501)'],
    ['image.caption', { image: { url: urlOf(40), caption: 'c'.repeat(1001) } }, 'image.caption: at most 1000 characters (got 1001)'],
    ['tags', { tags: Array.from({ length: 51 }, (_, i) => `tag${i}`) }, 'tags: at most 50 tags (got 51)'],
    ['tags[i]', { tags: ['fine', 't'.repeat(101)] }, 'tags[1]: at most 100 characters (got 101)'],
    ['source', { source: 's'.repeat(501) }, 'source: at most 500 characters (got 501)'],
    ['language', { language: `en-${Array.from({ length: 8 }, () => 'abcd').join('-')}` }, 'language: at most 35 characters (got 42)'],
  ])('quarantines a JSON article whose %s is over its limit', (_field, fields, problem) => {
    // Act
    const reason = reasonFor(fields);

    // Assess
    expect(reason).toBe(`too long: ${problem}`);
  });

  it('counts characters, not bytes or UTF-16 units, for text fields', () => {
    // Prepare: 300 Georgian letters (900 bytes) and 300 emoji (600 UTF-16 units).
    const georgian = 'ა'.repeat(300);
    const emoji = '📰'.repeat(300);

    // Act
    const a = parseJson({ title: georgian }).article;
    const b = parseJson({ title: emoji }).article;

    // Assess
    expect(a?.title).toBe(georgian);
    expect(b?.title).toBe(emoji);
  });

  it('names at most five fields, then says how many more', () => {
    // Act
    const reason = reasonFor({ tags: Array.from({ length: 8 }, (_, i) => `${i}`.repeat(101)) });

    // Assess
    expect(reason).toBe(
      `too long: ${[0, 1, 2, 3, 4].map((i) => `tags[${i}]: at most 100 characters (got 101)`).join('; ')}; and 3 more`,
    );
  });

  it('applies the same limits to Markdown front matter and headings', () => {
    // Act
    const section = unreadableFrom(() =>
      parseSourceObject(sourceObject('news/a.md', `---\nsection: ${'S'.repeat(101)}\n---\n# Title\n\nText.\n`), OPTIONS),
    );
    const heading = unreadableFrom(() => parseSourceObject(sourceObject('news/b.md', `# ${'H'.repeat(301)}\n\nText.\n`), OPTIONS));

    // Assess
    expect(section.message).toBe('too long: section: at most 100 characters (got 101)');
    expect(heading.message).toBe('too long: title: at most 300 characters (got 301)');
  });

  it('applies them to the source line of a page export', () => {
    // Act
    const error = unreadableFrom(() =>
      parseSourceObject(sourceObject('pages/p.txt', `A headline\n\nA paragraph.\n\nsource: ${'x'.repeat(501)}\n`), OPTIONS),
    );

    // Assess
    expect(error.message).toBe('too long: source: at most 500 characters (got 501)');
  });

  it('refuses a page with more than 50 editor’s-choice teasers', () => {
    // Prepare
    const teasers = Array.from({ length: 51 }, (_, i) => `Editor's choice\nTeaser headline number ${i}\n\nTeaser text ${i}.\n`).join('\n');

    // Act
    const error = unreadableFrom(() => parseSourceObject(sourceObject('pages/listing.txt', `A headline\n\nA paragraph.\n\n${teasers}`), OPTIONS));

    // Assess
    expect(error.message).toBe("too long: editor's-choice teasers: at most 50 (got 51)");
  });
});
