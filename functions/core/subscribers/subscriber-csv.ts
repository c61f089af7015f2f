/**
 * Subscriber lists as CSV, read and written with csv-parse and csv-stringify (RFC 4180).
 *
 * Reading streams: records are parsed as the bytes arrive and handed on one by one, so a
 * list of a million rows is read in bounded memory. Three kinds of file are recognised by
 * their header (docs/security.md, "Subscriber input", has the table):
 *
 * - ours: `email,name,newsletter,alerts,keywords` (any order, case-insensitive; only `email`
 *   is required), an optional `status` column as the export writes it, and optional
 *   `timezone` and `alert_hour` columns for alert digests; newsletter `daily|weekly|none`,
 *   alerts `instant|hourly|daily|weekly|none`, keywords `;`-separated;
 * - a Mailchimp audience export (`Email Address`, `First Name`, `Last Name`, …): the name is
 *   first and last name; the file's kind gives the status (`UNSUB_TIME` → unsubscribed,
 *   `CLEAN_TIME` → bounced, else confirmed);
 * - a listmonk export (`uuid,email,name,attributes,status,…`): `enabled` → confirmed,
 *   `blocklisted` and `disabled` → unsubscribed.
 *
 * Bad rows are reported with their line number and left out; a name that breaks the rules of
 * free-text.ts is dropped with a warning (the row is imported without it).
 *
 * Writing neutralises spreadsheet formulas as OWASP recommends (CSV injection): a cell that
 * starts with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`; so does a
 * cell that already starts with apostrophes followed by one of those, which makes the rule
 * exactly reversible, and reading reverses it. In the keywords cell every `;`-separated
 * keyword is treated as a cell of its own.
 */
import { Readable } from 'node:stream';
import { parse, type Info } from 'csv-parse';
import { stringify } from 'csv-stringify/sync';
import { ValidationError } from '../errors.ts';
import { parseAlertHour, parseTimezone } from './alert-settings.ts';
import { checkKeywords, checkName } from './free-text.ts';
import { normaliseEmail } from './identity.ts';
import { AlertCadence, Newsletter, SubscriberStatus, type Subscriber } from './types.ts';

/** One valid row. `line` is the physical line (1 = header) where the record starts. */
export interface SubscriberCsvRow {
  line: number;
  email: string;
  name?: string;
  newsletter: Newsletter;
  alerts: AlertCadence;
  keywords: string[];
  /** Only when the file says (a `status` column, or the kind of export). */
  status?: SubscriberStatus;
  /** Only when the file has a `timezone` / `alert_hour` column and the cell is not empty. */
  timezone?: string;
  alertHour?: number;
}

/** A problem on one line: the row is left out (`skipped`), or imported without a field. */
export interface CsvIssue {
  line: number;
  reason: string;
  skipped: boolean;
}

/** What reading yields, in line order. */
export type CsvItem = { kind: 'row'; row: SubscriberCsvRow } | { kind: 'issue'; issue: CsvIssue };

/** The kinds of file recognised. */
export const CsvSource = {
  NEWS_DIGEST: 'news-digest',
  MAILCHIMP: 'mailchimp',
  LISTMONK: 'listmonk',
} as const;
export type CsvSource = (typeof CsvSource)[keyof typeof CsvSource];

/** Values for what a file does not say (Mailchimp and listmonk have no newsletter choice). */
export interface CsvDefaults {
  newsletter?: Newsletter;
  alerts?: AlertCadence;
}

/** Our columns; only `email` is required. */
export const CSV_COLUMNS = ['email', 'name', 'newsletter', 'alerts', 'keywords', 'status', 'timezone', 'alert_hour'] as const;
type Column = (typeof CSV_COLUMNS)[number];
const KNOWN_COLUMNS: ReadonlySet<string> = new Set<string>(CSV_COLUMNS);

/** Longest record accepted (an unclosed quote otherwise swallows the rest of the file). */
export const MAX_RECORD_BYTES = 64 * 1024;

const NEWSLETTERS: ReadonlySet<string> = new Set(Object.values(Newsletter));
const CADENCES: ReadonlySet<string> = new Set(Object.values(AlertCadence));
const STATUSES: ReadonlySet<string> = new Set(Object.values(SubscriberStatus));
const LISTMONK_STATUSES: Readonly<Record<string, SubscriberStatus>> = {
  enabled: SubscriberStatus.CONFIRMED,
  disabled: SubscriberStatus.UNSUBSCRIBED,
  blocklisted: SubscriberStatus.UNSUBSCRIBED,
};

