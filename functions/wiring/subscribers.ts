/**
 * Wiring of the subscription API and the feedback function: services built once per process
 * from the configuration (the token secret may come from SSM). Nothing here loads MJML: only
 * the subscribe function sends a confirmation mail, and its wiring (subscribe.ts) passes the
 * MJML mailer in, so the other bundles stay small.
 */
import { DynamoDbOnceStore } from '../adapters/dynamodb-subscriber-repository.ts';
import { DynamoDbRateLimiter } from '../adapters/dynamodb-rate-limiter.ts';
import { logPseudonymKey, tokenSecret } from '../adapters/aws-clients.ts';
import { FeedbackService } from '../core/subscribers/feedback-service.ts';
import type { ConfirmationMailer } from '../core/subscribers/ports.ts';
import { LogPseudonyms } from '../core/subscribers/pseudonyms.ts';
import { SubscriptionService } from '../core/subscribers/subscription-service.ts';
import { DigestError } from '../core/errors.ts';
import { config, ddb, links, logger, memo, subscriberRepository } from './common.ts';
import { alertFollowing } from './keyword-alerts.ts';

export { branding } from './common.ts';

/** One-time keys (confirmation nonces, processed feedback ids) on SubscribersTable. */
export const onceStore = memo(() => new DynamoDbOnceStore({ client: ddb(), tableName: config().SUBSCRIBERS_TABLE }));

/** The subscribe rate limiter (fixed windows on SubscribersTable). */
export const subscribeRateLimiter = memo(() => new DynamoDbRateLimiter({ client: ddb(), tableName: config().SUBSCRIBERS_TABLE }));

/** Keyed pseudonyms for log lines (the key may come from SSM). */
export const logPseudonyms = memo(async () => new LogPseudonyms(await logPseudonymKey(config())));

/** The link endpoints (confirm, preferences, unsubscribe) never send a confirmation mail. */
const NO_CONFIRMATIONS: ConfirmationMailer = {
  sendConfirmation: () => Promise.reject(new DigestError('this function does not send confirmation mail')),
};

/**
 * The subscription use cases with a given confirmation mailer.
 *
 * @example
 * ```ts
 * const service = await subscriptionServiceWith(confirmationMailer());
 * ```
 */
export async function subscriptionServiceWith(mailer: ConfirmationMailer): Promise<SubscriptionService> {
  const c = config();
  return new SubscriptionService({
    subscribers: subscriberRepository(),
    once: onceStore(),
    rateLimiter: subscribeRateLimiter(),
    mailer,
    logger: logger('subscriptions'),
    tokenSecrets: await tokenSecret(c),
    pseudonyms: await logPseudonyms(),
    links: links(),
    limits: {
      perSource: { limit: c.SUBSCRIBE_LIMIT_PER_IP, windowSeconds: c.SUBSCRIBE_LIMIT_WINDOW_SECONDS },
      mailsPerAddress: { limit: c.SUBSCRIBE_LIMIT_PER_ADDRESS, windowSeconds: c.SUBSCRIBE_LIMIT_PER_ADDRESS_WINDOW_SECONDS },
    },
    confirmTtlSeconds: c.CONFIRM_TOKEN_TTL_HOURS * 3600,
    following: alertFollowing(),
  });
}

/** The subscription use cases of the link endpoints (no confirmation mail). */
export const subscriptionService = memo(() => subscriptionServiceWith(NO_CONFIRMATIONS));

/** The SES feedback use case. */
export const feedbackService = memo(
  async () =>
    new FeedbackService({ subscribers: subscriberRepository(), once: onceStore(), logger: logger('feedback'), pseudonyms: await logPseudonyms(), following: alertFollowing() }),
);

/** The HTTP functions' logger. */
export const httpLogger = memo(() => logger('http'));
