/**
 * The delivery ledger in memory, with the conditional moves of DynamoDbDeliveryLedger (the
 * truth: test/contract/ledger.contract.ts runs the same behaviour tests against both).
 */
import type { DeliveryLedger, LedgerResult } from '../../../functions/core/delivery/ports.ts';
import { DeliveryState, type LedgerEntry, type SendEvent, type SendTask } from '../../../functions/core/delivery/types.ts';
import { InMemoryAdapter, clone, pageByKey, type InMemoryOptions } from './adapter.ts';

const METHODS = ['acquire', 'extend', 'complete', 'release', 'markUnknown', 'recordSendEvent', 'get', 'countByState', 'pageByState', 'lastChange'] as const;

/** The adapter keeps at most this many characters of a reason, as DynamoDbDeliveryLedger does. */
const MAX_REASON = 500;

const keyOf = (t: SendTask): string => `${t.editionId}\u0000${t.subscriberId}`;

/** An entry as it would be after some earlier history: any state, with defaults for the rest. */
export type SeededEntry = Partial<LedgerEntry> & SendTask & { state: DeliveryState };

/**
 * The ledger in memory: one entry per edition and subscriber, every move conditional on the
 * lease, as on DynamoDB.
 *
 * @example
 * ```ts
 * const ledger = new InMemoryDeliveryLedger();
 * const { granted } = await ledger.acquire({ editionId: 'daily-2026-11-28', subscriberId: 's_1' }, { leaseUntil: now + 120_000, now });
 * ledger.seed({ editionId: 'daily-2026-11-28', subscriberId: 's_2', state: DeliveryState.FAILED, reason: 'MessageRejected' });
 * ```
 */
export class InMemoryDeliveryLedger extends InMemoryAdapter<(typeof METHODS)[number]> implements DeliveryLedger {
  /** Entries by edition and subscriber (read them with get or stateOf). */
  public readonly entries = new Map<string, LedgerEntry>();

  public constructor(options: InMemoryOptions = {}) {
    super(METHODS, options);
  }

  public async acquire(task: SendTask, options: { leaseUntil: number; now: number; retryFailed?: boolean }): Promise<{ granted: boolean; entry: LedgerEntry | undefined }> {
    await this.enter('acquire', arguments);
    const current = this.entries.get(keyOf(task));
    const takeable =
      current === undefined ||
      current.state === DeliveryState.PENDING ||
      (current.state === DeliveryState.SENDING && current.leaseUntil !== undefined && current.leaseUntil < options.now) ||
      (options.retryFailed === true && current.state === DeliveryState.FAILED);
    if (!takeable) return { granted: false, entry: clone(current) };
    const { reason: _reason, ...kept } = current ?? {};
    const entry: LedgerEntry = {
      ...kept,
      editionId: task.editionId,
      subscriberId: task.subscriberId,
      state: DeliveryState.SENDING,
      leaseUntil: options.leaseUntil,
      attempts: (current?.attempts ?? 0) + 1,
      updatedAt: new Date(options.now).toISOString(),
    };
    this.entries.set(keyOf(task), entry);
    return { granted: true, entry: clone(entry) };
  }

  public async extend(task: SendTask, leaseUntil: number, newLeaseUntil: number): Promise<boolean> {
    await this.enter('extend', arguments);
    const current = this.#held(task, leaseUntil);
    if (!current) return false;
    this.entries.set(keyOf(task), { ...current, leaseUntil: newLeaseUntil, updatedAt: new Date().toISOString() });
    return true;
  }

  public async complete(task: SendTask, leaseUntil: number, result: LedgerResult): Promise<boolean> {
    await this.enter('complete', arguments);
    const current = this.#held(task, leaseUntil);
    if (!current) return false;
    const { leaseUntil: _lease, reason: _reason, ...rest } = current;
    this.entries.set(keyOf(task), {
      ...rest,
      state: result.state,
      updatedAt: new Date().toISOString(),
      ...('messageId' in result ? { messageId: result.messageId } : { reason: result.reason.slice(0, MAX_REASON) }),
    });
    return true;
  }

