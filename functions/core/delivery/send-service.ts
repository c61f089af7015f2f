/**
 * The send worker's use case: for each task, check the daily quota, wait for a send slot
 * under the shared rate, take the ledger lease, check the subscriber's status at send time,
 * personalise the edition's artefact (tokens only, no MJML), send it, and record the outcome. Every send goes
 * through the ledger, so a recipient gets an edition at most once however often a task is
 * delivered. When an earlier attempt's outcome was never recorded (its worker died after SES
 * accepted the message, or its call was aborted at its deadline), the entry is completed from
 * the Send event SES published for it, without sending again (docs/delivery.md, "What
 * exactly once covers").
 */
import DataLoader from 'dataloader';
import type { ArtefactStore, EditionRecord, EditionRepository } from '../editions/ports.ts';
import { EditionState, JobName } from '../editions/types.ts';
import { DigestError, PermanentSendError, QuotaExhaustedError, SendOutcomeUnknownError, SendSlotMissedError, TransientSendError } from '../errors.ts';
import type { Links } from '../links.ts';
import type { Logger } from '../logger.ts';
import { personalizeMime, prepareMessage, type MessageHeaders, type MessageTemplate } from '../rendering/personalizer.ts';
import type { SubscriberRepository } from '../subscribers/ports.ts';
import { signToken, TokenPurpose } from '../subscribers/tokens.ts';
import { SubscriberStatus, type Subscriber } from '../subscribers/types.ts';
import { mapBounded } from '../concurrency.ts';
import { isComplete } from './fan-out-service.ts';
import type { AlertDigests, DailyQuota, DeliveryLedger, LedgerResult, MailSender, SendQueue, SendRateLimiter } from './ports.ts';
import { isQuotaReason, QUOTA_REASON_PREFIX, QuotaGuard } from './quota-guard.ts';
import { DeliveryState, type OutgoingMessage, type SendEvent, type SendTask } from './types.ts';

export interface SendServiceDeps {
  ledger: DeliveryLedger;
  subscribers: SubscriberRepository;
  editions: EditionRepository;
  artefacts: ArtefactStore;
  mail: MailSender;
  rate: SendRateLimiter;
  queue: SendQueue;
  logger: Logger;
  headers: Omit<MessageHeaders, 'subject'>;
  /** Builds the unsubscribe, preferences and web-view links. */
  links: Links;
  /** Signs the unsubscribe and preferences tokens. */
  tokenSecret: string;
  /** The account's 24-hour quota; default: a {@link QuotaGuard} over `mail.getQuota()`. */
  quota?: DailyQuota;
  /** Assembles alert digests (tasks of job `alerts`); without it they are retried, never sent. */
  alerts?: AlertDigests;
  /** SES calls in flight at once in this worker. */
  concurrency: number;
  leaseMs: number;
  /**
   * How long a Send event may take to reach the ledger (default 30 s; at most a quarter of
   * the lease). No SES call may still be running this close to the end of its lease, and an
   * entry whose call ended without an answer is not taken over before this has passed.
   */
  settleMs?: number;
  /** The longest an SES call may run (default 10 s; at most a quarter of the lease). */
  callTimeoutMs?: number;
  /** Attempts per message inside one invocation when the provider throttles or fails. */
  maxAttempts?: number;
  /** How long quota-stopped tasks wait in the queue before they are tried again (default 900 s, the SQS maximum). */
  quotaRetryDelaySeconds?: number;
  /**
   * An edition's state is read (strongly consistent) at most this often per process, and
   * checked in memory right before each SES call (default 1000 ms). A cancel waits longer
   * than this before it is acknowledged (docs/delivery.md#cancel).
   */
  stateCheckMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Random numbers in [0, 1) for the backoff jitter. */
  random?: () => number;
}

