/**
 * Wiring of delivery administration and recovery (the editors' status and resend, the CLI,
 * the edition function's fan-out, the reconciler), on the SDK-backed stores of common.ts.
 * The send worker's own wiring is send.ts.
 */
import { DeliveryAdmin } from '../core/delivery/delivery-admin.ts';
import { FanOutService } from '../core/delivery/fan-out-service.ts';
import { DeliveryRecovery, type DeliveryRecoveryDeps } from '../core/delivery/recovery.ts';
import { config, dailyQuota, deliveryLedger, editionRepository, logger, sendQueue, subscriberRepository } from './common.ts';

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
