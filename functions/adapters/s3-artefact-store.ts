/**
 * ArtefactStore on the artefacts bucket: `editions/<id>/email.html`, `email.txt`,
 * `meta.json` (subject, preheader, tokens, counts) and the public `archive/` files.
 */
import type { AwsCaller } from './aws-commands.ts';
import type { ArtefactStore } from '../core/editions/ports.ts';
import type { RenderedEdition } from '../core/editions/types.ts';
import { S3TextObjects } from './s3-support.ts';

/**
 * @example
 * ```ts
 * const artefacts = new S3ArtefactStore({ client: leanS3(config), bucket: config.ARTEFACTS_BUCKET });
 * ```
 */
export class S3ArtefactStore implements ArtefactStore {
  readonly #objects: S3TextObjects;

  public constructor(options: { client: AwsCaller; bucket: string }) {
    this.#objects = new S3TextObjects(options.client, options.bucket);
  }

  public async putEdition(rendered: RenderedEdition): Promise<void> {
    const { html, text, ...meta } = rendered;
    const prefix = `editions/${rendered.editionId}/`;
    await Promise.all([
      this.#objects.put(`${prefix}email.html`, html, 'text/html; charset=utf-8'),
      this.#objects.put(`${prefix}email.txt`, text, 'text/plain; charset=utf-8'),
      this.#objects.put(`${prefix}meta.json`, JSON.stringify(meta), 'application/json'),
    ]);
  }

  public async getEdition(editionId: string): Promise<RenderedEdition | undefined> {
    const prefix = `editions/${editionId}/`;
    const [meta, html, text] = await Promise.all([this.#objects.get(`${prefix}meta.json`), this.#objects.get(`${prefix}email.html`), this.#objects.get(`${prefix}email.txt`)]);
    if (meta === undefined || html === undefined || text === undefined) return undefined;
    return { ...(JSON.parse(meta) as Omit<RenderedEdition, 'html' | 'text'>), html, text };
  }

  public async putArchiveFile(path: string, body: string, contentType: string): Promise<void> {
    await this.#objects.put(`archive/${path}`, body, contentType);
  }

  /** Reads an archive file (the web archive function serves these). */
  public getArchiveFile(path: string): Promise<string | undefined> {
    return this.#objects.get(`archive/${path}`);
  }
}
