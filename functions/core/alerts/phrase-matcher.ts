/**
 * Whole-word phrase matching for keyword alerts, on the project's one normalisation
 * (`normalisePhrase` → `normaliseKeyword` → `foldForMatching`, articles/keywords.ts): case-, width- and
 * Latin/Greek-accent-insensitive, every other script kept exactly.
 *
 * An article is read as a **token sequence** (title, summary and body, in that order; never the
 * "Related articles" or editor's-choice teasers, which are other articles). A followed phrase
 * matches when its tokens occur contiguously, in order, in that sequence:
 * - whole words only: "Minsker", "Iranian" and "marvellous" are single tokens, so they never
 *   match "Minsk", "Iran" or "marvel";
 * - punctuation and spacing between words do not matter: "Nagorno-Karabakh" and
 *   "Nagorno\nKarabakh" are both the tokens `nagorno karabakh`;
 * - a possessive `'s` (or `’s`) belongs to its word: "Minsk's" is `minsk`;
 * - a phrase never spans two fields (the end of the title and the start of the summary).
 */
import { normalisePhrase } from '../articles/keywords.ts';

/** Marks the boundary between two fields in a sequence; no token is empty. */
const FIELD_BREAK = '';

/**
 * The normalised form of a followed keyword: its tokens joined by single spaces. The same
 * tokens {@link tokenSequence} gives for the same words in an article.
 *
 * @example
 * ```ts
 * phraseOf('Nagorno-Karabakh'); // 'nagorno karabakh'
 * phraseOf("Minsk's");          // 'minsk'
 * phraseOf('ΑΘΉΝΑ');            // 'αθηνα'
 * ```
 */
export function phraseOf(keyword: string): string {
  return normalisePhrase(keyword);
}

/**
 * The token sequence of some texts (an article's title, summary and body), with a field break
 * between texts so that no phrase spans two of them.
 *
 * @example
 * ```ts
 * tokenSequence('Minsk talks', "Lavrov's visit"); // ['minsk', 'talks', '', 'lavrov', 'visit']
 * ```
 */
export function tokenSequence(...texts: string[]): string[] {
  const sequence: string[] = [];
  for (const text of texts) {
    const phrase = phraseOf(text);
    if (phrase === '') continue;
    if (sequence.length > 0) sequence.push(FIELD_BREAK);
    for (const token of phrase.split(' ')) sequence.push(token);
  }
  return sequence;
}

/**
 * An article's token sequence, indexed for matching many phrases against it.
 *
 * @example
 * ```ts
 * const text = new MatchableText(tokenSequence(article.title, article.summary, article.bodyText));
 * text.firstTokens(); // every distinct token: the keys of the phrase heads to look up
 * text.contains('nagorno karabakh'); // true or false
 * ```
 */
export class MatchableText {
  readonly #sequence: readonly string[];
  readonly #positions = new Map<string, number[]>();

  public constructor(sequence: readonly string[]) {
    this.#sequence = sequence;
    sequence.forEach((token, index) => {
      if (token === FIELD_BREAK) return;
      const list = this.#positions.get(token);
      if (list) list.push(index);
      else this.#positions.set(token, [index]);
    });
  }

  /** Every distinct token, in order of first appearance. */
  public firstTokens(): string[] {
    return [...this.#positions.keys()];
  }

  /**
   * Whether a normalised phrase ({@link phraseOf}) occurs as whole, contiguous tokens.
   *
   * @example
   * ```ts
   * new MatchableText(tokenSequence('Nagorno-Karabakh talks')).contains('nagorno karabakh'); // true
   * ```
   */
  public contains(phrase: string): boolean {
    const tokens = phrase.split(' ').filter((t) => t !== '');
    const [first, ...rest] = tokens;
    if (first === undefined) return false;
    for (const start of this.#positions.get(first) ?? []) {
      if (rest.every((token, i) => this.#sequence[start + 1 + i] === token)) return true;
    }
    return false;
  }
}
