/**
 * The edition job: create the edition once, build and render it once, store the artefact and
 * publish it to the web archive (every write of a build happens here; the renderer only
 * returns strings), then fan the send tasks out. Every step can be run again: a schedule firing twice,
 * an editor and the schedule at once, or a crash and a retry all end in one edition.
 */
import type { ArticleStore } from '../articles/ports.ts';
import { ArchivePath } from '../links.ts';
import type { Logger } from '../logger.ts';
import { assembleEdition, storyCount } from './edition-builder.ts';
import type { ArtefactStore, EditionRecord, EditionRenderer, EditionRepository, FanOut, PickOverrideStore } from './ports.ts';
import { EditionState, JobName, type ArchiveEntry, type EditionContent, type PickOverride, type RenderedEdition } from './types.ts';
import { NotFoundError, ValidationError } from '../errors.ts';
import { editionIdFor } from './schedule.ts';

export { editionIdFor } from './schedule.ts';

export interface EditionServiceDeps {
  articles: ArticleStore;
  editions: EditionRepository;
  artefacts: ArtefactStore;
  renderer: EditionRenderer;
  fanOut: FanOut;
  logger: Logger;
  /** The editors' pick overrides (optional: without it editions keep the content's own order). */
  picks?: PickOverrideStore;
  defaultLanguage: string;
  /** An edition asked for more than this late is held for an editor. */
  maxDelayMs: number;
  /** Each job's time zone (its schedule's): the day or week an edition is named after. UTC when absent. */
  zones?: Partial<Record<JobName, string>>;
}

/** What a run of the job reports. */
export interface EditionRunResult {
  job: JobName;
  edition: string;
  state: EditionState;
  created: boolean;
  articles: number;
  editorsChoice: number;
  recipients: number;
  reason?: string;
}

const FIRST_LOOKBACK_MS: Record<JobName, number> = {
  daily: 24 * 3600_000,
  weekly: 7 * 24 * 3600_000,
  alerts: 3600_000,
};

const HTML = 'text/html; charset=utf-8';
const ATOM = 'application/atom+xml; charset=utf-8';

/** The archive lists published editions, this one first. */
function archiveEntries(content: EditionContent, rendered: RenderedEdition, recent: readonly EditionRecord[]): ArchiveEntry[] {
  return [
    { id: content.id, title: rendered.subject, publishedAt: content.to },
    ...recent
      .filter((e) => e.id !== content.id && (e.state === EditionState.SENDING || e.state === EditionState.SENT) && e.subject)
      .map((e) => ({ id: e.id, title: e.subject ?? e.id, publishedAt: e.to ?? e.createdAt })),
  ];
}

/**
 * A new edition's record: `building`, or `held` with a reason. `from`/`to` fix its period
 * ahead of the build (an editor's send-now fixes it at the dry run).
 *
 * @example
 * ```ts
 * await editions.createIfAbsent(newEditionRecord({ id: 'daily-2026-11-28', job: 'daily', scheduledAt: now, now }));
 * ```
 */
export function newEditionRecord(input: { id: string; job: JobName; scheduledAt: Date; now: Date; held?: string; from?: string; to?: string }): EditionRecord {
  const iso = input.now.toISOString();
  return {
    id: input.id,
    job: input.job,
    state: input.held ? EditionState.HELD : EditionState.BUILDING,
    scheduledAt: input.scheduledAt.toISOString(),
    createdAt: iso,
    updatedAt: iso,
    total: 0,
    pages: 0,
    fanoutDone: false,
    sent: 0,
    failed: 0,
    skipped: 0,
    ...(input.from ? { from: input.from } : {}),
    ...(input.to ? { to: input.to } : {}),
    ...(input.held ? { reason: input.held } : {}),
  };
}

/**
 * Runs a newsletter job (daily or weekly).
 *
 * @example
 * ```ts
 * const result = await service.run({ job: 'daily', scheduledAt: new Date(), now: new Date() });
 * ```
 */
export class EditionService {
  readonly #d: EditionServiceDeps;

  public constructor(deps: EditionServiceDeps) {
    this.#d = deps;
  }

  /**
   * `editionId` runs (or resumes) that edition instead of the period's (an editor's special
   * edition, or a resume); `from`/`to` fix the period of an edition it creates.
   */
  public async run(input: { job: JobName; scheduledAt: Date; now: Date; force?: boolean; editionId?: string; from?: string; to?: string }): Promise<EditionRunResult> {
    const { job, scheduledAt, now } = input;
    if (job !== JobName.DAILY && job !== JobName.WEEKLY) {
      throw new ValidationError(`job "${job}" is not a newsletter job (daily or weekly)`);
    }
    const id = input.editionId ?? editionIdFor(job, scheduledAt, this.#d.zones?.[job]);
    const late = now.getTime() - scheduledAt.getTime() > this.#d.maxDelayMs;
    const held = late && !input.force
      ? `scheduled at ${scheduledAt.toISOString()}, started ${Math.round((now.getTime() - scheduledAt.getTime()) / 60_000)} min late: waiting for an editor`
      : undefined;
    const { created, edition } = await this.#d.editions.createIfAbsent(
      newEditionRecord({ id, job, scheduledAt, now, ...(held ? { held } : {}), ...(input.from ? { from: input.from } : {}), ...(input.to ? { to: input.to } : {}) }),
    );
    let current = edition;
    if (current.state === EditionState.HELD && input.force) {
      await this.#d.editions.transition(id, EditionState.HELD, EditionState.BUILDING);
      current = { ...current, state: EditionState.BUILDING };
    }
    if (current.state === EditionState.BUILDING) current = await this.#build(current, now);
    if (current.state === EditionState.SENDING && !current.fanoutDone) {
      current = await this.#d.fanOut.fanOut(current);
    }
    this.#d.logger.info('edition run', { edition: id, created, state: current.state, total: current.total });
    return {
      job,
      edition: id,
      state: current.state,
      created,
      articles: current.articles ?? 0,
      editorsChoice: current.picks ?? 0,
      recipients: current.total,
      ...(current.reason ? { reason: current.reason } : {}),
    };
  }

