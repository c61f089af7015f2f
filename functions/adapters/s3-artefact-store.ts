/**
 * ArtefactStore on the artefacts bucket: `editions/<id>/email.html`, `email.txt`,
 * `meta.json` (subject, preheader, tokens, counts) and the public `archive/` files.
 */
import { GetObjectCommand, NoSuchKey, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { ArtefactStore } from '../core/editions/ports.ts';
import type { RenderedEdition } from '../core/editions/types.ts';

/**
 * @example
 * ```ts
 * const artefacts = new S3ArtefactStore({ client: s3Client(config), bucket: config.ARTEFACTS_BUCKET });
 * ```
 */
export class S3ArtefactStore implements ArtefactStore {
  readonly #s3: S3Client;
  readonly #bucket: string;

  public constructor(options: { client: S3Client; bucket: string }) {
    this.#s3 = options.client;
    this.#bucket = options.bucket;
  }

  public async putEdition(rendered: RenderedEdition): Promise<void> {
    const { html, text, ...meta } = rendered;
    const prefix = `editions/${rendered.editionId}/`;
    await Promise.all([
      this.#put(`${prefix}email.html`, html, 'text/html; charset=utf-8'),
      this.#put(`${prefix}email.txt`, text, 'text/plain; charset=utf-8'),
      this.#put(`${prefix}meta.json`, JSON.stringify(meta), 'application/json'),
    ]);
  }

  public async getEdition(editionId: string): Promise<RenderedEdition | undefined> {
    const prefix = `editions/${editionId}/`;
    const [meta, html, text] = await Promise.all([this.#get(`${prefix}meta.json`), this.#get(`${prefix}email.html`), this.#get(`${prefix}email.txt`)]);
    if (meta === undefined || html === undefined || text === undefined) return undefined;
    return { ...(JSON.parse(meta) as Omit<RenderedEdition, 'html' | 'text'>), html, text };
  }

  public async putArchiveFile(path: string, body: string, contentType: string): Promise<void> {
    await this.#put(`archive/${path}`, body, contentType);
  }

  /** Reads an archive file (the web archive function serves these). */
  public getArchiveFile(path: string): Promise<string | undefined> {
    return this.#get(`archive/${path}`);
  }

  async #put(key: string, body: string, contentType: string): Promise<void> {
    await this.#s3.send(new PutObjectCommand({ Bucket: this.#bucket, Key: key, Body: body, ContentType: contentType }));
  }

  async #get(key: string): Promise<string | undefined> {
    try {
      const out = await this.#s3.send(new GetObjectCommand({ Bucket: this.#bucket, Key: key }));
      return await out.Body?.transformToString('utf-8');
    } catch (error) {
      if (error instanceof NoSuchKey || (error as { name?: string }).name === 'NoSuchKey') return undefined;
      throw error;
    }
  }
}
