/**
 * ContentSource on the S3 content bucket.
 */
import { GetObjectCommand, ListObjectsV2Command, type AwsCaller } from './aws-commands.ts';
import type { ContentSource, ObjectInfo } from '../core/articles/ports.ts';
import type { SourceObject } from '../core/articles/types.ts';
import { MAX_OBJECT_BYTES, oversizeReason } from '../core/articles/parsing/index.ts';
import { UnreadableContentError } from '../core/errors.ts';
import { isNoSuchKey } from './s3-support.ts';

/**
 * Reads the publisher's objects.
 *
 * @example
 * ```ts
 * const source = new S3ContentSource({ client: new SdkCaller(s3Client(config)), bucket: config.CONTENT_BUCKET });
 * ```
 */
export class S3ContentSource implements ContentSource {
  readonly #client: AwsCaller;
  readonly #bucket: string;

  public constructor(options: { client: AwsCaller; bucket: string }) {
    this.#client = options.client;
    this.#bucket = options.bucket;
  }

  public async get(key: string): Promise<SourceObject | undefined> {
    try {
      const out = await this.#client.send(new GetObjectCommand({ Bucket: this.#bucket, Key: key }));
      const size = out.ContentLength ?? 0;
      if (size > MAX_OBJECT_BYTES) {
        // Never read an oversized object into memory.
        (out.Body as { destroy?: () => void } | undefined)?.destroy?.();
        throw new UnreadableContentError(key, oversizeReason(size));
      }
      const body = out.Body ? await out.Body.transformToByteArray() : new Uint8Array(0);
      return { key, body, lastModified: out.LastModified ?? new Date(), ...(out.ContentType ? { contentType: out.ContentType } : {}) };
    } catch (error) {
      if (isNoSuchKey(error)) return undefined;
      throw error;
    }
  }

  public async list(options: { prefix?: string; cursor?: string } = {}): Promise<{ objects: ObjectInfo[]; cursor?: string }> {
    const out = await this.#client.send(
      new ListObjectsV2Command({
        Bucket: this.#bucket,
        MaxKeys: 1000,
        ...(options.prefix ? { Prefix: options.prefix } : {}),
        ...(options.cursor ? { ContinuationToken: options.cursor } : {}),
      }),
    );
    const objects = (out.Contents ?? []).map((o) => ({ key: o.Key!, size: o.Size ?? 0, lastModified: o.LastModified ?? new Date() }));
    return { objects, ...(out.IsTruncated && out.NextContinuationToken ? { cursor: out.NextContinuationToken } : {}) };
  }
}
