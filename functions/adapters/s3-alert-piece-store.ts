/**
 * AlertPieceStore on the artefacts bucket, beside the editions' artefacts (not public):
 * `alerts/<flush>/shell-<language>.json` and `alerts/<flush>/cards/<article key>.json`.
 */
import type { AwsCaller } from './aws-commands.ts';
import type { AlertPieceStore } from '../core/alerts/ports.ts';
import { mapBounded } from '../core/concurrency.ts';
import type { AlertCard, AlertShell } from '../core/rendering/alert-parts.ts';
import { S3TextObjects } from './s3-support.ts';

const JSON_TYPE = 'application/json';

/**
 * @example
 * ```ts
 * const pieces = new S3AlertPieceStore({ client: leanS3(config), bucket: config.ARTEFACTS_BUCKET });
 * ```
 */
export class S3AlertPieceStore implements AlertPieceStore {
  readonly #objects: S3TextObjects;

  public constructor(options: { client: AwsCaller; bucket: string }) {
    this.#objects = new S3TextObjects(options.client, options.bucket);
  }

  public async putShell(flushId: string, shell: AlertShell): Promise<void> {
    await this.#objects.put(`alerts/${flushId}/shell-${shell.language}.json`, JSON.stringify(shell), JSON_TYPE);
  }

  public async getShell(flushId: string, language: string): Promise<AlertShell | undefined> {
    const body = await this.#objects.get(`alerts/${flushId}/shell-${language}.json`);
    return body === undefined ? undefined : (JSON.parse(body) as AlertShell);
  }

  public async putCards(flushId: string, cards: readonly AlertCard[]): Promise<void> {
    await mapBounded(cards, 16, (card) => this.#objects.put(`alerts/${flushId}/cards/${card.key}.json`, JSON.stringify(card), JSON_TYPE));
  }

  public async getCards(flushId: string, keys: readonly string[]): Promise<Map<string, AlertCard>> {
    const found = new Map<string, AlertCard>();
    await mapBounded([...new Set(keys)], 16, async (key) => {
      const body = await this.#objects.get(`alerts/${flushId}/cards/${key}.json`);
      if (body !== undefined) found.set(key, JSON.parse(body) as AlertCard);
    });
    return found;
  }
}
