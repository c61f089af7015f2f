/**
 * The SES v1 query protocol, as much as the local endpoint needs: reading a SendRawEmail
 * request, writing XML answers and errors, and finding the recipients of a raw MIME message.
 */
import { isAscii } from 'node:buffer';
import { randomUUID } from 'node:crypto';
import { decode as decodeQuotedPrintable } from 'libqp';

const NS = 'http://ses.amazonaws.com/doc/2010-12-01/';

/** A decoded SendRawEmail request. */
export interface SendRawEmailRequest {
  raw: Buffer;
  destinations: string[];
  tags: Record<string, string>;
  configurationSet?: string;
  source?: string;
}

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * An SES-like MessageId: `010001` + hex time + uuid + `-000000`.
 *
 * @example
 * ```ts
 * newMessageId(); // '010001938c...-1b2c...-000000'
 * ```
 */
export function newMessageId(): string {
  return `010001${Date.now().toString(16)}-${randomUUID()}-000000`;
}

/**
 * The XML body of a successful `<Action>Response`.
 *
 * @example
 * ```ts
 * successXml('SendRawEmail', '<MessageId>m-1</MessageId>');
 * ```
 */
export function successXml(action: string, result: string): string {
  return `<${action}Response xmlns="${NS}"><${action}Result>${result}</${action}Result>` +
    `<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${action}Response>`;
}

/**
 * The XML body of an error answer (the SDK maps `code` to the error's `name`).
 *
 * @example
 * ```ts
 * errorXml('Sender', 'Throttling', 'Maximum sending rate exceeded.');
 * ```
 */
export function errorXml(type: 'Sender' | 'Receiver', code: string, message: string): string {
  return `<ErrorResponse xmlns="${NS}"><Error><Type>${type}</Type><Code>${code}</Code>` +
    `<Message>${escapeXml(message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`;
}

/**
 * XML elements for `Name` → value pairs, escaped.
 *
 * @example
 * ```ts
 * fieldsXml({ MaxSendRate: '14.0' }); // '<MaxSendRate>14.0</MaxSendRate>'
 * ```
 */
export function fieldsXml(fields: Record<string, string | number | boolean>): string {
  return Object.entries(fields).map(([k, v]) => `<${k}>${escapeXml(String(v))}</${k}>`).join('');
}

/** Values of a query list (`Prefix.member.1`, `Prefix.member.2`, ...). */
function members(params: URLSearchParams, prefix: string): string[] {
  const values: string[] = [];
  for (let i = 1; params.has(`${prefix}.member.${i}`); i++) {
    values.push(params.get(`${prefix}.member.${i}`) ?? '');
  }
  return values;
}

function tags(params: URLSearchParams): Record<string, string> {
  const result: Record<string, string> = {};
  for (let i = 1; params.has(`Tags.member.${i}.Name`); i++) {
    result[params.get(`Tags.member.${i}.Name`) ?? ''] = params.get(`Tags.member.${i}.Value`) ?? '';
  }
  return result;
}

/** Splits an address list on commas outside quotes and angle brackets. */
function splitAddressList(value: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  let angle = false;
  for (const ch of value) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && ch === '<') angle = true;
    else if (!quoted && ch === '>') angle = false;
    else if (ch === ',' && !quoted && !angle) {
      parts.push(current);
      current = '';
      continue;
    }
    current += ch;
  }
  parts.push(current);
  return parts;
}

/** The most of a message searched for its header section. */
const HEAD_LIMIT = 256 * 1024;

/**
 * The header section of a raw MIME message (up to the first empty line, within its first
 * 256 KB), unfolded, as a latin1 string. Only the header section is turned into a string:
 * the header values sliced from it keep it alive (in the Send event a click needs, kept for
 * thousands of messages), and converting the whole 80 KB message for each one cost CPU and
 * memory for nothing.
 */