  public async release(task: SendTask, leaseUntil: number, reason: string): Promise<void> {
    await this.enter('release', arguments);
    const current = this.#held(task, leaseUntil);
    if (!current) return;
    const { leaseUntil: _lease, ...rest } = current;
    this.entries.set(keyOf(task), { ...rest, state: DeliveryState.PENDING, reason: reason.slice(0, MAX_REASON), updatedAt: new Date().toISOString() });
  }

  public async markUnknown(task: SendTask, leaseUntil: number, options: { until: number; reason: string }): Promise<boolean> {
    await this.enter('markUnknown', arguments);
    const current = this.#held(task, leaseUntil);
    if (!current) return false;
    this.entries.set(keyOf(task), { ...current, leaseUntil: options.until, reason: options.reason.slice(0, MAX_REASON), updatedAt: new Date().toISOString() });
    return true;
  }

  /** Keeps the first event only; changes neither state, lease nor updatedAt (as DynamoDB). */
  public async recordSendEvent(task: SendTask, event: SendEvent): Promise<{ recorded: boolean; entry: LedgerEntry | undefined }> {
    await this.enter('recordSendEvent', arguments);
    const current = this.entries.get(keyOf(task));
    // A `sent` entry is final: its event would never be read, so nothing is written (as on DynamoDB).
    if (!current || current.sendEvent || current.state === DeliveryState.SENT) return { recorded: false, entry: current ? clone(current) : undefined };
    const next: LedgerEntry = { ...current, sendEvent: { ...event } };
    this.entries.set(keyOf(task), next);
    return { recorded: true, entry: clone(next) };
  }

  public async get(task: SendTask): Promise<LedgerEntry | undefined> {
    await this.enter('get', arguments);
    const entry = this.entries.get(keyOf(task));
    return entry ? clone(entry) : undefined;
  }

  public async countByState(editionId: string): Promise<Record<Exclude<DeliveryState, 'pending'>, number>> {
    await this.enter('countByState', arguments);
    const counts = { sending: 0, sent: 0, failed: 0, skipped: 0, cancelled: 0 };
    for (const entry of this.entries.values()) {
      if (entry.editionId === editionId && entry.state !== DeliveryState.PENDING) counts[entry.state] += 1;
    }
    return counts;
  }

  public async pageByState(editionId: string, state: DeliveryState, options: { limit: number; cursor?: string }): Promise<{ subscriberIds: string[]; cursor?: string }> {
    await this.enter('pageByState', arguments);
    const ids: string[] = [];
    for (const entry of this.entries.values()) if (entry.editionId === editionId && entry.state === state) ids.push(entry.subscriberId);
    const page = pageByKey(ids, (id) => id, options);
    return page.cursor === undefined ? { subscriberIds: page.items } : { subscriberIds: page.items, cursor: page.cursor };
  }

  public async lastChange(editionId: string): Promise<number | undefined> {
    await this.enter('lastChange', arguments);
    let last: number | undefined;
    for (const entry of this.entries.values()) {
      if (entry.editionId !== editionId) continue;
      const at = Date.parse(entry.updatedAt);
      if (Number.isFinite(at) && (last === undefined || at > last)) last = at;
    }
    return last;
  }

  /** Puts an entry as it would be after some earlier history (no lease check, no counting). */
  public seed(entry: SeededEntry): void {
    this.entries.set(keyOf(entry), { attempts: 1, updatedAt: new Date().toISOString(), ...clone(entry) });
  }

  /** The state of one entry, read without a call (undefined: no entry, that is pending). */
  public stateOf(task: SendTask): DeliveryState | undefined {
    return this.entries.get(keyOf(task))?.state;
  }

  /** Forgets every entry (between benchmark rounds). */
  public clear(): void {
    this.entries.clear();
  }

  #held(task: SendTask, leaseUntil: number): LedgerEntry | undefined {
    const current = this.entries.get(keyOf(task));
    return current?.state === DeliveryState.SENDING && current.leaseUntil === leaseUntil ? current : undefined;
  }
}
