/**
 * s3rver emits S3 notification payloads on object create/delete, but not quite as AWS
 * delivers them: AWS URL-encodes the object key (spaces as `+`) and spells the bucket ARN
 * `arn:aws:s3:::name`. These are fixed so a handler written for AWS works unchanged locally.
 */

interface S3rverRecord {
  awsRegion?: string;
  s3?: { bucket?: { name?: string; arn?: string }; object?: { key?: string } };
  [field: string]: unknown;
}

/**
 * Encodes an object key the way S3 event notifications do (`a b/c+d` → `a+b/c%2Bd`).
 *
 * @example
 * ```ts
 * encodeEventKey('my folder/a+b.md'); // 'my+folder/a%2Bb.md'
 * ```
 */
export function encodeEventKey(key: string): string {
  return encodeURIComponent(key).replace(/%2F/g, '/').replace(/%20/g, '+');
}

/**
 * Turns an s3rver `'event'` payload into what AWS would deliver (same `{ Records }` shape).
 *
 * @example
 * ```ts
 * s3rver.on('event', (event) => emitter.emit('event', toAwsS3Event(event)));
 * ```
 */
export function toAwsS3Event(event: unknown): unknown {
  const records = (event as { Records?: S3rverRecord[] } | undefined)?.Records;
  if (!Array.isArray(records)) return event;
  return {
    Records: records.map((record) => {
      const s3 = record.s3;
      if (!s3?.bucket?.name || s3.object?.key === undefined) return record;
      return {
        ...record,
        s3: {
          ...s3,
          bucket: { ...s3.bucket, arn: `arn:aws:s3:::${s3.bucket.name}` },
          object: { ...s3.object, key: encodeEventKey(s3.object.key) },
        },
      };
    }),
  };
}
