/**
 * The local S3 (s3rver) made to survive bad input, so that one request can never take the
 * local stack down.
 *
 * - **Keys S3 refuses** (over 1,024 bytes of UTF-8) are refused as S3 does:
 *   400 `KeyTooLongError`.
 * - **Keys S3 accepts but s3rver cannot store.** s3rver keeps each `/`-separated segment of a
 *   key as a file or folder name, and the file system allows 255 bytes per name (s3rver adds
 *   up to 22 bytes to the last segment). A `.` or `..` segment would resolve outside the
 *   key's folder. Such keys are answered with 501 `NotImplemented`, which names the limit,
 *   before s3rver touches the disk.
 * - **Any other file system error** becomes an S3 error answer. s3rver answers every error
 *   thrown in a request's promise with an S3 `InternalError` (500), but its file store writes
 *   through streams that have no `'error'` listener (`putObject`, `putPart`) and reads the
 *   parts of a multipart upload the same way (`putObjectMultipart`). An error there was an
 *   uncaught exception that ended the whole process. Those three store methods are replaced
 *   with versions whose every file error rejects the request's promise. The rest of the store
 *   already works with promises only (checked against s3rver 3.7.1, the pinned version).
 */
import { createHash } from 'node:crypto';
import { mkdir, open, stat, writeFile, rm } from 'node:fs/promises';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import type S3rver from 's3rver';

/** S3's limit on a key: 1,024 bytes of UTF-8. */
export const MAX_KEY_BYTES = 1024;
/** The file system's limit on one name (ext4, tmpfs, APFS, NTFS: 255). */
const MAX_NAME_BYTES = 255;
/** What s3rver appends to a key's last segment, at the longest (`._S3rver_metadata.json`). */
const LONGEST_SUFFIX_BYTES = Buffer.byteLength('._S3rver_metadata.json');

/** Why the emulator cannot take a key, or undefined when it can. */
export type KeyProblem =
  | { code: 'KeyTooLongError'; status: 400; message: string; size: number }
  | { code: 'NotImplemented'; status: 501; message: string };

/**
 * Checks an object key against S3's limit and the emulator's.
 *
 * @example
 * ```ts
 * keyProblem('a'.repeat(1025))?.code;        // 'KeyTooLongError'
 * keyProblem(`a/${'b'.repeat(900)}`)?.code;  // 'NotImplemented'
 * keyProblem('articles/2026/story.md');      // undefined
 * ```
 */
export function keyProblem(key: string): KeyProblem | undefined {
  const size = Buffer.byteLength(key, 'utf8');
  if (size > MAX_KEY_BYTES) {
    return { code: 'KeyTooLongError', status: 400, message: 'Your key is too long', size };
  }
  const segments = key.split('/');
  const last = segments.length - 1;
  for (const [i, segment] of segments.entries()) {
    const limit = i === last ? MAX_NAME_BYTES - LONGEST_SUFFIX_BYTES : MAX_NAME_BYTES;
    if (Buffer.byteLength(segment, 'utf8') > limit) {
      return {
        code: 'NotImplemented',
        status: 501,
        message: `The local S3 emulator keeps each key segment as a file name: a segment may have at most ${limit} bytes here (S3 itself allows any segment length within ${MAX_KEY_BYTES} bytes).`,
      };
    }
    if (segment === '.' || segment === '..') {
      return { code: 'NotImplemented', status: 501, message: 'The local S3 emulator cannot store a key with a "." or ".." segment.' };
    }
  }
  return undefined;
}

/** The object key of a path-style request (`/bucket/key…`), or undefined for a bucket or the service. */
function objectKey(req: IncomingMessage): string | undefined {
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  const slash = path.indexOf('/', 1);
  if (slash < 0 || slash === path.length - 1) return undefined;
  try {
    return decodeURIComponent(path.slice(slash + 1));
  } catch {
    return undefined; // a malformed escape: s3rver answers it
  }
}

const xmlEscape = (text: string): string => text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