/** First characters that make a spreadsheet read a cell as a formula (OWASP). */
const FORMULA_START = /^'*[=+\-@\t\r]/;

/**
 * Neutralises a cell for spreadsheets (OWASP CSV injection): prefixes `'` when the cell starts
 * with `=`, `+`, `-`, `@`, tab or CR, or with apostrophes followed by one of them.
 *
 * @example
 * ```ts
 * neutraliseCell('=HYPERLINK("http://x")'); // "'=HYPERLINK(\"http://x\")"
 * neutraliseCell("'=1");                    // "''=1"
 * neutraliseCell('Ann');                    // 'Ann'
 * ```
 */
export function neutraliseCell(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

/**
 * Reverses {@link neutraliseCell} exactly.
 *
 * @example
 * ```ts
 * restoreCell("'=1+1"); // '=1+1'
 * restoreCell("'t Hooft"); // "'t Hooft" (not neutralised: left as it is)
 * ```
 */
export function restoreCell(value: string): string {
  return value.startsWith("'") && FORMULA_START.test(value) ? value.slice(1) : value;
}

/** How one kind of file maps to a row. */
interface Mapping {
  source: CsvSource;
  width: number;
  email: (cells: string[]) => string;
  name: (cells: string[]) => string;
  newsletter: (cells: string[]) => string;
  alerts: (cells: string[]) => string;
  keywords: (cells: string[]) => string[];
  status: (cells: string[]) => SubscriberStatus | undefined;
  /** The cells of the alert digest's zone and hour (empty: not given). */
  timezone: (cells: string[]) => string;
  alertHour: (cells: string[]) => string;
}

const at = (index: number) => (cells: string[]): string => (index < 0 ? '' : restoreCell(cells[index] ?? ''));

/**
 * The mapping for a header.
 *
 * @throws ValidationError naming the problem of the header.
 */
function mappingFor(header: string[], defaults: Required<CsvDefaults>): Mapping {
  const columns = header.map((c) => c.trim().toLowerCase());
  const index = (name: string) => columns.indexOf(name);
  const fixed = (value: string) => () => value;

  if (columns.includes('email address')) {
    const status = columns.includes('unsub_time')
      ? SubscriberStatus.UNSUBSCRIBED
      : columns.includes('clean_time')
        ? SubscriberStatus.BOUNCED
        : SubscriberStatus.CONFIRMED;
    const first = at(index('first name'));
    const last = at(index('last name'));
    return {
      source: CsvSource.MAILCHIMP,
      width: columns.length,
      email: at(index('email address')),
      name: (cells) => `${first(cells).trim()} ${last(cells).trim()}`,
      newsletter: fixed(defaults.newsletter),
      alerts: fixed(defaults.alerts),
      keywords: () => [],
      status: () => status,
      timezone: fixed(''),
      alertHour: fixed(''),
    };
  }

  if (columns.includes('uuid') && columns.includes('attributes') && columns.includes('email')) {
    const status = at(index('status'));
    return {
      source: CsvSource.LISTMONK,
      width: columns.length,
      email: at(index('email')),
      name: at(index('name')),
      newsletter: fixed(defaults.newsletter),
      alerts: fixed(defaults.alerts),
      keywords: () => [],
      status: (cells) => {
        const value = status(cells).trim().toLowerCase();
        if (value === '') return undefined;
        const mapped = LISTMONK_STATUSES[value];
        if (mapped === undefined) throw new ValidationError(`status: unknown listmonk status "${value}" (enabled, disabled or blocklisted)`);
        return mapped;
      },
      timezone: fixed(''),
      alertHour: fixed(''),
    };
  }

  const unknown = columns.find((c) => !KNOWN_COLUMNS.has(c));
  if (unknown !== undefined) throw new ValidationError(`header: unknown column "${unknown.slice(0, 40)}"`);
  if (new Set(columns).size !== columns.length) throw new ValidationError('header: a column appears twice');
  if (!columns.includes('email')) throw new ValidationError('header: missing column(s): email');
  const cell = (name: Column) => at(index(name));
  const orDefault = (get: (cells: string[]) => string, fallback: string) => (cells: string[]) => get(cells).trim() || fallback;
  const keywords = index('keywords');
  const status = cell('status');
  return {
    source: CsvSource.NEWS_DIGEST,
    width: columns.length,
    email: cell('email'),
    name: cell('name'),
    newsletter: orDefault(cell('newsletter'), defaults.newsletter),
    alerts: orDefault(cell('alerts'), defaults.alerts),
    // Each keyword was neutralised on its own (the cell is a list).
    keywords: (cells) => (keywords < 0 ? [] : (cells[keywords] ?? '').split(';').map(restoreCell)),
    status: (cells) => {
      const value = status(cells).trim().toLowerCase();
      if (value === '') return undefined;
      if (!STATUSES.has(value)) throw new ValidationError(`status: unknown value "${value.slice(0, 40)}"`);
      return value as SubscriberStatus;
    },
    timezone: cell('timezone'),
    alertHour: cell('alert_hour'),
  };
}

/** Turns one record into a row, or says why it cannot be one. */
function rowFrom(line: number, cells: string[], mapping: Mapping): { row: SubscriberCsvRow; warning?: string } {
  if (cells.length !== mapping.width) throw new ValidationError(`expected ${mapping.width} fields, found ${cells.length}`);
  const email = normaliseEmail(mapping.email(cells));
  const newsletter = mapping.newsletter(cells).trim().toLowerCase();
  if (!NEWSLETTERS.has(newsletter)) {
    throw new ValidationError(`newsletter: unknown value "${newsletter.slice(0, 40)}" (daily, weekly or none)`);
  }
  const alerts = mapping.alerts(cells).trim().toLowerCase();
  if (!CADENCES.has(alerts)) {
    throw new ValidationError(`alerts: unknown value "${alerts.slice(0, 40)}" (instant, hourly, daily, weekly or none)`);
  }
  const row: SubscriberCsvRow = {
    line,
    email,
    newsletter: newsletter as Newsletter,
    alerts: alerts as AlertCadence,
    keywords: checkKeywords(mapping.keywords(cells)),
  };
  const status = mapping.status(cells);
  if (status !== undefined) row.status = status;
  const timezone = parseTimezone(mapping.timezone(cells));
  if (timezone !== undefined) row.timezone = timezone;
  const alertHour = parseAlertHour(mapping.alertHour(cells), 'alert_hour');
  if (alertHour !== undefined) row.alertHour = alertHour;
  try {
    const name = checkName(mapping.name(cells));
    if (name !== undefined) row.name = name;
    return { row };
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    return { row, warning: `${error.message} (imported without the name)` };
  }
}

/** Why csv-parse skipped a record, in words. */
function skipReason(error: { code?: string; message: string }): string {
  switch (error.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'a quoted field is never closed (the rest of the file was read as one field)';
    case 'CSV_MAX_RECORD_SIZE':
      return `record longer than ${MAX_RECORD_BYTES / 1024} KB (an unclosed quote?); reading stopped here`;
    default:
      return error.message.replace(/ at line \d+.*$/s, '');
  }
}

/** Input as text, or as chunks of bytes or text (a file stream). */
export type CsvInput = string | AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>;

export interface ReadSubscribersCsvOptions {
  defaults?: CsvDefaults;
  /** Called once the header is read, with the kind of file. */
  onSource?: (source: CsvSource) => void;
}

/**
 * Reads subscriber CSV as a stream of rows and issues, in line order. Never throws for bad
 * content: a bad header gives one issue on line 1 and no rows; a bad row gives an issue with
 * its line and is left out. Blank lines are skipped; LF, CRLF and CR line ends and a BOM are
 * accepted. Memory stays bounded whatever the size of the input.
 *
 * @example
 * ```ts
 * for await (const item of readSubscribersCsv(createReadStream(file))) {
 *   if (item.kind === 'row') rows.push(item.row);
 *   else console.error(`line ${item.issue.line}: ${item.issue.reason}`);
 * }
 * ```
 */
export async function* readSubscribersCsv(input: CsvInput, options: ReadSubscribersCsvOptions = {}): AsyncGenerator<CsvItem> {
  const defaults: Required<CsvDefaults> = {
    newsletter: options.defaults?.newsletter ?? Newsletter.DAILY,
    alerts: options.defaults?.alerts ?? AlertCadence.NONE,
  };
  /** Records csv-parse skipped, at the line after the last record it parsed. */
  const skipped: CsvIssue[] = [];
  let parsedLine = 0;
  let parsedEmpty = 0;
  let lastLine = 0;
  let lastEmpty = 0;
  const parser = parse({
    bom: true,
    info: true,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    max_record_size: MAX_RECORD_BYTES,
    record_delimiter: ['\r\n', '\n', '\r'],
    on_record: (record, context) => {
      parsedLine = context.lines;
      parsedEmpty = context.empty_lines;
      return record;
    },
    on_skip: (error) => {
      if (error) skipped.push({ line: parsedLine + 1 + (parser.info.empty_lines - parsedEmpty), reason: skipReason(error), skipped: true });
    },
  });
  const source = typeof input === 'string' ? Readable.from([input]) : Readable.from(input);
  source.on('error', (error) => parser.destroy(error));
  source.pipe(parser);

  let mapping: Mapping | undefined;
  for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: Info }>) {
    const line = lastLine + 1 + (info.empty_lines - lastEmpty);
    lastLine = info.lines;
    lastEmpty = info.empty_lines;
    while (skipped.length > 0 && skipped[0]!.line < line) yield { kind: 'issue', issue: skipped.shift()! };
    if (mapping === undefined) {
      try {
        mapping = mappingFor(record, defaults);
        options.onSource?.(mapping.source);
        continue;
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        source.destroy();
        parser.destroy();
        yield { kind: 'issue', issue: { line, reason: `${error.message} (expected email,name,newsletter,alerts,keywords[,status], a Mailchimp or a listmonk export)`, skipped: true } };
        return;
      }
    }
    try {
      const { row, warning } = rowFrom(line, record, mapping);
      if (warning !== undefined) yield { kind: 'issue', issue: { line, reason: warning, skipped: false } };
      yield { kind: 'row', row };
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      yield { kind: 'issue', issue: { line, reason: error.message, skipped: true } };
    }
  }
  for (const issue of skipped) yield { kind: 'issue', issue };
  if (mapping === undefined && skipped.length === 0) {
    yield { kind: 'issue', issue: { line: 1, reason: 'missing header (email,name,newsletter,alerts,keywords)', skipped: true } };
  }
}

