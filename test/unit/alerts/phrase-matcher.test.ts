/**
 * The matcher on a table of cases: the project's one normalisation (case, width and
 * Latin/Greek accents folded; every other script kept), whole words, phrases across
 * punctuation and line breaks, possessives, near misses; and the keyword rule for stop words.
 */
import { describe, expect, it } from 'vitest';
import { MatchableText, phraseOf, tokenSequence } from '../../../functions/core/alerts/phrase-matcher.ts';
import { checkAlertKeywords } from '../../../functions/core/subscribers/alert-settings.ts';
import { ValidationError } from '../../../functions/core/errors.ts';

const matches = (keyword: string, ...texts: string[]): boolean => new MatchableText(tokenSequence(...texts)).contains(phraseOf(keyword));

describe('Function: MatchableText.contains (the alert matcher)', () => {
  it.each([
    // keyword, article text, matches
    ['Café', 'A new CAFE opens in Tbilisi', true],
    ['CAFE', 'The café on the corner', true],
    ['café', 'Cafe society', true],
    ['Ｃａｆé', 'cafe', true], // full width
    ['İstanbul', 'Talks in ISTANBUL today', true],
    ['Istanbul', 'Görüşmeler İstanbul’da yapıldı', true],
    ['Αθήνα', 'Συνάντηση στην ΑΘΗΝΑ', true],
    ['ΑΘΗΝΑ', 'Συνάντηση στην Αθήνα', true],
    ['Αθηνα', 'Η Αθήνα υποδέχεται', true],
    ['Минск', 'Переговоры в минске', false], // another word form: Cyrillic is not stemmed
    ['Минск', 'Переговоры: МИНСК, 2 декабря', true],
    ['Минск', 'Minsk talks', false], // no transliteration
    ['йошкар', 'Йошкар-Ола', true],
    ['иошкар', 'Йошкар-Ола', false], // й is not и
    ['Երևան', 'Հանդիպում Երեւանում', false],
    ['Երևան', 'Հանդիպում Երեւան քաղաքում', true],
    ['Երեւան', 'Հանդիպում Երևան քաղաքում', true],
    ['თბილისი', 'შეხვედრა თბილისი', true],
    ['ᲗᲑᲘᲚᲘᲡᲘ', 'შეხვედრა თბილისი', true],
    ['Nagorno-Karabakh', 'The Nagorno Karabakh conflict', true],
    ['Nagorno Karabakh', 'The Nagorno-Karabakh conflict', true],
    ['Nagorno-Karabakh', 'The Nagorno–Karabakh conflict', true], // en dash
    ['Nagorno-Karabakh', 'The Nagorno\nKarabakh conflict', true], // line break
    ['Presidential election', 'the presidential  election, held today', true],
    ['Presidential election', 'the election was presidential', false], // order
    ['Presidential election', 'presidential candidates; the election', false], // not contiguous
    ['Minsk', "Minsk's agreements", true],
    ['Minsk', 'Minsk’s agreements', true],
    ['Iran', 'Iran’s pathways to a nuclear weapon', true],
    ['Minsk', 'a Minsker journalist', false],
    ['Iran', 'the Iranian delegation', false],
    ['marvel', 'a marvellous day', false],
    ['marvel', 'a Marvel film', true],
    ['US', 'the US position', true],
    ['Minsk', 'Minskaya oblast', false],
  ])('should give %s in %j: %s', (keyword, text, expected) => {
    // Act / Assess
    expect(matches(keyword, text)).toBe(expected);
  });

  it('should not match a phrase across two fields (title, then summary)', () => {
    // Act / Assess
    expect(matches('Nagorno Karabakh', 'Talks on Nagorno', 'Karabakh ceasefire holds')).toBe(false);
    expect(matches('Nagorno Karabakh', 'Talks on Nagorno Karabakh', 'ceasefire holds')).toBe(true);
  });

  it('should give every distinct token once, for the head lookups', () => {
    // Act
    const tokens = new MatchableText(tokenSequence('Minsk talks', 'Minsk’s talks resume')).firstTokens();
    // Assess
    expect(tokens).toEqual(['minsk', 'talks', 'resume']);
  });
});

describe('Function: checkAlertKeywords (a keyword that is only a stop word)', () => {
  it.each(['the', 'The', 'of the', 'and'])('should refuse %j with a clear reason', (keyword) => {
    // Act
    const act = () => checkAlertKeywords([keyword]);
    // Assess
    expect(act).toThrow(ValidationError);
    expect(act).toThrow(/only common words/);
  });

  it('should accept a phrase that holds a stop word, and "US"', () => {
    // Act / Assess
    expect(checkAlertKeywords(['Council of Europe', 'US', 'The Hague'])).toEqual(['Council of Europe', 'US', 'The Hague']);
  });
});
