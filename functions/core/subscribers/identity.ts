/**
 * Identity of a subscriber: the normalised address, the opaque id derived from it and the
 * short hash used in log lines (never log a plain address).
 */
import { createHash, createHmac } from 'node:crypto';
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
 * A short hash of an address for log lines (12 hex digits). Never fails: an invalid address
 * is hashed as given (trimmed, lower-cased), so callers can log rejected input too.
 *
 * @example
 * ```ts
 * logger.info('subscribed', { email: emailHash(email) });
 * ```
 */
export function emailHash(email: string): string {
  return `e_${sha256Hex(`email:${String(email).trim().toLowerCase()}`).slice(0, 12)}`;
}

/**
 * A keyed hash of a source IP for consent evidence and rate-limit keys (never the IP itself).
 * The IPv4 space is small enough to reverse a plain sha256, so pass a secret pepper (the
 * token secret) whenever one is available.
 *
 * @example
 * ```ts
 * ipHash('203.0.113.7', config.TOKEN_SECRET); // 32 hex digits
 * ```
 */
export function ipHash(ip: string, pepper = ''): string {
  return createHmac('sha256', `ip-hash:${pepper}`).update(ip, 'utf8').digest('hex').slice(0, 32);
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

/**
 * Replaces every address-like string in a text with its emailHash, for logging messages of
 * unexpected errors (which may quote an address).
 *
 * @example
 * ```ts
 * redactEmails('rejected ann@example.org'); // 'rejected e_1a2b3c4d5e6f'
 * ```
 */
export function redactEmails(text: string): string {
  return text.replace(EMAIL_LIKE, (address) => emailHash(address));
}
