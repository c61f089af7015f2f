/**
 * The rules of a subscriber's alert settings, shared by the HTTP API, the preferences page
 * and the CSV import: how many keywords, how long, what each must hold once normalised; the
 * delivery hour; the time zone. Every problem is a ValidationError naming the field.
 *
 * Keywords are kept as the subscriber typed them (they are shown back in the digest); the
 * keyword index uses their normalised phrase (`normalisePhrase`, articles/keywords.ts).
 */
import { ENGLISH_STOP_WORDS, normalisePhrase } from '../articles/keywords.ts';
import { ValidationError } from '../errors.ts';
import type { Subscriber } from './types.ts';

/** Most keywords one subscriber follows. */
export const MAX_ALERT_KEYWORDS = 25;
/** Longest keyword, in characters. */
export const MAX_ALERT_KEYWORD_LENGTH = 60;
/** Local delivery hour of daily and weekly alert digests when none is given. */
export const DEFAULT_ALERT_HOUR = 7;
/** The zone of a subscriber who gave none. */
export const DEFAULT_TIMEZONE = 'UTC';

/** A keyword as it may appear in a reason: one line, at most 40 characters. */
function quoted(keyword: string): string {
  const short = Array.from(keyword).length > 40 ? `${Array.from(keyword).slice(0, 39).join('')}…` : keyword;
  return JSON.stringify(short);
}

/**
 * Checks a list of keywords (already trimmed, with control characters refused by the caller)
 * against the alert rules and drops those that normalise to a phrase already in the list
 * ("Café" after "cafe"). Refused, with the field named: more than 25; longer than 60
 * characters; nothing left after normalisation ("!!!"); only common English words ("the", "of the"), which would match nearly every article.
 *
 * @throws ValidationError `keywords: …`.
 * @example
 * ```ts
 * checkAlertKeywords(['Minsk', 'minsk', 'Nagorno-Karabakh']); // ['Minsk', 'Nagorno-Karabakh']
 * checkAlertKeywords(['the']); // throws: keywords: "the" is only common words …
 * ```
 */
export function checkAlertKeywords(keywords: readonly string[]): string[] {
  const seen = new Set<string>();
  const kept: string[] = [];
  for (const keyword of keywords) {
    if (Array.from(keyword).length > MAX_ALERT_KEYWORD_LENGTH) {
      throw new ValidationError(`keywords: ${quoted(keyword)} is longer than ${MAX_ALERT_KEYWORD_LENGTH} characters`);
    }
    const phrase = normalisePhrase(keyword);
    if (phrase === '') throw new ValidationError(`keywords: ${quoted(keyword)} has no letters or digits`);
    // NFKC can expand a character (a ligature, an Arabic honorific) into many.
    if (Array.from(phrase).length > MAX_ALERT_KEYWORD_LENGTH) throw new ValidationError(`keywords: ${quoted(keyword)} is longer than ${MAX_ALERT_KEYWORD_LENGTH} characters once normalised`);
    if (phrase.split(' ').every((token) => ENGLISH_STOP_WORDS.has(token))) {
      throw new ValidationError(`keywords: ${quoted(keyword)} is only common words (such as "the" or "of") and would match nearly every article`);
    }
    if (seen.has(phrase)) continue;
    seen.add(phrase);
    kept.push(keyword);
  }
  if (kept.length > MAX_ALERT_KEYWORDS) throw new ValidationError(`keywords: more than ${MAX_ALERT_KEYWORDS} (${kept.length} given)`);
  return kept;
}

/**
 * Parses a delivery hour: a whole number from 0 to 23 ("7", "07"). Empty means not given.
 *
 * @param field the field's name in the caller's format (`alertHour`, `alert_hour`).
 * @throws ValidationError naming the field.
 * @example
 * ```ts
 * parseAlertHour('07', 'alertHour'); // 7
 * parseAlertHour('24', 'alertHour'); // throws: alertHour: must be a whole hour from 0 to 23
 * ```
 */
export function parseAlertHour(raw: string | undefined, field: string): number | undefined {
  const value = raw?.trim();
  if (value === undefined || value === '') return undefined;
  if (!/^\d{1,2}$/.test(value) || Number(value) > 23) throw new ValidationError(`${field}: must be a whole hour from 0 to 23 (got ${quoted(value)})`);
  return Number(value);
}

/**
 * Checks an IANA time zone name ("Europe/Amsterdam"). Empty means not given.
 *
 * @throws ValidationError `timezone: unknown time zone`.
 * @example
 * ```ts
 * parseTimezone('Asia/Yerevan'); // 'Asia/Yerevan'
 * ```
 */
export function parseTimezone(raw: string | undefined): string | undefined {
  const zone = raw?.trim();
  if (zone === undefined || zone === '') return undefined;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
  } catch {
    throw new ValidationError(`timezone: unknown time zone ${quoted(zone)}`);
  }
  return zone;
}

/**
 * A subscriber's delivery hour and zone, with the defaults.
 *
 * @example
 * ```ts
 * deliverySettings({ ...subscriber, timezone: undefined }); // { timezone: 'UTC', alertHour: 7 }
 * ```
 */
export function deliverySettings(subscriber: Pick<Subscriber, 'timezone' | 'alertHour'>): { timezone: string; alertHour: number } {
  return { timezone: subscriber.timezone ?? DEFAULT_TIMEZONE, alertHour: subscriber.alertHour ?? DEFAULT_ALERT_HOUR };
}
