/**
 * Editors' and operators' delivery tools: an edition's counts by ledger state, resending
 * only the failed entries, and re-queuing entries whose `sending` lease expired (a worker
 * died mid-send). All of them page through the ledger; none loads a whole list.
 */
import type { EditionRecord, EditionRepository } from '../editions/edition-repository.ts';
import { EditionState } from '../editions/types.ts';
import { NotFoundError } from '../errors.ts';
import type { DeliveryLedger, SendQueue } from './ports.ts';
import { DeliveryState } from './types.ts';

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
    const done = counts.sending + counts.sent + counts.failed + counts.skipped;
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

  /** Re-queues `sending` entries whose lease expired (their worker died); returns how many. */
  public async requeueExpiredLeases(editionId: string): Promise<number> {
    const now = (this.#d.now ?? Date.now)();
    let cursor: string | undefined;
    let n = 0;
    do {
      const page = await this.#d.ledger.pageByState(editionId, DeliveryState.SENDING, { limit: 100, ...(cursor ? { cursor } : {}) });
      const expired = [];
      for (const subscriberId of page.subscriberIds) {
        const entry = await this.#d.ledger.get({ editionId, subscriberId });
        if (entry?.state === DeliveryState.SENDING && (entry.leaseUntil ?? 0) < now) expired.push({ editionId, subscriberId });
      }
      if (expired.length > 0) await this.#d.queue.enqueue(expired);
      n += expired.length;
      cursor = page.cursor;
    } while (cursor);
    return n;
  }

  async #edition(id: string): Promise<EditionRecord> {
    const edition = await this.#d.editions.get(id);
    if (!edition) throw new NotFoundError(`no edition "${id}"`);
    return edition;
  }
}
