/**
 * The rules for the free text a subscriber (or a stranger) may give: a display name and
 * alert keywords. The same rules serve the HTTP API, the preferences form and the CSV import.
 *
 * Why so strict: whatever is stored here may later be shown in a mail our domain sends, so it
 * must not carry a message of its own. A name is letters, marks, spaces and common name
 * punctuation, at most {@link MAX_NAME_LENGTH} characters; a keyword may also hold digits and
 * a few more signs. Neither may hold anything that looks like a web address, nor a
 * bidirectional control or an invisible character (which can reorder or hide text).
 * See docs/security.md, "Subscriber input".
 */
import { ValidationError } from '../errors.ts';
import { checkAlertKeywords, MAX_ALERT_KEYWORD_LENGTH as MAX_KEYWORD_LENGTH } from './alert-settings.ts';
import { hasControlChars } from './identity.ts';

/** Longest name, in characters (code points). */
export const MAX_NAME_LENGTH = 100;
/** Most keywords per subscriber, and the longest keyword in characters (code points): the alert rules'. */
export { MAX_ALERT_KEYWORDS as MAX_KEYWORDS, MAX_ALERT_KEYWORD_LENGTH as MAX_KEYWORD_LENGTH } from './alert-settings.ts';

/** Bidirectional controls: embeddings, overrides, isolates, LRM/RLM and the Arabic letter mark. */
const BIDI_CONTROL = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;

/**
 * Invisible characters: every format character (zero-width space/joiners, word joiner and
 * invisible operators U+2060–2064, BOM, soft hyphen, tag characters…), private use and
 * unassigned code points, and the blank "letters" and marks that render as nothing (Hangul
 * fillers, the combining grapheme joiner, variation selectors, Mongolian selectors).
 */
const INVISIBLE =
  /[\p{Cf}\p{Co}\p{Cn}\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u3164\uffa0\ufe00-\ufe0f\u{e0100}-\u{e01ef}]/u;

/** Space separators other than the plain space (no-break, thin, ideographic…). */
const OTHER_SPACES = /\p{Zs}/gu;

/**
 * Punctuation a name may hold: . , ' ’ ‘ " “ ” - ‐ ( ) & · and the Armenian and Hebrew
 * apostrophes (initials, O’Brien, Jean-Luc, a nickname in quotes).
 */
