import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { articleIdFor, normaliseHeadline, pickIdFor } from '../../../functions/core/articles/parsing/index.ts';

describe('Function: normaliseHeadline', () => {
  it('folds case, diacritics, punctuation and whitespace', () => {
    // Act
    const normalised = normaliseHeadline('  Council of Europe — “Claims”\u00a0Commission… for Ukraine! ');

    // Assess
    expect(normalised).toBe('council of europe claims commission for ukraine');
  });

  it('makes straight/curly apostrophes and accents equal', () => {
    // Act
    const a = normaliseHeadline('Russia’s café reopens');
    const b = normaliseHeadline("RUSSIA'S CAFE REOPENS");

    // Assess
    expect(a).toBe(b);
  });

  it('applies NFKC and keeps non-Latin letters', () => {
    // Act
    const normalised = normaliseHeadline('Ｔｂｉｌｉｓｉ: Йошкар-Ола, Երևան');

    // Assess
    expect(normalised).toBe('tbilisi йошкар ола երեւան');
  });
});

describe('Function: pickIdFor', () => {
  it('is "pick-" and the first 16 hex digits of the sha256 of the normalised headline', () => {
    // Prepare
    const headline = 'Council of Europe launches new International Claims Commission for Ukraine';
    const expected = createHash('sha256').update(normaliseHeadline(headline), 'utf8').digest('hex').slice(0, 16);

    // Act
    const id = pickIdFor(headline);

    // Assess
    expect(id).toBe(`pick-${expected}`);
    expect(id).toMatch(/^pick-[0-9a-f]{16}$/);
  });

  it('gives the same id to variants of one headline and different ids to different headlines', () => {
    // Act
    const ids = [
      pickIdFor('Europe must not forget the Black Sea'),
      pickIdFor('EUROPE MUST NOT FORGET THE BLACK SEA…'),
      pickIdFor('Europe must not forget the Caspian Sea'),
    ];

    // Assess
    expect(ids[0]).toBe(ids[1]);
    expect(ids[0]).not.toBe(ids[2]);
  });
});

describe('Function: articleIdFor', () => {
  it('uses the trimmed URL without its fragment', () => {
    // Act
    const id = articleIdFor('  https://commonspace.eu/news/blinken-lavrov?ref=home#comments ', 'news/a.json');

    // Assess
    expect(id).toBe('https://commonspace.eu/news/blinken-lavrov?ref=home');
  });

  it.each([
    [undefined, 'news/2026/My Story.md', 'news-2026-my-story'],
    ['   ', 'news/2026/My Story.md', 'news-2026-my-story'],
    ['#only-a-fragment', 'exports/Café Zürich_2026.txt', 'exports-cafe-zurich-2026'],
    [undefined, 'pages/000_c5efd77b2ca7bb98.txt', 'pages-000-c5efd77b2ca7bb98'],
    [undefined, 'hy/Երևան.json', 'hy-երեւան'],
    [undefined, 'exports/page', 'exports-page'],
    [undefined, 'a.b/c', 'a-b-c'],
    [undefined, 'drafts/.hidden', 'drafts-hidden'],
  ])('slugs the key when the URL is %j: %s → %s', (url, key, expected) => {
    // Act
    const id = articleIdFor(url, key);

    // Assess
    expect(id).toBe(expected);
  });

  it('falls back to a hash of the key when the key slugs to nothing', () => {
    // Act
    const id = articleIdFor(undefined, '???.md');

    // Assess
    expect(id).toBe(`article-${createHash('sha256').update('???.md', 'utf8').digest('hex').slice(0, 16)}`);
  });
});
