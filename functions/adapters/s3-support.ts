/**
 * What the S3 adapters share: recognising a missing key, and text objects of one bucket.
 */
import { GetObjectCommand, PutObjectCommand, type AwsCaller } from './aws-commands.ts';

/**
 * Whether an S3 error says the key does not exist: its name, `NoSuchKey`, as the SDK's
 * exception and the lean client's AwsServiceError both carry it.
 *
 * @example
 * ```ts
 * try { await s3.send(new GetObjectCommand({ Bucket, Key })); } catch (e) { if (isNoSuchKey(e)) return undefined; throw e; }
 * ```
 */
export function isNoSuchKey(error: unknown): boolean {
  return (error as { name?: string } | undefined)?.name === 'NoSuchKey';
}

/**
 * Text objects of one bucket: written whole with a content type, read whole as UTF-8, a
 * missing key read as undefined.
 *
 * @example
 * ```ts
 * const objects = new S3TextObjects(leanS3(config), config.ARTEFACTS_BUCKET);
 * await objects.put('archive/daily/index.html', html, 'text/html; charset=utf-8');
 * await objects.get('archive/daily/index.html'); // the HTML, or undefined
 * ```
 */
export class S3TextObjects {
  readonly #s3: AwsCaller;
  readonly #bucket: string;

  public constructor(client: AwsCaller, bucket: string) {
    this.#s3 = client;
    this.#bucket = bucket;
  }

  public async put(key: string, body: string, contentType: string): Promise<void> {
    await this.#s3.send(new PutObjectCommand({ Bucket: this.#bucket, Key: key, Body: body, ContentType: contentType }));
  }

  public async get(key: string): Promise<string | undefined> {
    try {
      const out = await this.#s3.send(new GetObjectCommand({ Bucket: this.#bucket, Key: key }));
      return await out.Body?.transformToString('utf-8');
    } catch (error) {
      if (isNoSuchKey(error)) return undefined;
      throw error;
    }
  }
}
