import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../functions/core/errors.ts';
import { checkKeyword, checkKeywords, checkName, MAX_KEYWORDS } from '../../../functions/core/subscribers/free-text.ts';

describe('Function: checkName', () => {
  it.each([
    ['  Zoë   O’Brien ', 'Zoë O’Brien'],
    ['Jean-Luc (JL) & Marie', 'Jean-Luc (JL) & Marie'],
    ["'t Hooft", "'t Hooft"],
    ['J.R.R. Tolkien, Ph.D.', 'J.R.R. Tolkien, Ph.D.'],
    ['Դավիթ', 'Դավիթ'],
    ['محمد', 'محمد'],
    ['देवनागरी', 'देवनागरी'],
    ['Ann\u00a0Lee', 'Ann Lee'],
    ['Ame\u0301lie', 'Amélie'],
    ['x'.repeat(100), 'x'.repeat(100)],
  ])('accepts %j as %j', (raw, expected) => {
    // Prepare & Act
    const name = checkName(raw);

    // Assess
    expect(name).toBe(expected);
  });

  it('treats a blank name as no name', () => {
    // Prepare & Act & Assess
    expect(checkName('   ')).toBeUndefined();
  });

  it.each([
    ['customer. Your account at http://evil.example/login is suspended', 'looks like a web address'],
    ['Visit www.evil', 'looks like a web address'],
    ['Ann evil.example', 'looks like a web address'],
    ['Ann bit.ly', 'looks like a web address'],
    ['Ann пример.рф', 'looks like a web address'],
    ['mailto:ann', 'looks like a web address'],
    ['Ann\u202eevil', 'bidirectional control character'],
    ['Ann\u2066evil\u2069', 'bidirectional control character'],
    ['Ann\u200fLee', 'bidirectional control character'],
    ['Ann\u061cLee', 'bidirectional control character'],
    ['Ann\u200bLee', 'invisible character'],
    ['Ann\u2060Lee', 'invisible character'],
    ['Ann\u2063Lee', 'invisible character'],
    ['Ann\ufeffLee', 'invisible character'],
    ['Ann\u00adLee', 'invisible character'],
    ['Ann\u{e0041}Lee', 'invisible character'],
    ['Ann\u3164Lee', 'invisible character'],
    ['Ann\r\nBcc: x', 'control character'],
    ['Ann 2', 'holds a character a name may not hold (U+0032)'],
    ['Ann <b>', 'holds a character a name may not hold (U+003C)'],
    ['Ann 😀', 'holds a character a name may not hold (U+1F600)'],
    ['=HYPERLINK("x")', 'holds a character a name may not hold'],
    ['-Ann', 'must start with a letter'],
    ['x'.repeat(101), 'longer than 100 characters'],
  ])('refuses %j (%s)', (raw, reason) => {
    // Prepare & Act
    const act = (): unknown => checkName(raw);

    // Assess
    expect(act).toThrow(ValidationError);
    expect(act).toThrow(`name: `);
    expect(act).toThrow(reason);
  });
});

describe('Function: checkKeyword', () => {
  it.each([
    [' COVID-19 ', 'COVID-19'],
    ['#MeToo', '#MeToo'],
    ['C++', 'C++'],
    ['G7', 'G7'],
    ['AT&T', 'AT&T'],
    ['Նիկոլ Փաշինյան', 'Նիկոլ Փաշինյան'],
    ['U.S. elections', 'U.S. elections'],
  ])('accepts %j as %j', (raw, expected) => {
    // Prepare & Act
    const keyword = checkKeyword(raw);

    // Assess
    expect(keyword).toBe(expected);
  });

  it.each([
    ['=1+1', 'holds a character it may not hold (U+003D)'],
    ['@SUM(1)', 'holds a character it may not hold (U+0040)'],
    ['+1', 'must start with a letter or a digit'],
    ['-energy', 'must start with a letter or a digit'],
    ['evil.example', 'looks like a web address'],
    ['https://evil.example', 'looks like a web address'],
    ['Node.js', 'looks like a web address'],
    ['energy\u202e', 'bidirectional control character'],
    ['ener\u200dgy', 'invisible character'],
    ['a/b', 'holds a character it may not hold (U+002F)'],
    ['x'.repeat(61), 'longer than 60 characters'],
  ])('refuses %j (%s)', (raw, reason) => {
    // Prepare & Act
    const act = (): unknown => checkKeyword(raw);

    // Assess
    expect(act).toThrow(ValidationError);
    expect(act).toThrow('keywords: ');
    expect(act).toThrow(reason);
  });
});

describe('Function: checkKeywords', () => {
  it('drops blanks and duplicates ignoring case, and keeps the order', () => {
    // Prepare & Act
    const keywords = checkKeywords(['Energy', ' climate ', '', 'ENERGY']);

    // Assess
    expect(keywords).toEqual(['Energy', 'climate']);
  });

  it('refuses more than 25 keywords', () => {
    // Prepare
    const many = Array.from({ length: MAX_KEYWORDS + 1 }, (_, i) => `k${i}`);

    // Act
    const act = (): unknown => checkKeywords(many);

    // Assess
    expect(act).toThrow('keywords: more than 25');
    expect(checkKeywords(many.slice(0, MAX_KEYWORDS))).toHaveLength(MAX_KEYWORDS);
  });
});
