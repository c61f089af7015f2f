/**
 * Types of the delivery module. Type-only.
 */
import type { RawMime } from '../rendering/personalizer.ts';

/** One recipient of one edition: the body of one message on the send queue. */
export interface SendTask {
  editionId: string;
  subscriberId: string;
  /** Set by `digest edition resend-failed`: a `failed` entry may be tried again. */
  retryFailed?: boolean;
}

/** States of a ledger entry (see docs/CONTEXT.md). An entry absent from the ledger is pending. */
export const DeliveryState = {
  PENDING: 'pending',
  SENDING: 'sending',
  SENT: 'sent',
  FAILED: 'failed',
  SKIPPED: 'skipped',
  /** The edition was cancelled before this recipient's message went to SES (docs/delivery.md#cancel). */
  CANCELLED: 'cancelled',
} as const;
export type DeliveryState = (typeof DeliveryState)[keyof typeof DeliveryState];

export interface LedgerEntry {
  editionId: string;
  subscriberId: string;
  state: DeliveryState;
  /** Epoch milliseconds until which a `sending` lease is held. */
  leaseUntil?: number;
  attempts: number;
  messageId?: string;
  reason?: string;
  updatedAt: string;
  /**
   * The first Send event SES published for this entry (it accepted a message for this
   * recipient of this edition), recorded from the configuration set's events. Whoever takes
   * the entry over marks it `sent` with this message id instead of sending again.
   */
  sendEvent?: SendEvent;
}

/** SES accepted a message: the `Send` event of the configuration set, as the ledger keeps it. */
export interface SendEvent {
  /** SES's message id (`mail.messageId`). */
  messageId: string;
  /** When SES accepted it (`mail.timestamp`, ISO 8601). */
  at: string;
}

/** One message ready for the provider. */
export interface OutgoingMessage {
  to: string;
  /** The raw MIME (the send worker's messages make it only when something reads it: `mime` is what is sent). */
  raw: string;
  /** The same message as byte chunks, when it was personalised from an edition's template (a provider may use these instead of `raw`). */
  mime?: RawMime;
  tags: Record<string, string>;
}
