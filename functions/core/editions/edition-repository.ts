/**
 * Port: where editions and per-job watermarks are kept.
 * Adapter: functions/adapters/dynamodb-edition-repository.ts.
 */
import type { EditionState, JobName } from './types.ts';

/** An edition's record: its state, period, artefact summary, fan-out cursor and counts. */
export interface EditionRecord {
  id: string;
  job: JobName;
  state: EditionState;
  /** When the schedule (or an editor) asked for it (ISO-8601). */
  scheduledAt: string;
  createdAt: string;
  updatedAt: string;
  /** Ingest-time period the edition covers (ISO-8601), fixed at the first build. */
  from?: string;
  to?: string;
  subject?: string;
  articles?: number;
  picks?: number;
  /** Recipients enqueued so far, and the segment cursor after the last enqueued page. */
  total: number;
  cursor?: string;
  /** Pages enqueued so far: the fan-out's sequence number. */
  pages: number;
  fanoutDone: boolean;
  /** Why it is held or cancelled. */
  reason?: string;
  /** Counters kept by the send workers (exact: bumped only on ledger transitions). */
  sent: number;
  failed: number;
  skipped: number;
}

export interface EditionRepository {
  /** Creates the record unless one with this id exists; returns the stored record and whether it was new. */
  createIfAbsent(record: EditionRecord): Promise<{ created: boolean; edition: EditionRecord }>;
  get(id: string): Promise<EditionRecord | undefined>;
  /** Sets fields (not counters). */
  update(id: string, fields: Partial<Omit<EditionRecord, 'id' | 'sent' | 'failed' | 'skipped' | 'total' | 'pages'>>): Promise<void>;
  /**
   * Records one enqueued page: adds `added` to total, moves the cursor and counts the page,
   * only if `expectedPages` pages were recorded so far (so two fan-outs of the same edition
   * cannot both count a page). Returns false when another fan-out moved it first.
   */
  advanceCursor(id: string, expectedPages: number, nextCursor: string | undefined, added: number): Promise<boolean>;
  /** Adds to the delivery counters and returns the record after the change. */
  addCounts(id: string, counts: { sent?: number; failed?: number; skipped?: number }): Promise<EditionRecord>;
  /**
   * Sets the delivery counters (the reconciler, from the ledger), only if they still hold
   * `expected`, so that a concurrent `addCounts` is never overwritten. Returns whether it did.
   */
  setCounts(id: string, counts: { sent: number; failed: number; skipped: number }, expected: { sent: number; failed: number; skipped: number }): Promise<boolean>;
  /** Moves the state only if it is currently `from`. */
  transition(id: string, from: EditionState, to: EditionState): Promise<boolean>;
  getWatermark(job: JobName): Promise<string | undefined>;
  /** Moves the job's watermark forward (never back). */
  advanceWatermark(job: JobName, to: string): Promise<void>;
  /** Most recent editions of a job, newest first. */
  listRecent(job: JobName, limit: number): Promise<EditionRecord[]>;
}
