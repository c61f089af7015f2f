/**
 * What an editor can do to an edition once it exists: cancel it, resend to its failed
 * recipients only, and resume one stuck in `building` or `sending`. Every action is audited.
 *
 * Cancel (docs/delivery.md#cancel): the state moves `sending` (or `held`) → `cancelled` with
 * a conditional write; the answer waits until every send worker's in-memory view of the state
 * is younger than the write (`stateCheckMs`) plus a margin for a send between its check and
 * SES. So once the cancel is acknowledged no message of the edition reaches SES; sends
 * already on their way finish, and every other recipient ends `cancelled` in the ledger.
 */
import type { DeliveryAdmin } from '../delivery/delivery-admin.ts';
import type { EditionRecord, EditionRepository, EditionStarter } from '../editions/ports.ts';
import { EditionState } from '../editions/types.ts';
import { ConflictError, NotFoundError } from '../errors.ts';
import type { AuditLog } from './ports.ts';
import { AuditAction, type EditorIdentity } from './types.ts';

export interface EditionControlDeps {
  editions: EditionRepository;
  admin: DeliveryAdmin;
  audit: AuditLog;
  starter: EditionStarter;
  /** The send workers' state period (SEND_STATE_CHECK_MS). */
  stateCheckMs: number;
  /** What a cancel waits beyond the period (CANCEL_MARGIN_MS). */
  cancelMarginMs: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** What a cancel answers: from `acknowledgedAt` on, no message of the edition reaches SES. */
export interface CancelResult {
  edition: string;
  state: typeof EditionState.CANCELLED;
  /** The cancel was made by an earlier call (this one waited all the same). */
  already: boolean;
  cancelledAt: string;
  acknowledgedAt: string;
}

/**
 * @example
 * ```ts
 * const control = new EditionControl({ editions, admin, audit, starter, stateCheckMs: 1000, cancelMarginMs: 2000 });
 * const { acknowledgedAt } = await control.cancel('daily-2026-11-28', editor);
 * ```
 */
export class EditionControl {
  readonly #d: EditionControlDeps;
  readonly #now: () => number;
  readonly #sleep: (ms: number) => Promise<void>;

  public constructor(deps: EditionControlDeps) {
    this.#d = deps;
    this.#now = deps.now ?? Date.now;
    this.#sleep = deps.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  /**
   * Cancels a sending (or held) edition and answers once no message of it can reach SES.
   *
   * @throws NotFoundError; ConflictError for an edition that is being built, sent already, or held by nobody.
   */
  public async cancel(id: string, editor: EditorIdentity): Promise<CancelResult> {
    const edition = await this.#edition(id);
    let already = edition.state === EditionState.CANCELLED;
    if (!already) {
      if (edition.state !== EditionState.SENDING && edition.state !== EditionState.HELD) {
        throw new ConflictError(
          edition.state === EditionState.BUILDING ? `edition ${id} is being built: cancel it once it is sending` : `edition ${id} was sent already: nothing to cancel`,
        );
      }
      if (!(await this.#d.editions.transition(id, edition.state, EditionState.CANCELLED))) {
        const now = await this.#edition(id);
        if (now.state !== EditionState.CANCELLED) throw new ConflictError(`edition ${id} became ${now.state} meanwhile: nothing was cancelled`);
        already = true;
      }
    }
    const cancelledAt = new Date(this.#now()).toISOString();
    // Every worker's view of the state is now at most stateCheckMs old, and a send that saw
    // `sending` has at most the margin left before it reaches SES.
    await this.#sleep(this.#d.stateCheckMs + this.#d.cancelMarginMs);
    const acknowledgedAt = new Date(this.#now()).toISOString();
    if (!already) {
      await this.#d.editions.update(id, { reason: `cancelled by ${editor.username} at ${cancelledAt}` });
      await this.#audit(editor, AuditAction.CANCELLED, edition, { recipients: edition.total, sent: edition.sent }, `acknowledged at ${acknowledgedAt}`);
    }
    return { edition: id, state: EditionState.CANCELLED, already, cancelledAt, acknowledgedAt };
  }

  /**
   * Re-queues the failed recipients only; the edition goes back to `sending`.
   *
   * @throws NotFoundError; ConflictError for an edition that is not sending or sent.
   */
  public async resendFailed(id: string, editor: EditorIdentity): Promise<{ edition: string; requeued: number }> {
    const edition = await this.#edition(id);
    if (edition.state !== EditionState.SENT && edition.state !== EditionState.SENDING) {
      throw new ConflictError(`edition ${id} is ${edition.state}: only a sending or sent edition's failures can be resent`);
    }
    const requeued = await this.#d.admin.resendFailed(id);
    await this.#audit(editor, AuditAction.RESENT_FAILED, edition, { requeued });
    return { edition: id, requeued };
  }

  /**
   * Resumes an edition stuck in `building` (its build is started again) or `sending` (expired
   * leases are re-queued, and an unfinished fan-out is started again).
   *
   * @throws NotFoundError; ConflictError for an edition in another state.
   */
  public async resume(id: string, editor: EditorIdentity): Promise<{ edition: string; state: EditionState; requeued: number; restarted: boolean }> {
    const edition = await this.#edition(id);
    if (edition.state !== EditionState.BUILDING && edition.state !== EditionState.SENDING) {
      throw new ConflictError(
        edition.state === EditionState.HELD ? `edition ${id} is held: send it with send now (dry run, then confirm)` : `edition ${id} is ${edition.state}: nothing to resume`,
      );
    }
    const { requeued, abandoned } = edition.state === EditionState.SENDING ? await this.#d.admin.requeueExpiredLeases(id) : { requeued: 0, abandoned: 0 };
    const restart = edition.state === EditionState.BUILDING || !edition.fanoutDone;
    if (restart) await this.#d.starter.start({ job: edition.job, editionId: id, scheduledAt: edition.scheduledAt });
    await this.#audit(editor, AuditAction.RESUMED, edition, { requeued, abandoned }, restart ? `edition function started again (${edition.state})` : 'expired leases re-queued');
    return { edition: id, state: edition.state, requeued, restarted: restart };
  }

  async #edition(id: string): Promise<EditionRecord> {
    const edition = await this.#d.editions.get(id);
    if (!edition) throw new NotFoundError(`no edition "${id}"`);
    return edition;
  }

  async #audit(editor: EditorIdentity, action: (typeof AuditAction)[keyof typeof AuditAction], edition: EditionRecord, counts: Record<string, number>, detail?: string): Promise<void> {
    await this.#d.audit.record({
      at: new Date(this.#now()).toISOString(),
      actor: editor.username,
      actorSub: editor.sub,
      action,
      job: edition.job,
      edition: edition.id,
      counts,
      ...(detail ? { detail } : {}),
    });
  }
}