function unfoldedHead(raw: Buffer): string {
  const limit = Math.min(raw.byteLength, HEAD_LIMIT);
  // The first "\n\n" or "\n\r\n": the blank line /\r?\n\r?\n/ finds first ends by then.
  const lf = raw.indexOf('\n\n', 0, 'latin1');
  const crlf = raw.indexOf('\n\r\n', 0, 'latin1');
  const blank = lf < 0 ? crlf : crlf < 0 ? lf : Math.min(lf, crlf);
  const head = raw.toString('latin1', 0, blank < 0 ? limit : Math.min(limit, blank + 3));
  const end = head.search(/\r?\n\r?\n/);
  return (end === -1 ? head : head.slice(0, end)).replace(/\r?\n[ \t]+/g, ' ');
}

/**
 * The addresses in the To, Cc and Bcc headers of a raw MIME message.
 *
 * @example
 * ```ts
 * headerRecipients(Buffer.from('To: "Doe, J" <j@x.org>, k@x.org\r\n\r\nHi')); // ['j@x.org', 'k@x.org']
 * ```
 */
export function headerRecipients(raw: Buffer): string[] {
  const unfolded = unfoldedHead(raw);
  const recipients: string[] = [];
  for (const line of unfolded.split(/\r?\n/)) {
    const header = /^(to|cc|bcc)\s*:(.*)$/i.exec(line);
    if (!header) continue;
    for (const part of splitAddressList(header[2] ?? '')) {
      const address = (/<([^>]*)>/.exec(part)?.[1] ?? part).trim();
      if (address.includes('@')) recipients.push(address);
    }
  }
  return recipients;
}

const DATA_KEY = 'RawMessage.Data=';
const AMPERSAND = 0x26;

/**
 * Parses a Query API form body. Same result as `new URLSearchParams(body)`, but the one large
 * field, `RawMessage.Data` (base64 of the whole message, 80 KB and more for a digest), is cut
 * out and decoded on its own: percent-decoding it inside URLSearchParams was the largest cost
 * of the local SES endpoint when the benchmarks send thousands of messages.
 *
 * @example
 * ```ts
 * parseQueryBody(Buffer.from('Action=SendRawEmail&RawMessage.Data=SGk%3D')).get('RawMessage.Data'); // 'SGk='
 * ```
 */
export function parseQueryBody(body: Buffer): URLSearchParams {
  // Found and cut in the Buffer: only the small fields around it become one string, and the
  // value is read as latin1 (one byte a character, no UTF-8 decoding) when it is ASCII.
  let at = body.indexOf(DATA_KEY, 0, 'latin1');
  while (at > 0 && body[at - 1] !== AMPERSAND) at = body.indexOf(DATA_KEY, at + 1, 'latin1');
  if (at < 0) return new URLSearchParams(body.toString('utf8'));
  const valueAt = at + DATA_KEY.length;
  const end = body.indexOf(AMPERSAND, valueAt);
  const rest = end < 0
    ? body.toString('utf8', 0, Math.max(0, at - 1))
    : at === 0 ? body.toString('utf8', end + 1) : `${body.toString('utf8', 0, at)}${body.toString('utf8', end + 1)}`;
  const params = new URLSearchParams(rest);
  const valueBytes = body.subarray(valueAt, end < 0 ? undefined : end);
  // Base64 as the SDK form-encodes it: only '+', '/' and '=' are escaped (%2B, %2F, %3D).
  // Anything else ('+' for a space, other escapes, bytes beyond ASCII) takes the general
  // decoder. A '%' left after the three replacements is another escape.
  let decoded: string | undefined;
  if (isAscii(valueBytes)) {
    const value = valueBytes.toString('latin1');
    if (!value.includes('+')) {
      decoded = value.replaceAll('%2B', '+').replaceAll('%2F', '/').replaceAll('%3D', '=');
      if (decoded.includes('%')) decoded = undefined;
    }
  }
  decoded ??= new URLSearchParams(`v=${valueBytes.toString('utf8')}`).get('v') ?? '';
  params.append('RawMessage.Data', decoded);
  return params;
}

/**
 * Reads a SendRawEmail request; `undefined` when `RawMessage.Data` is missing.
 * Destinations are the `Destinations.member.N` parameters, else the message's headers.
 *
 * @example
 * ```ts
 * const email = readSendRawEmail(new URLSearchParams(body.toString('utf8')));
 * email?.raw; // the MIME bytes as sent
 * ```
 */
