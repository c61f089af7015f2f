import { describe, it, expect } from 'vitest';
import {
  defuseTokens,
  escapeHtml,
  escapeXml,
  oneLine,
  safeHttpUrl,
  tokensIn,
} from '../../../functions/core/rendering/escape.ts';
import { truncateAtWord, wrapText } from '../../../functions/core/rendering/text-format.ts';
import { buildPreheader, buildSubject } from '../../../functions/core/rendering/subject.ts';
import { Token } from '../../../functions/core/editions/types.ts';

describe('Function: escapeHtml', () => {
  it('should escape the five HTML special characters', () => {
    // Act
    const escaped = escapeHtml(`<a href="x">'Tom' & Jerry</a>`);
    // Assess
    expect(escaped).toBe('&lt;a href=&quot;x&quot;&gt;&#39;Tom&#39; &amp; Jerry&lt;/a&gt;');
  });
});

describe('Function: escapeXml', () => {
  it('should escape and drop characters XML 1.0 forbids', () => {
    // Act
    const escaped = escapeXml("a\u0000b\u0007 < 'c'");
    // Assess
    expect(escaped).toBe('ab &lt; &apos;c&apos;');
  });
});

describe('Function: safeHttpUrl', () => {
  it.each([
    ['javascript:alert(1)'],
    [' JavaScript:alert(1)'],
    ['data:text/html,<script>'],
    ['//evil.example.com/'],
    ['/relative/path'],
    ['https://user:pass@example.com/'],
    ['http://'],
    [''],
  ])('should refuse %j', (url) => {
    // Act / Assess
    expect(safeHttpUrl(url)).toBeUndefined();
  });

  it('should keep http(s) URLs, normalised, with braces encoded', () => {
    // Act / Assess
    expect(safeHttpUrl('https://example.com/a b?q="x"')).toBe('https://example.com/a%20b?q=%22x%22');
    expect(safeHttpUrl('HTTP://Example.com')).toBe('http://example.com/');
    expect(safeHttpUrl('https://example.com/?t=%%{name}%%')).toBe('https://example.com/?t=%%%7Bname%7D%%');
  });
});

describe('Function: oneLine', () => {
  it('should remove control characters and collapse white space', () => {
    // Act / Assess
    expect(oneLine(' a\r\n\tb\u0000c\u0085d\u2028e  ')).toBe('a b c d e');
  });
});

describe('Function: defuseTokens', () => {
  it('should stop data from looking like a token', () => {
    // Act / Assess
    expect(defuseTokens('%%{name}%%', 'html')).toBe('%%&#123;name}%%');
    expect(defuseTokens('%%{name}%%', 'text')).not.toContain('%%{');
    expect(tokensIn(defuseTokens('%%{name}%%', 'text'))).toEqual([]);
    expect(tokensIn(`x ${Token.UNSUBSCRIBE_URL}`, Token.NAME)).toEqual([Token.NAME, Token.UNSUBSCRIBE_URL]);
  });
});

describe('Function: truncateAtWord', () => {
  it('should cut at a word boundary and add an ellipsis', () => {
    // Act / Assess
    expect(truncateAtWord('The quick brown fox jumps', 14)).toBe('The quick…');
    expect(truncateAtWord('Short', 14)).toBe('Short');
  });

  it('should never split a surrogate pair', () => {
    // Prepare
    const text = `${'a'.repeat(8)}😀😀😀`;
    // Act
    const cut = truncateAtWord(text, 10);
    // Assess
    expect(cut.length).toBeLessThanOrEqual(10);
    expect(cut).toBe(`${'a'.repeat(8)}…`);
  });
});

describe('Function: wrapText', () => {
  it('should wrap at the width and give a long URL its own line', () => {
    // Prepare
    const url = `https://example.com/${'x'.repeat(90)}`;
    // Act
    const lines = wrapText(`Read more: ${url} and some words after it`, 30);
    // Assess
    expect(lines).toEqual(['Read more:', url, 'and some words after it']);
  });
});

describe('Function: buildSubject', () => {
  it('should fill the default pattern', () => {
    // Act / Assess
    expect(buildSubject('{site}: {headline}{more}', { site: 'Daily', headline: 'Rain', moreCount: 4, date: '' })).toBe(
      'Daily: Rain +4 more',
    );
    expect(buildSubject('{site}: {headline}{more}', { site: 'Daily', headline: 'Rain', moreCount: 0, date: '' })).toBe(
      'Daily: Rain',
    );
  });

  it('should shorten the headline, not the "+N more", to stay within 120 characters', () => {
    // Prepare
    const headline = 'word '.repeat(40);
    // Act
    const subject = buildSubject('{site}: {headline}{more}', { site: 'Daily', headline, moreCount: 12, date: '' });
    // Assess
    expect(subject.length).toBeLessThanOrEqual(120);
    expect(subject).toMatch(/^Daily: word( word)*… \+12 more$/);
  });

  it('should remove control characters from the pattern and the values', () => {
    // Act
    const subject = buildSubject('{site}\r\n{headline}', { site: 'A\u0000B', headline: 'C\u0007D', moreCount: 0, date: '' });
    // Assess
    expect(subject).toBe('A B C D');
  });
});

describe('Function: buildPreheader', () => {
  it('should use the lead summary, else the next headlines, within 150 characters', () => {
    // Act / Assess
    expect(buildPreheader('Storms close roads.', ['Rain', 'Wind'])).toBe('Storms close roads.');
    expect(buildPreheader('', ['Rain', 'Wind', 'Snow'])).toBe('Also: Wind · Snow');
    expect(buildPreheader('x '.repeat(200), []).length).toBeLessThanOrEqual(150);
  });
});
