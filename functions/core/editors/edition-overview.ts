/**
 * What the console and `digest edition status` show of editions: the recent editions of
 * each job with their state, counts by ledger state, send rate and ETA while sending, and a
 * `stalled` flag when nothing has moved for a while. Reads only.
 */
import type { DeliveryLedger } from '../delivery/ports.ts';
import { DeliveryState } from '../delivery/types.ts';
import type { EditionRecord, EditionRepository } from '../editions/ports.ts';
import { EditionState, JobName } from '../editions/types.ts';
import { NotFoundError } from '../errors.ts';
import type { EditionSummary, LedgerCounts } from './types.ts';

/** Nothing moved for this long while building or sending: the edition is stalled. */
export const STALLED_AFTER_MS = 10 * 60_000;

export interface EditionOverviewDeps {
  editions: EditionRepository;
  ledger: DeliveryLedger;
  /** Jobs listed (default: daily and weekly). */
  jobs?: readonly JobName[];
  /** The review warnings of a sending or sent edition (edition analytics: bounce and complaint rates). */
  warnings?: (editionId: string) => Promise<string[]>;
  now?: () => number;
}

/** Editions whose ledger may still move: their counts are read from the ledger, the others' from their counters. */
function live(edition: EditionRecord, now: number): boolean {
  return (
    edition.state === EditionState.SENDING ||
    edition.state === EditionState.BUILDING ||
    (edition.state === EditionState.CANCELLED && edition.total > 0 && now - Date.parse(edition.updatedAt) < 3600_000)
  );
}

/**
 * @example
 * ```ts
 * const overview = new EditionOverview({ editions, ledger });
 * const [latest] = await overview.list({ perJob: 10 });
 * latest?.stalled; // false
 * ```
 */
export class EditionOverview {
  readonly #d: EditionOverviewDeps;
  readonly #now: () => number;

  public constructor(deps: EditionOverviewDeps) {
    this.#d = deps;
    this.#now = deps.now ?? Date.now;
  }

  /** The recent editions of every job, newest first. */
  public async list(options: { perJob?: number } = {}): Promise<EditionSummary[]> {
    const jobs = this.#d.jobs ?? [JobName.DAILY, JobName.WEEKLY];
    const perJob = Math.min(Math.max(options.perJob ?? 10, 1), 50);
    const lists = await Promise.all(jobs.map((job) => this.#d.editions.listRecent(job, perJob)));
    const summaries = await Promise.all(lists.flat().map((e) => this.summarise(e)));
    return summaries.sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id));
  }

  /** One edition. @throws NotFoundError */
  public async get(id: string): Promise<EditionSummary> {
    const edition = await this.#d.editions.get(id);
    if (!edition) throw new NotFoundError(`no edition "${id}"`);
    return this.summarise(edition, { ledger: true });
  }

  /** An edition record as the console shows it; `ledger` reads its counts from the ledger whatever its state. */
  public async summarise(edition: EditionRecord, options: { ledger?: boolean } = {}): Promise<EditionSummary> {
    const now = this.#now();
    const fromLedger = options.ledger === true || live(edition, now);
    const counts = fromLedger ? await this.#ledgerCounts(edition) : this.#counterCounts(edition);
    const summary: EditionSummary = {
      id: edition.id,
      job: edition.job,
      state: edition.state,
      ...(edition.subject ? { subject: edition.subject } : {}),
      ...(edition.reason ? { reason: edition.reason } : {}),
      total: edition.total,
      fanoutDone: edition.fanoutDone,
      counts,
      countsFrom: fromLedger ? 'ledger' : 'counters',
      createdAt: edition.createdAt,
      updatedAt: edition.updatedAt,
      ...(edition.sendingAt ? { sendingAt: edition.sendingAt } : {}),
      stalled: false,
    };
    if (this.#d.warnings && (edition.state === EditionState.SENDING || edition.state === EditionState.SENT)) {
      const warnings = await this.#d.warnings(edition.id);
      if (warnings.length > 0) summary.warnings = warnings;
    }
    if (edition.state !== EditionState.SENDING && edition.state !== EditionState.BUILDING) return summary;
    const lastChange = edition.state === EditionState.SENDING ? await this.#d.ledger.lastChange(edition.id) : undefined;
    const lastMove = Math.max(Date.parse(edition.updatedAt), lastChange ?? 0);
    summary.lastMoveAt = new Date(lastMove).toISOString();
    summary.stalled = now - lastMove >= STALLED_AFTER_MS;
    if (edition.state === EditionState.SENDING) {
      const done = counts.sent + counts.failed + counts.skipped + counts.cancelled;
      const since = Date.parse(edition.sendingAt ?? edition.createdAt);
      const seconds = (now - since) / 1000;
      if (seconds > 0 && done > 0) {
        summary.rate = Math.round((done / seconds) * 100) / 100;
        summary.etaSeconds = Math.max(0, Math.ceil((edition.total - done) / (done / seconds)));
      }
    }
    return summary;
  }

  async #ledgerCounts(edition: EditionRecord): Promise<LedgerCounts> {
    const counts = await this.#d.ledger.countByState(edition.id);
    const entries = counts.sending + counts.sent + counts.failed + counts.skipped + counts.cancelled;
    return { [DeliveryState.PENDING]: Math.max(0, edition.total - entries), ...counts };
  }

  #counterCounts(edition: EditionRecord): LedgerCounts {
    const cancelled = edition.cancelled ?? 0;
    const done = edition.sent + edition.failed + edition.skipped + cancelled;
    return {
      [DeliveryState.PENDING]: Math.max(0, edition.total - done),
      [DeliveryState.SENDING]: 0,
      [DeliveryState.SENT]: edition.sent,
      [DeliveryState.FAILED]: edition.failed,
      [DeliveryState.SKIPPED]: edition.skipped,
      [DeliveryState.CANCELLED]: cancelled,
    };
  }
}
