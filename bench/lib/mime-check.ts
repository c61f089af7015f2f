/**
 * Checks a built message with a standard MIME parser (mailparser): the headers a digest
 * needs, and the decoded text and HTML parts equal, character for character, to the
 * rendered edition with this recipient's values in place of the tokens.
 */
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import type { Recipient } from '../../functions/core/rendering/personalizer.ts';
import { Token, type RenderedEdition } from '../../functions/core/editions/types.ts';
import { escapeHtml } from '../../functions/core/rendering/escape.ts';
import { TokenPurpose, verifyToken } from '../../functions/core/subscribers/tokens.ts';

/** The edition's parts with this recipient's values in place of the tokens. */
export function expectedParts(rendered: RenderedEdition, recipient: Recipient): { html: string; text: string } {
  const values: Record<Token, string> = {
    [Token.NAME]: recipient.name?.trim() || 'reader',
    [Token.UNSUBSCRIBE_URL]: recipient.unsubscribeUrl,
    [Token.PREFERENCES_URL]: recipient.preferencesUrl,
    [Token.WEB_VIEW_URL]: recipient.webViewUrl,
  };
  const known = new Set<string>(Object.values(Token));
  const fill = (body: string, html: boolean) =>
    body.replace(/%%\{[a-z_]+\}%%/g, (t) => {
      if (!known.has(t)) return t;
      const v = values[t as Token].replace(/[\u0000-\u001f\u007f]+/g, ' ');
      return html ? escapeHtml(v) : v;
    });
  return { html: fill(rendered.html, true), text: fill(rendered.text, false) };
}

const normalise = (s: string) => s.replace(/\r\n/g, '\n').replace(/\n+$/, '');

function addresses(value: AddressObject | AddressObject[] | undefined): string[] {
  const list = Array.isArray(value) ? value : value ? [value] : [];
  return list.flatMap((a) => a.value.map((v) => v.address ?? ''));
}

/** A header's unfolded value, from the parser's raw header lines. */
function header(mail: ParsedMail, name: string): string | undefined {
  const line = mail.headerLines.find((h) => h.key === name.toLowerCase())?.line;
  return line?.slice(line.indexOf(':') + 1).replace(/\r?\n[ \t]+/g, ' ').trim();
}

function listUnsubscribe(mail: ParsedMail): string {
  return /^<([^>]*)>$/.exec(header(mail, 'list-unsubscribe') ?? '')?.[1] ?? '';
}

export interface Expectation {
  rendered: RenderedEdition;
  from: string;
  /** The recipient; a function when some values (signed links) are only known from the message. */
  recipient: Recipient | ((mail: ParsedMail) => Recipient);
}

/**
 * Parses `raw` and lists what is wrong with it (empty when it is right).
 *
 * @example
 * ```ts
 * const problems = await checkMessage(raw, { rendered, recipient, from: 'digest@commonspace.eu' });
 * ```
 */
export async function checkMessage(raw: string | Buffer, expected: Expectation): Promise<string[]> {
  const problems: string[] = [];
  const mail = await simpleParser(raw, { skipHtmlToText: true, skipTextToHtml: true, skipTextLinks: true, skipImageLinks: true });
  const recipient = typeof expected.recipient === 'function' ? expected.recipient(mail) : expected.recipient;
  const parts = expectedParts(expected.rendered, recipient);
  if (mail.subject !== expected.rendered.subject) problems.push(`subject ${JSON.stringify(mail.subject)}`);
  if (!addresses(mail.from).includes(expected.from)) problems.push(`from ${JSON.stringify(addresses(mail.from))}`);
  const to = addresses(mail.to);
  if (to.length !== 1 || to[0] !== recipient.email) problems.push(`to ${JSON.stringify(to)}`);
  if (listUnsubscribe(mail) !== recipient.unsubscribeUrl) problems.push(`list-unsubscribe ${listUnsubscribe(mail)}`);
  if (header(mail, 'list-unsubscribe-post') !== 'List-Unsubscribe=One-Click') problems.push('no one-click list-unsubscribe-post');
  if (!mail.messageId) problems.push('no message-id');
  if (!mail.date || Number.isNaN(mail.date.getTime())) problems.push('no date');
  if (typeof mail.html !== 'string' || normalise(mail.html) !== normalise(parts.html)) problems.push('html part differs');
  if (normalise(mail.text ?? '') !== normalise(parts.text)) problems.push('text part differs');
  if (mail.attachments.length > 0) problems.push(`${mail.attachments.length} unexpected attachment(s)`);
  return problems;
}

/**
 * The recipient of a message the send worker built: the subscriber's address and name, and
 * the signed unsubscribe and preferences links taken from the message, each verified to be a
 * valid token of the right purpose for this subscriber (throws when one is not).
 */
export function sentRecipient(
  mail: ParsedMail,
  subscriber: { id: string; email: string; name?: string },
  links: { publicBaseUrl: string; webViewUrl: string; tokenSecret: string },
): Recipient {
  const unsubscribeUrl = listUnsubscribe(mail);
  const preferencesUrl = new RegExp(`${links.publicBaseUrl.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/preferences\\?token=[A-Za-z0-9._-]+`).exec(mail.text ?? '')?.[0] ?? '';
  const now = Math.floor(Date.now() / 1000);
  for (const [url, purpose] of [[unsubscribeUrl, TokenPurpose.UNSUBSCRIBE], [preferencesUrl, TokenPurpose.PREFERENCES]] as const) {
    const token = url ? new URL(url).searchParams.get('token') ?? '' : '';
    const { subscriberId } = verifyToken(links.tokenSecret, token, purpose, now);
    if (subscriberId !== subscriber.id) throw new Error(`a ${purpose} link names ${subscriberId}, not ${subscriber.id}`);
  }
  return {
    email: subscriber.email,
    ...(subscriber.name ? { name: subscriber.name } : {}),
    unsubscribeUrl,
    preferencesUrl,
    webViewUrl: links.webViewUrl,
  };
}
