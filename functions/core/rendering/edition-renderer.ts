/**
 * The MJML implementation of the editions module's {@link EditionRenderer}: the email
 * (rendered once, tokens left in), the edition's public web page, and the job's archive
 * index and Atom feed. Pure: it returns strings and writes nothing; the edition service
 * stores them. Only the edition job loads this module (and so MJML); the send worker never
 * does.
 */
import type { EditionRenderer, RenderedArchive } from '../editions/ports.ts';
import type { ArchiveEntry, EditionContent, JobName, RenderedEdition } from '../editions/types.ts';
import type { Links } from '../links.ts';
import { renderEdition } from './edition-email.ts';
import type { RenderObserver } from './mjml-compiler.ts';
import type { Branding } from './types.ts';
import { renderArchiveIndex, renderEditionPage, renderFeed } from './web-archive.ts';

export interface MjmlEditionRendererOptions {
  branding: Branding;
  /** Builds the archive URLs (edition pages, index, feed). */
  links: Links;
  subjectPattern?: string;
  /** Told about each compile and render (benchmarks, tests). */
  observer?: RenderObserver;
  /** The jobs whose editions let SES track clicks (CLICK_TRACKING; default none). */
  clickTracking?: readonly JobName[];
}

/**
 * @example
 * ```ts
 * const renderer = new MjmlEditionRenderer({ branding, links: new Links(bases) });
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
      editionUrl: this.#o.links.editionPage(content.id),
      ...(this.#o.subjectPattern ? { subjectPattern: this.#o.subjectPattern } : {}),
      ...(this.#o.observer ? { observer: this.#o.observer } : {}),
      ...(this.#o.clickTracking?.includes(content.job) ? { trackClicks: true } : {}),
    });
  }

  public async renderPage(content: EditionContent): Promise<string> {
    return renderEditionPage(content, {
      branding: this.#o.branding,
      archiveIndexUrl: this.#o.links.archiveIndex(content.job),
      subscribeUrl: this.#o.links.subscribePage(),
    });
  }

  public renderArchive(job: JobName, entries: readonly ArchiveEntry[]): RenderedArchive {
    const { links, branding } = this.#o;
    const listed = entries.map((e) => ({ ...e, url: links.editionPage(e.id) }));
    return {
      index: renderArchiveIndex(listed, branding, { subscribeUrl: links.subscribePage() }),
      feed: renderFeed(listed, { branding, feedUrl: links.feed(job), archiveUrl: links.archiveIndex(job) }),
    };
  }
}
