/**
 * AlertPieceStore on the artefacts bucket, beside the editions' artefacts (not public):
 * `alerts/<flush>/shell-<language>.json` and `alerts/<flush>/cards/<article key>.json`.
 */
import { GetObjectCommand, NoSuchKey, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { AlertPieceStore } from '../core/alerts/ports.ts';
import { mapBounded } from '../core/concurrency.ts';
import type { AlertCard, AlertShell } from '../core/rendering/alert-parts.ts';

const JSON_TYPE = 'application/json';

/**
 * @example
 * ```ts
 * const pieces = new S3AlertPieceStore({ client: s3Client(config), bucket: config.ARTEFACTS_BUCKET });
 * ```
 */
export class S3AlertPieceStore implements AlertPieceStore {
  readonly #s3: S3Client;
  readonly #bucket: string;

  public constructor(options: { client: S3Client; bucket: string }) {
    this.#s3 = options.client;
    this.#bucket = options.bucket;
  }

  public async putShell(flushId: string, shell: AlertShell): Promise<void> {
    await this.#put(`alerts/${flushId}/shell-${shell.language}.json`, JSON.stringify(shell));
  }

  public async getShell(flushId: string, language: string): Promise<AlertShell | undefined> {
    const body = await this.#get(`alerts/${flushId}/shell-${language}.json`);
    return body === undefined ? undefined : (JSON.parse(body) as AlertShell);
  }

  public async putCards(flushId: string, cards: readonly AlertCard[]): Promise<void> {
    await mapBounded(cards, 16, (card) => this.#put(`alerts/${flushId}/cards/${card.key}.json`, JSON.stringify(card)));
  }

  public async getCards(flushId: string, keys: readonly string[]): Promise<Map<string, AlertCard>> {
    const found = new Map<string, AlertCard>();
    await mapBounded([...new Set(keys)], 16, async (key) => {
      const body = await this.#get(`alerts/${flushId}/cards/${key}.json`);
      if (body !== undefined) found.set(key, JSON.parse(body) as AlertCard);
    });
    return found;
  }

  async #put(key: string, body: string): Promise<void> {
    await this.#s3.send(new PutObjectCommand({ Bucket: this.#bucket, Key: key, Body: body, ContentType: JSON_TYPE }));
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