/** Everything read from a (small) CSV at once. */
export interface ParsedSubscribersCsv {
  rows: SubscriberCsvRow[];
  /** Rows left out. */
  errors: Array<{ line: number; reason: string }>;
  /** Rows imported without a field. */
  warnings: Array<{ line: number; reason: string }>;
}

/**
 * Reads a whole CSV into memory: for small files and tests. Imports stream instead.
 *
 * @example
 * ```ts
 * const { rows, errors } = await parseSubscribersCsv('email,name\nann@example.org,Ann\n');
 * rows[0]; // { line: 2, email: 'ann@example.org', name: 'Ann', newsletter: 'daily', alerts: 'none', keywords: [] }
 * ```
 */
export async function parseSubscribersCsv(input: CsvInput, options: ReadSubscribersCsvOptions = {}): Promise<ParsedSubscribersCsv> {
  const parsed: ParsedSubscribersCsv = { rows: [], errors: [], warnings: [] };
  for await (const item of readSubscribersCsv(input, options)) {
    if (item.kind === 'row') parsed.rows.push(item.row);
    else (item.issue.skipped ? parsed.errors : parsed.warnings).push({ line: item.issue.line, reason: item.issue.reason });
  }
  return parsed;
}

/** Header of the export. */
export const EXPORT_COLUMNS = CSV_COLUMNS;

/**
 * Writes subscribers as CSV (the import format plus a `status` column), LF line ends, every
 * cell neutralised for spreadsheets. Pass `{ header: false }` to append a further page.
 *
 * @example
 * ```ts
 * process.stdout.write(toSubscribersCsv(page.subscribers, { header: first }));
 * ```
 */
export function toSubscribersCsv(subscribers: Iterable<Subscriber>, options: { header?: boolean } = {}): string {
  const records: string[][] = [];
  for (const s of subscribers) {
    records.push([
      neutraliseCell(s.email),
      neutraliseCell(s.name ?? ''),
      neutraliseCell(s.newsletter),
      neutraliseCell(s.alerts),
      s.keywords.map(neutraliseCell).join(';'),
      neutraliseCell(s.status),
      neutraliseCell(s.timezone ?? ''),
      s.alertHour?.toString() ?? '',
    ]);
  }
  const header = options.header ?? true;
  if (records.length === 0 && !header) return '';
  return stringify(records, { header, columns: [...EXPORT_COLUMNS], record_delimiter: 'unix' });
}
