/**
 * The subscriber CSV format (RFC 4180 quoting): header `email,name,newsletter,alerts,keywords`
 * (any order, case-insensitive, optional `status` column as written by the export, optional
 * `timezone` and `alert_hour` columns for alert digests);
 * newsletter `daily|weekly|none`, alerts `instant|hourly|daily|weekly|none`, keywords `;`-separated.
 * Invalid rows are reported with their line number and left out; valid rows are kept.
 */
import { hasControlChars, normaliseEmail } from './identity.ts';
import {
  AlertCadence,
  Newsletter,
  SubscriberStatus,
  type Subscriber,
} from './types.ts';
import { ValidationError } from '../errors.ts';
import { checkAlertKeywords, MAX_ALERT_KEYWORD_LENGTH, MAX_ALERT_KEYWORDS, parseAlertHour, parseTimezone } from './alert-settings.ts';

/** One valid row. `line` is the physical line (1 = header) where the record starts. */
export interface SubscriberCsvRow {
  line: number;
  email: string;
  name?: string;
  newsletter: Newsletter;
  alerts: AlertCadence;
  keywords: string[];
  /** Only when the file has a `status` column and the cell is not empty. */
  status?: SubscriberStatus;
  /** Only when the file has a `timezone` / `alert_hour` column and the cell is not empty. */
  timezone?: string;
  alertHour?: number;
}

export interface SubscriberCsvError {
  line: number;
  reason: string;
}

export interface ParsedSubscribersCsv {
  rows: SubscriberCsvRow[];
  errors: SubscriberCsvError[];
}

export const CSV_REQUIRED_COLUMNS = ['email', 'name', 'newsletter', 'alerts', 'keywords'] as const;
const OPTIONAL_COLUMNS = ['status', 'timezone', 'alert_hour'] as const;
type Column = (typeof CSV_REQUIRED_COLUMNS)[number] | (typeof OPTIONAL_COLUMNS)[number];
const KNOWN_COLUMNS: ReadonlySet<string> = new Set<string>([...CSV_REQUIRED_COLUMNS, ...OPTIONAL_COLUMNS]);

/** Limits shared with the HTTP API. */
export const MAX_NAME_LENGTH = 200;
export const MAX_KEYWORDS = MAX_ALERT_KEYWORDS;
export const MAX_KEYWORD_LENGTH = MAX_ALERT_KEYWORD_LENGTH;

const NEWSLETTERS: ReadonlySet<string> = new Set(Object.values(Newsletter));
const CADENCES: ReadonlySet<string> = new Set(Object.values(AlertCadence));
const STATUSES: ReadonlySet<string> = new Set(Object.values(SubscriberStatus));

/** A raw record as split by the tokenizer. */
interface RawRecord {
  line: number;
  fields: string[];
  /** Set when the record cannot be trusted (line break in quotes, stray quote, ...). */
  error?: string;
}

/**
 * Splits CSV text into records, tracking the physical line of each. Accepts LF, CRLF and CR
 * line ends and a leading BOM; skips blank lines. A line break inside a quoted field is a
 * record error (the record is still consumed to its end so the following lines stay in step).
 */
