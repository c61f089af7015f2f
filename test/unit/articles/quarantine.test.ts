import { describe, expect, it } from 'vitest';
import { MAX_OBJECT_BYTES, oversizeReason, parseSourceObject } from '../../../functions/core/articles/parsing/index.ts';
import { UnreadableContentError } from '../../../functions/core/errors.ts';
import { fixtureObject, OPTIONS, sourceObject, unreadableFrom } from './fixtures.ts';

describe('Function: parseSourceObject (unreadable objects)', () => {
  it.each([
    ['bad-empty.json', 'empty file'],
    ['bad-whitespace-only.txt', 'empty file (only whitespace)'],
    ['bad-binary.txt', 'binary file, not text (it contains NUL bytes)'],
    ['bad-control-chars.txt', 'binary file, not text (it is mostly control characters)'],
    ['bad-latin1.txt', 'not valid UTF-8 text (binary or another encoding)'],
    ['bad-unsupported.pdf', 'unsupported file type .pdf'],
    ['bad-invalid-json.json', "invalid JSON: Unexpected token '}' at line 3, column 11"],
    ['bad-json-truncated.json', 'invalid JSON: the file ends before the JSON is complete'],
    ['bad-json-no-title.json', 'JSON article has no title'],
    ['bad-json-array.json', 'expected one article object per file (found a JSON array)'],
    ['bad-json-articles-wrapper.json', 'expected one article object per file (found a list of "articles")'],
    [
      'bad-json-url.json',
      'JSON article is invalid: url: must be an http or https URL (got "javascript:alert(document.cookie)")',
    ],
    [
      'bad-json-date.json',
      'JSON article is invalid: publishedAt: must be an ISO-8601 date (2026-03-01) or date-time with a time zone (2026-03-01T09:30:00Z) (got "02/03/2026"); image.url: is required',
    ],
    ['bad-json-multiline-title.json', 'JSON article is invalid: title: must be a single line'],
    ['bad-json-long-url.json', 'too long: url: at most 2048 characters (got 2100)'],
    [
      'bad-page-paragraph-first-line.txt',
      'first line is not a plausible headline (it is a 342-character paragraph)',
    ],
    [
      'bad-page-sentences-first-line.txt',
      'first line is not a plausible headline (it reads like a paragraph of 3 sentences)',
    ],
    [
      'bad-page-headline-only.txt',
      "page export has only a headline: no body paragraphs and no editor's-choice teasers",
    ],
    ['bad-front-matter-yaml.md', 'invalid front matter (YAML): Missing closing "quote at line 3, column 15'],
    ['bad-front-matter-unclosed.md', 'front matter is not closed (no second --- line)'],
    [
      'bad-front-matter-fields.md',
      'front matter is invalid: tags: must be a list of words (got "energy"); editorsChoice: must be true or false (got "yes")',
    ],
    [
      'bad-markdown-no-title.md',
      'Markdown article has no title (no title in the front matter and no # heading)',
    ],
  ])('quarantines %s with the reason "%s"', (name, reason) => {
    // Prepare
    const object = fixtureObject(name);

    // Act
    const error = unreadableFrom(() => parseSourceObject(object, OPTIONS));

    // Assess
    expect(error).toBeInstanceOf(UnreadableContentError);
    expect(error.message).toBe(reason);
    expect(error.key).toBe(`content/${name}`);
    expect(error.statusCode).toBe(422);
  });

  it('refuses an object larger than 5 MB before decoding it', () => {
    // Prepare: 7.2 MB of invalid UTF-8 — the size is the reason, not the encoding.
    const body = new Uint8Array(Math.round(7.2 * 1024 * 1024)).fill(0xe9);

    // Act
    const error = unreadableFrom(() => parseSourceObject(sourceObject('big/page.txt', body), OPTIONS));

    // Assess
    expect(error.message).toBe('object is larger than 5 MB (7.2 MB)');
    expect(error.key).toBe('big/page.txt');
  });

  it('refuses one byte over 5 MiB, naming the exact size', () => {
    // Prepare
    const body = new Uint8Array(MAX_OBJECT_BYTES + 1).fill(0x61);

    // Act
    const error = unreadableFrom(() => parseSourceObject(sourceObject('big/one-more.txt', body), OPTIONS));

    // Assess
    expect(MAX_OBJECT_BYTES).toBe(5 * 1024 * 1024);
    expect(error.message).toBe('object is larger than 5 MB (5242881 bytes)');
    expect(oversizeReason(MAX_OBJECT_BYTES + 1)).toBe(error.message);
    expect(oversizeReason(7_549_747)).toBe('object is larger than 5 MB (7.2 MB)');
  });

  it('accepts an object of exactly 5 MiB', () => {
    // Prepare
    const head = 'A very long page\n\n';
    const filler = 'word '.repeat(Math.ceil(MAX_OBJECT_BYTES / 5));
    const text = (head + filler).slice(0, MAX_OBJECT_BYTES - 1) + '.';

    // Act
    const result = parseSourceObject(sourceObject('big/exact.txt', text), OPTIONS);

    // Assess
    expect(new TextEncoder().encode(text).byteLength).toBe(MAX_OBJECT_BYTES);
    expect(result.article?.title).toBe('A very long page');
    expect(result.article?.summary.endsWith('…')).toBe(true);
    expect(result.article?.summary.length).toBeLessThanOrEqual(300);
  });

  it('refuses an unknown extension before looking at the content, whatever its case', () => {
    // Act
    const error = unreadableFrom(() => parseSourceObject(sourceObject('images/Photo.PNG', 'Headline\n\nBody.'), OPTIONS));

    // Assess
    expect(error.message).toBe('unsupported file type .png');
  });

  it('refuses a .txt holding a JSON array as a JSON article', () => {
    // Act
    const error = unreadableFrom(() => parseSourceObject(sourceObject('feeds/list.txt', '[{"title":"One"}]'), OPTIONS));

    // Assess
    expect(error.message).toBe('expected one article object per file (found a JSON array)');
  });

  it('refuses a JSON value that is not an object', () => {
    // Act
    const error = unreadableFrom(() => parseSourceObject(sourceObject('a.json', '"just a string"'), OPTIONS));

    // Assess
    expect(error.message).toBe('expected one article object per file (found a string)');
  });

  it('treats a blank title like a missing one', () => {
    // Act
    const error = unreadableFrom(() => parseSourceObject(sourceObject('a.json', '{"title": "  \\u00a0 ", "body": "x"}'), OPTIONS));

    // Assess
    expect(error.message).toBe('JSON article has no title');
  });

  it('refuses a bad language tag and a non-boolean flag, naming each field', () => {
    // Act
    const error = unreadableFrom(() =>
      parseSourceObject(sourceObject('a.json', '{"title": "T", "language": "English", "breaking": "no"}'), OPTIONS),
    );

    // Assess
    expect(error.message).toBe(
      'JSON article is invalid: breaking: must be true or false (got "no"); language: must be a language tag such as "en" or "hy" (got "English")',
    );
  });

  it('refuses a page whose first line is a marker but which has no teasers', () => {
    // Act
    const error = unreadableFrom(() => parseSourceObject(sourceObject('p.txt', 'Popular\n\nSomething\n'), OPTIONS));

    // Assess
    expect(error.message).toBe("page export has no article text and no editor's-choice teasers");
  });
});
