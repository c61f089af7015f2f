/**
 * S3 for the contract suites: s3rver in this process (behind the local stack's key guard, as
 * infra/local/stack.ts serves it) on 127.0.0.1, one fresh bucket per test.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { afterAll, beforeAll } from 'vitest';
import type { AwsCaller } from '../../functions/adapters/aws-commands.ts';
import { SdkCaller } from '../../functions/adapters/aws-sdk-caller.ts';
import { LeanS3Client } from '../../functions/adapters/s3-lean-client.ts';
import { closeServer } from '../../infra/local/http-util.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../infra/local/provision.ts';
import { guardedS3Handler } from '../../infra/local/s3-guard.ts';

/** A running s3rver. */
export interface LocalS3 {
  /** The SDK's S3 client as the local stack builds one (path-style), as the adapters call it. */
  client: AwsCaller;
  /** The send function's S3 client without the SDK (path-style on the configured endpoint). */
  lean: AwsCaller;
  /** Creates a fresh, empty bucket and returns its name. */
  bucket(): Promise<string>;
  stop(): Promise<void>;
}

/**
 * Starts s3rver on a free port of 127.0.0.1, storing in a temporary directory.
 *
 * @example
 * ```ts
 * const s3 = await startLocalS3();
 * const pieces = new S3AlertPieceStore({ client: s3.client, bucket: await s3.bucket() });
 * await s3.stop();
 * ```
 */
export async function startLocalS3(): Promise<LocalS3> {
  const directory = await mkdtemp(join(tmpdir(), 'contract-s3-'));
  const server = createServer(guardedS3Handler(new S3rver({ silent: true, directory })));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new S3Client({ region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, endpoint, forcePathStyle: true, maxAttempts: 1 });
  const lean = new LeanS3Client({ endpoint, forcePathStyle: true, region: LOCAL_REGION, credentials: async () => LOCAL_CREDENTIALS, timeouts: { connectionMs: 1_000, requestMs: 3_000 }, maxSockets: 16, maxAttempts: 1 });
  let made = 0;
  return {
    client: new SdkCaller(client),
    lean,
    bucket: async () => {
      made += 1;
      const name = `contract-${made}`;
      await client.send(new CreateBucketCommand({ Bucket: name }));
      return name;
    },
    stop: async () => {
      client.destroy();
      lean.destroy();
      await closeServer(server);
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/**
 * Runs one s3rver for the test file: started before its first test, stopped after its last.
 * Returns a getter, to be called inside tests and fixtures.
 *
 * @example
 * ```ts
 * const s3 = useLocalS3();
 * describeAlertPiecesContract('on s3rver', async () => new S3AlertPieceStore({ client: s3().client, bucket: await s3().bucket() }));
 * ```
 */
export function useLocalS3(): () => LocalS3 {
  let running: LocalS3 | undefined;
  beforeAll(async () => {
    running = await startLocalS3();
  });
  afterAll(async () => {
    await running?.stop();
  });
  return () => {
    if (running === undefined) throw new Error('s3rver runs only while the tests of this file run');
    return running;
  };
}
