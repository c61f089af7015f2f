/**
 * The confirmation mailer of the subscribe function: the MJML confirmation template, sent
 * through SES. Importing this module registers it (only the subscribe bundle carries MJML).
 */
import { SesMailSender } from '../adapters/ses-mail-sender.ts';
import { renderConfirmationEmail } from '../core/rendering/email-renderer.ts';
import { RenderedConfirmationMailer } from '../http/confirmation-mailer.ts';
import { branding, config, memo, messageHeaders, ses } from './common.ts';
import { useConfirmationMailer } from './subscribers.ts';

/** The confirmation mailer: MJML template + SES. */
export const confirmationMailer = memo(() => {
  const c = config();
  return new RenderedConfirmationMailer({
    branding: branding(c),
    language: c.CONTENT_LANGUAGE,
    sender: new SesMailSender({ client: ses(), configurationSet: c.SES_CONFIGURATION_SET }),
    messageIdDomain: messageHeaders(c).messageIdDomain,
    render: renderConfirmationEmail,
  });
});

useConfirmationMailer({ sendConfirmation: (to, name, url) => confirmationMailer().sendConfirmation(to, name, url) });
