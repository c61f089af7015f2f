/**
 * Delivery recovery, run by the reconciler every few minutes. An edition stuck in `building`
 * (its edition function died mid-build) is started again once it has not changed for a
 * while; a `cancelled` edition's expired leases are re-queued (their worker died: the task
 * is then recorded as cancelled). For each recent edition still `sending` it:
 * 1. re-queues ledger entries whose `sending` lease expired (their worker died mid-send);
 * 2. resumes a fan-out that stopped before the end (the edition Lambda yielded or died, or
 *    the daily quota held it) once nobody has moved it for a while;
 * 3. recounts the edition from the ledger and, when the ledger says every recipient is
 *    final and nothing changed for a settling period, sets the counters to the ledger's
 *    (a worker that died between its ledger writes and its counter update leaves them
 *    short) and closes the edition.
 * Every step is idempotent, so two reconcilers at once, or a reconciler beside the workers,
 * do no harm.
 */
import type { EditionRecord, EditionRepository, EditionStarter } from '../editions/ports.ts';
import { EditionState, JobName } from '../editions/types.ts';
import type { Logger } from '../logger.ts';
import type { DeliveryAdmin } from './delivery-admin.ts';
import type { FanOutService } from './fan-out-service.ts';
import type { DailyQuota, DeliveryLedger } from './ports.ts';
import { isQuotaReason } from './quota-guard.ts';

export interface DeliveryRecoveryDeps {
  editions: EditionRepository;
  ledger: DeliveryLedger;
  admin: DeliveryAdmin;
  fanOut: FanOutService;
  logger: Logger;
  /** Clears a quota reason once the quota is back; optional. */
  quota?: DailyQuota;
  /** Jobs whose editions are looked at (default: every job). */
  jobs?: readonly JobName[];
  /** Editions per job looked at, newest first (default 10). */
  recentPerJob?: number;
  /** A fan-out whose edition did not change for this long is taken over (default 15 min, the edition Lambda's timeout). */
  staleFanOutMs?: number;
  /** Starts the `edition` function again for an edition stuck in `building` (optional: without it they are left alone). */
  starter?: EditionStarter;
  /** A `building` edition unchanged for this long is started again (default 15 min, the edition Lambda's timeout). */
  staleBuildMs?: number;
  /**
   * The ledger must have been still for this long before the counters are overwritten from
   * it: longer than a send invocation may run, so no worker is left with counts to add.
   */
  settleMs: number;
  now?: () => number;
}

/** What recovery did to one edition. */
export interface EditionRecovery {
  edition: string;
  /** Expired leases put back on the queue, and entries given up on (marked failed). */
  requeued: number;
  abandoned: number;
  /** The fan-out was resumed (and whether it reached the end). */
  resumed: boolean;
  fanoutDone: boolean;
  /** The counters were set from the ledger (they had drifted). */
  recounted: boolean;
  /** The edition moved to `sent`. */
  closed: boolean;
  /** It was stuck in `building` and its edition function was started again. */
  restarted?: boolean;
}

const DEFAULT_STALE_FANOUT_MS = 15 * 60_000;

/**
 * @example
 * ```ts
 * const recovery = new DeliveryRecovery({ editions, ledger, admin, fanOut, logger, settleMs: 120_000 });
 * const report = await recovery.run();
 * ```
 */
export class DeliveryRecovery {
  readonly #d: DeliveryRecoveryDeps;
  readonly #now: () => number;

  public constructor(deps: DeliveryRecoveryDeps) {
    this.#d = deps;
    this.#now = deps.now ?? Date.now;
  }

  /** Recovers every recent edition that is still `sending`. */
  public async run(): Promise<EditionRecovery[]> {
    const jobs = this.#d.jobs ?? Object.values(JobName);
    const report: EditionRecovery[] = [];
    for (const job of jobs) {
      const recent = await this.#d.editions.listRecent(job, this.#d.recentPerJob ?? 10);
      for (const listed of recent) {
        try {
          let result: EditionRecovery | undefined;
          if (listed.state === EditionState.SENDING) result = await this.recoverEdition(listed.id);
          else if (listed.state === EditionState.BUILDING) result = await this.#restartBuild(listed);
          else if (listed.state === EditionState.CANCELLED && listed.total > 0) result = await this.#settleCancelled(listed);
          if (result) report.push(result);
        } catch (error) {
          // One broken edition must not stop the others' recovery.
          this.#d.logger.error('edition recovery failed', { edition: listed.id, error: String(error) });
        }
      }
    }
    return report;
  }