/** What happened to one task. `retry` tasks are reported to SQS as batch item failures. */
export const TaskOutcome = {
  SENT: 'sent',
  FAILED: 'failed',
  SKIPPED: 'skipped',
  /** The edition was cancelled before this message went to SES. */
  CANCELLED: 'cancelled',
  /** Already final, or leased by a live attempt, or the lease was lost: nothing to do here. */
  DUPLICATE: 'duplicate',
  RETRY: 'retry',
  /**
   * Put back on the queue (daily quota: with a delay; invocation deadline: at once; outcome
   * unknown: after the settle period): this delivery is done with.
   */
  REQUEUED: 'requeued',
} as const;
export type TaskOutcome = (typeof TaskOutcome)[keyof typeof TaskOutcome];

const UNSUBSCRIBE_LINK_TTL_S = 365 * 86_400;
const PREFERENCES_LINK_TTL_S = 90 * 86_400;
/** Where quota-stopped tasks wait before they are tried again (SQS maximum delay). */
const QUOTA_RETRY_DELAY_S = 900;
const BACKOFF_BASE_MS = 200;
const BACKOFF_CAP_MS = 5_000;
const DEFAULT_SETTLE_MS = 30_000;
const DEFAULT_CALL_TIMEOUT_MS = 10_000;
/** An SES call ends at least this long before the invocation does, so its outcome is still written. */
const CALL_RESERVE_MS = 5_000;
/** No SES call starts with less time than this before the invocation's reserve. */
const MIN_CALL_MS = 1_000;
/**
 * An entry whose outcome stayed unknown this many times is reported for retry (it then counts
 * towards the dead-letter queue) instead of being re-queued as a new message again.
 */
const UNKNOWN_REQUEUE_LIMIT = 5;
/**
 * A send slot missed by more than this is given up for a new one (its send would bunch up
 * with the next ones). The slots keep 2 % of the rate back, about 20 ms in any second
 * (SharedRateLimiter, which says why the bound is on each send's own lateness): a request
 * written up to 8 ms late leaves 12 ms for the way to SES (the write, the network, SES
 * reading it). It is judged before the call and again as the call's start-by time, at the
 * last moment before the request's first byte is written (the building and signing of an
 * 80 KB body took up to 27 ms on a loaded machine; SendSlotMissedError). With 1.5 % and 12 ms (3 ms for
 * the way), four workers on a quiet machine drew 1–3 throttles a run at 50 and 200/s; with
 * 1.5 % and 8 ms, none in two runs of three (`npm run bench -- --quick --only=rate`,
 * docs/performance.md).
 */
const SLOT_LATE_MS = 8;
/**
 * How long before its slot a task starts to prepare its send (lease, reads, personalising):
 * 100 ms at least. A send not ready when its slot comes loses the slot for good (a share of
 * the account's rate); an earlier start costs only a lease held that much longer.
 */
const MIN_LEAD_MS = 100;
/**
 * State reads in a row that may come back stale (slower than the state-check period) before a
 * task gives up: without a bound, a store slower than the period kept a task (and its lease
 * and its invocation) waiting for ever.
 */
const STALE_STATE_READS = 3;
const MAX_LEAD_MS = 500;
/**
 * The share of the state-check period after which a look at a known state also starts the
 * next read, in the background: the look before SES then rarely waits for one.
 */
const REFRESH_AHEAD = 0.75;

/** An edition's state reads: the newest that came back (and when it started), and the one in flight. */
interface EditionStateReads {
  known?: { at: number; state: EditionState | undefined };
  reading?: { at: number; state: Promise<EditionState | undefined> };
}

/** What the tasks of one batch share: its deadline and why it stopped early. */
export interface BatchState {
  /** Epoch ms after which no send may start (the invocation is about to time out). */
  deadline?: number | undefined;
  /** Epoch ms when the invocation ends (it is killed then): every SES call ends well before. */
  end?: number | undefined;
  quotaStop?: QuotaExhaustedError | undefined;
  timeUp?: boolean;
  /** Editions read once per batch (their state changes rarely; subscribers are read per task). */
  editions?: Map<string, Promise<EditionRecord | undefined>>;
  /** Tasks of the batch not started yet (the rate limiter reserves send slots for them too, and no more). */
  toStart?: number;
}

/** The batch's deadline passed before this task could start. */
class DeadlineReached extends Error {
  public constructor() {
    super('the invocation is about to time out');
    this.name = 'DeadlineReached';
  }
}

