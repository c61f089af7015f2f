/**
 * Per-recipient personalisation: token replacement and the raw MIME of one message.
 *
 * The edition is rendered once (edition-email.ts, MJML); this module never loads MJML. A
 * {@link MessageTemplate} is prepared once per edition: the HTML and text parts are split at
 * their tokens, and every static piece is quoted-printable encoded ahead of time, each ending
 * with a soft line break. Per recipient only the few token values are escaped and encoded and
 * the pieces are joined. This is hand-written for speed (a general mail library re-encodes
 * the whole 60–90 KB body for every recipient); `npm run bench` compares it with nodemailer's
 * MailComposer side by side, and every benchmarked message is checked with a MIME parser.
 *
 * {@link personalizeMime} gives the message as byte chunks: the edition-wide ones are made
 * once per template and are the same Buffer objects for every recipient, so the work per
 * recipient grows with the number of tokens, not with the size of the edition, and a
 * transport can do its own per-edition work once per chunk (the SES adapter pre-encodes each
 * shared chunk in base64 for each of the three alignments it can start at).
 */
import { createHash } from 'node:crypto';
import { encode as qpEncode, wrap as qpWrap } from 'libqp';
import { Token, type RenderedEdition } from '../editions/types.ts';
import { escapeHtml } from './escape.ts';
import { alternativeContentType, closingDelimiter, CRLF, encodeHeaderWord, mailbox, mimeDate, partHeader } from './mime.ts';

/** Values for one recipient. URLs must already be absolute http(s). */
export interface Recipient {
  email: string;
  name?: string;
  unsubscribeUrl: string;
  preferencesUrl: string;
  webViewUrl: string;
}

/** Edition-wide header values. */
export interface MessageHeaders {
  fromName: string;
  fromAddress: string;
  subject: string;
  /** e.g. `daily.digest.example.com` (RFC 2919 List-Id). */
  listId: string;
  /** Domain for Message-ID. */
  messageIdDomain: string;
}

/**
 * A run of a body as the MIME writer holds it: static text, already quoted-printable encoded
 * (ending with a soft line break, so any piece may follow), or a token replaced per recipient.
 */
export type Piece = { readonly kind: 'static'; readonly encoded: string } | { readonly kind: 'token'; readonly token: Token };

/** One stretch of a message: edition-wide bytes, the recipient's headers, or a token's value in one part. */
type Segment =
  | { readonly kind: 'shared'; readonly bytes: Buffer }
  | { readonly kind: 'headers' }
  | { readonly kind: 'token'; readonly token: Token; readonly html: boolean };

/**
 * One recipient's message as bytes, in chunks. Chunks marked `shared` are the template's
 * own Buffers, the same objects in every message made from it (never modify them).
 *
 * @example
 * ```ts
 * const mime = personalizeMime(template, recipient, meta);
 * mime.toBuffer().length === mime.byteLength; // true
 * ```
 */
export class RawMime {
  public readonly chunks: readonly Buffer[];
  public readonly shared: readonly boolean[];
  public readonly byteLength: number;

  public constructor(chunks: readonly Buffer[], shared: readonly boolean[]) {
    this.chunks = chunks;
    this.shared = shared;
    let n = 0;
    for (const c of chunks) n += c.byteLength;
    this.byteLength = n;
  }

  /** The whole message in one Buffer (a copy). */
  public toBuffer(): Buffer {
    return Buffer.concat(this.chunks as Buffer[], this.byteLength);
  }

  /** The whole message as text (UTF-8). */
  public toString(): string {
    return this.toBuffer().toString('utf8');
  }
}

/** A message prepared once per edition; see {@link personalize}. */
export interface MessageTemplate {
  readonly editionId: string;
  readonly staticHeaders: string;
  /** The delimiter and headers of the text part, then of the HTML part, and the closing delimiter. */
  readonly textHeader: string;
  readonly htmlHeader: string;
  readonly closing: string;
  readonly html: readonly Piece[];
  readonly text: readonly Piece[];
}

const TOKEN_PATTERN = /%%\{[a-z_]+\}%%/g;
const KNOWN_TOKENS = new Set<string>(Object.values(Token));

