/**
 * The MJML implementation of the edition service's renderer: renders the email once, and
 * publishes the edition's public web page, the archive index and the Atom feed.
 * Only the edition job loads this module (and so MJML); the send worker never does.
 */
import type { ArtefactStore } from '../editions/artefact-store.ts';
import type { EditionRenderer } from '../editions/edition-service.ts';
import type { EditionRecord } from '../editions/edition-repository.ts';
import { EditionState, type EditionContent } from '../editions/types.ts';
import { renderEdition } from './email-renderer.ts';
import type { Branding, RenderedEdition } from './types.ts';
import { renderArchiveIndex, renderEditionPage, renderFeed } from './web-archive.ts';

export interface MjmlEditionRendererOptions {
  branding: Branding;
  /** Public base URL of the archive (`…/archive`). */
  archiveBaseUrl: string;
  subjectPattern?: string;
  artefacts: ArtefactStore;
}

/** Where an edition's public page lives under the archive. */
export function editionPagePath(editionId: string): string {
  return `editions/${editionId}.html`;
}

/**
 * @example
 * ```ts
 * const renderer = new MjmlEditionRenderer({ branding, archiveBaseUrl, artefacts });
 * const rendered = await renderer.render(content);
 * ```
 */
export class MjmlEditionRenderer implements EditionRenderer {
  readonly #o: MjmlEditionRendererOptions;

  public constructor(options: MjmlEditionRendererOptions) {
    this.#o = options;
  }

  public render(content: EditionContent): Promise<RenderedEdition> {
    return renderEdition(content, {
      branding: this.#o.branding,
      editionUrl: `${this.#o.archiveBaseUrl}/${editionPagePath(content.id)}`,
      ...(this.#o.subjectPattern ? { subjectPattern: this.#o.subjectPattern } : {}),
    });
  }

  public async renderPage(content: EditionContent): Promise<string> {
    return renderEditionPage(content, { branding: this.#o.branding, archiveIndexUrl: `${this.#o.archiveBaseUrl}/${content.job}/index.html` });
  }

  public async publish(content: EditionContent, rendered: RenderedEdition, recent: EditionRecord[]): Promise<void> {
    const base = this.#o.archiveBaseUrl;
    const page = await this.renderPage(content);
    await this.#o.artefacts.putArchiveFile(editionPagePath(content.id), page, 'text/html; charset=utf-8');

    // The index and feed list published editions, this one first.
    const entries = [
      { id: content.id, title: rendered.subject, url: `${base}/${editionPagePath(content.id)}`, publishedAt: content.to },
      ...recent
        .filter((e) => e.id !== content.id && (e.state === EditionState.SENDING || e.state === EditionState.SENT) && e.subject)
        .map((e) => ({ id: e.id, title: e.subject ?? e.id, url: `${base}/${editionPagePath(e.id)}`, publishedAt: e.to ?? e.createdAt })),
    ];
    await Promise.all([
      this.#o.artefacts.putArchiveFile(`${content.job}/index.html`, renderArchiveIndex(entries, this.#o.branding), 'text/html; charset=utf-8'),
      this.#o.artefacts.putArchiveFile(
        `${content.job}/feed.xml`,
        renderFeed(entries, { branding: this.#o.branding, feedUrl: `${base}/${content.job}/feed.xml`, archiveUrl: `${base}/${content.job}/index.html` }),
        'application/atom+xml; charset=utf-8',
      ),
    ]);
  }
}
