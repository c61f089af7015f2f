/**
 * S3 spoken to directly, without the AWS SDK: GetObject and PutObject of whole objects over
 * {@link SignedHttpEndpoint} (the send function's S3 calls: an edition's template and
 * artefacts), with the SDK's addressing, signature and error names:
 * - virtual-hosted (`https://<bucket>.s3.<region>.amazonaws.com/<key>`) for a DNS-compatible
 *   bucket name without dots, path-style (`https://s3.<region>.amazonaws.com/<bucket>/<key>`)
 *   otherwise, and always path-style with `forcePathStyle` (a configured endpoint, as
 *   `s3Client` in aws-clients.ts builds it);
 * - the key's segments URI-encoded once, in the path and in the signature (S3's rule), the
 *   payload's SHA-256 in `x-amz-content-sha256`;
 * - an error answer is an {@link AwsServiceError} named by its `Code` (`NoSuchKey` for a
 *   missing key, 404), `NotFound`/`Http<status>` when it has no body;
 * - up to three attempts on throttling, 5xx, timeouts and network errors (the SDK's
 *   standard retry mode, as the S3 client is configured).
 * Any other command, or an input field not written here, is refused with an error naming it.
 */
import type { GetObjectCommandInput, PutObjectCommandInput } from '@aws-sdk/client-s3';
import { AwsServiceError, GetObjectCommand, PutObjectCommand, type AwsCaller, type AwsCommand, type AwsResponseMetadata } from './aws-commands.ts';
import { SignedHttpEndpoint, withStandardRetries, xmlText, type SignedHttpOptions, type SignedHttpResponse } from './aws-signed-http.ts';

/** What the lean S3 client needs. */
export interface LeanS3Options {
  /** The service endpoint: `https://s3.<region>.amazonaws.com`, or a local emulator's. */
  endpoint: string;
  /** Buckets in the path, never in the host name (a configured endpoint). */
  forcePathStyle: boolean;
  region: string;
  credentials: SignedHttpOptions['credentials'];
  timeouts: SignedHttpOptions['timeouts'];
  maxSockets: number;
  /** Attempts per call (3, the SDK's default, unless given). */
  maxAttempts?: number;
  /** Resolves host names (default: the system's). */
  lookup?: SignedHttpOptions['lookup'];
}

/** The body of a GetObject answer, read whole (the SDK's `transformTo*` methods). */
export interface LeanObjectBody {
  transformToString(encoding?: string): Promise<string>;
  transformToByteArray(): Promise<Uint8Array>;
}

/** A bucket name that can be a host name label of a TLS certificate's wildcard (no dots). */
const VIRTUAL_HOSTABLE = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;
const GET_FIELDS = new Set(['Bucket', 'Key']);
const PUT_FIELDS = new Set(['Bucket', 'Key', 'Body', 'ContentType']);

/**
 * @example
 * ```ts
 * const s3 = new LeanS3Client({ endpoint: 'https://s3.eu-west-1.amazonaws.com', forcePathStyle: false, region: 'eu-west-1', credentials: async () => credentials, timeouts: { connectionMs: 1_000, requestMs: 3_000 }, maxSockets: 50 });
 * const out = await s3.send(new GetObjectCommand({ Bucket: 'artefacts', Key: 'editions/daily-2026-12-01/meta.json' }));
 * const meta = JSON.parse(await out.Body!.transformToString());
 * ```
 */
export class LeanS3Client implements AwsCaller {
  public readonly awsCaller = true as const;
  readonly #options: LeanS3Options;
  readonly #url: URL;
  /** One endpoint (socket pool) per host: the service's, and each virtual-hosted bucket's. */
  readonly #endpoints = new Map<string, SignedHttpEndpoint>();

  public constructor(options: LeanS3Options) {
    this.#options = options;
    this.#url = new URL(options.endpoint);
  }