function toCrlf(s: string): string {
  return s.replace(/\r?\n/g, CRLF);
}

/** QP-encodes a piece so that it can be followed by any other piece (ends with a soft break). */
function encodePiece(s: string): string {
  if (s.length === 0) return '';
  return `${qpWrap(qpEncode(toCrlf(s)), 76)}=${CRLF}`;
}

/** Printable ASCII without spaces: every character but `=` stands for itself in quoted-printable. */
const QP_PLAIN = /^[\x21-\x7e]*$/;
/** Characters on a line before its soft break (RFC 2045 allows 76 with the `=`). */
const QP_LINE = 75;

/**
 * {@link encodePiece} for one recipient's token value. Hand-written for speed: the values
 * are mostly URLs of printable ASCII (a signed token in each), encoded for every recipient,
 * and libqp's general encoder and wrapper (UTF-8, white space, break points) took about a
 * third of the per-recipient time. Such a value needs only `=` written as `=3D`, a line
 * that would start with `-` starting with `=2D` instead (so no line can read as a MIME
 * boundary, as libqp does), and a soft break at most every 75 characters that never splits
 * an `=XX`. Anything else (a name with spaces or letters beyond ASCII) goes through libqp.
 * The output is quoted-printable for the same bytes, not libqp's byte for byte (its line
 * breaks prefer punctuation); test/unit/rendering/personalizer.test.ts decodes both, and
 * `npm run bench` (per recipient, bytes out) measures it and parses every message back.
 */
function encodeValue(s: string): string {
  if (s.length === 0 || !QP_PLAIN.test(s)) return encodePiece(s);
  const text = s.includes('=') ? s.replaceAll('=', '=3D') : s;
  let out = '';
  let pos = 0;
  while (pos < text.length) {
    const hyphen = text.charCodeAt(pos) === 0x2d;
    const from = hyphen ? pos + 1 : pos;
    let end = Math.min(text.length, from + QP_LINE - (hyphen ? 3 : 0));
    // Never split an =XX: end the line before an escape that would not fit whole.
    if (end < text.length) {
      if (text.charCodeAt(end - 1) === 0x3d) end -= 1;
      else if (text.charCodeAt(end - 2) === 0x3d) end -= 2;
    }
    out += `${hyphen ? '=2D' : ''}${text.slice(from, end)}=${CRLF}`;
    pos = end;
  }
  return out;
}

/**
 * Splits a body (HTML or text, with tokens) into pieces, encoding the static runs once.
 *
 * @example
 * ```ts
 * const html = bodyPieces('<p>Hello %%{name}%%</p>'); // static, token, static
 * ```
 */
export function bodyPieces(body: string): Piece[] {
  const pieces: Piece[] = [];
  let last = 0;
  for (const match of body.matchAll(TOKEN_PATTERN)) {
    const token = match[0];
    if (!KNOWN_TOKENS.has(token)) continue;
    const at = match.index;
    if (at > last) pieces.push({ kind: 'static', encoded: encodePiece(body.slice(last, at)) });
    pieces.push({ kind: 'token', token: token as Token });
    last = at + token.length;
  }
  if (last < body.length) pieces.push({ kind: 'static', encoded: encodePiece(body.slice(last)) });
  return pieces;
}

/**
 * Prepares an edition's rendered artefact for fast personalisation. Call once per edition.
 *
 * @example
 * ```ts
 * const template = prepareMessage(rendered, headers);
 * const raw = personalize(template, recipient, { subscriberId: 's_1', date: new Date() });
 * ```
 */
export function prepareMessage(rendered: RenderedEdition, headers: MessageHeaders): MessageTemplate {
  return {
    ...frame(rendered.editionId, rendered.subject, headers),
    html: bodyPieces(rendered.html),
    text: bodyPieces(rendered.text),
  };
}

/**
 * A message template from bodies already split into pieces (the alert digests: each
 * recipient's body is assembled from pieces prepared once per flush, so nothing large is
 * encoded per recipient). Same headers and frame as {@link prepareMessage}.
 *
 * @example
 * ```ts
 * const template = messageFromPieces('alerts-2026-12-01T10-05', 'Site: Minsk talks', htmlPieces, textPieces, headers);
 * ```
 */
