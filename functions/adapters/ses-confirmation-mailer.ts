/**
 * The subscribers module's ConfirmationMailer port: renders the confirmation mail (the
 * rendering module's MJML template, passed in), composes its MIME with the project's one MIME
 * writer, and sends it through the mail provider (SES). Only the subscribe function builds
 * one (and so loads MJML).
 */
import type { MailSender } from '../core/delivery/ports.ts';
import { composeMessage } from '../core/rendering/mime.ts';
import type { Branding } from '../core/rendering/types.ts';
import type { ConfirmationMailer } from '../core/subscribers/ports.ts';

/** Renders the confirmation mail (renderConfirmationEmail's shape). */
export type RenderConfirmation = (options: {
  branding: Branding;
  confirmUrl: string;
  language?: string;
}) => Promise<{ subject: string; html: string; text: string }>;

export interface SesConfirmationMailerOptions {
  branding: Branding;
  language: string;
  render: RenderConfirmation;
  sender: MailSender;
  /** Domain for the Message-ID. */
  messageIdDomain: string;
  now?: () => Date;
}

/**
 * @example
 * ```ts
 * const mailer = new SesConfirmationMailer({ branding, language: 'en', render: renderConfirmationEmail,
 *   sender: new SesMailSender({ client: sesCaller(config) }), messageIdDomain: 'example.org' });
 * await mailer.sendConfirmation('ann@example.org', 'https://api.example.org/confirm?token=…');
 * ```
 */
export class SesConfirmationMailer implements ConfirmationMailer {
  readonly #o: SesConfirmationMailerOptions;

  public constructor(options: SesConfirmationMailerOptions) {
    this.#o = options;
  }

  public async sendConfirmation(to: string, confirmUrl: string): Promise<void> {
    const { branding } = this.#o;
    const mail = await this.#o.render({ branding, confirmUrl, language: this.#o.language });
    const raw = composeMessage({
      fromName: branding.fromName,
      fromAddress: branding.fromAddress,
      to,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      messageIdDomain: this.#o.messageIdDomain,
      date: (this.#o.now ?? (() => new Date()))(),
      headers: ['Auto-Submitted: auto-generated'],
    });
    await this.#o.sender.send({ to, raw, tags: { type: 'confirmation' } });
  }
}
