/**
 * Wiring of the subscription API and the feedback function: services built once per process
 * from the configuration (the token secret may come from SSM). To be merged into the
 * composition root (functions/wiring) by the lead.
 */
import { DynamoDbOnceStore } from '../adapters/dynamodb-subscriber-repository.ts';
import { DynamoDbRateLimiter } from '../adapters/dynamodb-rate-limiter.ts';
import { SesMailSender } from '../adapters/ses-mail-sender.ts';
import { tokenSecret } from '../adapters/aws-clients.ts';
import { FeedbackService } from '../core/subscribers/feedback-service.ts';
import type { ConfirmationMailer } from '../core/subscribers/ports.ts';
import { SubscriptionService } from '../core/subscribers/subscription-service.ts';
import { branding, config, ddb, logger, memo, messageHeaders, ses, subscriberRepository } from '../wiring/common.ts';
import { RenderedConfirmationMailer } from './confirmation-mailer.ts';

export { branding } from '../wiring/common.ts';

/** One-time keys (confirmation nonces, processed feedback ids) on SubscribersTable. */
export const onceStore = memo(() => new DynamoDbOnceStore({ client: ddb(), tableName: config().SUBSCRIBERS_TABLE }));

/** The subscribe rate limiter (fixed windows on SubscribersTable). */
export const subscribeRateLimiter = memo(() => new DynamoDbRateLimiter({ client: ddb(), tableName: config().SUBSCRIBERS_TABLE }));

/** The confirmation mailer: MJML template + SES. MJML is loaded on first use only. */
export const confirmationMailer = memo((): ConfirmationMailer => {
  const c = config();
  const sender = new SesMailSender({ client: ses(), configurationSet: c.SES_CONFIGURATION_SET });
  return new RenderedConfirmationMailer({
    branding: branding(c),
    language: c.CONTENT_LANGUAGE,
    sender,
    messageIdDomain: messageHeaders(c).messageIdDomain,
    render: async (options) => (await import('../core/rendering/email-renderer.ts')).renderConfirmationEmail(options),
  });
});

/** The subscription use cases. */
export const subscriptionService = memo(async (): Promise<SubscriptionService> => {
  const c = config();
  return new SubscriptionService({
    subscribers: subscriberRepository(),
    once: onceStore(),
    rateLimiter: subscribeRateLimiter(),
    mailer: confirmationMailer(),
    logger: logger('subscriptions'),
    tokenSecret: await tokenSecret(c),
    publicBaseUrl: c.PUBLIC_BASE_URL,
    limits: {
      perIp: c.SUBSCRIBE_LIMIT_PER_IP,
      perAddress: c.SUBSCRIBE_LIMIT_PER_ADDRESS,
      windowSeconds: c.SUBSCRIBE_LIMIT_WINDOW_SECONDS,
    },
    confirmTtlSeconds: c.CONFIRM_TOKEN_TTL_HOURS * 3600,
  });
});

/** The SES feedback use case. */
export const feedbackService = memo(
  () => new FeedbackService({ subscribers: subscriberRepository(), once: onceStore(), logger: logger('feedback') }),
);

/** The HTTP functions' logger. */
export const httpLogger = memo(() => logger('http'));
