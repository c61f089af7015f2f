/**
 * The editors' pick override of a job's next edition: pin, unpin and reorder editor's-choice
 * items. The override is kept beside the editions (never in the content bucket) and applied
 * when the next edition is assembled (edition-builder.ts); every change quotes the version it
 * was made from, so two editors never overwrite each other unseen. Audited.
 */
import type { PickOverrideStore } from '../editions/ports.ts';
import { JobName, type PickOverrideRecord } from '../editions/types.ts';
import { ConflictError, ValidationError } from '../errors.ts';
import type { InputFields } from '../subscribers/input.ts';
import type { AuditLog } from './ports.ts';
import { AuditAction, type EditorIdentity } from './types.ts';

/** Stories in one list of an override, at most. */
const MAX_IDS = 100;
/** An id is an article's URL or a slug: 2,048 characters at most, as the content limits allow. */
const MAX_ID_LENGTH = 2048;

/** A change of the override: the whole new override, and the version it was made from. */
export interface PicksChange {
  pinned: string[];
  unpinned: string[];
  version: number;
}

function ids(fields: InputFields, name: string): string[] {
  const value = fields[name];
  const list = value === undefined ? [] : typeof value === 'string' ? (value === '' ? [] : [value]) : [...value];
  if (list.length > MAX_IDS) throw new ValidationError(`${name}: at most ${MAX_IDS} stories`);
  for (const id of list) {
    if (id.length === 0 || id.length > MAX_ID_LENGTH || /[\u0000-\u001f\u007f]/.test(id)) throw new ValidationError(`${name}: not a story id`);
  }
  return [...new Set(list)];
}

/**
 * Reads a change of the picks from a request body: `pinned` and `unpinned` (lists of story
 * ids, the pinned ones in order) and `version` (the version it was made from; "0" for none).
 *
 * @throws ValidationError naming the field.
 * @example
 * ```ts
 * parsePicksChange({ pinned: ['https://example.org/a'], unpinned: [], version: '3' }); // { pinned: [...], unpinned: [], version: 3 }
 * ```
 */
export function parsePicksChange(fields: InputFields): PicksChange {
  const unknown = Object.keys(fields).find((k) => !['pinned', 'unpinned', 'version'].includes(k));
  if (unknown !== undefined) throw new ValidationError(`${unknown.replace(/[^\w.-]/g, '?').slice(0, 40)}: unknown field`);
  const version = fields.version;
  if (typeof version !== 'string' || !/^\d{1,9}$/.test(version)) throw new ValidationError('version: the version the change was made from is required ("0" when there is none)');
  return { pinned: ids(fields, 'pinned'), unpinned: ids(fields, 'unpinned'), version: Number(version) };
}

/**
 * @example
 * ```ts
 * const editor = new PicksEditor({ picks, audit });
 * await editor.change('daily', { pinned: ['a'], unpinned: [], version: 0 }, identity);
 * ```
 */
export class PicksEditor {
  readonly #d: { picks: PickOverrideStore; audit: AuditLog; now?: () => number };

  public constructor(deps: { picks: PickOverrideStore; audit: AuditLog; now?: () => number }) {
    this.#d = deps;
  }

  /**
   * Replaces the job's override.
   *
   * @throws ValidationError for a job that is not a newsletter; ConflictError when the
   *   override changed since `version` (reload and try again).
   */
  public async change(job: string, change: PicksChange, editor: EditorIdentity): Promise<PickOverrideRecord> {
    if (job !== JobName.DAILY && job !== JobName.WEEKLY) throw new ValidationError(`job: "${job}" is not a newsletter (daily or weekly)`);
    const record = await this.#d.picks.put(job, { pinned: change.pinned, unpinned: change.unpinned, updatedBy: editor.username }, change.version);
    if (!record) throw new ConflictError(`the ${job} picks were changed by someone else since version ${change.version}: reload them and try again`);
    await this.#d.audit.record({
      at: new Date((this.#d.now ?? Date.now)()).toISOString(),
      actor: editor.username,
      actorSub: editor.sub,
      action: AuditAction.PICKS_CHANGED,
      job,
      counts: { pinned: record.pinned.length, unpinned: record.unpinned.length, version: record.version },
    });
    return record;
  }
}
