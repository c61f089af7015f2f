/**
 * The pick overrides in memory, with the version conditions of DynamoDbPickOverrideStore (the
 * truth: test/contract/picks.contract.ts runs the same behaviour tests against both).
 */
import type { PickOverrideStore } from '../../../functions/core/editions/ports.ts';
import type { JobName, PickOverride, PickOverrideRecord } from '../../../functions/core/editions/types.ts';
import { InMemoryAdapter, clone, type InMemoryOptions } from './adapter.ts';

const METHODS = ['get', 'put', 'markApplied'] as const;

/**
 * @example
 * ```ts
 * const picks = new InMemoryPickOverrideStore();
 * await picks.put('daily', { pinned: ['a'], unpinned: [], updatedBy: 'ann' }, 0); // version 1
 * ```
 */
export class InMemoryPickOverrideStore extends InMemoryAdapter<(typeof METHODS)[number]> implements PickOverrideStore {
  /** Overrides by job. */
  public readonly items = new Map<string, PickOverrideRecord>();

  public constructor(options: InMemoryOptions = {}) {
    super(METHODS, options);
  }

  public async get(job: JobName): Promise<PickOverrideRecord | undefined> {
    await this.enter('get', arguments);
    const record = this.items.get(job);
    return record ? clone(record) : undefined;
  }

  public async put(job: JobName, override: PickOverride & { updatedBy: string }, expectedVersion: number): Promise<PickOverrideRecord | undefined> {
    await this.enter('put', arguments);
    if ((this.items.get(job)?.version ?? 0) !== expectedVersion) return undefined;
    const record: PickOverrideRecord = {
      job,
      pinned: [...override.pinned],
      unpinned: [...override.unpinned],
      version: expectedVersion + 1,
      updatedAt: new Date().toISOString(),
      updatedBy: override.updatedBy,
    };
    this.items.set(job, record);
    return clone(record);
  }

  public async markApplied(job: JobName, editionId: string, version: number): Promise<void> {
    await this.enter('markApplied', arguments);
    const record = this.items.get(job);
    if (record?.version === version) this.items.set(job, { ...record, appliedTo: editionId });
  }
}
