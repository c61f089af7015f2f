/**
 * Validation of what callers send to the subscription use cases (JSON or form fields,
 * already parsed into text by the HTTP layer). Every problem is a ValidationError whose
 * message names the field and the reason.
 */
import { ValidationError } from '../errors.ts';
import { hasControlChars, normaliseEmail } from './identity.ts';
import { checkKeywords, checkName } from './free-text.ts';
import { parseAlertHour } from './alert-settings.ts';
import { AlertCadence, Newsletter } from './types.ts';

/** Fields as parsed from a JSON object or a form: text, or several texts for a repeated key. */
export type InputFields = Readonly<Record<string, string | readonly string[]>>;

/** The honeypot: a field hidden from people; bots fill it in. */
export const HONEYPOT_FIELD = 'website';

/** A validated subscription request. */
export interface SubscribeRequest {
  email: string;
  name?: string;
  newsletter: Newsletter;
  alerts: AlertCadence;
  keywords: string[];
  timezone?: string;
  /** Local hour (0–23) of daily and weekly alert digests. */
  alertHour?: number;
  /** True when the honeypot was filled in: answer as usual, do nothing. */
  isBot: boolean;
}

/** Validated preferences. */
export interface PreferencesRequest {
  /** Absent: keep the name; null: the field was sent empty, remove the name. */
  name?: string | null;
  newsletter: Newsletter;
  alerts: AlertCadence;
  keywords: string[];
  timezone?: string;
  alertHour?: number;
}

const NEWSLETTERS: ReadonlySet<string> = new Set(Object.values(Newsletter));
const CADENCES: ReadonlySet<string> = new Set(Object.values(AlertCadence));
const MAX_FIELD_LENGTH = 2000;

function checkKnown(fields: InputFields, allowed: readonly string[]): void {
  for (const key of Object.keys(fields)) {
    if (!allowed.includes(key)) throw new ValidationError(`${oneLineName(key)}: unknown field`);
  }
}

/** A field name safe to echo in a reason. */
function oneLineName(key: string): string {
  const clean = key.replace(/[^\w.-]/g, '?').slice(0, 40);
  return clean === '' ? '(empty)' : clean;
}

/** One text field: absent → undefined; repeated, too long or with control characters → error. */
function single(fields: InputFields, key: string): string | undefined {
  const value = fields[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new ValidationError(`${key}: given more than once`);
  if (value.length > MAX_FIELD_LENGTH) throw new ValidationError(`${key}: too long`);
  if (hasControlChars(value)) throw new ValidationError(`${key}: contains a control character`);
  return value;
}

/** The name under the rules of free-text.ts; absent or blank → undefined. */
function optionalName(fields: InputFields): string | undefined {
  const raw = single(fields, 'name');
  return raw === undefined ? undefined : checkName(raw);
}

function choice<T extends string>(fields: InputFields, key: string, allowed: ReadonlySet<string>, fallback: T): T {
  const raw = single(fields, key);
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = raw.trim().toLowerCase();
  if (!allowed.has(value)) {
    throw new ValidationError(`${key}: unknown value (one of ${[...allowed].join(', ')})`);
  }
  return value as T;
}

/**
 * Keywords from a list (repeated field / JSON array) or one text separated by `,` or `;`,
 * under the rules of free-text.ts and alert-settings.ts: trimmed, de-duplicated once
 * normalised, at most 25 of at most 60 characters each.
 */
export function keywordsFrom(fields: InputFields, key = 'keywords'): string[] {
  const raw = fields[key];
  if (raw === undefined) return [];
  const parts = typeof raw === 'string' ? [raw] : raw;
  for (const part of parts) {
    if (part.length > MAX_FIELD_LENGTH) throw new ValidationError(`${key}: too long`);
    if (hasControlChars(part)) throw new ValidationError(`${key}: contains a control character`);
  }
  return checkKeywords(parts.flatMap((part) => part.split(/[,;]/)));
}

function optionalTimezone(fields: InputFields): string | undefined {
  const tz = single(fields, 'timezone')?.trim();
  if (tz === undefined || tz === '') return undefined;
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
  } catch {
    throw new ValidationError('timezone: unknown time zone');
  }
  return tz;
}

