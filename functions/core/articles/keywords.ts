/**
 * Keyword tokens of articles, for keyword alerts.
 *
 * One normalisation serves both sides of the match: the words of an article
 * ({@link extractKeywords}) and the words a subscriber alerts on ({@link normaliseKeyword}).
 * As long as both go through {@link foldForMatching}, "Café", "CAFE" and "café" meet.
 *
 * Normalisation, in order:
 * 1. NFKC (compatibility forms: ligatures "ﬁ" → "fi", full-width letters, "²" → "2"; also the
 *    Armenian ligature "և" → "եւ", so both spellings of Yerevan, "Երևան" and "Երեւան", match);
 * 2. lower case (`toLowerCase`, locale-independent);
 * 3. diacritics removed **from Latin and Greek letters only**: NFD, then the combining marks
 *    (`\p{M}`) that follow a Latin or Greek base letter are dropped ("é" → "e", "ş" → "s",
 *    "ά" → "α", Turkish "İ" → "i");
 * 4. NFC again, which recomposes every other script.
 *
 * Decision: Cyrillic, Armenian, Georgian and all other scripts keep their letters exactly.
 * NFD would split Cyrillic "й" into "и" + combining breve (and "ё" into "е" + diaeresis);
 * stripping those marks would change the letter (й and и are different letters, not an
 * accented form), so marks after a non-Latin/Greek base are kept and recomposed by the final
 * NFC: "Йошкар-Ола" gives the tokens "йошкар" and "ола".
 */

/** Combining marks that follow a Latin or Greek base letter (after NFD). */
const LATIN_GREEK_MARKS = /([\p{Script=Latin}\p{Script=Greek}])\p{M}+/gu;

/** A word: letters, digits and the marks that belong to them (e.g. Devanagari vowel signs). */
const WORD = /[\p{L}\p{N}][\p{L}\p{N}\p{M}]*/gu;

/** Runs of anything that is not part of a word. */
const NON_WORD = /[^\p{L}\p{N}\p{M}]+/gu;

/** Tokens shorter than this (in characters) are dropped. */
export const MIN_KEYWORD_LENGTH = 2;

/**
 * A small list of English function words that never make a useful alert keyword.
 * "us" is deliberately absent: after lower-casing it is also "US".
 */
export const ENGLISH_STOP_WORDS: ReadonlySet<string> = new Set([
  'a', 'about', 'after', 'all', 'also', 'an', 'and', 'any', 'are', 'as', 'at', 'be', 'been',
  'before', 'being', 'but', 'by', 'can', 'could', 'did', 'do', 'does', 'for', 'from', 'had',
  'has', 'have', 'he', 'her', 'his', 'how', 'if', 'in', 'into', 'is', 'it', 'its', 'me', 'more',
  'my', 'no', 'not', 'of', 'on', 'or', 'our', 'over', 'she', 'should', 'so', 'than', 'that',
  'the', 'their', 'them', 'then', 'there', 'these', 'they', 'this', 'those', 'to', 'under',
  'up', 'was', 'we', 'were', 'what', 'when', 'where', 'which', 'while', 'who', 'whom', 'why',
  'will', 'with', 'would', 'you', 'your',
]);

/**
 * Case- and accent-folds a text for matching (see the module comment for the exact rules).
 * Punctuation and spacing are left as they are.
 *
 * @example
 * foldForMatching('Café İstanbul'); // 'cafe istanbul'
 * foldForMatching('Йошкар-Ола');    // 'йошкар-ола' (Cyrillic letters kept)
 */
export function foldForMatching(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .normalize('NFD')
    .replace(LATIN_GREEK_MARKS, '$1')
    .normalize('NFC');
}

/**
 * The normalised word tokens of one or more texts: folded with {@link foldForMatching},
 * split on anything that is not a letter or digit, at least 2 characters long, English
 * stop words removed, de-duplicated (first occurrence order).
 *
 * @example
 * extractKeywords('Blinken and Lavrov meet', 'Lavrov’s visit to Yerevan / Երևան');
 * // ['blinken', 'lavrov', 'meet', 'visit', 'yerevan', 'երեւան'] (NFKC folds the ligature և)
 */
export function extractKeywords(...texts: string[]): string[] {
  const seen = new Set<string>();
  for (const text of texts) {
    for (const match of foldForMatching(text).matchAll(WORD)) {
      const token = match[0];
      if (Array.from(token).length < MIN_KEYWORD_LENGTH || ENGLISH_STOP_WORDS.has(token)) {
        continue;
      }
      seen.add(token);
    }
  }
  return [...seen];
}

/**
 * Normalises one alert keyword the same way as {@link extractKeywords} normalises article
 * words, so that `extractKeywords(text).includes(normaliseKeyword(word))` is the match.
 * Stop words are not removed here (the subscriber asked for that word). A keyword made of
 * several words ("Nagorno-Karabakh") comes back as its tokens joined by single spaces
 * ("nagorno karabakh"); an alert matcher can split it and require every token.
 *
 * @example
 * normaliseKeyword('  Café ');          // 'cafe'
 * normaliseKeyword('Nagorno-Karabakh'); // 'nagorno karabakh'
 * normaliseKeyword('Тбилиси');          // 'тбилиси'
 */
export function normaliseKeyword(word: string): string {
  return foldForMatching(word).replace(NON_WORD, ' ').trim();
}

/** A possessive ending: apostrophe (straight, curly or modifier letter) + s, at a word end. */
const POSSESSIVE = /([\p{L}\p{N}\p{M}])['’ʼ][sS](?![\p{L}\p{N}\p{M}])/gu;

/**
 * {@link normaliseKeyword} for phrase matching (keyword alerts): a possessive `'s` or `’s`
 * belongs to its word first, so "Minsk's" and "Minsk" are the same token. Used for both the
 * followed phrase and the article text, so both sides always agree.
 *
 * @example
 * normalisePhrase("Minsk's talks");    // 'minsk talks'
 * normalisePhrase('Nagorno-Karabakh'); // 'nagorno karabakh'
 */
export function normalisePhrase(text: string): string {
  return normaliseKeyword(text.replace(POSSESSIVE, '$1'));
}
