/**
 * Editors' and operators' delivery tools: an edition's counts by ledger state, resending
 * only the failed entries, and re-queuing entries whose `sending` lease expired (a worker
 * died mid-send). All of them page through the ledger; none loads a whole list.
 */
import type { EditionRecord, EditionRepository } from '../editions/ports.ts';
import { EditionState } from '../editions/types.ts';
import { NotFoundError } from '../errors.ts';
import type { DeliveryLedger, SendQueue } from './ports.ts';
import { DeliveryState, type SendTask } from './types.ts';

/** Tries of one recipient (leases taken) before the reconciler stops re-queuing it. */
const DEFAULT_MAX_ATTEMPTS = 10;

/** An edition's delivery status, from the ledger (the source of truth). */
export interface EditionStatus {
  edition: string;
  state: EditionRecord['state'];
  subject?: string;
  total: number;
  fanoutDone: boolean;
  pending: number;
  sending: number;
  sent: number;
  failed: number;
  skipped: number;
  /** Recipients not sent because the edition was cancelled. */
  cancelled: number;
  reason?: string;
}

export interface DeliveryAdminDeps {
  ledger: DeliveryLedger;
  editions: EditionRepository;
  queue: SendQueue;
  now?: () => number;
}

/**
 * @example
 * ```ts
 * const admin = new DeliveryAdmin({ ledger, editions, queue });
 * (await admin.status('daily-2026-11-28')).sent;
 * ```
 */
export class DeliveryAdmin {
  readonly #d: DeliveryAdminDeps;

  public constructor(deps: DeliveryAdminDeps) {
    this.#d = deps;
  }

  public async status(editionId: string): Promise<EditionStatus> {
    const edition = await this.#edition(editionId);
    const counts = await this.#d.ledger.countByState(editionId);
    const done = counts.sending + counts.sent + counts.failed + counts.skipped + counts.cancelled;
    return {
      edition: editionId,
      state: edition.state,
      ...(edition.subject ? { subject: edition.subject } : {}),
      total: edition.total,
      fanoutDone: edition.fanoutDone,
      pending: Math.max(0, edition.total - done),
      ...counts,
      ...(edition.reason ? { reason: edition.reason } : {}),
    };
  }

  /** Re-queues every `failed` entry of an edition; returns how many. */
  public async resendFailed(editionId: string): Promise<number> {
    await this.#edition(editionId);
    let cursor: string | undefined;
    let n = 0;
    do {
      const page = await this.#d.ledger.pageByState(editionId, DeliveryState.FAILED, { limit: 100, ...(cursor ? { cursor } : {}) });
      if (page.subscriberIds.length > 0) {
        // The counters follow the ledger: these leave `failed` now and are counted again when done.
        await this.#d.editions.addCounts(editionId, { failed: -page.subscriberIds.length });
        await this.#d.editions.transition(editionId, EditionState.SENT, EditionState.SENDING);
        await this.#d.queue.enqueue(page.subscriberIds.map((subscriberId) => ({ editionId, subscriberId, retryFailed: true })));
      }
      n += page.subscriberIds.length;
      cursor = page.cursor;
    } while (cursor);
    return n;
  }

  /**
   * Re-queues `sending` entries whose lease expired (their worker died). An entry that was
   * tried `maxAttempts` times is marked failed instead (a poison task: `resend-failed`
   * retries it on purpose), so that a recipient whose sends keep killing workers cannot
   * hold an edition open for ever; unless it has a Send event (SES accepted a message): that
   * one is re-queued, and the worker that takes it marks it sent.
   *
   * @example
   * ```ts
   * const { requeued, abandoned } = await admin.requeueExpiredLeases('daily-2026-11-28');
   * ```
   */
  public async requeueExpiredLeases(editionId: string, options: { maxAttempts?: number } = {}): Promise<{ requeued: number; abandoned: number }> {
    const now = (this.#d.now ?? Date.now)();
    const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    let cursor: string | undefined;
    let requeued = 0;
    let abandoned = 0;
    do {
      const page = await this.#d.ledger.pageByState(editionId, DeliveryState.SENDING, { limit: 100, ...(cursor ? { cursor } : {}) });
      const expired: SendTask[] = [];
      for (const subscriberId of page.subscriberIds) {
        const task = { editionId, subscriberId };
        const entry = await this.#d.ledger.get(task);
        if (entry?.state !== DeliveryState.SENDING || entry.leaseUntil === undefined || entry.leaseUntil >= now) continue;
        // An entry with a Send event was accepted: the worker that takes it marks it sent.
        if (entry.attempts >= maxAttempts && !entry.sendEvent) {
          const reason = `gave up after ${entry.attempts} attempts whose workers died mid-send`;
          if (await this.#d.ledger.complete(task, entry.leaseUntil, { state: DeliveryState.FAILED, reason })) abandoned += 1;
        } else {
          expired.push(task);
        }
      }
      if (expired.length > 0) await this.#d.queue.enqueue(expired);
      requeued += expired.length;
      cursor = page.cursor;
    } while (cursor);
    return { requeued, abandoned };
  }

  async #edition(id: string): Promise<EditionRecord> {
    const edition = await this.#d.editions.get(id);
    if (!edition) throw new NotFoundError(`no edition "${id}"`);
    return edition;
  }
}