function tokenize(text: string): RawRecord[] {
  const records: RawRecord[] = [];
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  const n = text.length;

  while (i < n) {
    const record: RawRecord = { line, fields: [] };
    let field = '';
    let inQuotes = false;
    let quotedField = false;
    let afterClosingQuote = false;
    let done = false;

    while (i < n && !done) {
      const ch = text[i]!;
      if (inQuotes) {
        if (ch === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
          } else {
            inQuotes = false;
            afterClosingQuote = true;
            i += 1;
          }
        } else {
          if (ch === '\n' || ch === '\r') {
            record.error ??= 'line break inside a quoted field';
            if (ch === '\r' && text[i + 1] === '\n') i += 1;
            line += 1;
          }
          field += ch;
          i += 1;
        }
        continue;
      }
      if (ch === ',') {
        record.fields.push(field);
        field = '';
        quotedField = false;
        afterClosingQuote = false;
        i += 1;
      } else if (ch === '\n' || ch === '\r') {
        i += ch === '\r' && text[i + 1] === '\n' ? 2 : 1;
        line += 1;
        done = true;
      } else if (ch === '"') {
        if (field === '' && !quotedField) {
          inQuotes = true;
          quotedField = true;
        } else {
          record.error ??= 'stray quote in a field (quote the whole field and double inner quotes)';
          field += ch;
        }
        i += 1;
      } else {
        if (afterClosingQuote) record.error ??= 'text after a closing quote';
        field += ch;
        i += 1;
      }
    }
    if (inQuotes) record.error ??= 'unterminated quoted field';
    record.fields.push(field);
    const blank = record.fields.length === 1 && record.fields[0] === '' && !quotedField;
    if (!blank || record.error) records.push(record);
  }
  return records;
}

/** Splits a `;`-separated keyword cell (or list) into trimmed, de-duplicated keywords. */
export function parseKeywords(cell: string): string[] {
  const seen = new Set<string>();
  const keywords: string[] = [];
  for (const part of cell.split(';')) {
    const keyword = part.trim().replace(/\s+/g, ' ');
    if (keyword === '') continue;
    const key = keyword.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    keywords.push(keyword);
  }
  return keywords;
}

/**
 * Checks a keyword list against the limits.
 *
 * @throws ValidationError with a reason.
 */
export function checkKeywords(keywords: string[]): string[] {
  if (keywords.length > MAX_KEYWORDS) throw new ValidationError(`keywords: more than ${MAX_KEYWORDS}`);
  for (const k of keywords) {
    if (hasControlChars(k)) throw new ValidationError('keywords: contains a control character');
    if (k.length > MAX_KEYWORD_LENGTH) {
      throw new ValidationError(`keywords: a keyword is longer than ${MAX_KEYWORD_LENGTH} characters`);
    }
  }
  // The alert rules: nothing left after normalisation, only common words, duplicates once normalised.
  return checkAlertKeywords(keywords);
}

function rowFrom(record: RawRecord, columns: Column[]): SubscriberCsvRow {
  if (record.fields.length !== columns.length) {
    throw new ValidationError(`expected ${columns.length} fields, found ${record.fields.length}`);
  }
  const cell = (name: Column): string => {
    const index = columns.indexOf(name);
    return index < 0 ? '' : (record.fields[index] ?? '');
  };
  for (const [index, value] of record.fields.entries()) {
    if (hasControlChars(value)) throw new ValidationError(`${columns[index]}: contains a control character`);
  }
  const email = normaliseEmail(cell('email'));
  const name = cell('name').trim();
  if (name.length > MAX_NAME_LENGTH) throw new ValidationError(`name: longer than ${MAX_NAME_LENGTH} characters`);
  const newsletter = cell('newsletter').trim().toLowerCase();
  if (!NEWSLETTERS.has(newsletter)) {
    throw new ValidationError(`newsletter: unknown value "${cell('newsletter')}" (daily, weekly or none)`);
  }
  const alerts = cell('alerts').trim().toLowerCase();
  if (!CADENCES.has(alerts)) {
    throw new ValidationError(`alerts: unknown value "${cell('alerts')}" (instant, hourly, daily, weekly or none)`);
  }
  const keywords = checkKeywords(parseKeywords(cell('keywords')));
  const row: SubscriberCsvRow = {
    line: record.line,
    email,
    newsletter: newsletter as Newsletter,
    alerts: alerts as AlertCadence,
    keywords,
  };
  if (name !== '') row.name = name;
  const timezone = parseTimezone(cell('timezone'));
  if (timezone !== undefined) row.timezone = timezone;
  const alertHour = parseAlertHour(cell('alert_hour'), 'alert_hour');
  if (alertHour !== undefined) row.alertHour = alertHour;
  const status = cell('status').trim().toLowerCase();
  if (status !== '') {
    if (!STATUSES.has(status)) throw new ValidationError(`status: unknown value "${cell('status')}"`);
    row.status = status as SubscriberStatus;
  }
  return row;
}

