/**
 * SES notifications as they arrive over SNS (the `Message` text), routed by type to the use
 * case that handles each: Send events to the delivery ledger, bounces and complaints to the
 * subscribers' suppression. Adding a kind (Delivery, Open … for analytics) is one `on()` in
 * the wiring; kinds nobody handles are ignored.
 *
 * Both SES formats are read: configuration-set event publishing (`eventType`) and identity
 * notifications (`notificationType`).
 */
import { ValidationError } from './errors.ts';
import type { Logger } from './logger.ts';

/** The kinds of SES notification (the values SES writes in `eventType` / `notificationType`). */
export const SesEventType = {
  SEND: 'Send',
  DELIVERY: 'Delivery',
  BOUNCE: 'Bounce',
  COMPLAINT: 'Complaint',
  REJECT: 'Reject',
  DELIVERY_DELAY: 'DeliveryDelay',
  OPEN: 'Open',
  CLICK: 'Click',
  RENDERING_FAILURE: 'Rendering Failure',
  SUBSCRIPTION: 'Subscription',
} as const;
export type SesEventType = (typeof SesEventType)[keyof typeof SesEventType];

/** One notification, parsed once. */
export interface SesNotification {
  /** `eventType` or `notificationType`; empty when the notification has neither. */
  type: string;
  /** The parsed JSON object. */
  body: Record<string, unknown>;
  /** The text as it arrived. */
  message: string;
  /** The SNS MessageId, for deduplication when the notification has no id of its own. */
  id: string | undefined;
}

export type SesEventHandler = (notification: SesNotification) => Promise<unknown>;

/** What {@link SesEventRouter.dispatch} did with one notification. */
export interface SesDispatch {
  type: string;
  /** Whether a handler took it (false: a kind nobody handles, ignored). */
  handled: boolean;
  /** What the handler returned. */
  result?: unknown;
}

/**
 * Parses one SNS `Message` of SES.
 *
 * @throws ValidationError when it is not a JSON object (a retry cannot help: drop it).
 * @example
 * ```ts
 * parseSesNotification('{"eventType":"Send","mail":{}}').type; // 'Send'
 * ```
 */
export function parseSesNotification(message: string, id?: string): SesNotification {
  let body: unknown;
  try {
    body = JSON.parse(message);
  } catch (cause) {
    throw new ValidationError('SES notification: message is not JSON', { cause });
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ValidationError('SES notification: message is not a JSON object');
  const fields = body as Record<string, unknown>;
  const type = fields.eventType ?? fields.notificationType;
  return { type: typeof type === 'string' ? type : '', body: fields, message, id };
}

/**
 * Routes SES notifications to their handlers by type.
 *
 * @example
 * ```ts
 * const router = new SesEventRouter({ logger })
 *   .on(SesEventType.SEND, (n) => recorder.record(n.body))
 *   .on(SesEventType.BOUNCE, (n) => feedback.handle(n.message, n.id));
 * await router.dispatch(record.Sns.Message, record.Sns.MessageId);
 * ```
 */
export class SesEventRouter {
  readonly #handlers = new Map<string, SesEventHandler>();
  readonly #logger: Logger;

  public constructor(options: { logger: Logger }) {
    this.#logger = options.logger;
  }

  /** Sends notifications of `type` to `handler` (one handler per type; a later one replaces it). */
  public on(type: SesEventType, handler: SesEventHandler): this {
    this.#handlers.set(type, handler);
    return this;
  }

  /**
   * Hands one notification to the handler of its type; errors of the handler are thrown
   * (the caller fails the invocation so that it is retried).
   *
   * @throws ValidationError when the message is not a JSON object.
   */
  public async dispatch(message: string, id?: string): Promise<SesDispatch> {
    const notification = parseSesNotification(message, id);
    const handler = this.#handlers.get(notification.type);
    if (!handler) {
      this.#logger.debug('SES notification ignored: no handler for its type', { type: notification.type });
      return { type: notification.type, handled: false };
    }
    return { type: notification.type, handled: true, result: await handler(notification) };
  }
}
