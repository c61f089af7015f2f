/**
 * Fan-out: pages through an edition's eligible segment and puts one send task per
 * subscriber on the send queue. The cursor advances only after a page is enqueued, so a
 * crash resumes at the page it was on (re-enqueued tasks are harmless: the ledger sends
 * each recipient once) and never skips one. While the account's daily quota is exhausted
 * the fan-out holds (the edition stays `sending`, with the reason) and is resumed later by
 * the reconciler. It stops before the next page once the edition is cancelled.
 */
import type { EditionRecord, EditionRepository, FanOut } from '../editions/ports.ts';
import { EditionState, JobName } from '../editions/types.ts';
import type { Logger } from '../logger.ts';
import type { SubscriberRepository } from '../subscribers/ports.ts';
import type { Segment, SubscriberPage } from '../subscribers/types.ts';
import type { DailyQuota, SendQueue } from './ports.ts';
import { isQuotaReason, QUOTA_REASON_PREFIX } from './quota-guard.ts';

export interface FanOutServiceDeps {
  subscribers: SubscriberRepository;
  editions: EditionRepository;
  queue: SendQueue;
  logger: Logger;
  /** Subscribers per page (one DynamoDB query, then SendMessageBatch calls). */
  pageSize?: number;
  /** Stop early (to be resumed) when this returns true, e.g. the Lambda is about to time out. */
  shouldYield?: () => boolean;
  /** The account's daily quota: no page is enqueued while it is exhausted. */
  quota?: DailyQuota;
}

/** The reason a held fan-out leaves on its edition. */
export const FANOUT_HELD_REASON = `${QUOTA_REASON_PREFIX}: fan-out held, resumed by the reconciler once the quota frees`;

/**
 * The segment that receives a job's editions.
 *
 * @example
 * ```ts
 * segmentFor('daily'); // { kind: 'newsletter', newsletter: 'daily' }
 * ```
 */
export function segmentFor(job: JobName): Segment {
  if (job === JobName.WEEKLY) return { kind: 'newsletter', newsletter: 'weekly' };
  if (job === JobName.DAILY) return { kind: 'newsletter', newsletter: 'daily' };
  return { kind: 'alerts', cadence: 'hourly' };
}

/**
 * Enqueues the send tasks of an edition.
 *
 * @example
 * ```ts
 * const edition = await fanOut.fanOut(await editions.get('daily-2026-11-28'));
 * edition.fanoutDone; // true
 * ```
 */
export class FanOutService implements FanOut {
  readonly #d: FanOutServiceDeps;

  public constructor(deps: FanOutServiceDeps) {
    this.#d = deps;
  }

  public async fanOut(edition: EditionRecord): Promise<EditionRecord> {
    const pageSize = this.#d.pageSize ?? 100;
    const segment = segmentFor(edition.job);
    let cursor = edition.cursor;
    let total = edition.total;
    let pages = edition.pages;
    let reason = edition.reason;
    // The next page is read while this one is enqueued, so that the queue is filled at the
    // pace of the enqueues rather than of query + enqueue in turn (the sends start on the
    // first page and must not catch up with the fan-out). Only a read runs ahead: the checks
    // below and the cursor still come before and after each page's enqueue, as before.
    const read = (from: string | undefined): Promise<SubscriberPage> => {
      const page = this.#d.subscribers.pageSegment(segment, { limit: pageSize, ...(from ? { cursor: from } : {}) });
      page.catch(() => undefined); // handled where it is awaited; not unhandled if the loop stops first
      return page;
    };
    let next: Promise<SubscriberPage> | undefined;
    for (;;) {
      if (this.#d.shouldYield?.()) {
        this.#d.logger.info('fan-out yields', { edition: edition.id, total });
        return { ...edition, total, pages, ...(cursor ? { cursor } : {}) };
      }
      const pending = next ?? read(cursor);
      next = undefined;
      // An editor cancelled the edition: enqueue no more (what is queued is recorded as cancelled).
      const [latest, remaining] = await Promise.all([this.#d.editions.get(edition.id), this.#d.quota?.remaining()]);
      if (latest?.state === EditionState.CANCELLED) {
        this.#d.logger.info('fan-out stops: the edition was cancelled', { edition: edition.id, total: latest.total });
        return latest;
      }
      if (remaining !== undefined && remaining <= 0) {
        this.#d.logger.warn('fan-out held: daily quota exhausted', { edition: edition.id, total });
        if (reason !== FANOUT_HELD_REASON) await this.#d.editions.update(edition.id, { reason: FANOUT_HELD_REASON });
        return { ...edition, total, pages, reason: FANOUT_HELD_REASON, ...(cursor ? { cursor } : {}) };
      }
      if (isQuotaReason(reason)) {
        await this.#d.editions.update(edition.id, { reason: undefined });
        reason = undefined;
      }
      const page = await pending;
      if (page.cursor) next = read(page.cursor);
      const tasks = page.subscribers.map((s) => ({ editionId: edition.id, subscriberId: s.id }));
      if (tasks.length > 0) await this.#d.queue.enqueue(tasks);
      const moved = await this.#d.editions.advanceCursor(edition.id, pages, page.cursor, tasks.length);
      if (!moved) {
        // Another fan-out of this edition is ahead of us; it owns the rest.
        this.#d.logger.warn('fan-out lost the cursor race', { edition: edition.id });
        return (await this.#d.editions.get(edition.id)) ?? edition;
      }
      total += tasks.length;
      pages += 1;
      cursor = page.cursor;
      if (!cursor) break;
    }
    await this.#d.editions.update(edition.id, { fanoutDone: true });
    // The workers may have finished every task before the fan-out said it was done.
    const latest = await this.#d.editions.get(edition.id);
    let state = latest?.state ?? edition.state;
    if (latest && isComplete(latest) && (await this.#d.editions.transition(edition.id, EditionState.SENDING, EditionState.SENT))) {
      state = EditionState.SENT;
    }
    this.#d.logger.info('fan-out done', { edition: edition.id, total });
    const { cursor: _done, reason: _reason, ...rest } = edition;
    return { ...rest, state, total, pages, fanoutDone: true, ...(reason ? { reason } : {}) };
  }
}

/**
 * Whether every enqueued task of a fanned-out edition has reached a final ledger state
 * (by the edition's counters).
 *
 * @example
 * ```ts
 * isComplete({ ...edition, fanoutDone: true, total: 3, sent: 2, failed: 0, skipped: 1 }); // true
 * ```
 */
export function isComplete(edition: EditionRecord): boolean {
  return edition.fanoutDone && edition.sent + edition.failed + edition.skipped + (edition.cancelled ?? 0) >= edition.total;
}
