/**
 * Types of the delivery module. Type-only.
 */

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
}

/** One message ready for the provider. */
export interface OutgoingMessage {
  to: string;
  raw: string;
  tags: Record<string, string>;
}