/**
 * Validates a subscription request. Defaults: newsletter `daily`, alerts `none`.
 *
 * @throws ValidationError naming the field and the reason.
 * @example
 * ```ts
 * parseSubscribeRequest({ email: 'Ann@Example.org', newsletter: 'weekly', keywords: 'energy, climate' });
 * // { email: 'ann@example.org', newsletter: 'weekly', alerts: 'none', keywords: ['energy', 'climate'], isBot: false }
 * ```
 */
export function parseSubscribeRequest(fields: InputFields): SubscribeRequest {
  checkKnown(fields, ['email', 'name', 'newsletter', 'alerts', 'keywords', 'timezone', 'alertHour', HONEYPOT_FIELD]);
  const rawEmail = single(fields, 'email');
  if (rawEmail === undefined) throw new ValidationError('email: is required');
  const email = normaliseEmail(rawEmail);
  const honeypot = single(fields, HONEYPOT_FIELD) ?? '';
  const request: SubscribeRequest = {
    email,
    newsletter: choice(fields, 'newsletter', NEWSLETTERS, Newsletter.DAILY),
    alerts: choice(fields, 'alerts', CADENCES, AlertCadence.NONE),
    keywords: keywordsFrom(fields),
    isBot: honeypot.trim() !== '',
  };
  if (request.newsletter === Newsletter.NONE && request.alerts === AlertCadence.NONE) {
    throw new ValidationError('newsletter: choose a newsletter or alerts');
  }
  const name = optionalName(fields);
  if (name !== undefined) request.name = name;
  const timezone = optionalTimezone(fields);
  if (timezone !== undefined) request.timezone = timezone;
  const alertHour = parseAlertHour(single(fields, 'alertHour'), 'alertHour');
  if (alertHour !== undefined) request.alertHour = alertHour;
  return request;
}

/**
 * Validates the preferences form. `token` is allowed (the form carries it) and ignored here.
 * Unlike a subscription, newsletter and alerts are required (the form always sends both).
 *
 * @throws ValidationError naming the field and the reason.
 * @example
 * ```ts
 * parsePreferencesRequest({ token, newsletter: 'none', alerts: 'daily', keywords: 'energy' });
 * ```
 */
export function parsePreferencesRequest(fields: InputFields): PreferencesRequest {
  checkKnown(fields, ['token', 'name', 'newsletter', 'alerts', 'keywords', 'timezone', 'alertHour']);
  for (const key of ['newsletter', 'alerts'] as const) {
    if (single(fields, key) === undefined) throw new ValidationError(`${key}: is required`);
  }
  const request: PreferencesRequest = {
    newsletter: choice(fields, 'newsletter', NEWSLETTERS, Newsletter.NONE),
    alerts: choice(fields, 'alerts', CADENCES, AlertCadence.NONE),
    keywords: keywordsFrom(fields),
  };
  if (fields.name !== undefined) request.name = optionalName(fields) ?? null;
  const timezone = optionalTimezone(fields);
  if (timezone !== undefined) request.timezone = timezone;
  const alertHour = parseAlertHour(single(fields, 'alertHour'), 'alertHour');
  if (alertHour !== undefined) request.alertHour = alertHour;
  return request;
}

/**
 * The token of a request: from the query string or a `token` field (not both, unless equal).
 *
 * @throws ValidationError when it is missing or given twice with different values.
 */
export function tokenFrom(query: string | undefined, fields?: InputFields): string {
  const fromBody = fields ? single(fields, 'token') : undefined;
  if (query !== undefined && fromBody !== undefined && query !== fromBody) {
    throw new ValidationError('token: given twice with different values');
  }
  const token = query ?? fromBody;
  if (token === undefined || token === '') throw new ValidationError('token: is required');
  if (hasControlChars(token)) throw new ValidationError('token: malformed');
  return token;
}