export function readSendRawEmail(params: URLSearchParams): SendRawEmailRequest | undefined {
  const data = params.get('RawMessage.Data');
  if (data === null) return undefined;
  const raw = Buffer.from(data, 'base64');
  const listed = members(params, 'Destinations');
  const configurationSet = params.get('ConfigurationSetName') ?? undefined;
  const source = params.get('Source') ?? undefined;
  return {
    raw,
    destinations: listed.length > 0 ? listed : headerRecipients(raw),
    tags: tags(params),
    ...(configurationSet ? { configurationSet } : {}),
    ...(source ? { source } : {}),
  };
}

/** The header lines of a raw MIME message (unfolded), in order. */
function messageHeaders(raw: Buffer): Array<{ name: string; value: string }> {
  return unfoldedHead(raw)
    .split(/\r?\n/)
    .map((line) => /^([!-9;-~]+):\s?(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ name: m[1] ?? '', value: m[2] ?? '' }));
}

/** What SES knows of one accepted message, for its events. */
export interface AcceptedMessage {
  messageId: string;
  raw: Buffer;
  destinations: string[];
  tags: Record<string, string>;
  configurationSet?: string;
  source?: string;
  /** When it was accepted (ms since the epoch). */
  at: number;
}

/**
 * The `Send` event SES publishes for a configuration set when it accepts a message: the JSON
 * of the SNS notification's `Message` (event publishing format). Message tags come as lists,
 * next to SES's own `ses:` tags.
 *
 * @example
 * ```ts
 * const event = sendEvent({ messageId, raw, destinations: ['ann@example.org'], tags: { edition: 'daily-2026-11-28' }, configurationSet: 'digest', at: Date.now() });
 * event.mail.tags.edition; // ['daily-2026-11-28']
 * ```
 */
export function sendEvent(message: AcceptedMessage): { eventType: 'Send'; mail: Record<string, unknown> & { messageId: string; tags: Record<string, string[]> }; send: Record<string, never> } {
  const headers = messageHeaders(message.raw);
  const header = (name: string) => headers.find((h) => h.name.toLowerCase() === name)?.value;
  const from = header('from');
  const fromAddress = message.source ?? (from ? (/<([^>]+)>/.exec(from)?.[1] ?? from) : 'unknown@localhost');
  const to = header('to');
  return {
    eventType: 'Send',
    mail: {
      timestamp: new Date(message.at).toISOString(),
      source: fromAddress,
      sourceArn: `arn:aws:ses:us-east-1:000000000000:identity/${fromAddress.split('@')[1] ?? 'localhost'}`,
      sendingAccountId: '000000000000',
      messageId: message.messageId,
      destination: message.destinations,
      headersTruncated: false,
      headers,
      commonHeaders: {
        ...(from ? { from: [from] } : {}),
        ...(to ? { to: splitAddressList(to).map((a) => a.trim()) } : {}),
        messageId: message.messageId,
        ...(header('subject') !== undefined ? { subject: header('subject') } : {}),
      },
      tags: {
        ...(message.configurationSet ? { 'ses:configuration-set': [message.configurationSet] } : {}),
        'ses:source-ip': ['127.0.0.1'],
        'ses:from-domain': [fromAddress.split('@')[1] ?? 'localhost'],
        'ses:caller-identity': ['local'],
        ...Object.fromEntries(Object.entries(message.tags).map(([name, value]) => [name, [value]])),
      },
    },
    send: {},
  };
}

/**
 * Addresses at this domain bounce on the local SES (a permanent bounce, after the Send event),
 * as SES's mailbox simulator's bounce address does on AWS. Every other accepted address gets
 * a Delivery event.
 */
export const LOCAL_BOUNCE_DOMAIN = 'bounce.example.net';

/** The mail part of an event, as sendEvent writes it. */
type SesMail = ReturnType<typeof sendEvent>['mail'];