function answer(req: IncomingMessage, res: ServerResponse, problem: KeyProblem): void {
  const extra = problem.code === 'KeyTooLongError' ? `<Size>${problem.size}</Size><MaxSizeAllowed>${MAX_KEY_BYTES}</MaxSizeAllowed>` : '';
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${problem.code}</Code><Message>${xmlEscape(problem.message)}</Message>${extra}</Error>`;
  res.writeHead(problem.status, {
    'content-type': 'application/xml',
    'content-length': Buffer.byteLength(body),
    'x-amz-error-code': problem.code,
  });
  // Node reads and drops an unread request body once the answer is sent.
  res.end(req.method === 'HEAD' ? undefined : body);
}

/** The part of s3rver's file store replaced here (lib/stores/filesystem.js). */
interface FilesystemStore {
  getResourcePath(bucket: string, key?: string, resource?: string): string;
  putMetadata(bucket: string, key: string, metadata: unknown, md5?: string): Promise<void>;
  putObject(object: StoreObject): Promise<{ size: number; md5: string }>;
  putPart(bucket: string, uploadId: string, partNumber: number, content: Readable): Promise<{ size: number; md5: string }>;
  putObjectMultipart(bucket: string, uploadId: string, parts: Array<{ number: number }>): Promise<{ size: number; md5: string }>;
}

interface StoreObject {
  bucket: string;
  key: string;
  content: Buffer | Readable;
  metadata: unknown;
}

/**
 * Writes a body to a file and returns its size and MD5. The file is opened before anything
 * is read, so a name the file system refuses fails at once. A write error does not stop the
 * reading: the rest of the body is read and dropped, so that the request can still be
 * answered, and then the error is thrown.
 */
async function writeBody(path: string, content: Buffer | Readable): Promise<{ size: number; md5: string }> {
  const hash = createHash('md5');
  const file = await open(path, 'w');
  let size = 0;
  let failure: unknown;
  try {
    if (Buffer.isBuffer(content)) {
      await file.writeFile(content);
      hash.update(content);
      size = content.length;
    } else {
      for await (const chunk of content as AsyncIterable<Buffer>) {
        if (failure !== undefined) continue;
        try {
          await file.write(chunk);
          hash.update(chunk);
          size += chunk.length;
        } catch (error) {
          failure = error;
        }
      }
    }
  } catch (error) {
    failure ??= error;
  } finally {
    await file.close().catch((error: unknown) => (failure ??= error));
  }
  if (failure !== undefined) {
    await rm(path, { force: true }); // no half-written object
    throw failure;
  }
  return { size, md5: hash.digest('hex') };
}

/** Replaces the store methods whose stream errors s3rver does not handle. */
function hardenStore(store: FilesystemStore): void {
  store.putObject = async function putObject(this: FilesystemStore, object) {
    const path = this.getResourcePath(object.bucket, object.key, 'object');
    await mkdir(dirname(path), { recursive: true });
    const { size, md5 } = await writeBody(path, object.content);
    await this.putMetadata(object.bucket, object.key, object.metadata, md5);
    return { size, md5 };
  };
  store.putPart = async function putPart(this: FilesystemStore, bucket, uploadId, partNumber, content) {
    const path = join(this.getResourcePath(bucket, undefined, 'uploads'), uploadId, String(partNumber));
    await mkdir(dirname(path), { recursive: true });
    const { size, md5 } = await writeBody(path, content);
    await writeFile(`${path}.md5`, md5);
    return { size, md5 };
  };
  const assemble = store.putObjectMultipart;
  store.putObjectMultipart = async function putObjectMultipart(this: FilesystemStore, bucket, uploadId, parts) {
    // s3rver concatenates read streams of the parts with no 'error' listener: a part that
    // was never uploaded must fail here, in the promise, not as an uncaught stream error.
    const uploads = join(this.getResourcePath(bucket, undefined, 'uploads'), uploadId);
    for (const part of parts) await stat(join(uploads, String(part.number)));
    return assemble.call(this, bucket, uploadId, parts);
  };
}

/**
 * s3rver's request handler behind the key checks, with its store hardened.
 *
 * @example
 * ```ts
 * const s3 = new S3rver({ silent: true, directory });
 * const server = createServer(guardedS3Handler(s3));
 * ```
 */
export function guardedS3Handler(s3: S3rver): RequestListener {
  hardenStore((s3 as unknown as { store: FilesystemStore }).store);
  const handle = s3.callback();
  return (req, res) => {
    const key = objectKey(req);
    const problem = key === undefined ? undefined : keyProblem(key);
    if (problem) answer(req, res, problem);
    else handle(req, res);
  };
}
