/**
 * The artefacts port (rendered editions and the public web archive) in memory.
 */
import type { ArtefactStore } from '../../../functions/core/editions/ports.ts';
import type { RenderedEdition } from '../../../functions/core/editions/types.ts';
import { InMemoryAdapter, clone, type InMemoryOptions } from './adapter.ts';

const METHODS = ['putEdition', 'getEdition', 'putArchiveFile', 'getArchiveFile'] as const;

/**
 * Rendered editions and archive files in memory.
 *
 * @example
 * ```ts
 * const artefacts = new InMemoryArtefactStore();
 * artefacts.editions.set('daily-2026-11-28', makeRendered('daily-2026-11-28'));
 * await artefacts.getEdition('daily-2026-11-28');
 * ```
 */
export class InMemoryArtefactStore extends InMemoryAdapter<(typeof METHODS)[number]> implements ArtefactStore {
  /** Rendered editions by edition id. */
  public readonly editions = new Map<string, RenderedEdition>();
  /** Archive files by path (under `archive/`). */
  public readonly archive = new Map<string, { body: string; contentType: string }>();

  public constructor(options: InMemoryOptions = {}) {
    super(METHODS, options);
  }

  public async putEdition(rendered: RenderedEdition): Promise<void> {
    await this.enter('putEdition', arguments);
    this.editions.set(rendered.editionId, clone(rendered));
  }

  public async getEdition(editionId: string): Promise<RenderedEdition | undefined> {
    await this.enter('getEdition', arguments);
    const e = this.editions.get(editionId);
    return e ? clone(e) : undefined;
  }

  public async putArchiveFile(path: string, body: string, contentType: string): Promise<void> {
    await this.enter('putArchiveFile', arguments);
    this.archive.set(path, { body, contentType });
  }

  public async getArchiveFile(path: string): Promise<string | undefined> {
    await this.enter('getArchiveFile', arguments);
    return this.archive.get(path)?.body;
  }
}
