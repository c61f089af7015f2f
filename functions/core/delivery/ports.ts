/**
 * Ports of the delivery module. Adapters: sqs-send-queue, dynamodb-delivery-ledger,
 * ses-mail-sender, dynamodb-rate-window-store (functions/adapters/).
 */
import type { DeliveryState, LedgerEntry, OutgoingMessage, SendTask } from './types.ts';

/** The queue that fans send tasks out to the workers. */
export interface SendQueue {
  /** Enqueues tasks (batched 10 at a time by the adapter). */
  enqueue(tasks: readonly SendTask[], options?: { delaySeconds?: number }): Promise<void>;
}

/** A final result of one ledger entry. */
export type LedgerResult =
  | { state: typeof DeliveryState.SENT; messageId: string }
  | { state: typeof DeliveryState.FAILED | typeof DeliveryState.SKIPPED | typeof DeliveryState.CANCELLED; reason: string };

/** The delivery ledger: the one record of who got what. Every send goes through it. */
export interface DeliveryLedger {
  /**
   * Takes the lease for one recipient: succeeds when the entry is absent (pending), or its
   * `sending` lease expired, or it `failed` and `retryFailed` is set. Returns the entry as
   * taken, or the current entry when the lease was not granted.
   */
  acquire(task: SendTask, options: { leaseUntil: number; now: number; retryFailed?: boolean }): Promise<{ granted: boolean; entry: LedgerEntry | undefined }>;
  /**
   * Moves a held lease's expiry to `newLeaseUntil`; only the holder of the lease (same
   * `leaseUntil`) may. Returns false when the lease is no longer ours.
   */
  extend(task: SendTask, leaseUntil: number, newLeaseUntil: number): Promise<boolean>;
  /** Ends a lease with a final state; only the holder of the lease (same leaseUntil) may. Returns whether it did. */
  complete(task: SendTask, leaseUntil: number, result: LedgerResult): Promise<boolean>;
  /** Gives a lease back (transient failure): the entry becomes takeable at once. */
  release(task: SendTask, leaseUntil: number, reason: string): Promise<void>;
  get(task: SendTask): Promise<LedgerEntry | undefined>;
  /** Entry counts by state (pending not included: it is total minus the others). */
  countByState(editionId: string): Promise<Record<Exclude<DeliveryState, 'pending'>, number>>;
  /** Pages through the subscriber ids of one edition in one state. */
  pageByState(editionId: string, state: DeliveryState, options: { limit: number; cursor?: string }): Promise<{ subscriberIds: string[]; cursor?: string }>;
  /** When any entry of the edition last changed (epoch ms), or undefined when it has none. */
  lastChange(editionId: string): Promise<number | undefined>;
}

/** The account's sending limits. */
export interface SendQuota {
  maxSendRate: number;
  /** Sends allowed in 24 hours; negative means unlimited. */
  max24HourSend: number;
  sentLast24Hours: number;
}

/** The mail provider (SES). */
export interface MailSender {
  /** Sends one raw message; returns the provider's message id. Throws Permanent/Transient/QuotaExhausted errors. */
  send(message: OutgoingMessage): Promise<string>;
  getQuota(): Promise<SendQuota>;
}

/** Per-second send budgets shared by every worker. */
export interface RateWindowStore {
  /** Takes up to `wanted` sends from the budget of second `epochSecond` (cap `max`); returns how many it got. */
  take(epochSecond: number, wanted: number, max: number): Promise<number>;
}

/** Holds every worker together under the account's send rate. */
export interface SendRateLimiter {
  /** Resolves when `count` sends may start now. */
  acquire(count: number): Promise<void>;
}

/** What is left of the account's 24-hour sending quota, as far as this process knows. */
export interface DailyQuota {
  /** Sends left (Infinity when the account has no daily limit). */
  remaining(): Promise<number>;
  /** Throws QuotaExhaustedError when nothing is left. */
  ensureAvailable(): Promise<void>;
  /** Counts sends this process made since the last look at the provider's figures. */
  recordSent(count?: number): void;
  /** The provider said the quota is gone: believe it until the next look. */
  markExhausted(reason: string): void;
}
