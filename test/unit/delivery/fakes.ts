/**
 * In-memory fakes of the delivery ports (and of the editions and artefacts ports the
 * delivery use cases need), with the same conditional semantics as the DynamoDB adapters.
 */
import type { DailyQuota, DeliveryLedger, LedgerResult, MailSender, SendQueue, SendQuota, SendRateLimiter } from '../../../functions/core/delivery/ports.ts';
import { DeliveryState, type LedgerEntry, type OutgoingMessage, type SendEvent, type SendTask } from '../../../functions/core/delivery/types.ts';
import type { ArtefactStore } from '../../../functions/core/editions/ports.ts';
import type { EditionRecord, EditionRepository } from '../../../functions/core/editions/ports.ts';
import { EditionState, type JobName } from '../../../functions/core/editions/types.ts';
import type { Logger } from '../../../functions/core/logger.ts';
import { Token, type RenderedEdition } from '../../../functions/core/editions/types.ts';
import { QuotaExhaustedError } from '../../../functions/core/errors.ts';
import type { Subscriber } from '../../../functions/core/subscribers/types.ts';

const clone = <T>(value: T): T => structuredClone(value);
/** Lets other promises run, as a network round trip would. */
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

const keyOf = (t: SendTask): string => `${t.editionId}|${t.subscriberId}`;

export class InMemoryDeliveryLedger implements DeliveryLedger {
  public readonly entries = new Map<string, LedgerEntry>();
  public acquires = 0;

  public async acquire(task: SendTask, options: { leaseUntil: number; now: number; retryFailed?: boolean }): Promise<{ granted: boolean; entry: LedgerEntry | undefined }> {
    await tick();
    this.acquires += 1;
    const current = this.entries.get(keyOf(task));
    const takeable =
      !current ||
      current.state === DeliveryState.PENDING ||
      (current.state === DeliveryState.SENDING && (current.leaseUntil ?? 0) < options.now) ||
      (options.retryFailed === true && current.state === DeliveryState.FAILED);
    if (!takeable) return { granted: false, entry: clone(current) };
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
    return { granted: true, entry: clone(entry) };
  }

  public async extend(task: SendTask, leaseUntil: number, newLeaseUntil: number): Promise<boolean> {
    await tick();
    const current = this.entries.get(keyOf(task));
    if (current?.state !== DeliveryState.SENDING || current.leaseUntil !== leaseUntil) return false;
    current.leaseUntil = newLeaseUntil;
    return true;
  }

  public async complete(task: SendTask, leaseUntil: number, result: LedgerResult): Promise<boolean> {
    await tick();
    const current = this.entries.get(keyOf(task));
    if (current?.state !== DeliveryState.SENDING || current.leaseUntil !== leaseUntil) return false;
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
    await tick();
    const current = this.entries.get(keyOf(task));
    if (current?.state !== DeliveryState.SENDING || current.leaseUntil !== leaseUntil) return;
    const { leaseUntil: _lease, ...rest } = current;
    this.entries.set(keyOf(task), { ...rest, state: DeliveryState.PENDING, reason, updatedAt: new Date().toISOString() });
  }

  public async markUnknown(task: SendTask, leaseUntil: number, options: { until: number; reason: string }): Promise<boolean> {
    await tick();
    const current = this.entries.get(keyOf(task));
    if (current?.state !== DeliveryState.SENDING || current.leaseUntil !== leaseUntil) return false;
    this.entries.set(keyOf(task), { ...current, leaseUntil: options.until, reason: options.reason, updatedAt: new Date().toISOString() });
    return true;
  }

  public async recordSendEvent(task: SendTask, event: SendEvent): Promise<{ recorded: boolean; entry: LedgerEntry | undefined }> {
    await tick();
    const current = this.entries.get(keyOf(task));
    if (!current || current.sendEvent) return { recorded: false, entry: current ? clone(current) : undefined };
    const next = { ...current, sendEvent: { ...event } };
    this.entries.set(keyOf(task), next);
    return { recorded: true, entry: clone(next) };
  }

