/**
 * A stand-in for the MJML renderer (the editions module's EditionRenderer): small, fast and
 * deterministic, with every personalisation token in the email, so that the use cases above
 * it can be tested without MJML.
 */
import type { EditionRenderer, RenderedArchive } from '../../../functions/core/editions/ports.ts';
import { Token, type ArchiveEntry, type EditionContent, type JobName, type RenderedEdition } from '../../../functions/core/editions/types.ts';

const escape = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * Renders the stories of an edition in order, one line each; the subject is the lead story.
 *
 * @example
 * ```ts
 * const renderer = new FakeEditionRenderer();
 * (await renderer.render(content)).subject; // 'Digest: <first pick or article>'
 * renderer.renders; // 1
 * ```
 */
export class FakeEditionRenderer implements EditionRenderer {
  /** How many emails were rendered. */
  public renders = 0;

  public async render(content: EditionContent): Promise<RenderedEdition> {
    this.renders += 1;
    const stories = [...content.picks.map((p) => p.headline), ...content.sections.flatMap((s) => s.articles.map((a) => a.title))];
    const lines = stories.map((h) => `<li>${escape(h)}</li>`).join('');
    return {
      editionId: content.id,
      subject: `Digest: ${stories[0] ?? 'nothing'}`,
      preheader: stories.slice(1, 3).join(' · '),
      html: `<html><body><p>Hello ${Token.NAME}</p><ol>${lines}</ol><a href="${Token.WEB_VIEW_URL}">Web</a> <a href="${Token.PREFERENCES_URL}">Preferences</a> <a href="${Token.UNSUBSCRIBE_URL}">Unsubscribe</a><p>${escape(content.to)}</p></body></html>`,
      text: `Hello ${Token.NAME}\n${stories.join('\n')}\nWeb: ${Token.WEB_VIEW_URL}\nPreferences: ${Token.PREFERENCES_URL}\nUnsubscribe: ${Token.UNSUBSCRIBE_URL}`,
      language: content.language,
      tokens: [Token.NAME, Token.WEB_VIEW_URL, Token.PREFERENCES_URL, Token.UNSUBSCRIBE_URL],
      shown: stories.length,
      omitted: 0,
    };
  }

  public async renderPage(content: EditionContent): Promise<string> {
    return `<html><body><h1>${escape(content.id)}</h1></body></html>`;
  }

  public renderArchive(job: JobName, entries: readonly ArchiveEntry[]): RenderedArchive {
    return { index: `<ul>${entries.map((e) => `<li>${escape(e.id)}</li>`).join('')}</ul>`, feed: `<feed>${escape(job)}</feed>` };
  }
}
