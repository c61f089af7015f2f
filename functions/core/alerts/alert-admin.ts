/**
 * Operators' view of keyword alerts (`digest alerts status`): the open windows and their
 * pending matches, read from the due index page by page (never a scan), and the recent
 * alert flushes with their delivery counts.
 */
import type { EditionRepository } from '../editions/ports.ts';
import { JobName } from '../editions/types.ts';
import type { AlertStore } from './ports.ts';
import { CLAIM_ENTRY, DUE_SHARDS } from './types.ts';

/** What `digest alerts status` shows. */
export interface AlertsStatus {
  /** Subscribers with at least one pending match (open windows). */
  windows: number;
  /** Of which due by now (the next flush sends them). */
  dueNow: number;
  /** Pending matches (one per subscriber and article). */
  pendingMatches: number;
  /** Windows a flush holds right now (or held when it died; taken over once stale). */
  claimed: number;
  /** The earliest due time among the windows not due yet (ISO-8601). */
  nextDue?: string;
  /** The most recent alert flushes, newest first. */
  flushes: Array<{ flush: string; state: string; total: number; sent: number; failed: number; skipped: number; articles: number; fanoutDone: boolean }>;
}

/**
 * @example
 * ```ts
 * const status = await new AlertAdmin({ store, editions }).status(new Date());
 * ```
 */
export class AlertAdmin {
  readonly #d: { store: Pick<AlertStore, 'pageDue'>; editions: Pick<EditionRepository, 'listRecent'> };

  public constructor(deps: { store: Pick<AlertStore, 'pageDue'>; editions: Pick<EditionRepository, 'listRecent'> }) {
    this.#d = deps;
  }

  public async status(now: Date, options: { flushes?: number } = {}): Promise<AlertsStatus> {
    const earliest = new Map<string, string>();
    let pendingMatches = 0;
    let claimed = 0;
    for (let shard = 0; shard < DUE_SHARDS; shard += 1) {
      let cursor: string | undefined;
      do {
        const page = await this.#d.store.pageDue(shard, '9999-12-31T23:59:59.999Z', { limit: 1000, ...(cursor ? { cursor } : {}) });
        for (const e of page.entries) {
          if (e.articleKey === CLAIM_ENTRY) {
            claimed += 1;
            continue;
          }
          pendingMatches += 1;
          const before = earliest.get(e.subscriberId);
          if (before === undefined || e.dueAt < before) earliest.set(e.subscriberId, e.dueAt);
        }
        cursor = page.cursor;
      } while (cursor);
    }
    const nowIso = now.toISOString();
    const dues = [...earliest.values()];
    const notYet = dues.filter((d) => d > nowIso).sort();
    const recent = await this.#d.editions.listRecent(JobName.ALERTS, options.flushes ?? 5);
    return {
      windows: earliest.size,
      dueNow: dues.length - notYet.length,
      pendingMatches,
      claimed,
      ...(notYet[0] ? { nextDue: notYet[0] } : {}),
      flushes: recent.map((r) => ({ flush: r.id, state: r.state, total: r.total, sent: r.sent, failed: r.failed, skipped: r.skipped, articles: r.articles ?? 0, fanoutDone: r.fanoutDone })),
    };
  }
}
