/**
 * Wiring of the send worker and of delivery recovery (reconciler). Imports nothing that
 * loads MJML.
 */
import { DeliveryAdmin } from '../core/delivery/delivery-admin.ts';
import { FanOutService } from '../core/delivery/fan-out-service.ts';
import { QuotaGuard } from '../core/delivery/quota-guard.ts';
import { SharedRateLimiter } from '../core/delivery/rate-limiter.ts';
import { DeliveryRecovery, type DeliveryRecoveryDeps } from '../core/delivery/recovery.ts';
import { SendService, type SendServiceDeps } from '../core/delivery/send-service.ts';
import { DynamoDbSendSlotStore } from '../adapters/dynamodb-send-slot-store.ts';
import { SesMailSender } from '../adapters/ses-mail-sender.ts';
import { tokenSecret } from '../adapters/aws-clients.ts';
import { artefactStore, config, ddb, deliveryLedger, editionRepository, links, logger, memo, messageHeaders, sendQueue, ses, subscriberRepository } from './common.ts';
import { alertDigests } from './keyword-alerts.ts';

/**
 * SES, with the configuration set; GetSendQuota answers are cached a minute.
 *
 * @example
 * ```ts
 * const { maxSendRate } = await mailSender().getQuota();
 * ```
 */
export const mailSender = memo(() => new SesMailSender({ client: ses(), configurationSet: config().SES_CONFIGURATION_SET }));

/**
 * The account's daily quota as this process sees it (Max24HourSend - SentLast24Hours, less what it sent since).
 *
 * @example
 * ```ts
 * if ((await dailyQuota().remaining()) === 0) return;
 * ```
 */
export const dailyQuota = memo(() => new QuotaGuard(() => mailSender().getQuota()));

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
  const slots = new DynamoDbSendSlotStore({ client: ddb(), tableName: c.DELIVERIES_TABLE });
  return new SendService({
    ledger: deliveryLedger(),
    subscribers: subscriberRepository(),
    editions: editionRepository(),
    artefacts: artefactStore(),
    mail: mailSender(),
    rate: new SharedRateLimiter(slots, sendRate),
    queue: sendQueue(),
    quota: dailyQuota(),
    alerts: alertDigests(),
    logger: logger('send'),
    headers: messageHeaders(c),
    links: links(),
    tokenSecret: (await tokenSecret(c))[0],
    concurrency: c.SEND_CONCURRENCY,
    leaseMs: c.SEND_LEASE_SECONDS * 1000,
    stateCheckMs: c.SEND_STATE_CHECK_MS,
    settleMs: c.SEND_SETTLE_SECONDS * 1000,
    ...overrides,
  });
}

/** The send use case, built once per process (the token secret may come from SSM). */
export const sendService = memo((): Promise<SendService> => buildSendService());

/**
 * Status, resend-failed and lease re-queuing.
 *
 * @example
 * ```ts
 * const { sent, failed } = await deliveryAdmin().status('daily-2026-11-28');
 * ```
 */
export function deliveryAdmin(): DeliveryAdmin {
  return new DeliveryAdmin({ ledger: deliveryLedger(), editions: editionRepository(), queue: sendQueue() });
}

/**
 * A fan-out that holds while the daily quota is exhausted. The edition function's wiring
 * should build its fan-out the same way (pass `quota: dailyQuota()`).
 *
 * @example
 * ```ts
 * await deliveryFanOut(() => context.getRemainingTimeInMillis() < 60_000).fanOut(edition);
 * ```
 */
export function deliveryFanOut(shouldYield?: () => boolean): FanOutService {
  return new FanOutService({
    subscribers: subscriberRepository(),
    editions: editionRepository(),
    queue: sendQueue(),
    logger: logger('fan-out'),
    quota: dailyQuota(),
    ...(shouldYield ? { shouldYield } : {}),
  });
}

/**
 * Delivery recovery for the reconciler. The ledger must be still for a lease's length
 * before counters are rewritten from it (a lease outlives any send invocation).
 *
 * @example
 * ```ts
 * await deliveryRecovery({ shouldYield: () => context.getRemainingTimeInMillis() < 60_000 }).run();
 * ```
 */
export function deliveryRecovery(
  options: { shouldYield?: () => boolean } & Partial<Pick<DeliveryRecoveryDeps, 'staleFanOutMs' | 'settleMs' | 'recentPerJob' | 'starter' | 'staleBuildMs'>> = {},
): DeliveryRecovery {
  const { shouldYield, ...tuning } = options;
  return new DeliveryRecovery({
    editions: editionRepository(),
    ledger: deliveryLedger(),
    admin: deliveryAdmin(),
    fanOut: deliveryFanOut(shouldYield),
    quota: dailyQuota(),
    logger: logger('recovery'),
    settleMs: config().SEND_LEASE_SECONDS * 1000,
    ...tuning,
  });
}
