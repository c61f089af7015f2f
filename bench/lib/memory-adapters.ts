/**
 * In-memory stand-ins of the send worker's stores, for the throughput and rate-cap runs: the
 * ledger, subscribers, editions and artefacts live in this process, so that the run measures
 * the send path (SendService, personalisation, the rate limiter, SesMailSender and the real
 * SES client) rather than an emulated DynamoDB. Same contracts as the DynamoDB adapters,
 * including the ledger's conditional moves.
 */
import type { DeliveryLedger, LedgerResult, SendQueue } from '../../functions/core/delivery/ports.ts';
import type { RateWindowStore } from '../../functions/core/delivery/ports.ts';
import { DeliveryState, type LedgerEntry, type SendEvent, type SendTask } from '../../functions/core/delivery/types.ts';
import type { ArtefactStore } from '../../functions/core/editions/ports.ts';
import type { EditionRecord, EditionRepository } from '../../functions/core/editions/ports.ts';
import type { EditionState, JobName } from '../../functions/core/editions/types.ts';
import type { RenderedEdition } from '../../functions/core/editions/types.ts';
import type { SubscriberRepository } from '../../functions/core/subscribers/ports.ts';
import type { Segment, Subscriber, SubscriberPage, SubscriberStatus } from '../../functions/core/subscribers/types.ts';

const keyOf = (t: SendTask) => `${t.editionId}\u0000${t.subscriberId}`;

export class MemoryLedger implements DeliveryLedger {
  readonly entries = new Map<string, LedgerEntry>();

  public async acquire(task: SendTask, options: { leaseUntil: number; now: number; retryFailed?: boolean }): Promise<{ granted: boolean; entry: LedgerEntry | undefined }> {
    const current = this.entries.get(keyOf(task));
    const free =
      !current ||
      current.state === DeliveryState.PENDING ||
      (current.state === DeliveryState.SENDING && (current.leaseUntil ?? 0) < options.now) ||
      (options.retryFailed === true && current.state === DeliveryState.FAILED);
    if (!free) return { granted: false, entry: current ? { ...current } : undefined };
    const entry: LedgerEntry = {
      editionId: task.editionId,
      subscriberId: task.subscriberId,
      state: DeliveryState.SENDING,
      leaseUntil: options.leaseUntil,
      attempts: (current?.attempts ?? 0) + 1,
      updatedAt: new Date(options.now).toISOString(),
      ...(current?.sendEvent ? { sendEvent: current.sendEvent } : {}),
    };
    this.entries.set(keyOf(task), entry);
    return { granted: true, entry: { ...entry } };
  }