/**
 * Parses subscriber CSV. Never throws for bad content: a bad header gives one error on line 1
 * and no rows; a bad row gives an error with its line and is left out.
 *
 * @example
 * ```ts
 * const { rows, errors } = parseSubscribersCsv(
 *   'email,name,newsletter,alerts,keywords\nann@example.org,Ann,daily,none,"climate;energy"\n',
 * );
 * rows[0]; // { line: 2, email: 'ann@example.org', name: 'Ann', newsletter: 'daily', alerts: 'none', keywords: ['climate', 'energy'] }
 * ```
 */
export function parseSubscribersCsv(text: string): ParsedSubscribersCsv {
  const records = tokenize(text);
  const header = records.shift();
  if (!header) return { rows: [], errors: [{ line: 1, reason: 'missing header (email,name,newsletter,alerts,keywords)' }] };
  const columns = header.fields.map((f) => f.trim().toLowerCase());
  const headerProblem =
    header.error ??
    (columns.find((c) => !KNOWN_COLUMNS.has(c)) !== undefined
      ? `unknown column "${columns.find((c) => !KNOWN_COLUMNS.has(c))}"`
      : undefined) ??
    (new Set(columns).size !== columns.length ? 'a column appears twice' : undefined) ??
    (CSV_REQUIRED_COLUMNS.filter((c) => !columns.includes(c)).length > 0
      ? `missing column(s): ${CSV_REQUIRED_COLUMNS.filter((c) => !columns.includes(c)).join(', ')}`
      : undefined);
  if (headerProblem !== undefined) {
    return { rows: [], errors: [{ line: header.line, reason: `header: ${headerProblem} (expected email,name,newsletter,alerts,keywords)` }] };
  }

  const rows: SubscriberCsvRow[] = [];
  const errors: SubscriberCsvError[] = [];
  const firstLineOf = new Map<string, number>();
  for (const record of records) {
    if (record.error) {
      errors.push({ line: record.line, reason: record.error });
      continue;
    }
    try {
      const row = rowFrom(record, columns as Column[]);
      const first = firstLineOf.get(row.email);
      if (first !== undefined) {
        errors.push({ line: record.line, reason: `email: duplicate of line ${first}` });
        continue;
      }
      firstLineOf.set(row.email, row.line);
      rows.push(row);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      errors.push({ line: record.line, reason: error.message });
    }
  }
  return { rows, errors };
}

/** Header of the export. */
export const EXPORT_COLUMNS = ['email', 'name', 'newsletter', 'alerts', 'keywords', 'status', 'timezone', 'alert_hour'] as const;

function quote(value: string): string {
  return /[",\r\n]/.test(value) || value !== value.trim() ? `"${value.replace(/"/g, '""')}"` : value;
}

/**
 * Writes subscribers as CSV (the import format plus the `status`, `timezone` and `alert_hour`
 * columns), LF line ends.
 * Pass `{ header: false }` to append a further page to an export.
 *
 * @example
 * ```ts
 * process.stdout.write(toSubscribersCsv(page.subscribers, { header: first }));
 * ```
 */
export function toSubscribersCsv(subscribers: Iterable<Subscriber>, options: { header?: boolean } = {}): string {
  const lines: string[] = [];
  if (options.header ?? true) lines.push(EXPORT_COLUMNS.join(','));
  for (const s of subscribers) {
    lines.push(
      [s.email, s.name ?? '', s.newsletter, s.alerts, s.keywords.join(';'), s.status, s.timezone ?? '', s.alertHour?.toString() ?? ''].map(quote).join(','),
    );
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}
