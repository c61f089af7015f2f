/**
 * The raw MIME our mail is made of, in one place: header encoding (RFC 2047), mailboxes,
 * dates, the multipart/alternative frame and its part headers, and a one-shot composer for
 * small single-recipient mail (the confirmation). The per-recipient send path
 * (personalizer.ts) builds on the same pieces, prepared once per edition.
 *
 * Hand-written rather than nodemailer's MailComposer because the send path must not re-encode
 * a 60–90 KB body per recipient (`npm run bench` compares the two side by side); the
 * confirmation uses the same code so that there is one MIME writer to review. Every value
 * that reaches a header is stripped of control characters (no header injection).
 */
import { randomBytes } from 'node:crypto';

export const CRLF = '\r\n';

const CONTROL = /[\u0000-\u001f\u007f]+/g;
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/**
 * Encodes a header value as RFC 2047 encoded-words when it is not plain ASCII; control
 * characters become spaces.
 *
 * @example
 * ```ts
 * encodeHeaderWord('Café'); // '=?UTF-8?B?Q2Fmw6k=?='
 * ```
 */
export function encodeHeaderWord(value: string): string {
  const clean = value.replace(CONTROL, ' ');
  if (PRINTABLE_ASCII.test(clean)) return clean;
  // Split into encoded-words of at most 45 input bytes each, on character boundaries.
  const words: string[] = [];
  let chunk = '';
  for (const ch of clean) {
    if (Buffer.byteLength(chunk + ch) > 45) {
      words.push(chunk);
      chunk = '';
    }
    chunk += ch;
  }
  if (chunk) words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w).toString('base64')}?=`).join(`${CRLF} `);
}

/**
 * An address as it may stand in a header: white space, angle brackets, quotes, commas and
 * semicolons removed (validated addresses have none; this is the last line of defence).
 *
 * @example
 * ```ts
 * headerAddress('ann@example.org>, eve@example.org'); // 'ann@example.orgeve@example.org'
 * ```
 */
export function headerAddress(address: string): string {
  return address.replace(/[\s<>"\\,;]/g, '');
}

/**
 * A mailbox for From/To: `"Name" <address>`, an encoded-word name when it is not ASCII, or
 * the bare address when there is no name.
 *
 * @example
 * ```ts
 * mailbox('Ann', 'ann@example.org'); // '"Ann" <ann@example.org>'
 * ```
 */
export function mailbox(name: string | undefined, address: string): string {
  const safe = headerAddress(address);
  const clean = name?.replace(CONTROL, ' ').trim();
  if (!clean) return `<${safe}>`;
  if (PRINTABLE_ASCII.test(clean)) return `"${clean.replace(/["\\]/g, '\\$&')}" <${safe}>`;
  return `${encodeHeaderWord(clean)} <${safe}>`;
}

/**
 * An RFC 5322 date.
 *
 * @example
 * ```ts
 * mimeDate(new Date('2030-01-01T00:00:00Z')); // 'Tue, 01 Jan 2030 00:00:00 +0000'
 * ```
 */
export function mimeDate(date: Date): string {
  return date.toUTCString().replace('GMT', '+0000');
}

/** Transfer encodings we write. */
export type TransferEncoding = 'quoted-printable' | 'base64';

/**
 * The delimiter and headers that open one part of a multipart message (ends with the blank
 * line; the body follows).
 *
 * @example
 * ```ts
 * partHeader('b1', 'text/plain; charset=utf-8', 'base64');
 * ```
 */
export function partHeader(boundary: string, contentType: string, encoding: TransferEncoding): string {
  return `--${boundary}${CRLF}Content-Type: ${contentType}${CRLF}Content-Transfer-Encoding: ${encoding}${CRLF}${CRLF}`;
}

/** The header that announces a multipart/alternative body. */
export function alternativeContentType(boundary: string): string {
  return `Content-Type: multipart/alternative; boundary="${boundary}"`;
}

/** The closing delimiter of a multipart body. */
export function closingDelimiter(boundary: string): string {
  return `--${boundary}--${CRLF}`;
}

/**
 * Base64 of a text body (line ends made CRLF first), in lines of 76 characters.
 *
 * @example
 * ```ts
 * base64Body('Hello\n'); // 'SGVsbG8NCg=='
 * ```
 */
export function base64Body(text: string): string {
  return (Buffer.from(text.replace(/\r?\n/g, CRLF), 'utf8').toString('base64').match(/.{1,76}/g) ?? []).join(CRLF);
}

/** A small message for one recipient. */
export interface SimpleMessage {
  fromName: string;
  fromAddress: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Domain of the Message-ID. */
  messageIdDomain: string;
  date: Date;
  /** Extra headers, already safe (`Name: value`). */
  headers?: readonly string[];
}

/**
 * Composes a multipart/alternative message (text and HTML, base64 encoded) for one
 * recipient: the confirmation mail. The recipient is addressed without a display name.
 *
 * @example
 * ```ts
 * const raw = composeMessage({ fromName: 'News', fromAddress: 'news@example.org', to: 'ann@example.org',
 *   subject: 'Confirm', text: 'Hi', html: '<p>Hi</p>', messageIdDomain: 'example.org', date: new Date() });
 * ```
 */
export function composeMessage(m: SimpleMessage): string {
  const boundary = `=_mail_${randomBytes(12).toString('hex')}`;
  return [
    `From: ${mailbox(m.fromName, m.fromAddress)}`,
    `To: ${mailbox(undefined, m.to)}`,
    `Subject: ${encodeHeaderWord(m.subject)}`,
    `Date: ${mimeDate(m.date)}`,
    `Message-ID: <${randomBytes(16).toString('hex')}@${headerAddress(m.messageIdDomain)}>`,
    'MIME-Version: 1.0',
    ...(m.headers ?? []),
    alternativeContentType(boundary),
    '',
    partHeader(boundary, 'text/plain; charset=utf-8', 'base64') + base64Body(m.text),
    partHeader(boundary, 'text/html; charset=utf-8', 'base64') + base64Body(m.html),
    closingDelimiter(boundary),
  ].join(CRLF);
}
