/**
 * The local S3 survives bad input: it refuses the keys S3 refuses (over 1,024 bytes) as S3
 * does, answers keys it cannot store and file system errors with S3 error answers instead of
 * crashing, and keeps serving afterwards. Checked through the real `@aws-sdk/client-s3`.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CompleteMultipartUploadCommand, CreateBucketCommand, CreateMultipartUploadCommand, GetObjectCommand, HeadObjectCommand,
  PutObjectCommand, S3Client, UploadPartCommand,
} from '@aws-sdk/client-s3';
import type { S3Event } from 'aws-lambda';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as ingestHandler } from '../../functions/ingest.ts';
import { localAppEnv } from '../../infra/local/app-env.ts';
import { closeServer } from '../../infra/local/http-util.ts';
import { forwardS3Events } from '../../infra/local/lambda-driver.ts';
import { useStack } from '../../infra/local/local-run.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../infra/local/provision.ts';
import { guardedS3Handler, keyProblem } from '../../infra/local/s3-guard.ts';
import { startLocalStack, type LocalStack } from '../../infra/local/stack.ts';
import { pollUntil } from '../helpers/poll.ts';

function client(endpoint: string): S3Client {
  return new S3Client({ region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, endpoint, forcePathStyle: true, maxAttempts: 1 });
}

/** The S3 error a call ends with: its code (the SDK error's name) and HTTP status. */
async function s3Error(call: Promise<unknown>): Promise<{ name: string; status?: number; message: string }> {
  try {
    await call;
  } catch (error) {
    const e = error as Error & { $metadata?: { httpStatusCode?: number } };
    return { name: e.name, message: e.message, ...(e.$metadata?.httpStatusCode ? { status: e.$metadata.httpStatusCode } : {}) };
  }
  throw new Error('expected the call to fail');
}

/** A round trip through the same S3, to show it still serves. */
async function stillServes(s3: S3Client, bucket: string): Promise<string | undefined> {
  const key = `alive/${Math.random().toString(36).slice(2)}.txt`;
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'still here' }));
  return (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body?.transformToString();
}

describe('Function: keyProblem', () => {
  it('names the keys S3 or the emulator cannot take, by bytes of UTF-8', () => {
    expect(keyProblem(`${'a'.repeat(99)}/`.repeat(10).concat('a'.repeat(24)))).toBeUndefined();
    expect(keyProblem(`${'a/'.repeat(300)}b`)).toBeUndefined();
    expect(keyProblem('a'.repeat(1025))).toMatchObject({ code: 'KeyTooLongError', status: 400, size: 1025 });
    expect(keyProblem('é'.repeat(513))).toMatchObject({ code: 'KeyTooLongError', size: 1026 });
    expect(keyProblem(`a/${'b'.repeat(900)}`)).toMatchObject({ code: 'NotImplemented', status: 501 });
    expect(keyProblem(`${'b'.repeat(256)}/a`)).toMatchObject({ code: 'NotImplemented' });
    expect(keyProblem(`${'b'.repeat(255)}/a`)).toBeUndefined();
    expect(keyProblem(`a/${'b'.repeat(233)}`)).toBeUndefined();
    expect(keyProblem(`a/${'b'.repeat(234)}`)).toMatchObject({ code: 'NotImplemented' });
    expect(keyProblem('a/../../etc/passwd')).toMatchObject({ code: 'NotImplemented' });
  });
});

