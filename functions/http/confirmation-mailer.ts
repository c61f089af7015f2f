/**
 * The ConfirmationMailer port with the rendering module's confirmation template (MJML) and
 * a MailSender (SES): renders, composes a small multipart/alternative MIME message, sends.
 * Only the subscribe function loads this (and with it MJML).
 */
import { randomBytes } from 'node:crypto';
import type { MailSender } from '../core/delivery/ports.ts';
import { encodeHeaderWord } from '../core/rendering/personalizer.ts';
import type { Branding } from '../core/rendering/types.ts';
import type { ConfirmationMailer } from '../core/subscribers/ports.ts';

/** Renders the confirmation mail (renderConfirmationEmail's shape). */
export type RenderConfirmation = (options: {
  branding: Branding;
  confirmUrl: string;
  name?: string;
  language?: string;
}) => Promise<{ subject: string; html: string; text: string }>;

export interface RenderedConfirmationMailerOptions {
  branding: Branding;
  language: string;
  render: RenderConfirmation;
  sender: MailSender;
  /** Domain for the Message-ID. */
  messageIdDomain: string;
  now?: () => Date;
}

const CRLF = '\r\n';

function base64Lines(text: string): string {
  return (Buffer.from(text.replace(/\r?\n/g, CRLF), 'utf8').toString('base64').match(/.{1,76}/g) ?? []).join(CRLF);
}

/**
 * Composes a multipart/alternative message (text and HTML, base64 encoded).
 * Header values are stripped of control characters and RFC 2047 encoded.
 *
 * @example
 * ```ts
 * const raw = composeMime({ fromName: 'News', fromAddress: 'news@example.org', to: 'ann@example.org',
 *   subject: 'Confirm', text: 'Hi', html: '<p>Hi</p>', messageIdDomain: 'example.org', date: new Date() });
 * ```
 */
export function composeMime(m: {
  fromName: string;
  fromAddress: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  messageIdDomain: string;
  date: Date;
}): string {
  const boundary = `=_confirm_${randomBytes(12).toString('hex')}`;
  const safeAddress = (a: string): string => a.replace(/[\s<>"\\,;]/g, '');
  const fromName = encodeHeaderWord(m.fromName);
  const displayName = /^[\w .-]*$/.test(fromName) || fromName.startsWith('=?') ? fromName : `"${fromName.replace(/["\\]/g, '')}"`;
  return [
    `From: ${displayName} <${safeAddress(m.fromAddress)}>`,
    `To: <${safeAddress(m.to)}>`,
    `Subject: ${encodeHeaderWord(m.subject)}`,
    `Date: ${m.date.toUTCString()}`,
    `Message-ID: <${randomBytes(16).toString('hex')}@${safeAddress(m.messageIdDomain)}>`,
    'MIME-Version: 1.0',
    'Auto-Submitted: auto-generated',
    `Content-Type: multipart/alternative; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: base64',
    '',
    base64Lines(m.text),
    `--${boundary}`,
    'Content-Type: text/html; charset=utf-8',
    'Content-Transfer-Encoding: base64',
    '',
    base64Lines(m.html),
    `--${boundary}--`,
    '',
  ].join(CRLF);
}

/**
 * @example
 * ```ts
 * const mailer = new RenderedConfirmationMailer({ branding, language: 'en', render: renderConfirmationEmail,
 *   sender: new SesMailSender({ client: ses() }), messageIdDomain: 'example.org' });
 * await mailer.sendConfirmation('ann@example.org', 'Ann', 'https://api.example.org/confirm?token=…');
 * ```
 */
export class RenderedConfirmationMailer implements ConfirmationMailer {
  readonly #o: RenderedConfirmationMailerOptions;

  public constructor(options: RenderedConfirmationMailerOptions) {
    this.#o = options;
  }

  public async sendConfirmation(to: string, name: string | undefined, confirmUrl: string): Promise<void> {
    const { branding } = this.#o;
    const mail = await this.#o.render({
      branding,
      confirmUrl,
      language: this.#o.language,
      ...(name !== undefined ? { name } : {}),
    });
    const raw = composeMime({
      fromName: branding.fromName,
      fromAddress: branding.fromAddress,
      to,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      messageIdDomain: this.#o.messageIdDomain,
      date: (this.#o.now ?? (() => new Date()))(),
    });
    await this.#o.sender.send({ to, raw, tags: { type: 'confirmation' } });
  }
}