export function messageFromPieces(
  editionId: string,
  subject: string,
  html: readonly Piece[],
  text: readonly Piece[],
  headers: Omit<MessageHeaders, 'subject'>,
): MessageTemplate {
  return { ...frame(editionId, subject, headers), html, text };
}

const boundaries = new Map<string, string>();

/** The headers and the multipart frame of an edition's messages (the boundary is per edition). */
function frame(editionId: string, subject: string, headers: Omit<MessageHeaders, 'subject'>): Omit<MessageTemplate, 'html' | 'text'> {
  let boundary = boundaries.get(editionId);
  if (boundary === undefined) {
    boundary = `=_digest_${createHash('sha256').update(editionId).digest('hex').slice(0, 24)}`;
    if (boundaries.size > 1000) boundaries.clear();
    boundaries.set(editionId, boundary);
  }
  const staticHeaders = [
    `From: ${mailbox(headers.fromName, headers.fromAddress)}`,
    `Subject: ${encodeHeaderWord(subject)}`,
    'MIME-Version: 1.0',
    `List-Id: ${encodeHeaderWord(headers.fromName)} <${headers.listId}>`,
    'List-Unsubscribe-Post: List-Unsubscribe=One-Click',
    `X-Digest-Edition: ${editionId}`,
    alternativeContentType(boundary),
  ].join(CRLF);
  return {
    editionId,
    staticHeaders,
    textHeader: partHeader(boundary, 'text/plain; charset=utf-8', 'quoted-printable'),
    htmlHeader: `${CRLF}${partHeader(boundary, 'text/html; charset=utf-8', 'quoted-printable')}`,
    closing: `${CRLF}${closingDelimiter(boundary)}`,
  };
}

/**
 * One static piece: text already escaped for its part, encoded now. A token look-alike in it
 * stays text (it is never replaced).
 *
 * @example
 * ```ts
 * staticPiece('Minsk, Iran'); // { kind: 'static', encoded: 'Minsk, Iran=\r\n' }
 * ```
 */
export function staticPiece(text: string): Piece {
  return { kind: 'static', encoded: encodePiece(text) };
}

function valueFor(token: Token, recipient: Recipient): string {
  switch (token) {
    case Token.NAME:
      return recipient.name?.trim() || 'reader';
    case Token.UNSUBSCRIBE_URL:
      return recipient.unsubscribeUrl;
    case Token.PREFERENCES_URL:
      return recipient.preferencesUrl;
    case Token.WEB_VIEW_URL:
      return recipient.webViewUrl;
  }
}

/**
 * A rendered body with one recipient's values in place of its tokens (HTML-escaped when
 * `html` is set): what {@link personalize} puts in the message, before the MIME encoding.
 * The editors' preview shows this, so that it matches a test send byte for byte, tokens aside.
 *
 * @example
 * ```ts
 * fillTokens('<p>Hello %%{name}%%</p>', { ...recipient, name: 'Ann' }, { html: true }); // '<p>Hello Ann</p>'
 * ```
 */
export function fillTokens(body: string, recipient: Recipient, options: { html: boolean }): string {
  return body.replace(TOKEN_PATTERN, (token) => {
    if (!KNOWN_TOKENS.has(token)) return token;
    const raw = valueFor(token as Token, recipient).replace(/[\u0000-\u001f\u007f]+/g, ' ');
    return options.html ? escapeHtml(raw) : raw;
  });
}

/** A token's value for one part, control characters made spaces, HTML-escaped in the HTML part, QP-encoded. */
function encodedValue(token: Token, recipient: Recipient, html: boolean): string {
  const raw = valueFor(token, recipient).replace(/[\u0000-\u001f\u007f]+/g, ' ');
  return encodeValue(html ? escapeHtml(raw) : raw);
}

