/**
 * Use case: count SES events against their edition, once each. One event is recorded in four
 * steps, each safe to repeat:
 *
 * 1. **claim** the event by its own id (the per-recipient record, which expires after the
 *    retention): a redelivered notification finds it counted and stops; one whose earlier
 *    attempt is still under way is retried later (the caller fails, SNS/Lambda retry);
 * 2. for opens and clicks, ask whether it is the recipient's **first** (unique opens and clicks);
 * 3. **add** to one of the edition's counter shards, picked by the event id, so that 500
 *    events a second spread over {@link COUNTER_SHARDS} partition keys instead of one;
 * 4. **complete** the claim.
 *
 * A crash between 3 and 4 leaves a claim whose lease runs out; the retry then counts the event
 * again (the one case that can count twice; DynamoDB transactions would close it, the local
 * emulator has none). Everything else counts each event exactly once.
 */
import { createHash } from 'node:crypto';
import { ConflictError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { EngagementStore } from './ports.ts';
import { parseEngagementEvent } from './ses-engagement.ts';
import { ClaimOutcome, Counter, EngagementType, FirstKind, type CounterIncrement, type EngagementEvent } from './types.ts';

/** Counter shards per edition: at 500 events/s about 31 writes/s reach each partition key. */
export const COUNTER_SHARDS = 16;

/** What recording one event did. */
export const RecordOutcome = {
  COUNTED: 'counted',
  /** Counted before: a redelivered notification. */
  DUPLICATE: 'duplicate',
  /** Not an edition message's event, or a type we do not count. */
  IGNORED: 'ignored',
} as const;
export type RecordOutcome = (typeof RecordOutcome)[keyof typeof RecordOutcome];

export interface EngagementRecorderDeps {
  store: EngagementStore;
  logger: Logger;
  /** How long per-recipient events are kept (days); the edition's totals stay. */
  retentionDays: number;
  /** How long a claim holds before another attempt may take it over (ms; longer than the function's timeout). */
  leaseMs?: number;
  now?: () => number;
}

/**
 * The shard of an event: a stable spread of event ids over the shards.
 *
 * @example
 * ```ts
 * shardOf('0f3a…'); // 0 … 15
 * ```
 */
export function shardOf(eventId: string, shards = COUNTER_SHARDS): number {
  return Number.parseInt(createHash('sha256').update(eventId).digest('hex').slice(0, 8), 16) % shards;
}

/** The minute of an ISO time (`2026-12-01T10:05`). */
const minuteOf = (at: string): string => (Number.isNaN(Date.parse(at)) ? new Date() : new Date(at)).toISOString().slice(0, 16);

/**
 * @example
 * ```ts
 * const recorder = new EngagementRecorder({ store, logger, retentionDays: 90 });
 * await recorder.record(JSON.parse(record.Sns.Message)); // 'counted'
 * ```
 */
export class EngagementRecorder {
  readonly #d: EngagementRecorderDeps;

  public constructor(deps: EngagementRecorderDeps) {
    this.#d = deps;
  }

  /**
   * Records one SES event (the parsed notification).
   *
   * @throws ValidationError when it has no message id (the caller drops it).
   * @throws ConflictError while another attempt is counting the same event (retry later).
   */
  public async record(body: unknown): Promise<RecordOutcome> {
    const event = parseEngagementEvent(body);
    if (!event) return RecordOutcome.IGNORED;
    const now = this.#d.now?.() ?? Date.now();
    const expiresAt = Math.floor(now / 1000) + this.#d.retentionDays * 86_400;
    const claim = await this.#d.store.claim(event, { now, leaseUntil: now + (this.#d.leaseMs ?? 120_000), expiresAt });
    if (claim === ClaimOutcome.COUNTED) return RecordOutcome.DUPLICATE;
    if (claim === ClaimOutcome.BUSY) throw new ConflictError(`${event.type} event ${event.id} is being counted by another attempt`);
    const increment = await this.#increment(event, expiresAt);
    await this.#d.store.add(event.editionId, shardOf(event.id), increment);
    await this.#d.store.complete(event.id);
    this.#d.logger.debug('engagement event counted', { edition: event.editionId, type: event.type });
    return RecordOutcome.COUNTED;
  }

  async #increment(event: EngagementEvent, expiresAt: number): Promise<CounterIncrement> {
    const minute = minuteOf(event.at);
    switch (event.type) {
      case EngagementType.SEND:
        return { counters: { [Counter.SENT]: 1 }, minute };
      case EngagementType.DELIVERY:
        return { counters: { [Counter.DELIVERED]: 1 }, minute };
      case EngagementType.DELIVERY_DELAY:
        return { counters: { [Counter.DELAYED]: 1 } };
      case EngagementType.BOUNCE:
        // SES's bounce rate counts hard (permanent) bounces; an undetermined one counts as transient.
        return { counters: { [event.bounceType === 'Permanent' ? Counter.BOUNCED_PERMANENT : Counter.BOUNCED_TRANSIENT]: 1 } };
      case EngagementType.COMPLAINT:
        return { counters: { [Counter.COMPLAINED]: 1 } };
      case EngagementType.REJECT:
        return { counters: { [Counter.REJECTED]: 1 } };
      case EngagementType.RENDERING_FAILURE:
        return { counters: { [Counter.RENDERING_FAILED]: 1 } };
      case EngagementType.OPEN: {
        const first = await this.#d.store.first(event.editionId, event.subscriberId, FirstKind.OPEN, event.id, expiresAt);
        return { counters: { [Counter.OPENS]: 1, ...(first ? { [Counter.UNIQUE_OPENS]: 1 } : {}) } };
      }
      case EngagementType.CLICK: {
        const first = await this.#d.store.first(event.editionId, event.subscriberId, FirstKind.CLICK, event.id, expiresAt);
        return { counters: { [Counter.CLICKS]: 1, ...(first ? { [Counter.UNIQUE_CLICKS]: 1 } : {}) }, ...(event.link ? { link: event.link } : {}) };
      }
    }
  }
}