  public async get(task: SendTask): Promise<LedgerEntry | undefined> {
    const entry = this.entries.get(keyOf(task));
    return entry ? clone(entry) : undefined;
  }

  public async countByState(editionId: string): Promise<Record<'sending' | 'sent' | 'failed' | 'skipped', number>> {
    const counts = { sending: 0, sent: 0, failed: 0, skipped: 0 };
    for (const entry of this.entries.values()) {
      if (entry.editionId === editionId && entry.state !== DeliveryState.PENDING) counts[entry.state] += 1;
    }
    return counts;
  }

  public async pageByState(editionId: string, state: DeliveryState, options: { limit: number; cursor?: string }): Promise<{ subscriberIds: string[]; cursor?: string }> {
    const ids = [...this.entries.values()]
      .filter((e) => e.editionId === editionId && e.state === state)
      .map((e) => e.subscriberId)
      .sort()
      .filter((id) => options.cursor === undefined || id > options.cursor);
    const page = ids.slice(0, options.limit);
    const last = page.at(-1);
    return ids.length > options.limit && last !== undefined ? { subscriberIds: page, cursor: last } : { subscriberIds: page };
  }

  public async lastChange(editionId: string): Promise<number | undefined> {
    const times = [...this.entries.values()].filter((e) => e.editionId === editionId).map((e) => Date.parse(e.updatedAt));
    return times.length > 0 ? Math.max(...times) : undefined;
  }

  /** Puts an entry as it would be after some earlier history. */
  public seed(entry: Partial<LedgerEntry> & SendTask & { state: DeliveryState }): void {
    this.entries.set(keyOf(entry), { attempts: 1, updatedAt: new Date().toISOString(), ...entry });
  }

  public stateOf(task: SendTask): DeliveryState | undefined {
    return this.entries.get(keyOf(task))?.state;
  }
}

/** An edition record with defaults. */
export function makeEdition(overrides: Partial<EditionRecord> = {}): EditionRecord {
  const at = '2026-11-28T06:00:00.000Z';
  return {
    id: 'daily-2026-11-28',
    job: 'daily',
    state: EditionState.SENDING,
    scheduledAt: at,
    createdAt: at,
    updatedAt: at,
    subject: 'Digest',
    total: 0,
    pages: 0,
    fanoutDone: false,
    sent: 0,
    failed: 0,
    skipped: 0,
    ...overrides,
  };
}

export class InMemoryEditionRepository implements EditionRepository {
  public readonly items = new Map<string, EditionRecord>();
  public readonly watermarks = new Map<string, string>();
  /** Makes the next advanceCursor call throw (a crash between enqueue and cursor write). */
  public failNextAdvance = false;

  public constructor(editions: EditionRecord[] = []) {
    for (const e of editions) this.items.set(e.id, clone(e));
  }

  public async createIfAbsent(record: EditionRecord): Promise<{ created: boolean; edition: EditionRecord }> {
    const existing = this.items.get(record.id);
    if (existing) return { created: false, edition: clone(existing) };
    this.items.set(record.id, clone(record));
    return { created: true, edition: clone(record) };
  }

  public async get(id: string): Promise<EditionRecord | undefined> {
    const e = this.items.get(id);
    return e ? clone(e) : undefined;
  }

  public async update(id: string, fields: Partial<EditionRecord>): Promise<void> {
    const e = this.#must(id);
    const next: Record<string, unknown> = { ...e, updatedAt: new Date().toISOString() };
    for (const [k, v] of Object.entries(fields)) {
      if (v === undefined) delete next[k];
      else next[k] = v;
    }
    this.items.set(id, next as unknown as EditionRecord);
  }

  public async advanceCursor(id: string, expectedPages: number, nextCursor: string | undefined, added: number): Promise<boolean> {
    await tick();
    if (this.failNextAdvance) {
      this.failNextAdvance = false;
      throw new Error('crash before the cursor was written');
    }
    const e = this.#must(id);
    if (e.pages !== expectedPages) return false;
    const { cursor: _c, ...rest } = e;
    this.items.set(id, { ...rest, total: e.total + added, pages: expectedPages + 1, updatedAt: new Date().toISOString(), ...(nextCursor !== undefined ? { cursor: nextCursor } : {}) });
    return true;
  }

