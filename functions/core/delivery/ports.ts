/**
 * Ports of the delivery module. Adapters: sqs-send-queue, dynamodb-delivery-ledger,
 * ses-mail-sender, dynamodb-send-slot-store (functions/adapters/).
 */
import type { MessageTemplate } from '../rendering/personalizer.ts';
import type { Subscriber } from '../subscribers/types.ts';
import type { DeliveryState, LedgerEntry, OutgoingMessage, SendEvent, SendTask } from './types.ts';

/** The queue that fans send tasks out to the workers. */
export interface SendQueue {
  /** Enqueues tasks (batched 10 at a time by the adapter). */
  enqueue(tasks: readonly SendTask[], options?: { delaySeconds?: number }): Promise<void>;
}

/** A final result of one ledger entry. */
export type LedgerResult =
  | { state: typeof DeliveryState.SENT; messageId: string }
  | { state: typeof DeliveryState.FAILED | typeof DeliveryState.SKIPPED | typeof DeliveryState.CANCELLED; reason: string };

/**
 * The delivery ledger: the one record of who got what. Every send goes through it.
 *
 * Concurrency: every move between states is one conditional write on one entry. The holder
 * of a lease is whoever wrote its `leaseUntil`; `extend`, `complete`, `release` and
 * `markUnknown` succeed only for the holder (same `leaseUntil`), so a worker whose lease was
 * taken over can change nothing. `recordSendEvent` changes neither state nor lease nor
 * `updatedAt`, so it never makes a holder's write fail, and `acquire` returns the entry
 * with any Send event recorded before it: a takeover sees every event recorded until then.
 */
export interface DeliveryLedger {
  /**
   * Takes the lease for one recipient: succeeds when the entry is absent (pending), or its
   * `sending` lease expired, or it `failed` and `retryFailed` is set. Returns the entry as
   * taken (with its `sendEvent`, if one was recorded: the caller must then not send), or the
   * current entry when the lease was not granted.
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
  /**
   * The holder does not know whether the provider accepted its message (the call was
   * aborted at its deadline, or the connection dropped after the request went out). The
   * entry stays `sending` with the reason, and its lease moves to `until`: the time by which
   * the call's Send event, if SES accepted the message, is expected to be recorded. Nobody
   * takes it before then; whoever takes it then finds the event, if any, with the entry.
   * Only the holder may; returns whether it did.
   */
  markUnknown(task: SendTask, leaseUntil: number, options: { until: number; reason: string }): Promise<boolean>;
  /**
   * Records a Send event on the entry, whatever its state, keeping the first one only
   * (idempotent: SNS may deliver an event twice). Writes nothing when the entry does not
   * exist. `recorded` says whether this call wrote it; `entry` is the entry after the call
   * (with the event that is kept), or undefined when there is none.
   */
  recordSendEvent(task: SendTask, event: SendEvent): Promise<{ recorded: boolean; entry: LedgerEntry | undefined }>;
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
  /**
   * Sends one raw message; returns the provider's message id. Throws PermanentSendError,
   * TransientSendError (refused, nothing sent), QuotaExhaustedError, or
   * SendOutcomeUnknownError when the call was aborted at `deadline` (epoch ms) or lost its
   * connection after the request went out: the provider may have accepted the message.
   * With `startBy` (epoch ms), a request that could not be written by then is not written at
   * all: SendSlotMissedError, nothing sent (the send slot's time passed while the request was
   * being built and signed, or the process was held up).
   */
  send(message: OutgoingMessage, options?: { deadline?: number; startBy?: number }): Promise<string>;
  getQuota(): Promise<SendQuota>;
}

/**
 * The one sequence of send slots every worker takes its sends from. Slot `n` of a sequence
 * stands for the instant `n × spacing` (epoch ms); the sequence's name says its spacing, so
 * a change of rate starts a new one.
 *
 * Concurrency: claims from any number of workers at once never get the same slot.
 */
export interface SendSlotStore {
  /**
   * Claims `count` consecutive slots of `sequence`; returns the number of the first. The
   * slots follow the last ones claimed; when those lie before `from` (the sequence was idle)
   * the claim starts at `from` instead, unless another worker moved the sequence meanwhile:
   * then the slots returned may lie before `from`, and the caller skips them.
   */
  claim(sequence: string, count: number, from: number): Promise<number>;
}

/** Holds every worker together under the account's send rate. */
export interface SendRateLimiter {
  /**
   * Reserves `count` sends (one slot each, evenly spaced). Resolves `leadMs` (default 0)
   * before the first slot, with the slot's time (epoch ms): the caller may prepare the send
   * meanwhile and must not start it before that time. Resolves with nothing when no rate
   * applies (the send may start at once). `more` (default 0) is how many further sends this
   * worker is about to ask for (the tasks of its batch not started yet): a limiter that
   * reserves slots in advance may reserve for them too, and for no one else.
   */
  acquire(count: number, options?: { leadMs?: number; more?: number }): Promise<number | void>;
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

/** One subscriber's alert digest, ready for the personaliser, or why it is not sent. */
export type AlertDigestMessage = { kind: 'message'; template: MessageTemplate } | { kind: 'skip'; reason: string };

/**
 * Builds one subscriber's alert digest (a task whose edition is of job `alerts`) from what
 * its flush froze and prepared, without MJML. Implemented by the alerts module
 * (AlertDigestAssembler). Safe to call from many tasks at once; it reads, never writes.
 */
export interface AlertDigests {
  /**
   * The digest's message template, or a reason to skip it (alerts turned off, no longer
   * following its keywords, no digest); undefined when the flush's pieces cannot be read
   * (the task is tried again later).
   */
  message(flushId: string, subscriber: Subscriber): Promise<AlertDigestMessage | undefined>;
}
