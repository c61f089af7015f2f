/**
 * Wiring of the send worker: the stores of stores.ts on the lean signed-HTTP clients
 * (aws-lean-clients.ts), signed with the environment's credentials, so that the send
 * function's bundle carries neither the AWS SDK nor MJML (test/unit/architecture.test.ts
 * checks both). Delivery administration and recovery are wired in delivery.ts.
 */
import { SharedRateLimiter } from '../core/delivery/rate-limiter.ts';
import { SendService, type SendServiceDeps } from '../core/delivery/send-service.ts';
import { leanDynamoDb, leanS3, leanSes, leanSqs, leanSsm } from '../adapters/aws-lean-clients.ts';
import { tokenSecret } from '../adapters/ssm-secrets.ts';
import { config, links, logger, memo, messageHeaders } from './settings.ts';
import { storesOn } from './stores.ts';

const stores = storesOn({
  ddb: memo(() => leanDynamoDb(config())),
  s3: memo(() => leanS3(config())),
  sqs: memo(() => leanSqs(config())),
  ses: memo(() => leanSes(config())),
});

/**
 * The send worker's SES sender (GetSendQuota answers cached a minute) and daily quota.
 *
 * @example
 * ```ts
 * if ((await dailyQuota().remaining()) === 0) return;
 * const { maxSendRate } = await mailSender().getQuota();
 * ```
 */
export const { mailSender, dailyQuota } = stores;

/** The account's MaxSendRate (GetSendQuota, cached), unless config caps it lower. */
async function sendRate(): Promise<number> {
  const c = config();
  const quota = (await mailSender().getQuota()).maxSendRate;
  return c.SEND_RATE_LIMIT > 0 ? Math.min(c.SEND_RATE_LIMIT, quota) : quota;
}

/**
 * Builds a send service; tests override a dependency or two (e.g. a short quota delay).
 *
 * @example
 * ```ts
 * const service = await buildSendService({ quotaRetryDelaySeconds: 2 });
 * ```
 */
export async function buildSendService(overrides: Partial<SendServiceDeps> = {}): Promise<SendService> {
  const c = config();
  return new SendService({
    ledger: stores.deliveryLedger(),
    subscribers: stores.subscriberRepository(),
    editions: stores.editionRepository(),
    artefacts: stores.artefactStore(),
    mail: mailSender(),
    rate: new SharedRateLimiter(stores.sendSlots(), sendRate),
    queue: stores.sendQueue(),
    quota: dailyQuota(),
    alerts: stores.alertDigests(),
    logger: logger('send'),
    headers: messageHeaders(c),
    links: links(),
    tokenSecret: (await tokenSecret(c, () => leanSsm(c)))[0],
    concurrency: c.SEND_CONCURRENCY,
    leaseMs: c.SEND_LEASE_SECONDS * 1000,
    stateCheckMs: c.SEND_STATE_CHECK_MS,
    settleMs: c.SEND_SETTLE_SECONDS * 1000,
    ...overrides,
  });
}

/** The send use case, built once per process (the token secret may come from SSM). */
export const sendService = memo((): Promise<SendService> => buildSendService());