  public send<Input extends object, Output extends object>(command: AwsCommand<Input, Output>): Promise<Output> {
    if (command instanceof GetObjectCommand) {
      const error = unsupported('GetObject', command.input, GET_FIELDS);
      return (error ? Promise.reject(error) : this.#get(command.input)) as Promise<Output>;
    }
    if (command instanceof PutObjectCommand) {
      const error = unsupported('PutObject', command.input, PUT_FIELDS);
      return (error ? Promise.reject(error) : this.#put(command.input)) as Promise<Output>;
    }
    return Promise.reject(new TypeError(`LeanS3Client: ${command.constructor.name} is not supported (only GetObjectCommand and PutObjectCommand)`));
  }

  public destroy(): void {
    for (const endpoint of this.#endpoints.values()) endpoint.destroy();
    this.#endpoints.clear();
  }

  /** The endpoint and path of an object, as the SDK addresses it. */
  #address(bucket: string | undefined, key: string | undefined): { http: SignedHttpEndpoint; path: string } {
    if (!bucket || key === undefined || key === '') throw new TypeError('LeanS3Client: Bucket and Key are required');
    const virtual = !this.#options.forcePathStyle && VIRTUAL_HOSTABLE.test(bucket) && !/^\d+\.\d+\.\d+\.\d+$/.test(bucket);
    const origin = virtual ? `${this.#url.protocol}//${bucket}.${this.#url.host}` : this.#url.origin + this.#url.pathname;
    let http = this.#endpoints.get(origin);
    if (http === undefined) {
      const { forcePathStyle: _f, maxAttempts: _m, ...rest } = this.#options;
      http = new SignedHttpEndpoint({ ...rest, endpoint: origin, service: 's3' });
      this.#endpoints.set(origin, http);
    }
    return { http, path: virtual ? `/${key}` : `/${bucket}/${key}` };
  }

  async #get(input: GetObjectCommandInput): Promise<object> {
    const { http, path } = this.#address(input.Bucket, input.Key);
    return withStandardRetries(this.#options.maxAttempts ?? 3, async (attempts, totalRetryDelay) => {
      const response = await http.request({ method: 'GET', path });
      const $metadata = metadata(response, attempts, totalRetryDelay);
      if (response.status < 200 || response.status >= 300) throw serviceError(response, $metadata);
      const h = response.headers;
      const bytes = response.body;
      const body: LeanObjectBody = {
        transformToString: async (encoding = 'utf-8') => new TextDecoder(encoding).decode(bytes),
        transformToByteArray: async () => new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength),
      };
      return {
        Body: body,
        ...(h['content-length'] !== undefined ? { ContentLength: Number(h['content-length']) } : {}),
        ...(h['content-type'] ? { ContentType: h['content-type'] } : {}),
        ...(h.etag ? { ETag: h.etag } : {}),
        ...(h['last-modified'] ? { LastModified: new Date(h['last-modified']) } : {}),
        $metadata,
      };
    });
  }

  async #put(input: PutObjectCommandInput): Promise<object> {
    const { http, path } = this.#address(input.Bucket, input.Key);
    const body = input.Body;
    let chunk: Buffer;
    if (typeof body === 'string') chunk = Buffer.from(body, 'utf8');
    else if (body instanceof Uint8Array) chunk = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    else if (body === undefined) chunk = Buffer.alloc(0);
    else throw new TypeError('LeanS3Client: PutObject takes a string or bytes as Body (not a stream or a Blob)');
    const headers: Record<string, string> = input.ContentType ? { 'content-type': input.ContentType } : {};
    return withStandardRetries(this.#options.maxAttempts ?? 3, async (attempts, totalRetryDelay) => {
      const response = await http.request({ method: 'PUT', path, headers, chunks: [chunk] });
      const $metadata = metadata(response, attempts, totalRetryDelay);
      if (response.status < 200 || response.status >= 300) throw serviceError(response, $metadata);
      return { ...(response.headers.etag ? { ETag: response.headers.etag } : {}), $metadata };
    });
  }
}

function unsupported(operation: string, input: object, known: ReadonlySet<string>): TypeError | undefined {
  const other = Object.keys(input).filter((k) => !known.has(k) && (input as Record<string, unknown>)[k] !== undefined);
  return other.length === 0 ? undefined : new TypeError(`LeanS3Client: ${operation} with ${other.join(', ')} is not supported (only ${[...known].join(', ')})`);
}

function metadata(response: SignedHttpResponse, attempts: number, totalRetryDelay: number): AwsResponseMetadata {
  return { httpStatusCode: response.status, requestId: String(response.headers['x-amz-request-id'] ?? ''), attempts, totalRetryDelay };
}

/** S3's error answer (`<Error><Code>…</Code><Message>…</Message></Error>`), named as the SDK names it. */
function serviceError(response: SignedHttpResponse, $metadata: AwsResponseMetadata): AwsServiceError {
  const xml = response.body.toString('utf8');
  const fallback = response.status === 404 ? 'NotFound' : `Http${response.status}`;
  const name = xmlText(xml, 'Code') ?? fallback;
  const message = xmlText(xml, 'Message') ?? `S3 answered ${response.status}`;
  return new AwsServiceError({ name, message, $fault: response.status >= 500 ? 'server' : 'client', $metadata });
}
