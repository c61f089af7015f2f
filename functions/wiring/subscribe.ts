/**
 * Wiring of the subscribe function: the subscription use cases with the confirmation mailer
 * (MJML template, SES). The only HTTP bundle that carries MJML.
 */
import { SesConfirmationMailer } from '../adapters/ses-confirmation-mailer.ts';
import { SesMailSender } from '../adapters/ses-mail-sender.ts';
import { renderConfirmationEmail } from '../core/rendering/confirmation-email.ts';
import type { SubscriptionService } from '../core/subscribers/subscription-service.ts';
import { branding, config, memo, messageHeaders, ses } from './common.ts';
import { subscriptionServiceWith } from './subscribers.ts';

/** The confirmation mailer: MJML template + SES. */
export const confirmationMailer = memo(() => {
  const c = config();
  return new SesConfirmationMailer({
    branding: branding(c),
    language: c.CONTENT_LANGUAGE,
    sender: new SesMailSender({ client: ses(), configurationSet: c.SES_CONFIGURATION_SET }),
    messageIdDomain: messageHeaders(c).messageIdDomain,
    render: renderConfirmationEmail,
  });
});

/**
 * The subscription use cases that send the confirmation mail.
 *
 * @example
 * ```ts
 * await (await subscribeService()).subscribe(request, { sourceIp });
 * ```
 */
export const subscribeService = memo((): Promise<SubscriptionService> => subscriptionServiceWith(confirmationMailer()));