  /**
   * Builds and renders what the next edition of a job would hold, without creating,
   * storing or sending anything (`digest render`, the editors' preview and dry run), with the
   * editors' pick override. `editionId` and `to` give the edition the id and period end it
   * will have when built, so that the build renders the same bytes.
   */
  public async preview(
    job: JobName,
    now: Date,
    options: { editionId?: string; to?: string } = {},
  ): Promise<{ content: EditionContent; rendered: RenderedEdition; page: string }> {
    const id = options.editionId ?? editionIdFor(job, now, this.#d.zones?.[job]);
    const to = options.to ?? new Date(Math.max(now.getTime(), Date.now()) + 1).toISOString();
    const from = (await this.#d.editions.getWatermark(job)) ?? new Date(now.getTime() - FIRST_LOOKBACK_MS[job]).toISOString();
    const items = [];
    for await (const item of this.#d.articles.listIngested(new Date(from), new Date(to))) items.push(item);
    const override = await this.#override(job, id);
    const content = assembleEdition({ id, job, from, to, language: this.#d.defaultLanguage }, items, override);
    if (storyCount(content) === 0) throw new NotFoundError(`nothing new for the ${job} edition since ${from}: no stories to render`);
    const [rendered, page] = await Promise.all([this.#d.renderer.render(content), this.#d.renderer.renderPage(content)]);
    return { content, rendered, page };
  }

  async #build(edition: EditionRecord, now: Date): Promise<EditionRecord> {
    const job = edition.job;
    // The period is fixed at the first build, so a retried build covers the same articles.
    const to = edition.to ?? now.toISOString();
    const watermark = await this.#d.editions.getWatermark(job);
    const from =
      edition.from ??
      watermark ??
      new Date(Math.min(new Date(edition.scheduledAt).getTime(), now.getTime()) - FIRST_LOOKBACK_MS[job]).toISOString();
    const items = [];
    for await (const item of this.#d.articles.listIngested(new Date(from), new Date(to))) items.push(item);
    const override = await this.#override(job, edition.id);
    const content = assembleEdition({ id: edition.id, job, from, to, language: this.#d.defaultLanguage }, items, override);
    // Every article of the period is in the edition, as a pick or in its section.
    const articles = items.filter((i) => i.type === 'article').length;

    if (storyCount(content) === 0) {
      await this.#d.editions.update(edition.id, { state: EditionState.CANCELLED, from, to, articles: 0, picks: 0, reason: 'nothing new since the last edition' });
      await this.#d.editions.advanceWatermark(job, to);
      return { ...edition, state: EditionState.CANCELLED, from, to, articles: 0, picks: 0, reason: 'nothing new since the last edition' };
    }

    // The recent editions are read while the edition renders, and the artefacts are written
    // at once: the sends wait for all of them (the edition is `sending` only after the last).
    const recent = this.#d.editions.listRecent(job, 50);
    recent.catch(() => undefined); // awaited below; not unhandled if a render fails first
    const rendered = await this.#d.renderer.render(content);
    const page = await this.#d.renderer.renderPage(content);
    const archive = this.#d.renderer.renderArchive(job, archiveEntries(content, rendered, await recent));
    await Promise.all([
      this.#d.artefacts.putEdition(rendered),
      this.#d.artefacts.putArchiveFile(ArchivePath.edition(edition.id), page, HTML),
      this.#d.artefacts.putArchiveFile(ArchivePath.index(job), archive.index, HTML),
      this.#d.artefacts.putArchiveFile(ArchivePath.feed(job), archive.feed, ATOM),
    ]);

    const fields = { state: EditionState.SENDING, from, to, subject: rendered.subject, articles, picks: content.picks.length, sendingAt: new Date().toISOString() } as const;
    await this.#d.editions.update(edition.id, fields);
    await this.#d.editions.advanceWatermark(job, to);
    // This edition used the override; the next one starts from its content's own order.
    if (override && !override.appliedTo) await this.#d.picks?.markApplied(job, edition.id, override.version);
    return { ...edition, ...fields };
  }

  /** The job's pick override, unless another edition was already built with it. */
  async #override(job: JobName, editionId: string): Promise<(PickOverride & { version: number; appliedTo?: string }) | undefined> {
    const record = await this.#d.picks?.get(job);
    return record && (record.appliedTo === undefined || record.appliedTo === editionId) ? record : undefined;
  }
}