  #held(task: SendTask, leaseUntil: number): LedgerEntry | undefined {
    const current = this.entries.get(keyOf(task));
    return current?.state === DeliveryState.SENDING && current.leaseUntil === leaseUntil ? current : undefined;
  }

  public async extend(task: SendTask, leaseUntil: number, newLeaseUntil: number): Promise<boolean> {
    const current = this.#held(task, leaseUntil);
    if (!current) return false;
    current.leaseUntil = newLeaseUntil;
    return true;
  }

  public async complete(task: SendTask, leaseUntil: number, result: LedgerResult): Promise<boolean> {
    const current = this.#held(task, leaseUntil);
    if (!current) return false;
    const { leaseUntil: _lease, reason: _reason, ...rest } = current;
    this.entries.set(keyOf(task), {
      ...rest,
      state: result.state,
      updatedAt: new Date().toISOString(),
      ...('messageId' in result ? { messageId: result.messageId } : { reason: result.reason }),
    });
    return true;
  }

  public async release(task: SendTask, leaseUntil: number, reason: string): Promise<void> {
    const current = this.#held(task, leaseUntil);
    if (!current) return;
    const { leaseUntil: _lease, ...rest } = current;
    this.entries.set(keyOf(task), { ...rest, state: DeliveryState.PENDING, reason, updatedAt: new Date().toISOString() });
  }

  public async markUnknown(task: SendTask, leaseUntil: number, options: { until: number; reason: string }): Promise<boolean> {
    const current = this.#held(task, leaseUntil);
    if (!current) return false;
    this.entries.set(keyOf(task), { ...current, leaseUntil: options.until, reason: options.reason, updatedAt: new Date().toISOString() });
    return true;
  }

  public async recordSendEvent(task: SendTask, event: SendEvent): Promise<{ recorded: boolean; entry: LedgerEntry | undefined }> {
    const current = this.entries.get(keyOf(task));
    if (!current || current.sendEvent) return { recorded: false, entry: current ? { ...current } : undefined };
    const next = { ...current, sendEvent: { ...event } };
    this.entries.set(keyOf(task), next);
    return { recorded: true, entry: { ...next } };
  }

  public async get(task: SendTask): Promise<LedgerEntry | undefined> {
    const e = this.entries.get(keyOf(task));
    return e ? { ...e } : undefined;
  }

  public async countByState(editionId: string): Promise<Record<'sending' | 'sent' | 'failed' | 'skipped', number>> {
    const counts = { sending: 0, sent: 0, failed: 0, skipped: 0 };
    for (const e of this.entries.values()) {
      if (e.editionId === editionId && e.state !== DeliveryState.PENDING) counts[e.state] += 1;
    }
    return counts;
  }

  public async pageByState(editionId: string, state: DeliveryState, options: { limit: number; cursor?: string }): Promise<{ subscriberIds: string[]; cursor?: string }> {
    const ids = [...this.entries.values()].filter((e) => e.editionId === editionId && e.state === state).map((e) => e.subscriberId).sort();
    const start = options.cursor ? Number(options.cursor) : 0;
    const next = start + options.limit;
    return { subscriberIds: ids.slice(start, next), ...(next < ids.length ? { cursor: String(next) } : {}) };
  }

  public async lastChange(editionId: string): Promise<number | undefined> {
    let last: number | undefined;
    for (const e of this.entries.values()) {
      if (e.editionId === editionId) last = Math.max(last ?? 0, Date.parse(e.updatedAt));
    }
    return last;
  }

  /** Forgets every entry (between benchmark rounds). */
  public clear(): void {
    this.entries.clear();
  }
}

export class MemorySubscribers implements SubscriberRepository {
  readonly items = new Map<string, Subscriber>();

  public async get(id: string): Promise<Subscriber | undefined> {
    const s = this.items.get(id);
    return s ? { ...s } : undefined;
  }

  public async getMany(ids: readonly string[]): Promise<Map<string, Subscriber>> {
    const found = new Map<string, Subscriber>();
    for (const id of ids) {
      const s = this.items.get(id);
      if (s) found.set(id, { ...s });
    }
    return found;
  }

  public async put(subscriber: Subscriber): Promise<void> {
    this.items.set(subscriber.id, { ...subscriber });
  }

  public async setStatus(id: string, status: SubscriberStatus, options: { unlessIn?: SubscriberStatus[] } = {}): Promise<boolean> {
    const s = this.items.get(id);
    if (!s || s.status === status || options.unlessIn?.includes(s.status)) return false;
    this.items.set(id, { ...s, status, updatedAt: new Date().toISOString() });
    return true;
  }

  public async update(id: string, mutate: (current: Subscriber | undefined) => Subscriber | undefined): Promise<Subscriber | undefined> {
    const current = await this.get(id);
    const next = mutate(current);
    if (next === undefined) return current;
    await this.put(next);
    return { ...next };
  }

  public async pageSegment(segment: Segment, options: { limit: number; cursor?: string }): Promise<SubscriberPage> {
    const all = [...this.items.values()].filter(
      (s) => s.status === 'confirmed' && (segment.kind === 'newsletter' ? s.newsletter === segment.newsletter : s.alerts === segment.cadence),
    );
    return this.#page(all, options);
  }

  public async pageAll(options: { limit: number; cursor?: string }): Promise<SubscriberPage> {
    return this.#page([...this.items.values()], options);
  }

  #page(all: Subscriber[], options: { limit: number; cursor?: string }): SubscriberPage {
    all.sort((a, b) => a.id.localeCompare(b.id));
    const start = options.cursor ? Number(options.cursor) : 0;
    const next = start + options.limit;
    return { subscribers: all.slice(start, next), ...(next < all.length ? { cursor: String(next) } : {}) };
  }
}

export class MemoryEditions implements EditionRepository {
  readonly records = new Map<string, EditionRecord>();
  readonly #watermarks = new Map<string, string>();