/** The last Date header written and its second: the send worker writes thousands a second. */
let lastDate = { second: Number.NaN, text: '' };
function dateHeader(date: Date): string {
  const second = Math.floor(date.getTime() / 1000);
  if (second !== lastDate.second) lastDate = { second, text: mimeDate(date) };
  return lastDate.text;
}

/** The headers that differ per recipient, and the blank line that ends the header. */
function recipientHeaders(template: MessageTemplate, recipient: Recipient, meta: { subscriberId: string; date: Date; messageIdDomain: string }): string {
  return (
    `To: ${mailbox(recipient.name, recipient.email)}${CRLF}` +
    `Date: ${dateHeader(meta.date)}${CRLF}` +
    `Message-ID: <${template.editionId}.${meta.subscriberId}@${meta.messageIdDomain}>${CRLF}` +
    `List-Unsubscribe: <${recipient.unsubscribeUrl}>${CRLF}` +
    `${CRLF}`
  );
}

/** Each template's segments, made on its first message (a template of an edition serves all its readers). */
const segmentsByTemplate = new WeakMap<MessageTemplate, readonly Segment[]>();

/** The message's segments in order, runs of edition-wide text joined into one Buffer (all of it is ASCII). */
function segmentsOf(template: MessageTemplate): readonly Segment[] {
  const known = segmentsByTemplate.get(template);
  if (known) return known;
  const segments: Segment[] = [];
  let run = '';
  const flush = () => {
    if (run) segments.push({ kind: 'shared', bytes: Buffer.from(run, 'latin1') });
    run = '';
  };
  run += `${template.staticHeaders}${CRLF}`;
  flush();
  segments.push({ kind: 'headers' });
  run += template.textHeader;
  for (const [pieces, isHtml] of [[template.text, false], [template.html, true]] as const) {
    if (isHtml) run += template.htmlHeader;
    for (const piece of pieces) {
      if (piece.kind === 'static') run += piece.encoded;
      else {
        flush();
        segments.push({ kind: 'token', token: piece.token, html: isHtml });
      }
    }
  }
  run += template.closing;
  flush();
  segmentsByTemplate.set(template, segments);
  return segments;
}

/**
 * Builds the raw MIME (multipart/alternative, text then HTML, quoted-printable) of one
 * recipient's message, with the RFC 8058 one-click unsubscribe headers, as byte chunks:
 * only the recipient's headers and token values are new; every other chunk is the
 * template's (see {@link RawMime}).
 *
 * @example
 * ```ts
 * const mime = personalizeMime(template, { email: 'ann@example.com', name: 'Ann', ... }, { subscriberId: 's_1', date: new Date(), messageIdDomain: 'example.com' });
 * ```
 */
export function personalizeMime(
  template: MessageTemplate,
  recipient: Recipient,
  meta: { subscriberId: string; date: Date; messageIdDomain: string },
): RawMime {
  const chunks: Buffer[] = [];
  const shared: boolean[] = [];
  // The same token often stands in both parts and several times in one: encoded once per part.
  const values = new Map<string, Buffer>();
  for (const segment of segmentsOf(template)) {
    if (segment.kind === 'shared') {
      chunks.push(segment.bytes);
      shared.push(true);
      continue;
    }
    let bytes: Buffer;
    if (segment.kind === 'headers') bytes = Buffer.from(recipientHeaders(template, recipient, meta), 'utf8');
    else {
      const key = `${segment.html ? 'h' : 't'}${segment.token}`;
      bytes = values.get(key) ?? Buffer.from(encodedValue(segment.token, recipient, segment.html), 'latin1');
      values.set(key, bytes);
    }
    chunks.push(bytes);
    shared.push(false);
  }
  return new RawMime(chunks, shared);
}

/**
 * The same message as {@link personalizeMime}, as one string.
 *
 * @example
 * ```ts
 * const raw = personalize(template, { email: 'ann@example.com', name: 'Ann', ... }, { subscriberId: 's_1', date: new Date(), messageIdDomain: 'example.com' });
 * ```
 */
export function personalize(
  template: MessageTemplate,
  recipient: Recipient,
  meta: { subscriberId: string; date: Date; messageIdDomain: string },
): string {
  return personalizeMime(template, recipient, meta).toString();
}