/**
 * The edition's state could not be read fresh: each of several reads took longer than the
 * state-check period. Nothing is sent; the task is retried (its lease given back).
 */
class StateReadTooSlow extends DigestError {
  public constructor(editionId: string, periodMs: number) {
    super(`edition ${editionId}: ${STALE_STATE_READS} state reads in a row each took longer than ${periodMs} ms`);
    this.name = 'StateReadTooSlow';
  }
}

/** A lease this worker holds; `until` moves when the lease is extended. */
interface Lease {
  until: number;
  /** Set once the lease was completed or given back, so it is not given back twice. */
  settled: boolean;
}

/**
 * Sends tasks from the send queue.
 *
 * @example
 * ```ts
 * const outcomes = await service.processBatch([{ editionId: 'daily-2026-11-28', subscriberId: 's_1' }]);
 * outcomes[0]; // 'sent'
 * ```
 */
export class SendService {
  readonly #d: SendServiceDeps;
  readonly #templates = new Map<string, Promise<MessageTemplate | undefined>>();
  readonly #now: () => number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #random: () => number;
  readonly #quota: DailyQuota;
  /** A lease is renewed before a send when less than this is left of it: a whole call plus the settle period. */
  readonly #margin: number;
  readonly #settleMs: number;
  readonly #callTimeoutMs: number;
  /** How long the work between a send slot's lead and the slot took lately (ms, moving average). */
  #prepMs = 10;
  /**
   * Subscriber reads at send time. Reads that fall due in the same turn of the event loop
   * (tasks whose lease answers arrived together) go out as one `getMany` (BatchGetItem)
   * instead of one call each; nothing is cached, so every task still sees the status as it
   * is when its own send is about to start.
   */
  readonly #subscriberReads: DataLoader<string, Subscriber | undefined>;
  /**
   * Each edition's state: the newest read that came back and when it started, and the read in
   * flight, if any (see {@link SendServiceDeps.stateCheckMs} and {@link SendService.#freshState}).
   */
  readonly #states = new Map<string, EditionStateReads>();