  public async createIfAbsent(record: EditionRecord): Promise<{ created: boolean; edition: EditionRecord }> {
    const existing = this.records.get(record.id);
    if (existing) return { created: false, edition: { ...existing } };
    this.records.set(record.id, { ...record });
    return { created: true, edition: { ...record } };
  }

  public async get(id: string): Promise<EditionRecord | undefined> {
    const r = this.records.get(id);
    return r ? { ...r } : undefined;
  }

  #must(id: string): EditionRecord {
    const r = this.records.get(id);
    if (!r) throw new Error(`edition ${id} not found`);
    return r;
  }

  public async update(id: string, fields: Partial<Omit<EditionRecord, 'id' | 'sent' | 'failed' | 'skipped' | 'total' | 'pages'>>): Promise<void> {
    Object.assign(this.#must(id), fields, { updatedAt: new Date().toISOString() });
  }

  public async advanceCursor(id: string, expectedPages: number, nextCursor: string | undefined, added: number): Promise<boolean> {
    const r = this.#must(id);
    if (r.pages !== expectedPages) return false;
    r.pages += 1;
    r.total += added;
    if (nextCursor === undefined) delete r.cursor;
    else r.cursor = nextCursor;
    return true;
  }

  public async addCounts(id: string, counts: { sent?: number; failed?: number; skipped?: number }): Promise<EditionRecord> {
    const r = this.#must(id);
    r.sent += counts.sent ?? 0;
    r.failed += counts.failed ?? 0;
    r.skipped += counts.skipped ?? 0;
    return { ...r };
  }

  public async setCounts(id: string, counts: { sent: number; failed: number; skipped: number }, expected: { sent: number; failed: number; skipped: number }): Promise<boolean> {
    const r = this.#must(id);
    if (r.sent !== expected.sent || r.failed !== expected.failed || r.skipped !== expected.skipped) return false;
    Object.assign(r, counts);
    return true;
  }

  public async transition(id: string, from: EditionState, to: EditionState): Promise<boolean> {
    const r = this.#must(id);
    if (r.state !== from) return false;
    r.state = to;
    return true;
  }

  public async getWatermark(job: JobName): Promise<string | undefined> {
    return this.#watermarks.get(job);
  }

  public async advanceWatermark(job: JobName, to: string): Promise<void> {
    const current = this.#watermarks.get(job);
    if (!current || current < to) this.#watermarks.set(job, to);
  }

  public async listRecent(job: JobName, limit: number): Promise<EditionRecord[]> {
    return [...this.records.values()].filter((r) => r.job === job).sort((a, b) => b.createdAt.localeCompare(a.createdAt)).slice(0, limit);
  }
}

export class MemoryArtefacts implements ArtefactStore {
  readonly editions = new Map<string, RenderedEdition>();

  public async putEdition(rendered: RenderedEdition): Promise<void> {
    this.editions.set(rendered.editionId, rendered);
  }

  public async getEdition(editionId: string): Promise<RenderedEdition | undefined> {
    return this.editions.get(editionId);
  }

  public readonly archive = new Map<string, { body: string; contentType: string }>();

  public async putArchiveFile(path: string, body: string, contentType: string): Promise<void> {
    this.archive.set(path, { body, contentType });
  }

  public async getArchiveFile(path: string): Promise<string | undefined> {
    return this.archive.get(path)?.body;
  }
}

export class MemoryQueue implements SendQueue {
  readonly tasks: SendTask[] = [];

  public async enqueue(tasks: readonly SendTask[]): Promise<void> {
    this.tasks.push(...tasks);
  }
}

/** Per-second budgets in this process (one worker: the shared store is not needed). */
export class MemoryRateWindows implements RateWindowStore {
  readonly #used = new Map<number, number>();

  public async take(epochSecond: number, wanted: number, max: number): Promise<number> {
    const used = this.#used.get(epochSecond) ?? 0;
    const got = Math.max(0, Math.min(wanted, max - used));
    this.#used.set(epochSecond, used + got);
    if (this.#used.size > 120) for (const s of this.#used.keys()) if (s < epochSecond - 60) this.#used.delete(s);
    return got;
  }
}
