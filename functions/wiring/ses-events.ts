/**
 * Wiring of the `feedback` function: the SES notifications of the configuration set, routed
 * by type. Send events go to the delivery ledger; bounces and complaints to the subscribers'
 * suppression. A new kind (Delivery, Open … for analytics) is one more `on()` here.
 */
import { SendEventRecorder } from '../core/delivery/send-events.ts';
import { SesEventRouter, SesEventType } from '../core/ses-events.ts';
import { deliveryLedger, logger, memo } from './common.ts';
import { feedbackService } from './subscribers.ts';

/** Records Send events on ledger entries. */
export const sendEventRecorder = memo(() => new SendEventRecorder({ ledger: deliveryLedger(), logger: logger('send-events') }));

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
    .on(SesEventType.SEND, (n) => sendEventRecorder().record(n.body))
    .on(SesEventType.BOUNCE, async (n) => (await feedbackService()).handle(n.message, n.id))
    .on(SesEventType.COMPLAINT, async (n) => (await feedbackService()).handle(n.message, n.id)),
);
