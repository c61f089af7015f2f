/**
 * Identity of a subscriber: the normalised address and the opaque id derived from it, and the
 * network a source address is rate-limited by. Log lines carry keyed pseudonyms
 * (pseudonyms.ts), never an address.
 */
import { createHash } from 'node:crypto';
import ipaddr from 'ipaddr.js';
import { ValidationError } from '../errors.ts';

/** Longest address accepted (RFC 5321 path limit minus the angle brackets). */
export const MAX_EMAIL_LENGTH = 254;

// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
/** Dot-atom local part (RFC 5322 atext), no quoted strings. */
const LOCAL_PART = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const DOMAIN_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/**
 * Whether a string holds a control character (C0, DEL, C1, line/paragraph separators).
 *
 * @example
 * ```ts
 * hasControlChars('a\r\nBcc: x'); // true
 * hasControlChars('plain');       // false
 * ```
 */
export function hasControlChars(value: string): boolean {
  return CONTROL_CHARS.test(value);
}

/**
 * Normalises an email address: trims surrounding spaces and lower-cases it, then checks it.
 *
 * @throws ValidationError with a reason when the address is empty, too long, holds a control
 *   character or is not a plain `local@domain.tld` address.
 * @example
 * ```ts
 * normaliseEmail('  Ann@Example.ORG '); // 'ann@example.org'
 * normaliseEmail('ann@example');       // throws ValidationError('email: ...')
 * ```
 */
export function normaliseEmail(raw: string): string {
  if (typeof raw !== 'string') throw new ValidationError('email: must be a string');
  if (hasControlChars(raw)) throw new ValidationError('email: contains a control character');
  const email = raw.trim().toLowerCase();
  if (email === '') throw new ValidationError('email: is required');
  if (email.length > MAX_EMAIL_LENGTH) {
    throw new ValidationError(`email: longer than ${MAX_EMAIL_LENGTH} characters`);
  }
  const at = email.lastIndexOf('@');
  if (at <= 0 || at === email.length - 1 || email.indexOf('@') !== at) {
    throw new ValidationError('email: not a valid address');
  }
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  if (local.length > 64 || !LOCAL_PART.test(local)) {
    throw new ValidationError('email: not a valid address');
  }
  const labels = domain.split('.');
  const tld = labels[labels.length - 1] ?? '';
  if (labels.length < 2 || !labels.every((l) => DOMAIN_LABEL.test(l)) || !/^[a-z][a-z0-9-]*$/.test(tld)) {
    throw new ValidationError('email: not a valid address');
  }
  return email;
}

function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/**
 * The opaque, stable id of the subscriber with this address: `s_` and the first 32 hex
 * digits of the sha256 of the normalised address.
 *
 * @throws ValidationError when the address is invalid.
 * @example
 * ```ts
 * subscriberIdFor('Ann@Example.org') === subscriberIdFor('ann@example.org'); // true
 * ```
 */
export function subscriberIdFor(email: string): string {
  return `s_${sha256Hex(normaliseEmail(email)).slice(0, 32)}`;
}

/**
 * The network a source address is limited by: an IPv4 address as it is (an IPv4-mapped IPv6
 * address as its IPv4 address), an IPv6 address as its /64, because one host or home usually
 * holds a whole /64 and could otherwise change address with every request. Anything that does
 * not parse is returned unchanged.
 *
 * @example
 * ```ts
 * sourceNetwork('2001:db8:1:2:aaaa::1'); // '2001:db8:1:2::/64'
 * sourceNetwork('::ffff:203.0.113.7');   // '203.0.113.7'
 * ```
 */
export function sourceNetwork(ip: string): string {
  if (!ipaddr.isValid(ip)) return ip;
  const address = ipaddr.process(ip);
  if (address.kind() === 'ipv4') return address.toString();
  return `${ipaddr.IPv6.networkAddressFromCIDR(`${address.toString()}/64`).toString()}/64`;
}

const EMAIL_LIKE = /[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+/g;

/** What {@link redactEmails} puts in place of an address. */
export const REDACTED_EMAIL = '[email]';

/**
 * Replaces every address-like string in a text with `[email]`, for logging messages of
 * unexpected errors (which may quote an address). No pseudonym here: an error message needs
 * none, and this needs no key.
 *
 * @example
 * ```ts
 * redactEmails('rejected ann@example.org'); // 'rejected [email]'
 * ```
 */
export function redactEmails(text: string): string {
  return text.replace(EMAIL_LIKE, REDACTED_EMAIL);
}