  /** Recovers one edition; undefined when it is not `sending` (any more). */
  public async recoverEdition(id: string): Promise<EditionRecovery | undefined> {
    let edition = await this.#d.editions.get(id);
    if (edition?.state !== EditionState.SENDING) return undefined;
    const result: EditionRecovery = { edition: id, requeued: 0, abandoned: 0, resumed: false, fanoutDone: edition.fanoutDone, recounted: false, closed: false };

    const leases = await this.#d.admin.requeueExpiredLeases(id);
    result.requeued = leases.requeued;
    result.abandoned = leases.abandoned;

    // An alert flush hands its digests out itself; a later flush finishes one that died (alerts/alert-flush.ts).
    if (!edition.fanoutDone && edition.job !== JobName.ALERTS && this.#now() - Date.parse(edition.updatedAt) >= (this.#d.staleFanOutMs ?? DEFAULT_STALE_FANOUT_MS)) {
      this.#d.logger.info('resuming fan-out', { edition: id, pages: edition.pages, total: edition.total });
      edition = await this.#d.fanOut.fanOut(edition);
      result.resumed = true;
      result.fanoutDone = edition.fanoutDone;
    }

    const current = await this.#d.editions.get(id);
    if (current?.state !== EditionState.SENDING) return { ...result, closed: current?.state === EditionState.SENT };
    if (isQuotaReason(current.reason) && this.#d.quota && current.fanoutDone && (await this.#d.quota.remaining()) > 0) {
      await this.#d.editions.update(id, { reason: undefined });
    }
    await this.#reconcileCounts(current, result);
    if (result.requeued + result.abandoned > 0 || result.resumed || result.recounted || result.closed) {
      this.#d.logger.info('edition recovered', { ...result });
    }
    return result;
  }

  /** Starts the edition function again for an edition whose build has not moved for a while. */
  async #restartBuild(edition: EditionRecord): Promise<EditionRecovery | undefined> {
    const starter = this.#d.starter;
    if (!starter || this.#now() - Date.parse(edition.updatedAt) < (this.#d.staleBuildMs ?? DEFAULT_STALE_FANOUT_MS)) return undefined;
    // Stamped first (updatedAt moves), so the next sweeps wait a whole period before trying again.
    await this.#d.editions.update(edition.id, { reason: `build restarted by the reconciler at ${new Date(this.#now()).toISOString()}` });
    await starter.start({ job: edition.job, editionId: edition.id, scheduledAt: edition.scheduledAt });
    this.#d.logger.warn('edition stuck in building: started again', { edition: edition.id, since: edition.updatedAt });
    return { edition: edition.id, requeued: 0, abandoned: 0, resumed: false, fanoutDone: edition.fanoutDone, recounted: false, closed: false, restarted: true };
  }

  /** Re-queues a cancelled edition's expired leases, so that every recipient ends sent, failed, skipped or cancelled. */
  async #settleCancelled(edition: EditionRecord): Promise<EditionRecovery | undefined> {
    const leases = await this.#d.admin.requeueExpiredLeases(edition.id);
    if (leases.requeued + leases.abandoned === 0) return undefined;
    this.#d.logger.info('cancelled edition: expired leases re-queued', { edition: edition.id, ...leases });
    return { edition: edition.id, ...leases, resumed: false, fanoutDone: edition.fanoutDone, recounted: false, closed: false };
  }

  async #reconcileCounts(edition: EditionRecord, result: EditionRecovery): Promise<void> {
    if (!edition.fanoutDone) return;
    const counts = await this.#d.ledger.countByState(edition.id);
    const final = counts.sent + counts.failed + counts.skipped;
    // Not every recipient is final yet: the workers (or a re-queued lease) will get there.
    if (counts.sending > 0 || final < edition.total) return;
    const drifted = counts.sent !== edition.sent || counts.failed !== edition.failed || counts.skipped !== edition.skipped;
    if (drifted) {
      const last = await this.#d.ledger.lastChange(edition.id);
      if (last !== undefined && this.#now() - last < this.#d.settleMs) return; // a worker may still add its counts
      const expected = { sent: edition.sent, failed: edition.failed, skipped: edition.skipped };
      const next = { sent: counts.sent, failed: counts.failed, skipped: counts.skipped };
      if (!(await this.#d.editions.setCounts(edition.id, next, expected))) return; // moved under us: next run
      result.recounted = true;
      this.#d.logger.warn('edition counters drifted from the ledger: set from it', { edition: edition.id, before: expected, after: next });
    }
    result.closed = await this.#d.editions.transition(edition.id, EditionState.SENDING, EditionState.SENT);
  }
}