  public async addCounts(id: string, counts: { sent?: number; failed?: number; skipped?: number }): Promise<EditionRecord> {
    const e = this.#must(id);
    const next = { ...e, sent: e.sent + (counts.sent ?? 0), failed: e.failed + (counts.failed ?? 0), skipped: e.skipped + (counts.skipped ?? 0) };
    this.items.set(id, next);
    return clone(next);
  }

  public async setCounts(id: string, counts: { sent: number; failed: number; skipped: number }, expected: { sent: number; failed: number; skipped: number }): Promise<boolean> {
    const e = this.#must(id);
    if (e.sent !== expected.sent || e.failed !== expected.failed || e.skipped !== expected.skipped) return false;
    this.items.set(id, { ...e, ...counts, updatedAt: new Date().toISOString() });
    return true;
  }

  public async transition(id: string, from: EditionState, to: EditionState): Promise<boolean> {
    const e = this.items.get(id);
    if (e?.state !== from) return false;
    this.items.set(id, { ...e, state: to, updatedAt: new Date().toISOString() });
    return true;
  }

  public async getWatermark(job: JobName): Promise<string | undefined> {
    return this.watermarks.get(job);
  }

  public async advanceWatermark(job: JobName, to: string): Promise<void> {
    const current = this.watermarks.get(job);
    if (current === undefined || current < to) this.watermarks.set(job, to);
  }

  public async listRecent(job: JobName, limit: number): Promise<EditionRecord[]> {
    return [...this.items.values()]
      .filter((e) => e.job === job)
      .sort((a, b) => b.scheduledAt.localeCompare(a.scheduledAt))
      .slice(0, limit)
      .map(clone);
  }

  #must(id: string): EditionRecord {
    const e = this.items.get(id);
    if (!e) throw new Error(`no edition ${id}`);
    return e;
  }
}

export class RecordingSendQueue implements SendQueue {
  public readonly sent: Array<{ task: SendTask; delaySeconds?: number }> = [];
  /** Makes the next enqueue call throw. */
  public failNext = false;

  public async enqueue(tasks: readonly SendTask[], options: { delaySeconds?: number } = {}): Promise<void> {
    await tick();
    if (this.failNext) {
      this.failNext = false;
      throw new Error('SQS is down');
    }
    for (const task of tasks) this.sent.push({ task: clone(task), ...(options.delaySeconds !== undefined ? { delaySeconds: options.delaySeconds } : {}) });
  }

  public subscriberIds(): string[] {
    return this.sent.map((s) => s.task.subscriberId);
  }
}

/** What the fake provider answers to one send: a message id, or an error to throw. */
export type SendScript = (message: OutgoingMessage, call: number) => string | Error | Promise<string | Error>;

export class FakeMailSender implements MailSender {
  public readonly accepted: OutgoingMessage[] = [];
  public calls = 0;
  public quota: SendQuota = { maxSendRate: 14, max24HourSend: 50_000, sentLast24Hours: 0 };
  public quotaCalls = 0;
  #script: SendScript;

  public constructor(script: SendScript = (_m, call) => `ses-${call}`) {
    this.#script = script;
  }

  public script(script: SendScript): void {
    this.#script = script;
  }

  /** The deadline each send was given (epoch ms), in call order. */
  public readonly deadlines: Array<number | undefined> = [];

  public async send(message: OutgoingMessage, options: { deadline?: number } = {}): Promise<string> {
    this.calls += 1;
    this.deadlines.push(options.deadline);
    const outcome = await this.#script(message, this.calls);
    await tick();
    if (outcome instanceof Error) throw outcome;
    this.accepted.push(clone(message));
    return outcome;
  }

  public async getQuota(): Promise<SendQuota> {
    this.quotaCalls += 1;
    return { ...this.quota };
  }

