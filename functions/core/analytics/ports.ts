/**
 * The port of edition analytics (named by role). DynamoDbEngagementStore (on the deliveries
 * table) is the adapter; test/kit/memory has the in-memory one, and
 * test/contract/engagement.contract.ts holds both to the same behaviour.
 */
import type { ClaimOutcome, CounterIncrement, EngagementEvent, EngagementTotals, FirstKind } from './types.ts';

/**
 * Where engagement events and their counters are kept.
 *
 * Concurrency contract: `claim` is atomic per event id (of two concurrent claims of one new
 * event exactly one gets `claimed`); `first` is atomic per recipient and kind; `add` adds
 * (never overwrites), so any number of concurrent adds to one shard all count.
 */
export interface EngagementStore {
  /**
   * Claims an event for counting: `claimed` when it is new or its earlier claim's lease has
   * run out (a caller died between claiming and completing), `counted` when it was completed,
   * `busy` while another claim holds it. The stored event is the per-recipient record; it
   * expires at `expiresAt` (epoch seconds).
   */
  claim(event: EngagementEvent, options: { now: number; leaseUntil: number; expiresAt: number }): Promise<ClaimOutcome>;
  /** Marks a claimed event counted. */
  complete(eventId: string): Promise<void>;
  /**
   * Whether `eventId` is the recipient's first event of `kind` in the edition (true again for
   * the same event id, so a retried count stays unique). The marker expires at `expiresAt`.
   */
  first(editionId: string, subscriberId: string, kind: FirstKind, eventId: string, expiresAt: number): Promise<boolean>;
  /** Adds to the counters of one shard of an edition (shards: 0 … `shards` - 1 of the store). */
  add(editionId: string, shard: number, increment: CounterIncrement): Promise<void>;
  /** The edition's totals, summed over every shard. */
  totals(editionId: string): Promise<EngagementTotals>;
}