const NAME_PUNCTUATION = ".,'’‘\"“”\\-\u2010()&\u00b7\u055a\u05f3\u05f4";
const NAME_CHARS = new RegExp(`^[\\p{L}\\p{M} ${NAME_PUNCTUATION}]+$`, 'u');
const NAME_CHAR = new RegExp(`[\\p{L}\\p{M} ${NAME_PUNCTUATION}]`, 'u');
/** A name starts with a letter or an apostrophe ('t Hooft), never with - = + @. */
const NAME_START = /^[\p{L}'’]/u;

/** Keywords may also hold digits and # + (for "#MeToo", "C++", "G7", "COVID-19"). */
const KEYWORD_PUNCTUATION = `${NAME_PUNCTUATION}#+`;
const KEYWORD_CHARS = new RegExp(`^[\\p{L}\\p{M}\\p{N} ${KEYWORD_PUNCTUATION}]+$`, 'u');
const KEYWORD_CHAR = new RegExp(`[\\p{L}\\p{M}\\p{N} ${KEYWORD_PUNCTUATION}]`, 'u');
/** A keyword starts with a letter, a digit, # or an apostrophe, never with - = + @. */
const KEYWORD_START = /^[\p{L}\p{N}#'’]/u;

/** A scheme (`http:`, `mailto:`, `javascript:`, `hxxp://`…). */
const SCHEME = /[\p{L}][\p{L}\p{N}+.-]*:(?:\/\/|[^\s])/u;
/** `www.` at the start of a word. */
const WWW = /(?:^|[^\p{L}\p{N}])www\./iu;
/**
 * A domain-looking token: labels joined by dots with no space, the last one two letters or
 * more (`evil.example`, `bit.ly`, `пример.рф`). "J.R.R. Tolkien" and "Ph.D." pass (one
 * letter after each dot); "Node.js" as a keyword does not (write "Node js": alerts match
 * words, so it matches the same articles).
 */
const DOMAIN_LIKE = /[\p{L}\p{N}\p{M}_-]+(?:\.[\p{L}\p{N}\p{M}_-]+)*\.[\p{L}\p{M}]{2,}/u;

/** Whether a text holds something a mail client could make a link of. */
function looksLikeWebAddress(text: string): boolean {
  return SCHEME.test(text) || WWW.test(text) || DOMAIN_LIKE.test(text);
}

/** Code points, not UTF-16 units. */
function length(text: string): number {
  let n = 0;
  for (const _ of text) n += 1;
  return n;
}

/** The first character not in a class, shown as U+XXXX so the reason is readable and safe. */
function firstOutside(text: string, allowed: RegExp): string {
  for (const ch of text) {
    if (!allowed.test(ch)) return `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
  }
  return '';
}

/**
 * Checks what both kinds of free text share and returns the text normalised: NFC, other
 * spaces made plain, runs of spaces collapsed, trimmed.
 */
function normaliseFreeText(field: string, raw: string): string {
  if (hasControlChars(raw)) throw new ValidationError(`${field}: contains a control character`);
  if (BIDI_CONTROL.test(raw)) throw new ValidationError(`${field}: contains a bidirectional control character`);
  const text = raw.normalize('NFC');
  if (INVISIBLE.test(text)) throw new ValidationError(`${field}: contains an invisible character`);
  return text.replace(OTHER_SPACES, ' ').replace(/ {2,}/g, ' ').trim();
}

/**
 * Checks and normalises a display name. An empty name (after trimming) is `undefined`.
 *
 * @throws ValidationError naming `name` and the reason.
 * @example
 * ```ts
 * checkName('  Zoë   O’Brien ');  // 'Zoë O’Brien'
 * checkName('Ann http://evil.example'); // throws ValidationError('name: looks like a web address')
 * ```
 */
export function checkName(raw: string): string | undefined {
  const name = normaliseFreeText('name', raw);
  if (name === '') return undefined;
  if (length(name) > MAX_NAME_LENGTH) throw new ValidationError(`name: longer than ${MAX_NAME_LENGTH} characters`);
  if (looksLikeWebAddress(name)) throw new ValidationError('name: looks like a web address');
  if (!NAME_CHARS.test(name)) {
    throw new ValidationError(`name: holds a character a name may not hold (${firstOutside(name, NAME_CHAR)}); use letters, spaces and . , ' " - ( ) &`);
  }
  if (!NAME_START.test(name)) throw new ValidationError('name: must start with a letter');
  return name;
}

/**
 * Checks and normalises one keyword. An empty keyword (after trimming) is `undefined`.
 *
 * @throws ValidationError naming `keywords` and the reason.
 * @example
 * ```ts
 * checkKeyword(' COVID-19 '); // 'COVID-19'
 * checkKeyword('-1');         // throws ValidationError('keywords: a keyword must start with a letter or a digit')
 * ```
 */
export function checkKeyword(raw: string): string | undefined {
  const keyword = normaliseFreeText('keywords', raw);
  if (keyword === '') return undefined;
  if (length(keyword) > MAX_KEYWORD_LENGTH) {
    throw new ValidationError(`keywords: a keyword is longer than ${MAX_KEYWORD_LENGTH} characters`);
  }
  if (looksLikeWebAddress(keyword)) throw new ValidationError('keywords: a keyword looks like a web address');
  if (!KEYWORD_CHARS.test(keyword)) {
    throw new ValidationError(
      `keywords: a keyword holds a character it may not hold (${firstOutside(keyword, KEYWORD_CHAR)}); use letters, digits, spaces and . ' - & # + ( )`,
    );
  }
  if (!KEYWORD_START.test(keyword)) throw new ValidationError('keywords: a keyword must start with a letter or a digit');
  return keyword;
}

/**
 * Checks a list of keywords: each by {@link checkKeyword} (empty ones dropped), then by the
 * alert rules of alert-settings.ts (nothing left once normalised, only common words, longer
 * than {@link MAX_KEYWORD_LENGTH} once normalised; duplicates once normalised dropped, so
 * "Café" after "cafe"), at most {@link MAX_KEYWORDS}.
 *
 * @throws ValidationError naming `keywords` and the reason.
 * @example
 * ```ts
 * checkKeywords(['Energy', ' climate ', 'energy']); // ['Energy', 'climate']
 * ```
 */
export function checkKeywords(raw: Iterable<string>): string[] {
  const keywords: string[] = [];
  for (const part of raw) {
    const keyword = checkKeyword(part);
    if (keyword !== undefined) keywords.push(keyword);
  }
  return checkAlertKeywords(keywords);
}
