/**
 * The engagement store in memory, with the conditions of DynamoDbEngagementStore (the truth:
 * test/contract/engagement.contract.ts runs the same behaviour tests against both).
 */
import type { EngagementStore } from '../../../functions/core/analytics/ports.ts';
import { COUNTERS, ClaimOutcome, type Counter, type CounterIncrement, type EngagementEvent, type EngagementTotals, type FirstKind } from '../../../functions/core/analytics/types.ts';
import { InMemoryAdapter, clone, type InMemoryOptions } from './adapter.ts';

const METHODS = ['claim', 'complete', 'first', 'add', 'totals'] as const;

/** A stored event, as the per-recipient record. */
export interface StoredEngagementEvent extends EngagementEvent {
  state: 'claimed' | 'counted';
  leaseUntil?: number;
  expiresAt: number;
}

/**
 * @example
 * ```ts
 * const store = new InMemoryEngagementStore();
 * await store.add('daily-2026-12-01', 0, { counters: { delivered: 1 } });
 * (await store.totals('daily-2026-12-01')).counters.delivered; // 1
 * ```
 */
export class InMemoryEngagementStore extends InMemoryAdapter<(typeof METHODS)[number]> implements EngagementStore {
  /** Events by id. */
  public readonly events = new Map<string, StoredEngagementEvent>();
  /** First opens and clicks: `<edition>#<subscriber>#<kind>` → event id and expiry. */
  public readonly firsts = new Map<string, { eventId: string; expiresAt: number }>();
  /** Counter shards: `<edition>#<shard>` → counters, links, minutes. */
  public readonly shards = new Map<string, { counters: Partial<Record<Counter, number>>; links: Map<string, number>; minutes: Map<string, { sent: number; delivered: number }> }>();

  public constructor(options: InMemoryOptions = {}) {
    super(METHODS, options);
  }

  public async claim(event: EngagementEvent, options: { now: number; leaseUntil: number; expiresAt: number }): Promise<ClaimOutcome> {
    await this.enter('claim', arguments);
    const stored = this.events.get(event.id);
    if (stored?.state === 'counted') return ClaimOutcome.COUNTED;
    if (stored && (stored.leaseUntil ?? 0) >= options.now) return ClaimOutcome.BUSY;
    this.events.set(event.id, { ...clone(event), state: 'claimed', leaseUntil: options.leaseUntil, expiresAt: options.expiresAt });
    return ClaimOutcome.CLAIMED;
  }

  public async complete(eventId: string): Promise<void> {
    await this.enter('complete', arguments);
    const stored = this.events.get(eventId);
    if (stored) {
      const { leaseUntil: _, ...rest } = stored;
      this.events.set(eventId, { ...rest, state: 'counted' });
    }
  }

  public async first(editionId: string, subscriberId: string, kind: FirstKind, eventId: string, expiresAt: number): Promise<boolean> {
    await this.enter('first', arguments);
    const key = `${editionId}#${subscriberId}#${kind}`;
    const found = this.firsts.get(key);
    if (found && found.eventId !== eventId) return false;
    this.firsts.set(key, { eventId, expiresAt });
    return true;
  }

  public async add(editionId: string, shard: number, increment: CounterIncrement): Promise<void> {
    await this.enter('add', arguments);
    const key = `${editionId}#${shard}`;
    const item = this.shards.get(key) ?? { counters: {} as Partial<Record<Counter, number>>, links: new Map<string, number>(), minutes: new Map<string, { sent: number; delivered: number }>() };
    for (const [counter, n] of Object.entries(increment.counters) as Array<[Counter, number]>) item.counters[counter] = (item.counters[counter] ?? 0) + n;
    if (increment.link) item.links.set(increment.link, (item.links.get(increment.link) ?? 0) + 1);
    if (increment.minute && (increment.counters.sent || increment.counters.delivered)) {
      const m = item.minutes.get(increment.minute) ?? { sent: 0, delivered: 0 };
      m.sent += increment.counters.sent ?? 0;
      m.delivered += increment.counters.delivered ?? 0;
      item.minutes.set(increment.minute, m);
    }
    this.shards.set(key, item);
  }

  public async totals(editionId: string): Promise<EngagementTotals> {
    await this.enter('totals', arguments);
    const counters = Object.fromEntries(COUNTERS.map((c) => [c, 0])) as Record<Counter, number>;
    const links = new Map<string, number>();
    const minutes = new Map<string, { sent: number; delivered: number }>();
    for (const [key, item] of this.shards) {
      if (!key.startsWith(`${editionId}#`) || !/^\d+$/.test(key.slice(editionId.length + 1))) continue;
      for (const c of COUNTERS) counters[c] += item.counters[c] ?? 0;
      for (const [url, n] of item.links) links.set(url, (links.get(url) ?? 0) + n);
      for (const [minute, m] of item.minutes) {
        const t = minutes.get(minute) ?? { sent: 0, delivered: 0 };
        t.sent += m.sent;
        t.delivered += m.delivered;
        minutes.set(minute, t);
      }
    }
    return {
      counters,
      links: [...links].map(([url, clicks]) => ({ url, clicks })).sort((a, b) => b.clicks - a.clicks || a.url.localeCompare(b.url)),
      timeline: [...minutes].map(([minute, m]) => ({ minute, ...m })).sort((a, b) => a.minute.localeCompare(b.minute)),
    };
  }
}
