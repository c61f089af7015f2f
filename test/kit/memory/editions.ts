/**
 * The editions port in memory, with the conditional writes of DynamoDbEditionRepository (the
 * truth: test/contract/editions.contract.ts runs the same behaviour tests against both).
 */
import type { EditionRecord, EditionRepository } from '../../../functions/core/editions/ports.ts';
import type { EditionState, JobName } from '../../../functions/core/editions/types.ts';
import { NotFoundError } from '../../../functions/core/errors.ts';
import { InMemoryAdapter, byKey, clone, defined, type InMemoryOptions } from './adapter.ts';

const METHODS = ['createIfAbsent', 'get', 'update', 'advanceCursor', 'addCounts', 'setCounts', 'transition', 'getWatermark', 'advanceWatermark', 'listRecent'] as const;

type Counts = { sent: number; failed: number; skipped: number };
type AddedCounts = Partial<Counts> & { cancelled?: number };

/**
 * Editions and per-job watermarks in memory. Calls on an edition that does not exist fail
 * as they do on DynamoDB: `update` and `addCounts` throw, the conditional moves return false.
 *
 * @example
 * ```ts
 * const editions = new InMemoryEditionRepository();
 * editions.seed(makeEditionRecord({ id: 'daily-2026-11-28' }));
 * await editions.transition('daily-2026-11-28', EditionState.SENDING, EditionState.SENT); // true
 * ```
 */
export class InMemoryEditionRepository extends InMemoryAdapter<(typeof METHODS)[number]> implements EditionRepository {
  /** Editions by id. */
  public readonly items = new Map<string, EditionRecord>();
  /** Watermarks by job. */
  public readonly watermarks = new Map<string, string>();

  public constructor(options: InMemoryOptions = {}) {
    super(METHODS, options);
  }

  public async createIfAbsent(record: EditionRecord): Promise<{ created: boolean; edition: EditionRecord }> {
    await this.enter('createIfAbsent', arguments);
    const existing = this.items.get(record.id);
    if (existing) return { created: false, edition: clone(existing) };
    this.items.set(record.id, defined(clone(record)));
    return { created: true, edition: clone(record) };
  }

  public async get(id: string): Promise<EditionRecord | undefined> {
    await this.enter('get', arguments);
    const e = this.items.get(id);
    return e ? clone(e) : undefined;
  }

  public async update(id: string, fields: Partial<Omit<EditionRecord, 'id' | 'sent' | 'failed' | 'skipped' | 'cancelled' | 'total' | 'pages'>>): Promise<void> {
    await this.enter('update', arguments);
    const next: Record<string, unknown> = { ...this.#must(id) };
    for (const [k, v] of Object.entries(fields)) {
      if (v === undefined) delete next[k];
      else next[k] = clone(v);
    }
    next.updatedAt = new Date().toISOString();
    this.items.set(id, next as unknown as EditionRecord);
  }

  public async advanceCursor(id: string, expectedPages: number, nextCursor: string | undefined, added: number): Promise<boolean> {
    await this.enter('advanceCursor', arguments);
    const e = this.items.get(id);
    if (e?.pages !== expectedPages) return false;
    const { cursor: _cursor, ...rest } = e;
    this.items.set(id, { ...rest, total: e.total + added, pages: expectedPages + 1, updatedAt: new Date().toISOString(), ...(nextCursor !== undefined ? { cursor: nextCursor } : {}) });
    return true;
  }

  public async addCounts(id: string, counts: AddedCounts): Promise<EditionRecord> {
    await this.enter('addCounts', arguments);
    const e = this.#must(id);
    const next = { ...e, sent: e.sent + (counts.sent ?? 0), failed: e.failed + (counts.failed ?? 0), skipped: e.skipped + (counts.skipped ?? 0) };
    if (counts.cancelled) next.cancelled = (e.cancelled ?? 0) + counts.cancelled;
    this.items.set(id, next);
    return clone(next);
  }

  public async setCounts(id: string, counts: Counts, expected: Counts): Promise<boolean> {
    await this.enter('setCounts', arguments);
    const e = this.items.get(id);
    if (!e || e.sent !== expected.sent || e.failed !== expected.failed || e.skipped !== expected.skipped) return false;
    this.items.set(id, { ...e, sent: counts.sent, failed: counts.failed, skipped: counts.skipped, updatedAt: new Date().toISOString() });
    return true;
  }

  public async transition(id: string, from: EditionState, to: EditionState): Promise<boolean> {
    await this.enter('transition', arguments);
    const e = this.items.get(id);
    if (e?.state !== from) return false;
    this.items.set(id, { ...e, state: to, updatedAt: new Date().toISOString() });
    return true;
  }

  public async getWatermark(job: JobName): Promise<string | undefined> {
    await this.enter('getWatermark', arguments);
    return this.watermarks.get(job);
  }

  public async advanceWatermark(job: JobName, to: string): Promise<void> {
    await this.enter('advanceWatermark', arguments);
    const current = this.watermarks.get(job);
    if (current === undefined || current < to) this.watermarks.set(job, to);
  }

  public async listRecent(job: JobName, limit: number): Promise<EditionRecord[]> {
    await this.enter('listRecent', arguments);
    return [...this.items.values()]
      .filter((e) => e.job === job)
      .sort((a, b) => byKey(b.scheduledAt, a.scheduledAt))
      .slice(0, limit)
      .map(clone);
  }

  /** Puts editions as they would be after some earlier history (no counting, no latency). */
  public seed(...editions: EditionRecord[]): void {
    for (const e of editions) this.items.set(e.id, defined(clone(e)));
  }

  #must(id: string): EditionRecord {
    const e = this.items.get(id);
    if (!e) throw new NotFoundError(`edition ${id} not found`);
    return e;
  }
}
