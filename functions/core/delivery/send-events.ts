/**
 * Use case: record SES Send events in the delivery ledger. The configuration set publishes a
 * Send event for every message SES accepts, tagged `edition` and `subscriber` as the send
 * worker tagged the message. Recording it on the ledger entry lets whoever takes the entry
 * over later (its worker died after SES accepted, or its call was aborted before SES
 * answered) mark it `sent` instead of sending a second message.
 *
 * Idempotent: the ledger keeps the first event of an entry, so SNS delivering an event twice
 * changes nothing. An event for a recipient who already has another message id is logged as
 * a second message (the residual duplicate window of docs/delivery.md, made visible).
 */
import { ValidationError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { DeliveryLedger } from './ports.ts';
import type { SendEvent, SendTask } from './types.ts';

/** What recording one Send event did. */
export const SendEventOutcome = {
  RECORDED: 'recorded',
  /** The entry already had this event (SNS delivered it again). */
  ALREADY_RECORDED: 'already-recorded',
  /** SES accepted a second message for a recipient of an edition who already had one. */
  SECOND_MESSAGE: 'second-message',
  /** No ledger entry for the tags (expired, or not ours). */
  NO_ENTRY: 'no-entry',
  /** Not an edition message (no `edition` and `subscriber` tags): a confirmation mail, say. */
  IGNORED: 'ignored',
} as const;
export type SendEventOutcome = (typeof SendEventOutcome)[keyof typeof SendEventOutcome];

export interface SendEventRecorderDeps {
  ledger: DeliveryLedger;
  logger: Logger;
}

/** The parts of a Send event this use case reads. */
interface SendEventBody {
  mail?: { messageId?: unknown; timestamp?: unknown; tags?: unknown };
}

/** The first value of an SES event tag (SES gives every tag as a list). */
function tag(tags: unknown, name: string): string | undefined {
  if (typeof tags !== 'object' || tags === null) return undefined;
  const value = (tags as Record<string, unknown>)[name];
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' && first !== '' ? first : undefined;
}

/**
 * Records Send events.
 *
 * @example
 * ```ts
 * const recorder = new SendEventRecorder({ ledger, logger });
 * await recorder.record(JSON.parse(record.Sns.Message)); // 'recorded'
 * ```
 */
export class SendEventRecorder {
  readonly #d: SendEventRecorderDeps;

  public constructor(deps: SendEventRecorderDeps) {
    this.#d = deps;
  }

  /**
   * Records one Send event (the parsed notification).
   *
   * @throws ValidationError when it has no `mail.messageId` (the caller drops it).
   */
  public async record(body: unknown): Promise<SendEventOutcome> {
    const mail = (body as SendEventBody | undefined)?.mail;
    if (typeof mail?.messageId !== 'string' || mail.messageId === '') throw new ValidationError('Send event: no mail.messageId');
    const editionId = tag(mail.tags, 'edition');
    const subscriberId = tag(mail.tags, 'subscriber');
    if (!editionId || !subscriberId) return SendEventOutcome.IGNORED;
    const task: SendTask = { editionId, subscriberId };
    const event: SendEvent = { messageId: mail.messageId, at: typeof mail.timestamp === 'string' ? mail.timestamp : new Date().toISOString() };

    const { recorded, entry } = await this.#d.ledger.recordSendEvent(task, event);
    if (!entry) {
      this.#d.logger.warn('Send event without a ledger entry', { edition: editionId, subscriber: subscriberId, messageId: event.messageId });
      return SendEventOutcome.NO_ENTRY;
    }
    const other = [entry.sendEvent?.messageId, entry.messageId].find((id) => id !== undefined && id !== event.messageId);
    if (other !== undefined) {
      this.#d.logger.error('SES accepted a second message for one recipient of an edition', {
        edition: editionId, subscriber: subscriberId, messageId: event.messageId, first: other,
      });
      return SendEventOutcome.SECOND_MESSAGE;
    }
    return recorded ? SendEventOutcome.RECORDED : SendEventOutcome.ALREADY_RECORDED;
  }
}
