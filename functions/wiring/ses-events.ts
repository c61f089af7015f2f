/**
 * Wiring of the `feedback` function: the SES notifications of the configuration set, routed
 * by type. Send events go to the delivery ledger; bounces and complaints to the subscribers'
 * suppression; every event of an edition message is also counted for the edition's analytics
 * (core/analytics).
 */
import { DynamoDbEngagementStore } from '../adapters/dynamodb-engagement-store.ts';
import { EngagementRecorder, COUNTER_SHARDS } from '../core/analytics/engagement-recorder.ts';
import { SendEventRecorder } from '../core/delivery/send-events.ts';
import { SesEventRouter, SesEventType, type SesNotification } from '../core/ses-events.ts';
import { config, ddb, deliveryLedger, logger, memo } from './common.ts';
import { feedbackService } from './subscribers.ts';

/** Records Send events on ledger entries. */
export const sendEventRecorder = memo(() => new SendEventRecorder({ ledger: deliveryLedger(), logger: logger('send-events') }));

/** Counts SES events per edition (on the deliveries table). */
export const engagementRecorder = memo(() =>
  new EngagementRecorder({
    store: new DynamoDbEngagementStore({ client: ddb(), tableName: config().DELIVERIES_TABLE, shards: COUNTER_SHARDS }),
    logger: logger('analytics'),
    retentionDays: config().ENGAGEMENT_RETENTION_DAYS,
  }),
);

const count = (n: SesNotification) => engagementRecorder().record(n.body);

/**
 * Every SES notification the feedback topic carries, by type.
 *
 * @example
 * ```ts
 * await sesEventRouter().dispatch(record.Sns.Message, record.Sns.MessageId);
 * ```
 */
export const sesEventRouter = memo(() =>
  new SesEventRouter({ logger: logger('feedback') })
    .on(SesEventType.SEND, async (n) => ({ ledger: await sendEventRecorder().record(n.body), analytics: await count(n) }))
    .on(SesEventType.BOUNCE, async (n) => ({ suppression: await (await feedbackService()).handle(n.message, n.id), analytics: await count(n) }))
    .on(SesEventType.COMPLAINT, async (n) => ({ suppression: await (await feedbackService()).handle(n.message, n.id), analytics: await count(n) }))
    .on(SesEventType.DELIVERY, count)
    .on(SesEventType.DELIVERY_DELAY, count)
    .on(SesEventType.REJECT, count)
    .on(SesEventType.RENDERING_FAILURE, count)
    .on(SesEventType.OPEN, count)
    .on(SesEventType.CLICK, count),
);