describe('Local stack: S3 key limits', () => {
  let stack: LocalStack;
  let s3: S3Client;
  const bucket = 'contentbucket';

  beforeAll(async () => {
    stack = await startLocalStack({ forwardToMailbox: false });
    useStack(localAppEnv(stack, { httpPort: 3000, logLevel: 'SILENT' }));
    s3 = client(stack.endpoints.s3);
  });

  afterAll(async () => {
    s3?.destroy();
    await stack?.stop();
  });

  it('refuses a key over 1,024 bytes with KeyTooLongError (400), as S3 does', async () => {
    // Segments short enough for the emulator: only the length is wrong.
    const key = `articles/${`${'k'.repeat(99)}/`.repeat(10)}${'k'.repeat(16)}`;
    expect(Buffer.byteLength(key)).toBe(1025);

    expect(await s3Error(s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'x' })))).toMatchObject({ name: 'KeyTooLongError', status: 400 });
    expect(await s3Error(s3.send(new GetObjectCommand({ Bucket: bucket, Key: key })))).toMatchObject({ name: 'KeyTooLongError', status: 400 });
    expect(await s3Error(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key })))).toMatchObject({ status: 400 });
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key.slice(1), Body: 'x' })); // 1,024 bytes: stored
    expect(await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key.slice(1) }))).Body?.transformToString()).toBe('x');
  });

  it('answers a 900-character segment under 1,024 bytes with an S3 error, stores nothing, and keeps serving', async () => {
    const events: unknown[] = [];
    const listener = (event: unknown): number => events.push(event);
    stack.s3Events.on('event', listener);
    try {
      const key = `articles/${'s'.repeat(900)}.md`;
      expect(Buffer.byteLength(key)).toBeLessThan(1024);

      const error = await s3Error(s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: '# Long' })));

      expect(error).toMatchObject({ name: 'NotImplemented', status: 501 });
      expect(error.message).toMatch(/segment/);
      expect(await s3Error(s3.send(new GetObjectCommand({ Bucket: bucket, Key: key })))).toMatchObject({ status: 501 });
      expect(await stillServes(s3, bucket)).toBe('still here');
      await pollUntil(async () => events.length === 1, { message: 'the event of the object that was stored' });
      expect(JSON.stringify(events)).not.toContain('s'.repeat(900));
    } finally {
      stack.s3Events.off('event', listener);
    }
  });

  it('takes a long key it can store through the S3 event path to ingest without taking the stack down', async () => {
    // Prepare: 4 segments of 200 characters, 1,006 bytes in all.
    const key = `${Array.from({ length: 4 }, (_, i) => `${i}`.repeat(200)).join('/')}/story.md`;
    const seen: string[] = [];
    const outcomes: string[] = [];
    const events = forwardS3Events(stack, async (event: S3Event) => {
      seen.push(...event.Records.map((r) => decodeURIComponent(r.s3.object.key.replace(/\+/g, ' '))));
      const { results } = await ingestHandler(event);
      outcomes.push(...results.map((r) => r.outcome));
    }, { onError: (error) => outcomes.push(`error: ${String(error)}`) });

    try {
      // Act
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: '---\ntitle: Long key\n---\n\nA story stored under a long key.\n' }));
      await events.flush();
    } finally {
      events.stop();
    }

    // Assess: the handler saw the key exactly; whatever it made of it, the stack still serves.
    expect(seen).toEqual([key]);
    expect(outcomes).toHaveLength(1);
    expect(await stillServes(s3, bucket)).toBe('still here');
  });
});

describe('Guarded s3rver: file system errors', () => {
  let directory: string;
  let server: Server;
  let s3: S3Client;
  const bucket = 'guarded';

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'news-digest-s3-guard-'));
    server = createServer(guardedS3Handler(new S3rver({ silent: true, directory })));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    s3 = client(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  });

  afterAll(async () => {
    s3?.destroy();
    if (server) await closeServer(server);
    await rm(directory, { recursive: true, force: true });
  });

  it('answers an object the file system cannot write with InternalError (500), and keeps serving', async () => {
    // Prepare: a folder where s3rver writes the object's file (EISDIR on open).
    await mkdir(join(directory, bucket, 'blocked._S3rver_object'), { recursive: true });

    const error = await s3Error(s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'blocked', Body: 'x'.repeat(100_000) })));

    expect(error).toMatchObject({ name: 'InternalError', status: 500 });
    expect(await stillServes(s3, bucket)).toBe('still here');
  });

  it('answers a multipart upload completed with a part never uploaded with an S3 error, and keeps serving', async () => {
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'parts.bin' }));
    const { ETag } = await s3.send(new UploadPartCommand({ Bucket: bucket, Key: 'parts.bin', UploadId, PartNumber: 1, Body: 'one' }));

    const error = await s3Error(s3.send(new CompleteMultipartUploadCommand({
      Bucket: bucket, Key: 'parts.bin', UploadId,
      MultipartUpload: { Parts: [{ PartNumber: 1, ETag }, { PartNumber: 2, ETag }] },
    })));

    expect(error.status).toBeGreaterThanOrEqual(400);
    expect(await stillServes(s3, bucket)).toBe('still here');
  });
});