/**
 * The events SES publishes after accepting a message: `Delivery` for each recipient, or a
 * permanent `Bounce` for one at {@link LOCAL_BOUNCE_DOMAIN}.
 *
 * @example
 * ```ts
 * outcomeEvents(sendEvent(message), ['ann@example.org'], Date.now())[0]?.eventType; // 'Delivery'
 * ```
 */
export function outcomeEvents(send: ReturnType<typeof sendEvent>, destinations: readonly string[], at: number): Array<Record<string, unknown>> {
  const timestamp = new Date(at).toISOString();
  return destinations.map((address) => {
    const bounces = address.toLowerCase().endsWith(`@${LOCAL_BOUNCE_DOMAIN}`);
    return bounces
      ? {
          eventType: 'Bounce',
          mail: send.mail,
          bounce: {
            bounceType: 'Permanent',
            bounceSubType: 'General',
            bouncedRecipients: [{ emailAddress: address, action: 'failed', status: '5.1.1', diagnosticCode: 'smtp; 550 5.1.1 user unknown' }],
            timestamp,
            feedbackId: `${send.mail.messageId}-bounce-${address}`,
            reportingMTA: 'dns; local-ses',
          },
        }
      : {
          eventType: 'Delivery',
          mail: send.mail,
          delivery: { timestamp, processingTimeMillis: 1, recipients: [address], smtpResponse: '250 2.0.0 OK (local)', reportingMTA: 'local-ses' },
        };
  });
}

/**
 * The `Click` event of a followed link.
 *
 * @example
 * ```ts
 * clickEvent(send.mail, 'https://www.example.org/a', Date.now()).eventType; // 'Click'
 * ```
 */
export function clickEvent(mail: SesMail, link: string, at: number): Record<string, unknown> {
  return { eventType: 'Click', mail, click: { timestamp: new Date(at).toISOString(), ipAddress: '127.0.0.1', userAgent: 'local', link, linkTags: {} } };
}

/**
 * The HTML part of a raw message (base64 or quoted-printable), decoded, and a function that
 * puts a changed HTML back in its place (base64 encoded, its header changed to say so).
 *
 * @example
 * ```ts
 * const part = htmlPart(raw);
 * const changed = part?.replace(part.html.replace('a', 'b'));
 * ```
 */
export function htmlPart(raw: Buffer): { html: string; replace(html: string): Buffer } | undefined {
  const text = raw.toString('latin1');
  const header = /(?:^|\r?\n)(Content-Type:\s*text\/html[^\r\n]*(?:\r?\n[^\r\n]+)*)\r?\n\r?\n/i.exec(text);
  if (!header || header[1] === undefined) return undefined;
  const headerStart = header.index + header[0].indexOf(header[1]);
  const bodyStart = header.index + header[0].length;
  const boundaryAt = text.indexOf('\r\n--', bodyStart);
  const bodyEnd = boundaryAt < 0 ? text.length : boundaryAt;
  const body = text.slice(bodyStart, bodyEnd);
  const encoding = /Content-Transfer-Encoding:\s*([\w-]+)/i.exec(header[1])?.[1]?.toLowerCase();
  const bytes = encoding === 'base64' ? Buffer.from(body.replace(/\s+/g, ''), 'base64') : encoding === 'quoted-printable' ? decodeQuotedPrintable(body) : Buffer.from(body, 'latin1');
  return {
    html: bytes.toString('utf8'),
    replace: (changed: string) => {
      const encoded = (Buffer.from(changed, 'utf8').toString('base64').match(/.{1,76}/g) ?? []).join('\r\n');
      const newHeader = /Content-Transfer-Encoding:/i.test(header[1] ?? '')
        ? (header[1] ?? '').replace(/Content-Transfer-Encoding:\s*[\w-]+/i, 'Content-Transfer-Encoding: base64')
        : `${header[1] ?? ''}\r\nContent-Transfer-Encoding: base64`;
      return Buffer.from(`${text.slice(0, headerStart)}${newHeader}\r\n\r\n${encoded}${text.slice(bodyEnd)}`, 'latin1');
    },
  };
}
