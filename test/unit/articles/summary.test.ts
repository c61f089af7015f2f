import { describe, expect, it } from 'vitest';
import { cutAtWordBoundary, MAX_SUMMARY_CHARS } from '../../../functions/core/articles/parsing/index.ts';
import { firstParagraph, summaryFor } from '../../../functions/core/articles/parsing/summary.ts';

describe('Function: cutAtWordBoundary', () => {
  it('returns a short text unchanged (whitespace collapsed), without ellipsis', () => {
    // Act
    const text = cutAtWordBoundary('  Short\n text  ');

    // Assess
    expect(text).toBe('Short text');
  });

  it('keeps a text of exactly 300 characters', () => {
    // Prepare
    const exact = 'x'.repeat(MAX_SUMMARY_CHARS);

    // Act
    const text = cutAtWordBoundary(exact);

    // Assess
    expect(text).toBe(exact);
  });

  it('cuts a longer text at the last word boundary and appends "…"', () => {
    // Prepare
    const long = 'word '.repeat(100);

    // Act
    const text = cutAtWordBoundary(long);

    // Assess
    expect(text).toBe(`${'word '.repeat(59)}word…`);
    expect(text.length).toBe(300);
  });

  it('never cuts inside a word and drops dangling punctuation', () => {
    // Act
    const text = cutAtWordBoundary('alpha beta, gamma delta', 16);

    // Assess
    expect(text).toBe('alpha beta…');
  });

  it('cuts a single over-long word hard', () => {
    // Act
    const text = cutAtWordBoundary('x'.repeat(400));

    // Assess
    expect(text).toBe(`${'x'.repeat(299)}…`);
  });

  it('counts characters, not UTF-16 units, and never splits a surrogate pair', () => {
    // Prepare
    const emoji = '🇦🇲 '.repeat(150);

    // Act
    const text = cutAtWordBoundary(emoji, 10);

    // Assess
    expect(text).toBe('🇦🇲 🇦🇲 🇦🇲…');
    expect(Array.from(text).length).toBeLessThanOrEqual(10);
  });
});

describe('Function: firstParagraph', () => {
  it('returns the first non-empty paragraph on one line', () => {
    // Act
    const paragraph = firstParagraph('\n\n  \nFirst line\ncontinues.\n\nSecond.');

    // Assess
    expect(paragraph).toBe('First line continues.');
  });
});

describe('Function: summaryFor', () => {
  it('prefers a non-blank explicit summary, else the first paragraph', () => {
    // Act
    const explicit = summaryFor('  Given  summary ', 'Body.');
    const blank = summaryFor('   ', 'Lead.\n\nMore.');
    const none = summaryFor(undefined, '');

    // Assess
    expect([explicit, blank, none]).toEqual(['Given summary', 'Lead.', '']);
  });
});
