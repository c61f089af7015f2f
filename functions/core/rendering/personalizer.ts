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

function join(pieces: readonly Piece[], recipient: Recipient, html: boolean): string {
  let out = '';
  for (const piece of pieces) {
    if (piece.kind === 'static') out += piece.encoded;
    else {
      const raw = valueFor(piece.token, recipient).replace(/[\u0000-\u001f\u007f]+/g, ' ');
      out += encodePiece(html ? escapeHtml(raw) : raw);
    }
  }
  return out;
}

/**
 * Builds the raw MIME (multipart/alternative, text then HTML, quoted-printable) of one
 * recipient's message, with the RFC 8058 one-click unsubscribe headers.
 *
 * @example
 * ```ts
 * const raw = personalize(template, { email: 'ann@example.com', name: 'Ann', ... }, { subscriberId: 's_1', date: new Date() });
 * ```
 */
export function personalize(
  template: MessageTemplate,
  recipient: Recipient,
  meta: { subscriberId: string; date: Date; messageIdDomain: string },
): string {
  return (
    `${template.staticHeaders}${CRLF}` +
    `To: ${mailbox(recipient.name, recipient.email)}${CRLF}` +
    `Date: ${mimeDate(meta.date)}${CRLF}` +
    `Message-ID: <${template.editionId}.${meta.subscriberId}@${meta.messageIdDomain}>${CRLF}` +
    `List-Unsubscribe: <${recipient.unsubscribeUrl}>${CRLF}` +
    `${CRLF}` +
    template.textHeader +
    join(template.text, recipient, false) +
    template.htmlHeader +
    join(template.html, recipient, true) +
    template.closing
  );
}