  public constructor(deps: SendServiceDeps) {
    this.#d = deps;
    this.#now = deps.now ?? Date.now;
    this.#sleep = deps.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.#random = deps.random ?? Math.random;
    this.#quota = deps.quota ?? new QuotaGuard(() => deps.mail.getQuota());
    this.#settleMs = Math.min(deps.settleMs ?? DEFAULT_SETTLE_MS, deps.leaseMs / 4);
    this.#callTimeoutMs = Math.min(deps.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS, deps.leaseMs / 4);
    this.#margin = this.#callTimeoutMs + this.#settleMs;
    this.#subscriberReads = new DataLoader(
      async (ids) => {
        const found = await deps.subscribers.getMany(ids);
        return ids.map((id) => found.get(id));
      },
      { cache: false, maxBatchSize: 100, batchScheduleFn: (run) => setImmediate(run) },
    );
  }

  /**
   * Processes tasks with bounded concurrency; returns one outcome per task, in order. When
   * the daily quota runs out, every task not yet sent is re-queued with a delay; when the
   * invocation nears its `deadline` (epoch ms after which no send may start), the tasks not
   * started are re-queued at once. Neither is reported as failed, so neither counts towards
   * the dead-letter queue. `end` (epoch ms when the invocation is killed) bounds every SES
   * call: it is aborted some seconds before.
   */
  public async processBatch(tasks: readonly SendTask[], options: { deadline?: number; end?: number } = {}): Promise<TaskOutcome[]> {
    // Every field from the start, in one order: a property added later would change the
    // object's hidden class mid-batch and undo the optimised code of every function that
    // reads it (V8 deoptimised the task's steps on it: a container compiles them again).
    const batch: BatchState = { deadline: options.deadline, end: options.end, quotaStop: undefined, timeUp: false, editions: new Map(), toStart: tasks.length };
    this.#prefetch(tasks, batch);
    const outcomes = await mapBounded(tasks, this.#d.concurrency, async (task) => {
      batch.toStart = (batch.toStart ?? tasks.length) - 1;
      if (batch.quotaStop) return this.#requeue(task, this.#d.quotaRetryDelaySeconds ?? QUOTA_RETRY_DELAY_S);
      if (batch.timeUp) return this.#requeue(task, 0);
      try {
        return await this.processTask(task, batch);
      } catch (error) {
        if (error instanceof QuotaExhaustedError) {
          batch.quotaStop ??= error;
          return this.#requeue(task, this.#d.quotaRetryDelaySeconds ?? QUOTA_RETRY_DELAY_S);
        }
        if (error instanceof DeadlineReached) {
          batch.timeUp = true;
          return this.#requeue(task, 0);
        }
        this.#d.logger.error('send task failed', { edition: task.editionId, subscriber: task.subscriberId, error: String(error) });
        return TaskOutcome.RETRY;
      }
    });
    if (batch.quotaStop) await this.#noteQuotaStop(tasks, batch.quotaStop);
    await this.#count(tasks, outcomes);
    return outcomes;
  }

  /**
   * Processes one task: quota check, a send slot under the shared rate, then the lease, so a
   * lease is held only while the message is being sent. An entry taken with a recorded Send
   * event (an earlier attempt's message was accepted) is marked sent without sending. Throws
   * QuotaExhaustedError (holding no lease) when the daily quota is gone.
   */
  public async processTask(task: SendTask, batch: BatchState = {}): Promise<TaskOutcome> {
    await this.#quota.ensureAvailable();
    this.#checkDeadline(batch);
    // A cancelled edition's tasks need no send slot: they are only recorded as cancelled.
    const slot = (await this.#freshState(task.editionId)) !== EditionState.CANCELLED ? await this.#d.rate.acquire(1, { leadMs: this.#leadMs(), more: batch.toStart ?? 0 }) : undefined;
    this.#checkDeadline(batch);
    const now = this.#now();
    const lease: Lease = { until: now + this.#d.leaseMs, settled: false };
    const { granted, entry } = await this.#d.ledger.acquire(task, { leaseUntil: lease.until, now, ...(task.retryFailed ? { retryFailed: true } : {}) });
    if (!granted) return TaskOutcome.DUPLICATE;
    try {
      if (entry?.sendEvent) return await this.#completeFromSendEvent(task, lease, entry.sendEvent);
      return await this.#deliver(task, lease, now, batch, entry?.attempts ?? 1, slot);
    } catch (error) {
      // Anything unexpected (S3, DynamoDB, a bug): give the lease back so a retry need not wait for it.
      if (!lease.settled) await this.#release(task, lease, error instanceof Error ? error.message : String(error));
      throw error;
    }
  }

  #checkDeadline(batch: BatchState): void {
    if (batch.deadline !== undefined && this.#now() >= batch.deadline) throw new DeadlineReached();
  }

  /**
   * When SES must have answered by: a whole call at most, ending the settle period before the
   * lease does (so a Send event of this call is recorded before anyone may take the entry
   * over) and some seconds before the invocation ends (so the outcome is still written).
   * Throws DeadlineReached when the invocation leaves too little for a call.
   */
  #callDeadline(lease: Lease, batch: BatchState): number {
    const now = this.#now();
    const deadline = Math.min(now + this.#callTimeoutMs, lease.until - this.#settleMs);
    if (batch.end === undefined) return deadline;
    const last = batch.end - CALL_RESERVE_MS;
    if (last - now < MIN_CALL_MS) throw new DeadlineReached();
    return Math.min(deadline, last);
  }

  /** An earlier attempt's message was accepted (its Send event is in the ledger): record it, do not send. */
  async #completeFromSendEvent(task: SendTask, lease: Lease, event: SendEvent): Promise<TaskOutcome> {
    this.#d.logger.info('an earlier attempt was accepted (Send event): marked sent without sending', {
      edition: task.editionId, subscriber: task.subscriberId, messageId: event.messageId,
    });
    return this.#complete(task, lease, { state: DeliveryState.SENT, messageId: event.messageId });
  }

  /**
   * SES may or may not have accepted the message. The entry stays `sending`, marked unknown,
   * until the settle period after the call's deadline has passed; the task comes back then
   * (a new message with that delay) and whoever takes it first looks for a Send event.
   */
  async #unknownOutcome(task: SendTask, lease: Lease, callDeadline: number, error: SendOutcomeUnknownError, attempts: number): Promise<TaskOutcome> {
    const until = Math.max(this.#now(), callDeadline) + this.#settleMs;
    const held = await this.#d.ledger.markUnknown(task, lease.until, { until, reason: `outcome unknown: ${error.message}` });
    lease.settled = true;
    if (!held) {
      this.#d.logger.warn('lease lost before the unknown outcome was recorded', { edition: task.editionId, subscriber: task.subscriberId });
      return TaskOutcome.DUPLICATE;
    }
    this.#d.logger.warn('send outcome unknown: waiting for a Send event before trying again', {
      edition: task.editionId, subscriber: task.subscriberId, until: new Date(until).toISOString(), reason: error.message,
    });
    if (attempts >= UNKNOWN_REQUEUE_LIMIT) return TaskOutcome.RETRY;
    return this.#requeue(task, Math.min(900, Math.ceil((until - this.#now()) / 1000)));
  }

  async #deliver(task: SendTask, lease: Lease, now: number, batch: BatchState, attempts: number, firstSlot: number | void): Promise<TaskOutcome> {
    batch.editions ??= new Map();
    let read = batch.editions.get(task.editionId);
    if (!read) batch.editions.set(task.editionId, (read = this.#d.editions.get(task.editionId)));
    const edition = await read;
    if (!edition) return this.#complete(task, lease, { state: DeliveryState.SKIPPED, reason: 'edition not found' });
    if (edition.state === EditionState.CANCELLED) return this.#complete(task, lease, { state: DeliveryState.CANCELLED, reason: 'edition cancelled' });
    const subscriber = await this.#subscriberReads.load(task.subscriberId);
    if (!subscriber || subscriber.status !== SubscriberStatus.CONFIRMED) {
      const reason = subscriber ? `subscriber is ${subscriber.status}` : 'subscriber no longer exists';
      return this.#complete(task, lease, { state: DeliveryState.SKIPPED, reason });
    }
    // An alert digest differs per subscriber: it is assembled from its flush's pieces, and
    // its unsubscribe link stops alerts only.
    const alert = edition.job === JobName.ALERTS;
    let template: MessageTemplate | undefined;
    if (alert) {
      const built = await this.#d.alerts?.message(task.editionId, subscriber);
      if (built?.kind === 'skip') return this.#complete(task, lease, { state: DeliveryState.SKIPPED, reason: built.reason });
      template = built?.template;
    } else {
      template = await this.#template(task.editionId);
    }
    if (!template) {
      await this.#release(task, lease, alert ? 'alert digest pieces not found' : 'edition artefact not found');
      return TaskOutcome.RETRY;
    }

    const nowS = Math.floor(now / 1000);
    const { links, tokenSecret } = this.#d;
    const unsubscribePurpose = alert ? TokenPurpose.UNSUBSCRIBE_ALERTS : TokenPurpose.UNSUBSCRIBE;
    const unsubscribeToken = signToken(tokenSecret, { subscriberId: subscriber.id, purpose: unsubscribePurpose, expiresAt: nowS + UNSUBSCRIBE_LINK_TTL_S });
    const preferencesToken = signToken(tokenSecret, { subscriberId: subscriber.id, purpose: TokenPurpose.PREFERENCES, expiresAt: nowS + PREFERENCES_LINK_TTL_S });
    const mime = personalizeMime(
      template,
      {
        email: subscriber.email,
        ...(subscriber.name ? { name: subscriber.name } : {}),
        unsubscribeUrl: links.unsubscribe(unsubscribeToken),
        preferencesUrl: links.preferences(preferencesToken),
        webViewUrl: alert ? links.preferences(preferencesToken) : links.editionPage(task.editionId),
      },
      { subscriberId: subscriber.id, date: new Date(now), messageIdDomain: this.#d.headers.messageIdDomain },
    );
    // The provider sends the chunks; the text is made only if something reads it (a log, a fake).
    const message: OutgoingMessage = {
      to: subscriber.email,
      mime,
      get raw() {
        return mime.toString();
      },
      tags: { edition: task.editionId, subscriber: subscriber.id },
    };

    const maxAttempts = this.#d.maxAttempts ?? 4;
    let slotMissed = false;
    for (let attempt = 1; ; attempt++) {
      // A retry waits for a send slot of its own, and so does a send whose request could not
      // be written in time (SendSlotMissedError, below); the first attempt took one before the
      // lease, ahead of its time by the lead, and waits here for the time itself.
      let at = attempt > 1 || slotMissed ? await this.#atSlot(await this.#d.rate.acquire(1)) : await this.#atSlot(firstSlot, now);
      slotMissed = false;
      // Reading, personalising or waiting may have eaten into the lease: renew it, or give way if it is gone.
      if (!(await this.#keepLease(task, lease))) return TaskOutcome.DUPLICATE;
      // The last look before SES: nothing goes out once a cancel has been acknowledged. A look
      // that had to read the table (once a second per process) may take the send past its
      // slot: then it waits for a new slot and looks again.
      for (;;) {
        if ((await this.#freshState(task.editionId)) === EditionState.CANCELLED) {
          return this.#complete(task, lease, { state: DeliveryState.CANCELLED, reason: 'edition cancelled' });
        }
        if (at === undefined || this.#now() - at <= SLOT_LATE_MS) break;
        at = await this.#atSlot(await this.#d.rate.acquire(1));
      }
      const deadline = this.#callDeadline(lease, batch);
      let messageId: string;
      try {
        // The slot's lateness is judged again when the request is written (after building and
        // signing it, which a busy process can stretch by tens of milliseconds), not only here.
        messageId = await this.#d.mail.send(message, { deadline, ...(at === undefined ? {} : { startBy: at + SLOT_LATE_MS }) });
      } catch (error) {
        if (error instanceof SendSlotMissedError) {
          // Nothing was sent: the same attempt again, on a new slot.
          slotMissed = true;
          attempt--;
          continue;
        }
        if (error instanceof SendOutcomeUnknownError) return this.#unknownOutcome(task, lease, deadline, error, attempts);
        if (error instanceof PermanentSendError) {
          this.#d.logger.warn('rejected for good', { edition: task.editionId, subscriber: subscriber.id, reason: error.message });
          return this.#complete(task, lease, { state: DeliveryState.FAILED, reason: error.message });
        }
        if (error instanceof QuotaExhaustedError) {
          this.#quota.markExhausted(`${QUOTA_REASON_PREFIX}: ${error.message}`);
          await this.#release(task, lease, error.message);
          throw error;
        }
        const reason = error instanceof Error ? error.message : String(error);
        const transient = error instanceof TransientSendError;
        if (!transient || attempt >= maxAttempts) {
          await this.#release(task, lease, reason);
          return TaskOutcome.RETRY;
        }
        // Full jitter: a random wait up to 200 ms, 400 ms, 800 ms … (capped), so workers spread out.
        await this.#sleep(this.#random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (attempt - 1)));
        continue;
      }
      this.#quota.recordSent();
      return this.#complete(task, lease, { state: DeliveryState.SENT, messageId });
    }
  }

  /**
   * How long before its send slot a task is let go to take its lease, read and personalise:
   * three times what that took lately, plus 30 ms (100–500 ms), so it is ready when the slot
   * comes even on a busy machine (the time a preparation takes has a long tail there).
   */
  #leadMs(): number {
    return Math.min(MAX_LEAD_MS, Math.max(MIN_LEAD_MS, 3 * this.#prepMs + 30));
  }

  /**
   * Waits for the send slot's time. A slot missed by more than SLOT_LATE_MS (the preparation
   * took longer than its lead) is given up, and the send waits for a new one: a send never
   * starts far from its slot, so the sends of all workers stay spaced as their slots are.
   * `readyFrom` is when the preparation started, on a first attempt (it tunes the lead).
   * Returns the slot's time (undefined when no rate applies).
   */
  async #atSlot(slot: number | void, readyFrom?: number): Promise<number | undefined> {
    if (typeof slot !== 'number') return undefined;
    if (readyFrom !== undefined) this.#prepMs += (Math.max(0, this.#now() - readyFrom) - this.#prepMs) * 0.1;
    for (let at = slot; ; ) {
      const now = this.#now();
      if (now < at) {
        await this.#sleep(at - now);
        continue;
      }
      if (now - at <= SLOT_LATE_MS) return at;
      const next = await this.#d.rate.acquire(1);
      if (typeof next !== 'number') return undefined;
      at = next;
    }
  }

  /**
   * The edition's state from a strongly consistent read that started less than
   * `stateCheckMs` ago, still true when this returns: a read is shared by the tasks of this
   * process, and a wait for it that outlasts the period is followed by a fresh read. The
   * caller calls SES synchronously after this resolves. Throws StateReadTooSlow when
   * STALE_STATE_READS reads in a row came back stale.
   */
  async #freshState(editionId: string): Promise<EditionState | undefined> {
    const period = this.#d.stateCheckMs ?? 1000;
    for (let stale = 0; ; stale++) {
      if (stale >= STALE_STATE_READS) throw new StateReadTooSlow(editionId, period);
      const now = this.#now();
      const reads = this.#states.get(editionId);
      const known = reads?.known;
      if (known && now - known.at < period) {
        // Fresh enough. Once it is three quarters of its period old, the next read starts in
        // the background, so that the look right before a send finds a fresh state in memory
        // instead of waiting for the table then (which took sends past their slots).
        if (now - known.at >= period * REFRESH_AHEAD && !reads.reading) this.#readState(editionId);
        return known.state;
      }
      const reading = reads?.reading && now - reads.reading.at < period ? reads.reading : this.#readState(editionId);
      const state = await reading.state;
      if (this.#now() - reading.at < period) return state;
    }
  }

  /**
   * Starts a strongly consistent read of the edition's state (or takes `started`, a read of its
   * record and a time no later than the read's start); once it is back, it is the known state
   * unless a read that started later came back first. A failed read is forgotten (whoever
   * awaits it sees the error).
   */
  #readState(editionId: string, started?: { at: number; record: Promise<EditionRecord | undefined> }): { at: number; state: Promise<EditionState | undefined> } {
    const reads = this.#states.get(editionId) ?? {};
    this.#states.set(editionId, reads);
    const at = started?.at ?? this.#now();
    const reading = { at, state: (started?.record ?? this.#d.editions.get(editionId)).then((e) => e?.state) };
    reads.reading = reading;
    reading.state.then(
      (state) => {
        if (!reads.known || reads.known.at < reading.at) reads.known = { at: reading.at, state };
      },
      () => undefined,
    ).finally(() => {
      if (reads.reading === reading) delete reads.reading;
    });
    return reading;
  }

  /** Makes sure the lease has at least the margin left; false when another attempt took it over. */
  async #keepLease(task: SendTask, lease: Lease): Promise<boolean> {
    if (this.#now() + this.#margin <= lease.until) return true;
    const renewed = this.#now() + this.#d.leaseMs;
    if (await this.#d.ledger.extend(task, lease.until, renewed)) {
      lease.until = renewed;
      return true;
    }
    lease.settled = true;
    this.#d.logger.warn('lease lost before sending', { edition: task.editionId, subscriber: task.subscriberId });
    return false;
  }

  /** Records a final state; the outcome counts only when this attempt still held the lease. */
  async #complete(task: SendTask, lease: Lease, result: LedgerResult): Promise<TaskOutcome> {
    const done = await this.#d.ledger.complete(task, lease.until, result);
    lease.settled = true;
    if (!done) {
      this.#d.logger.warn('lease lost before the outcome was recorded', { edition: task.editionId, subscriber: task.subscriberId, state: result.state });
      return TaskOutcome.DUPLICATE;
    }
    return result.state;
  }

  async #release(task: SendTask, lease: Lease, reason: string): Promise<void> {
    lease.settled = true;
    await this.#d.ledger.release(task, lease.until, reason);
  }

  /**
   * Starts the reads every task of the batch will wait for, together rather than one after
   * the other (on a cold start each is a first call on a new connection): the daily quota,
   * and each edition's record (shared by the batch, and as the edition's state while it is
   * fresh) followed by its template. Only what the tasks would read anyway; a failure here is
   * met again, and handled, by the task that awaits the same read.
   */
  #prefetch(tasks: readonly SendTask[], batch: BatchState): void {
    this.#quota.remaining().catch(() => undefined);
    batch.editions ??= new Map();
    for (const editionId of new Set(tasks.map((t) => t.editionId))) {
      if (batch.editions.has(editionId)) continue;
      const at = this.#now();
      const read = this.#d.editions.get(editionId);
      batch.editions.set(editionId, read);
      const known = this.#states.get(editionId)?.known;
      if (!known || at - known.at >= (this.#d.stateCheckMs ?? 1000) * REFRESH_AHEAD) this.#readState(editionId, { at, record: read });
      read.then((e) => (e && e.job !== JobName.ALERTS && e.state !== EditionState.CANCELLED ? this.#template(editionId) : undefined)).catch(() => undefined);
    }
  }

  #template(editionId: string): Promise<MessageTemplate | undefined> {
    let cached = this.#templates.get(editionId);
    if (!cached) {
      cached = this.#d.artefacts.getEdition(editionId).then((rendered) =>
        rendered ? prepareMessage(rendered, { ...this.#d.headers, subject: rendered.subject }) : undefined,
      );
      // A failed or missing artefact is looked up again next time.
      cached.then(
        (template) => template ?? this.#templates.delete(editionId),
        () => this.#templates.delete(editionId),
      );
      this.#templates.set(editionId, cached);
    }
    return cached;
  }

  async #requeue(task: SendTask, delaySeconds: number): Promise<TaskOutcome> {
    try {
      await this.#d.queue.enqueue([task], delaySeconds > 0 ? { delaySeconds } : {});
      return TaskOutcome.REQUEUED;
    } catch (error) {
      this.#d.logger.error('could not re-queue a task', { edition: task.editionId, subscriber: task.subscriberId, error: String(error) });
      return TaskOutcome.RETRY;
    }
  }

  /** Says on each edition of the batch why it stopped (shown by `digest edition status`). */
  async #noteQuotaStop(tasks: readonly SendTask[], error: QuotaExhaustedError): Promise<void> {
    const reason = error.message.startsWith(QUOTA_REASON_PREFIX) ? error.message : `${QUOTA_REASON_PREFIX}: ${error.message}`;
    this.#d.logger.warn('daily quota exhausted: tasks re-queued', { reason });
    for (const editionId of new Set(tasks.map((t) => t.editionId))) {
      await this.#d.editions.update(editionId, { reason: `${reason} (remaining messages wait in the send queue)` }).catch(() => undefined);
    }
  }

  /**
   * Adds this batch's final outcomes to each edition's counters and closes finished editions.
   * A failure here loses no mail: the ledger is the source of truth and the reconciler
   * recounts from it.
   */
  async #count(tasks: readonly SendTask[], outcomes: readonly TaskOutcome[]): Promise<void> {
    const perEdition = new Map<string, { sent: number; failed: number; skipped: number; cancelled: number }>();
    tasks.forEach((task, i) => {
      const outcome = outcomes[i];
      if (outcome !== TaskOutcome.SENT && outcome !== TaskOutcome.FAILED && outcome !== TaskOutcome.SKIPPED && outcome !== TaskOutcome.CANCELLED) return;
      const c = perEdition.get(task.editionId) ?? { sent: 0, failed: 0, skipped: 0, cancelled: 0 };
      c[outcome] += 1;
      perEdition.set(task.editionId, c);
    });
    for (const [editionId, counts] of perEdition) {
      try {
        const edition = await this.#d.editions.addCounts(editionId, counts);
        if (edition.state === EditionState.SENDING && isComplete(edition)) {
          await this.#d.editions.transition(editionId, EditionState.SENDING, EditionState.SENT);
          if (isQuotaReason(edition.reason)) await this.#d.editions.update(editionId, { reason: undefined });
        }
      } catch (error) {
        this.#d.logger.error('could not update edition counters', { edition: editionId, error: String(error) });
      }
    }
  }
}