  public recipients(): string[] {
    return this.accepted.map((m) => m.to);
  }
}

/** A rate limiter that never waits (pacing has its own tests). */
export class NoWaitRateLimiter implements SendRateLimiter {
  public acquired = 0;
  /** Runs before each grant: lets a test move the clock as if the worker waited. */
  public onAcquire: (() => void) | undefined;
  public async acquire(count: number): Promise<void> {
    this.acquired += count;
    this.onAcquire?.();
  }
}

/** A daily quota with a fixed number of sends left. */
export class FixedQuota implements DailyQuota {
  public left: number;
  public exhausted: string | undefined;
  public constructor(left = Number.POSITIVE_INFINITY) {
    this.left = left;
  }
  public async remaining(): Promise<number> {
    return this.exhausted ? 0 : Math.max(0, this.left);
  }
  public async ensureAvailable(): Promise<void> {
    if ((await this.remaining()) <= 0) throw new QuotaExhaustedError(this.exhausted ?? 'daily sending quota exhausted: test');
  }
  public recordSent(count = 1): void {
    this.left -= count;
  }
  public markExhausted(reason: string): void {
    this.exhausted = reason;
  }
}

export class InMemoryArtefactStore implements ArtefactStore {
  public readonly editions = new Map<string, RenderedEdition>();
  public reads = 0;

  public async putEdition(rendered: RenderedEdition): Promise<void> {
    this.editions.set(rendered.editionId, clone(rendered));
  }

  public async getEdition(editionId: string): Promise<RenderedEdition | undefined> {
    this.reads += 1;
    const e = this.editions.get(editionId);
    return e ? clone(e) : undefined;
  }

  public readonly archive = new Map<string, { body: string; contentType: string }>();

  public async putArchiveFile(path: string, body: string, contentType: string): Promise<void> {
    this.archive.set(path, { body, contentType });
  }

  public async getArchiveFile(path: string): Promise<string | undefined> {
    return this.archive.get(path)?.body;
  }
}

/** A rendered edition with every token in it. */
export function makeRendered(editionId: string): RenderedEdition {
  return {
    editionId,
    subject: 'Digest: news of the day',
    preheader: 'The news',
    html: '<p>Hello %%{name}%%</p><a href="%%{unsubscribe_url}%%">Unsubscribe</a><a href="%%{preferences_url}%%">Preferences</a><a href="%%{web_view_url}%%">Web</a>',
    text: 'Hello %%{name}%%\nUnsubscribe: %%{unsubscribe_url}%%\nPreferences: %%{preferences_url}%%\nWeb: %%{web_view_url}%%',
    language: 'en',
    tokens: [Token.NAME, Token.UNSUBSCRIBE_URL, Token.PREFERENCES_URL, Token.WEB_VIEW_URL],
    shown: 1,
    omitted: 0,
  };
}

/** A confirmed daily subscriber. */
export function makeSubscriber(n: number, overrides: Partial<Subscriber> = {}): Subscriber {
  const id = `s_${String(n).padStart(3, '0')}`;
  return {
    id,
    email: `reader${n}@example.org`,
    name: `Reader ${n}`,
    status: 'confirmed',
    newsletter: 'daily',
    alerts: 'none',
    keywords: [],
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
}

/** A logger that keeps what it was told, for assertions. */
export class MemoryLogger implements Logger {
  public readonly lines: Array<{ level: string; message: string; extra?: Record<string, unknown> }> = [];
  public debug(message: string, extra?: Record<string, unknown>): void {
    this.lines.push({ level: 'debug', message, ...(extra ? { extra } : {}) });
  }
  public info(message: string, extra?: Record<string, unknown>): void {
    this.lines.push({ level: 'info', message, ...(extra ? { extra } : {}) });
  }
  public warn(message: string, extra?: Record<string, unknown>): void {
    this.lines.push({ level: 'warn', message, ...(extra ? { extra } : {}) });
  }
  public error(message: string, extra?: Record<string, unknown>): void {
    this.lines.push({ level: 'error', message, ...(extra ? { extra } : {}) });
  }
}
