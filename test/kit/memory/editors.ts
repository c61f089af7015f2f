/**
 * The editors' records in memory (audit log, send intents), as DynamoDbAuditLog and
 * DynamoDbIntentStore keep them (the truth: test/contract/editors.contract.ts runs the same
 * behaviour tests against both).
 */
import type { AuditLog, IntentStore } from '../../../functions/core/editors/ports.ts';
import type { AuditRecord, SendIntent } from '../../../functions/core/editors/types.ts';
import { ValidationError } from '../../../functions/core/errors.ts';
import { InMemoryAdapter, clone, type InMemoryOptions } from './adapter.ts';

const AUDIT_METHODS = ['record', 'list'] as const;

/**
 * The audit log in memory, newest first, paged like the DynamoDB adapter (opaque cursors).
 *
 * @example
 * ```ts
 * const audit = new InMemoryAuditLog();
 * await audit.record({ at, actor: 'ann', actorSub: 'u-1', action: 'edition.cancelled', edition: 'daily-2026-11-28' });
 * audit.records; // every record, in the order written
 * ```
 */
export class InMemoryAuditLog extends InMemoryAdapter<(typeof AUDIT_METHODS)[number]> implements AuditLog {
  /** Every record, in the order written. */
  public readonly records: AuditRecord[] = [];
  #n = 0;

  public constructor(options: InMemoryOptions = {}) {
    super(AUDIT_METHODS, options);
  }

  public async record(entry: Omit<AuditRecord, 'id'>): Promise<AuditRecord> {
    await this.enter('record', arguments);
    this.#n += 1;
    const record: AuditRecord = { id: `${entry.at}#${String(this.#n).padStart(12, '0')}`, ...clone(entry) };
    this.records.push(record);
    return clone(record);
  }

  public async list(options: { limit: number; cursor?: string; edition?: string }): Promise<{ records: AuditRecord[]; cursor?: string }> {
    await this.enter('list', arguments);
    const after = options.cursor === undefined ? undefined : Buffer.from(options.cursor, 'base64url').toString('utf8');
    if (options.cursor !== undefined && (!/^[A-Za-z0-9_-]+$/.test(options.cursor) || !after?.includes('#'))) throw new ValidationError('cursor: malformed');
    const limit = Math.min(Math.max(1, Math.floor(options.limit)), 200);
    const newest = this.records
      .filter((r) => options.edition === undefined || r.edition === options.edition)
      .sort((a, b) => b.id.localeCompare(a.id))
      .filter((r) => after === undefined || r.id < after);
    const page = newest.slice(0, limit).map(clone);
    const last = page.at(-1);
    return newest.length > limit && last ? { records: page, cursor: Buffer.from(last.id, 'utf8').toString('base64url') } : { records: page };
  }
}

const INTENT_METHODS = ['put', 'get', 'confirm', 'setOutcome'] as const;

/**
 * Send intents in memory; `confirm` succeeds once per intent, as the conditional update does.
 *
 * @example
 * ```ts
 * const intents = new InMemoryIntentStore();
 * await intents.put(intent);
 * await intents.confirm(intent.id, 'ann', at); // true, then false
 * ```
 */
export class InMemoryIntentStore extends InMemoryAdapter<(typeof INTENT_METHODS)[number]> implements IntentStore {
  /** Intents by id. */
  public readonly items = new Map<string, SendIntent>();

  public constructor(options: InMemoryOptions = {}) {
    super(INTENT_METHODS, options);
  }

  public async put(intent: SendIntent): Promise<void> {
    await this.enter('put', arguments);
    if (this.items.has(intent.id)) throw new Error(`intent ${intent.id} exists`);
    this.items.set(intent.id, clone(intent));
  }

  public async get(id: string): Promise<SendIntent | undefined> {
    await this.enter('get', arguments);
    const intent = this.items.get(id);
    return intent ? clone(intent) : undefined;
  }

  public async confirm(id: string, by: string, at: string): Promise<boolean> {
    await this.enter('confirm', arguments);
    const intent = this.items.get(id);
    if (!intent || intent.confirmedAt !== undefined) return false;
    this.items.set(id, { ...intent, confirmedAt: at, confirmedBy: by });
    return true;
  }

  public async setOutcome(id: string, outcome: string): Promise<void> {
    await this.enter('setOutcome', arguments);
    const intent = this.items.get(id);
    if (intent) this.items.set(id, { ...intent, outcome: outcome.slice(0, 500) });
  }
}
