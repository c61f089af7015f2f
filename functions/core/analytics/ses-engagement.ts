/**
 * Reads an SES configuration-set event (the JSON of the SNS `Message`) as an
 * {@link EngagementEvent}: its type, the edition and recipient of its `edition` and
 * `subscriber` message tags, and an id of its own.
 *
 * SES gives no single id to every event, so the id is derived from the event's content: the
 * message id and type, plus what tells two events of one message apart (a bounce's or a
 * complaint's `feedbackId`; an open's time; a click's time and link; a delay's time). A
 * notification SNS delivers twice has the same content, so the same id.
 */
import { createHash } from 'node:crypto';
import { ValidationError } from '../errors.ts';
import { EngagementType, type EngagementEvent } from './types.ts';

const TYPES: ReadonlySet<string> = new Set(Object.values(EngagementType));

/** The object under `eventType`'s own key (`bounce`, `click`, `deliveryDelay`, `failure` …). */
const DETAIL_KEY: Record<EngagementType, string> = {
  Send: 'send',
  Delivery: 'delivery',
  DeliveryDelay: 'deliveryDelay',
  Bounce: 'bounce',
  Complaint: 'complaint',
  Reject: 'reject',
  'Rendering Failure': 'failure',
  Open: 'open',
  Click: 'click',
};

type Json = Record<string, unknown>;
const obj = (value: unknown): Json => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {});
const str = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/** The first value of an SES event tag (SES gives every tag as a list). */
function tag(tags: unknown, name: string): string | undefined {
  const value = obj(tags)[name];
  return str(Array.isArray(value) ? value[0] : value);
}

/**
 * @returns the event, or `undefined` when it is not an edition message's (no `edition` and
 *   `subscriber` tags: a confirmation mail) or not a configuration-set event type we record.
 * @throws ValidationError when it names a type we record but has no `mail.messageId`.
 * @example
 * ```ts
 * parseEngagementEvent({ eventType: 'Delivery', mail: { messageId: 'm1', timestamp: '…', tags: { edition: ['daily-2026-12-01'], subscriber: ['s_1'] } }, delivery: { timestamp: '…' } });
 * // { id: '…', type: 'Delivery', editionId: 'daily-2026-12-01', subscriberId: 's_1', messageId: 'm1', at: '…' }
 * ```
 */
export function parseEngagementEvent(body: unknown): EngagementEvent | undefined {
  const fields = obj(body);
  const type = str(fields.eventType);
  if (!type || !TYPES.has(type)) return undefined;
  const eventType = type as EngagementType;
  const mail = obj(fields.mail);
  const messageId = str(mail.messageId);
  if (!messageId) throw new ValidationError(`${type} event: no mail.messageId`);
  const editionId = tag(mail.tags, 'edition');
  const subscriberId = tag(mail.tags, 'subscriber');
  if (!editionId || !subscriberId) return undefined;
  const detail = obj(fields[DETAIL_KEY[eventType]]);
  const at = str(detail.timestamp) ?? str(mail.timestamp) ?? new Date().toISOString();
  const link = eventType === EngagementType.CLICK ? str(detail.link) : undefined;
  const bounceType = eventType === EngagementType.BOUNCE ? (str(detail.bounceType) ?? 'Undetermined') : undefined;
  const discriminator = [str(detail.feedbackId), eventType === EngagementType.OPEN || eventType === EngagementType.CLICK || eventType === EngagementType.DELIVERY_DELAY ? str(detail.timestamp) : undefined, link]
    .filter((part) => part !== undefined)
    .join('\u0000');
  const id = createHash('sha256').update(`${messageId}\u0000${eventType}\u0000${discriminator}`, 'utf8').digest('hex').slice(0, 32);
  return { id, type: eventType, editionId, subscriberId, messageId, at, ...(bounceType ? { bounceType } : {}), ...(link ? { link } : {}) };
}
