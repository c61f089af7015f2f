/**
 * Subject line and preheader of an edition. Pure string work, no MJML.
 */
import { oneLine } from './escape.ts';
import { truncateAtWord } from './text-format.ts';

/** The default subject pattern (same as the `SUBJECT_PATTERN` config default). */
export const DEFAULT_SUBJECT_PATTERN = '{site}: {headline}{more}';
/** Longest subject, in UTF-16 code units. */
export const MAX_SUBJECT_LENGTH = 120;
/** Longest preheader, in UTF-16 code units. */
export const MAX_PREHEADER_LENGTH = 150;

/** What a subject pattern can refer to. */
export interface SubjectParts {
  site: string;
  headline: string;
  /** Other stories shown besides the headline one; `{more}` is ` +N more` when N > 0. */
  moreCount: number;
  /** Already formatted date. */
  date: string;
}

function fill(pattern: string, parts: SubjectParts, headline: string): string {
  const values: Readonly<Record<string, string>> = {
    site: oneLine(parts.site),
    headline,
    more: parts.moreCount > 0 ? ` +${parts.moreCount} more` : '',
    date: oneLine(parts.date),
  };
  return oneLine(pattern.replace(/\{(site|headline|more|date)\}/g, (_m, key: string) => values[key] ?? ''));
}

/**
 * Builds the one-line subject from a pattern with `{site}`, `{headline}`, `{more}` and
 * `{date}`. Control characters are removed; a subject longer than 120 characters has its
 * headline (else the whole line) cut at a word boundary with "…".
 *
 * @example
 * ```ts
 * buildSubject('{site}: {headline}{more}', { site: 'Daily', headline: 'Rain', moreCount: 4, date: '' });
 * // 'Daily: Rain +4 more'
 * ```
 */
export function buildSubject(pattern: string, parts: SubjectParts): string {
  const headline = oneLine(parts.headline);
  const full = fill(pattern, parts, headline);
  if (full.length <= MAX_SUBJECT_LENGTH) return full;
  if (pattern.includes('{headline}')) {
    // Measured with a one-character headline: an empty one would let white space collapse.
    const fixed = fill(pattern, parts, 'x').length - 1;
    const room = MAX_SUBJECT_LENGTH - fixed;
    if (room >= 12) {
      const shorter = fill(pattern, parts, truncateAtWord(headline, room));
      if (shorter.length <= MAX_SUBJECT_LENGTH) return shorter;
    }
  }
  return truncateAtWord(full, MAX_SUBJECT_LENGTH);
}

/**
 * Builds the preheader (inbox preview line): the lead story's summary when it has one, else
 * the next headlines; at most 150 characters, one line.
 *
 * @example
 * ```ts
 * buildPreheader('Storms close roads.', ['Rain', 'Wind', 'Snow']); // 'Storms close roads.'
 * buildPreheader('', ['Rain', 'Wind', 'Snow']);                    // 'Also: Wind · Snow'
 * ```
 */
export function buildPreheader(leadSummary: string, headlines: readonly string[]): string {
  const summary = oneLine(leadSummary);
  if (summary) return truncateAtWord(summary, MAX_PREHEADER_LENGTH);
  const next = headlines.slice(1).map(oneLine).filter(Boolean);
  if (next.length === 0) return truncateAtWord(oneLine(headlines[0] ?? ''), MAX_PREHEADER_LENGTH);
  return truncateAtWord(`Also: ${next.join(' · ')}`, MAX_PREHEADER_LENGTH);
}
