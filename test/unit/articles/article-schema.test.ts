import { describe, expect, it } from 'vitest';
import { articleJsonSchema, MAX_OBJECT_BYTES } from '../../../functions/core/articles/parsing/index.ts';
import { detectFormat, extensionOf } from '../../../functions/core/articles/parsing/index.ts';

describe('Function: articleJsonSchema', () => {
  it('describes the article format: title required, defaults shown, extra fields allowed', () => {
    // Act
    const schema = articleJsonSchema();

    // Assess
    expect(schema['type']).toBe('object');
    expect(schema['required']).toEqual(['title']);
    expect(schema['additionalProperties']).toBeUndefined();
    const properties = schema['properties'] as Record<string, Record<string, unknown>>;
    expect(Object.keys(properties)).toEqual([
      'id', 'title', 'url', 'publishedAt', 'section', 'summary', 'body', 'image', 'tags',
      'editorsChoice', 'breaking', 'source', 'language',
    ]);
    expect(properties['section']?.['default']).toBe('News');
    expect(properties['editorsChoice']?.['default']).toBe(false);
    expect(properties['tags']?.['default']).toEqual([]);
    expect(properties['url']?.['format']).toBe('uri');
    expect((properties['image']?.['required'] as string[] | undefined)).toEqual(['url']);
  });

  it('is plain JSON', () => {
    // Act
    const roundTrip = JSON.parse(JSON.stringify(articleJsonSchema())) as unknown;

    // Assess
    expect(roundTrip).toEqual(articleJsonSchema());
  });
});

describe('Constant: MAX_OBJECT_BYTES', () => {
  it('is 5 MiB', () => {
    // Assess
    expect(MAX_OBJECT_BYTES).toBe(5_242_880);
  });
});

describe('Function: detectFormat', () => {
  it.each([
    ['a.json', '---\ntitle: T\n---\n', 'json'],
    ['a.md', '{"title":"T"}', 'markdown'],
    ['a.MARKDOWN', 'Body', 'markdown'],
    ['a.txt', '  {"title":"T"}', 'json'],
    ['a.txt', '[{"title":"T"}]', 'json'],
    ['a.txt', '[Video] Headline\n\nBody', 'page-export'],
    ['a.txt', '---\ntitle: T\n---\nBody', 'markdown'],
    ['a.txt', '# Title\n\nBody', 'markdown'],
    ['a.text', '--- not front matter\n\nBody', 'page-export'],
    ['exports/page', 'Headline\n\nBody', 'page-export'],
  ])('%s holding %j is %s', (key, text, expected) => {
    // Act
    const format = detectFormat(key, text);

    // Assess
    expect(format).toBe(expected);
  });
});

describe('Function: extensionOf', () => {
  it.each([
    ['news/2026/Story.JSON', 'json'],
    ['exports/page', ''],
    ['drafts/.hidden', ''],
    ['a.b/c', ''],
    ['report.final.pdf', 'pdf'],
  ])('%s → %j', (key, expected) => {
    // Act
    const extension = extensionOf(key);

    // Assess
    expect(extension).toBe(expected);
  });
});
