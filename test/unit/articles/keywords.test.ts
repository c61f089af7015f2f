import { describe, expect, it } from 'vitest';
import { extractKeywords, foldForMatching, normaliseKeyword } from '../../../functions/core/articles/keywords.ts';

describe('Function: extractKeywords', () => {
  it('lower-cases, drops English stop words and one-letter tokens, and de-duplicates', () => {
    // Prepare
    const title = 'Blinken and Lavrov discuss growing tensions Ukraine-Russia';
    const summary = 'Blinken said a Russian invasion of Ukraine would be answered.';

    // Act
    const keywords = extractKeywords(title, summary);

    // Assess
    expect(keywords).toEqual([
      'blinken', 'lavrov', 'discuss', 'growing', 'tensions', 'ukraine', 'russia',
      'said', 'russian', 'invasion', 'answered',
    ]);
  });

  it('removes Latin diacritics', () => {
    // Act
    const keywords = extractKeywords('Café in Zürich, İstanbul and Łódź; São Paulo');

    // Assess
    expect(keywords).toEqual(['cafe', 'zurich', 'istanbul', 'łodz', 'sao', 'paulo']);
  });

  it('keeps Cyrillic, Armenian and Georgian letters intact (й stays й)', () => {
    // Act
    const keywords = extractKeywords('Йошкар-Ола и Москва', 'ՀԱՅԱՍՏԱՆ Հայաստան', 'თბილისი');

    // Assess
    expect(keywords).toEqual(['йошкар', 'ола', 'москва', 'հայաստան', 'თბილისი']);
    expect(keywords[0]).toBe('\u0439\u043e\u0448\u043a\u0430\u0440');
    expect(keywords[0]).not.toContain('\u0306');
  });

  it('folds the Armenian ligature և so that both spellings of Yerevan meet', () => {
    // Act
    const keywords = extractKeywords('Երևան', 'Երեւան');

    // Assess
    expect(keywords).toEqual(['երեւան']);
  });

  it('keeps numbers and the word "US"', () => {
    // Act
    const keywords = extractKeywords('The US and the EU in 2026: G7');

    // Assess
    expect(keywords).toEqual(['us', 'eu', '2026', 'g7']);
  });

  it('returns nothing for texts without words', () => {
    // Act
    const keywords = extractKeywords('', ' — … ', 'a I');

    // Assess
    expect(keywords).toEqual([]);
  });
});

describe('Function: normaliseKeyword', () => {
  it('normalises an alert keyword exactly like article words', () => {
    // Prepare
    const words = ['Zürich', 'ИСТАНБУЛ', 'Йошкар', 'Երևան', 'ﬁnance', 'ＵＳ'];
    const text = 'zurich истанбул йошкар Երեւան finance us';

    // Act
    const normalised = words.map(normaliseKeyword);

    // Assess
    expect(normalised).toEqual(['zurich', 'истанбул', 'йошкар', 'երեւան', 'finance', 'us']);
    for (const word of normalised) {
      expect(extractKeywords(text)).toContain(word);
    }
  });

  it('joins the tokens of a multi-word keyword with single spaces and keeps stop words', () => {
    // Act
    const normalised = [normaliseKeyword('  Nagorno-Karabakh '), normaliseKeyword('The Hague')];

    // Assess
    expect(normalised).toEqual(['nagorno karabakh', 'the hague']);
  });
});

describe('Function: foldForMatching', () => {
  it('strips Greek accents but recomposes other scripts', () => {
    // Act
    const folded = [foldForMatching('Αθήνα'), foldForMatching('ЁЖИК'), foldForMatching('ქართული')];

    // Assess
    expect(folded).toEqual(['αθηνα', 'ёжик', 'ქართული']);
  });
});
