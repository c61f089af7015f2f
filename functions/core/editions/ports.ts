/**
 * Ports of the editions module: where editions and their artefacts are kept, the renderer
 * that turns an edition's content into strings, and the fan-out that hands its recipients to
 * delivery. Adapters: functions/adapters/dynamodb-edition-repository.ts,
 * functions/adapters/s3-artefact-store.ts; the renderer is the rendering module's
 * MjmlEditionRenderer and the fan-out the delivery module's FanOutService. The editions
 * module imports neither: they depend on it, never the other way round.
 */
import type { ArchiveEntry, EditionContent, EditionState, JobName, PickOverride, PickOverrideRecord, RenderedEdition } from './types.ts';

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
  /** Recipients not sent because the edition was cancelled (absent on records made before cancel existed). */
  cancelled?: number;
  /** When the edition was built and started sending (ISO-8601): the start of its send rate. */
  sendingAt?: string;
}

export interface EditionRepository {
  /** Creates the record unless one with this id exists; returns the stored record and whether it was new. */
  createIfAbsent(record: EditionRecord): Promise<{ created: boolean; edition: EditionRecord }>;
  get(id: string): Promise<EditionRecord | undefined>;
  /** Sets fields (not counters). */
  update(id: string, fields: Partial<Omit<EditionRecord, 'id' | 'sent' | 'failed' | 'skipped' | 'cancelled' | 'total' | 'pages'>>): Promise<void>;
  /**
   * Records one enqueued page: adds `added` to total, moves the cursor and counts the page,
   * only if `expectedPages` pages were recorded so far (so two fan-outs of the same edition
   * cannot both count a page). Returns false when another fan-out moved it first.
   */
  advanceCursor(id: string, expectedPages: number, nextCursor: string | undefined, added: number): Promise<boolean>;
  /** Adds to the delivery counters and returns the record after the change. */
  addCounts(id: string, counts: { sent?: number; failed?: number; skipped?: number; cancelled?: number }): Promise<EditionRecord>;
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

/**
 * The editors' pick overrides, one per job, for its next edition (EditionsTable, beside the
 * editions). Every change is conditional on the version it was made from, so two editors
 * never overwrite each other unseen.
 */
export interface PickOverrideStore {
  get(job: JobName): Promise<PickOverrideRecord | undefined>;
  /**
   * Replaces the job's override if its version is still `expectedVersion` (0: there is none
   * yet); the new record has the next version and no `appliedTo`. Returns undefined when
   * someone else changed it first.
   */
  put(job: JobName, override: PickOverride & { updatedBy: string }, expectedVersion: number): Promise<PickOverrideRecord | undefined>;
  /** Records that `editionId` was built with version `version` (no-op when it changed since). */
  markApplied(job: JobName, editionId: string, version: number): Promise<void>;
}

/** Where rendered editions and the public web archive are kept (S3). */
export interface ArtefactStore {
  /** Stores `editions/<id>/email.html`, `email.txt` and `meta.json`. */
  putEdition(rendered: RenderedEdition): Promise<void>;
  getEdition(editionId: string): Promise<RenderedEdition | undefined>;
  /** Writes a public archive file (`archive/<path>`). */
  putArchiveFile(path: string, body: string, contentType: string): Promise<void>;
  /** Reads a public archive file, or undefined when there is none. */
  getArchiveFile(path: string): Promise<string | undefined>;
}

/** The public archive files of one job, rendered together. */
export interface RenderedArchive {
  /** The job's index page (HTML). */
  index: string;
  /** The job's Atom feed (XML). */
  feed: string;
}

/**
 * Turns an edition into strings: the email (once, with tokens), its public web page, and the
 * job's archive index and feed. Pure: it writes nothing (the edition service stores what it
 * returns).
 */
export interface EditionRenderer {
  /** The email, rendered once, tokens left in. */
  render(content: EditionContent): Promise<RenderedEdition>;
  /** The public web page of an edition (no personal data, no tokens). */
  renderPage(content: EditionContent): Promise<string>;
  /** The job's archive index and feed listing `entries` (newest first). */
  renderArchive(job: JobName, entries: readonly ArchiveEntry[]): RenderedArchive;
}

/** What an edition run started elsewhere is asked to do (the `edition` function's event). */
export interface EditionStartRequest {
  job: JobName;
  /** The edition to create or resume. */
  editionId: string;
  /** When it was asked for (ISO-8601). */
  scheduledAt: string;
  /** The period of an edition the run creates, fixed beforehand (an editor's dry run). */
  from?: string;
  to?: string;
}

/**
 * Starts an edition's run (build, render, fan-out) elsewhere and returns at once: the
 * `edition` function, invoked asynchronously, so that an API request or the reconciler never
 * waits for a long fan-out.
 */
export interface EditionStarter {
  start(request: EditionStartRequest): Promise<void>;
}

/** Hands an edition's recipients to delivery, page by page, resumably. */
export interface FanOut {
  /**
   * Enqueues the edition's send tasks from its cursor on; returns the record after the last
   * page it enqueued (`fanoutDone` once every page is in, or unchanged while it holds).
   */
  fanOut(edition: EditionRecord): Promise<EditionRecord>;
}
