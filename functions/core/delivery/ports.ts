/**
 * Ports of the delivery module. Adapters: sqs-send-queue, dynamodb-delivery-ledger,
 * ses-mail-sender, dynamodb-rate-limiter (functions/adapters/).
 */
import type { DeliveryState, LedgerEntry, OutgoingMessage, SendTask } from './types.ts';

/** The queue that fans send tasks out to the workers. */
export interface SendQueue {
  /** Enqueues tasks (batched 10 at a time by the adapter). */
  enqueue(tasks: readonly SendTask[], options?: { delaySeconds?: number }): Promise<void>;
}

/** The delivery ledger: the one record of who got what. Every send goes through it. */
export interface DeliveryLedger {
  /**
   * Takes the lease for one recipient: succeeds when the entry is absent (pending), or its
   * `sending` lease expired, or it `failed` and `retryFailed` is set. Returns the entry as
   * taken, or the current entry when the lease was not granted.
   */
  acquire(task: SendTask, options: { leaseUntil: number; now: number; retryFailed?: boolean }): Promise<{ granted: boolean; entry: LedgerEntry | undefined }>;
  /** Ends a lease with a final state; only the holder of the lease (same leaseUntil) may. */
  complete(task: SendTask, leaseUntil: number, result: { state: typeof DeliveryState.SENT; messageId: string } | { state: typeof DeliveryState.FAILED | typeof DeliveryState.SKIPPED; reason: string }): Promise<boolean>;
  /** Gives a lease back (transient failure): the entry becomes takeable at once. */
  release(task: SendTask, leaseUntil: number, reason: string): Promise<void>;
  get(task: SendTask): Promise<LedgerEntry | undefined>;
  /** Entry counts by state (pending not included: it is total minus the others). */
  countByState(editionId: string): Promise<Record<Exclude<DeliveryState, 'pending'>, number>>;
  /** Pages through the subscriber ids of one edition in one state. */
  pageByState(editionId: string, state: DeliveryState, options: { limit: number; cursor?: string }): Promise<{ subscriberIds: string[]; cursor?: string }>;
}

/** The account's sending limits. */
export interface SendQuota {
  maxSendRate: number;
  max24HourSend: number;
  sentLast24Hours: number;
}

/** The mail provider (SES). */
export interface MailSender {
  /** Sends one raw message; returns the provider's message id. Throws Permanent/Transient/QuotaExhausted errors. */
  send(message: OutgoingMessage): Promise<string>;
  getQuota(): Promise<SendQuota>;
}

/** Holds every worker together under the account's send rate. */
export interface SendRateLimiter {
  /** Resolves when `count` sends may start now. */
  acquire(count: number): Promise<void>;
}
