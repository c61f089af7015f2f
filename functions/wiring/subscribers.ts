/**
 * Wiring of the subscription API and the feedback function: services built once per process
 * from the configuration (the token secret may come from SSM). Nothing here loads MJML: only
 * the subscribe function sends a confirmation mail, and it registers the MJML mailer itself
 * (functions/wiring/confirmation-mailer.ts), so the other bundles stay small.
 */
import { DynamoDbOnceStore } from '../adapters/dynamodb-subscriber-repository.ts';
import { DynamoDbRateLimiter } from '../adapters/dynamodb-rate-limiter.ts';
import { tokenSecret } from '../adapters/aws-clients.ts';
import { FeedbackService } from '../core/subscribers/feedback-service.ts';
import type { ConfirmationMailer } from '../core/subscribers/ports.ts';
import { SubscriptionService } from '../core/subscribers/subscription-service.ts';
import { DigestError } from '../core/errors.ts';
import { config, ddb, logger, memo, subscriberRepository } from './common.ts';

export { branding } from './common.ts';

/** One-time keys (confirmation nonces, processed feedback ids) on SubscribersTable. */
export const onceStore = memo(() => new DynamoDbOnceStore({ client: ddb(), tableName: config().SUBSCRIBERS_TABLE }));

/** The subscribe rate limiter (fixed windows on SubscribersTable). */
export const subscribeRateLimiter = memo(() => new DynamoDbRateLimiter({ client: ddb(), tableName: config().SUBSCRIBERS_TABLE }));

let registered: ConfirmationMailer | undefined;

/** The subscribe function registers the confirmation mailer it uses. */
export function useConfirmationMailer(mailer: ConfirmationMailer): void {
  registered = mailer;
}

/** Sends through the registered mailer; a function that registered none never sends one. */
const confirmationMailer: ConfirmationMailer = {
  sendConfirmation(to, name, confirmUrl) {
    if (!registered) return Promise.reject(new DigestError('this function has no confirmation mailer'));
    return registered.sendConfirmation(to, name, confirmUrl);
  },
};

/** The subscription use cases. */
export const subscriptionService = memo(async (): Promise<SubscriptionService> => {
  const c = config();
  return new SubscriptionService({
    subscribers: subscriberRepository(),
    once: onceStore(),
    rateLimiter: subscribeRateLimiter(),
    mailer: confirmationMailer,
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
