/**
 * One AWS service endpoint spoken to directly: a request signed with Signature Version 4 over
 * kept-alive sockets (http1-client.ts, our own HTTP/1.1 client: Node's `http` cost the send
 * function 1.3–1.55× the CPU a call), with the same per-attempt limits as the SDK clients built in
 * aws-clients.ts (connection, answer) and an optional per-call deadline. `post()` is the hot
 * path of the JSON and query protocols (POST to `/`); `request()` takes any method, path,
 * query and headers (S3's REST calls).
 *
 * Hand-written for speed, and only for the send worker's hot calls (DynamoDB's JSON protocol,
 * SES's SendRawEmail). A call through an AWS SDK v3 client runs some twenty middlewares
 * (endpoint rules, user agent, schema serde, retry, signing through generic header handling,
 * a fresh middleware stack per DocumentClient command): about 0.8–0.9 ms of CPU a call warm
 * on this machine, against about 0.15 ms here for the same UpdateItem on the same socket
 * pool. The send worker makes three to four such calls a message; `npm run bench -- --only=transport`
 * measures both side by side (bench/transport.ts), and the adapter tests run every
 * DynamoDB adapter's contract through both clients. The send function goes further: its
 * whole bundle carries no SDK (aws-lean-clients.ts: S3, SES, SQS, SSM over this class), so
 * its credentials are the environment's (`AWS_ACCESS_KEY_ID`, … as Lambda sets them).
 *
 * The signature is the one `@smithy/signature-v4` computes for the same request (a unit test
 * compares the two header for header): canonical request over the method, the path (each
 * segment URI-encoded once for S3, twice for every other service, as the signer's
 * `uriEscapePath` does), the sorted query, the signed headers in order, and the SHA-256 of the
 * payload, which is hashed from its chunks as they are written (a 100 KB SendRawEmail body is
 * never concatenated).
 */
import { createHash, createHmac } from 'node:crypto';
import type { LookupFunction } from 'node:net';
import { Http1Client, type Http1Call, type Http1ClientOptions, type HttpTransport } from './http1-client.ts';
import { AwsServiceError, type AwsCaller, type AwsCommand, type AwsResponseMetadata } from './aws-commands.ts';

/** Where a command input carries its call deadline (epoch ms): {@link withCallDeadline}. */
export const CALL_DEADLINE = Symbol('news-digest.callDeadline');

/**
 * A command input that carries a deadline (epoch ms): a call made with it on a client built in
 * aws-clients.ts is aborted then, with an `AbortError`. `undefined` leaves the input as it is.
 *
 * @example
 * ```ts
 * await ses.send(new SendRawEmailCommand(withCallDeadline(input, Date.now() + 5_000)));
 * ```
 */
export function withCallDeadline<T extends object>(input: T, deadline: number | undefined): T {
  return deadline === undefined ? input : { ...input, [CALL_DEADLINE]: deadline };
}

/**
 * The deadline a command input carries, if any.
 *
 * @example
 * ```ts
 * callDeadlineOf(withCallDeadline({}, 5)); // 5
 * ```
 */
export function callDeadlineOf(input: object): number | undefined {
  const deadline = (input as { [CALL_DEADLINE]?: unknown })[CALL_DEADLINE];
  return typeof deadline === 'number' ? deadline : undefined;
}

/** Where a command input carries the latest time its request may be written (epoch ms): {@link withStartBy}. */
export const CALL_START_BY = Symbol('news-digest.callStartBy');

/** The name of the error a call fails with when its request was not written by its `startBy` time (nothing was sent). */
export const START_MISSED = 'StartMissedError';

/**
 * A command input that carries a start-by time (epoch ms): the lean clients write its request
 * no later than that, or fail the call with a {@link START_MISSED} error without writing
 * anything (the send slots: a request written late would reach SES bunched with the next
 * slots' requests). The SDK's clients ignore it. `undefined` leaves the input as it is.
 *
 * @example
 * ```ts
 * await ses.send(new SendRawEmailCommand(withStartBy(input, slot + 8)));
 * ```
 */
export function withStartBy<T extends object>(input: T, startBy: number | undefined): T {
  return startBy === undefined ? input : { ...input, [CALL_START_BY]: startBy };
}

/**
 * The start-by time a command input carries, if any.
 *
 * @example
 * ```ts
 * startByOf(withStartBy({}, 5)); // 5
 * ```
 */
export function startByOf(input: object): number | undefined {
  const startBy = (input as { [CALL_START_BY]?: unknown })[CALL_START_BY];
  return typeof startBy === 'number' ? startBy : undefined;
}

/** What signing needs of the caller's credentials (the SDK's AwsCredentialIdentity). */
export interface SigningCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string | undefined;
  expiration?: Date | undefined;
}

/** Options of a {@link SignedHttpEndpoint}. */
export interface SignedHttpOptions {
  /** Full URL of the service endpoint (`https://dynamodb.eu-west-1.amazonaws.com` or a local emulator's). */
  endpoint: string;
  region: string;
  /** The signing name: `dynamodb`, `ses` (SES v1 signs as `ses` at `email.<region>.amazonaws.com`). */
  service: string;
  /**
   * Where the credentials come from: an SDK client's provider (`client.config.credentials`),
   * or the environment's, as config.ts read them (aws-lean-clients.ts). Asked again five
   * minutes before an `expiration`.
   */
  credentials: () => Promise<SigningCredentials>;
  /** Per attempt: the TCP connection, and the answer's headers (a stalled body also counts). */
  timeouts: { connectionMs: number; requestMs: number };
  maxSockets: number;
  /** Resolves host names (default: the system's, `dns.lookup`); a test points a bucket's virtual host at 127.0.0.1. */
  lookup?: LookupFunction | undefined;
  /** Extra certificate authorities for TLS (a test's self-signed certificate); the system's otherwise. */
  ca?: Http1ClientOptions['ca'];
  /** What carries the requests (default: {@link Http1Client}; bench/transport.ts compares Node's `http`). */
  transport?: ((options: Http1ClientOptions) => HttpTransport) | undefined;
}

/** An answer: its status, headers and whole body. */
export interface SignedHttpResponse {
  status: number;
  /** Lower-case names; a repeated header's values joined with ", ". */
  headers: Readonly<Record<string, string>>;
  body: Buffer;
}

/** A request for {@link SignedHttpEndpoint.request}. */
export interface SignedHttpRequest {
  method: 'GET' | 'PUT' | 'POST' | 'DELETE' | 'HEAD';
  /**
   * The path below the endpoint's, not encoded (`/my-bucket/editions/a b.json`): each segment
   * is URI-encoded here as the SDK encodes an S3 key (`/` separates segments).
   */
  path: string;
  /** Query parameters, not encoded. */
  query?: Readonly<Record<string, string>>;
  /** Lower-case names. */
  headers?: Readonly<Record<string, string>>;
  /** The body, written in order, never joined. */
  chunks?: readonly Buffer[];
  /** Epoch ms: the call is aborted then (`AbortError`). */
  deadline?: number;
}

/**
 * The SDK's `extendedEncodeURIComponent` (and the signer's `escapeUri`): encodeURIComponent,
 * and `!'()*` too.
 *
 * @example
 * ```ts
 * uriEscape("a b(1)!"); // 'a%20b%281%29%21'
 * ```
 */
export function uriEscape(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

const EMPTY_SHA256 = createHash('sha256').digest('hex');

/** Credentials are asked for again this long before they expire (as the SDK refreshes them). */
const REFRESH_BEFORE_MS = 5 * 60_000;

/**
 * A transport error shaped as the SDK's HTTP handler shapes its own (`name`, `code`), so that
 * callers classify both alike (`TimeoutError`, `AbortError`, `ECONNREFUSED`, …).
 */
function transportError(name: string, message: string, cause?: unknown): Error {
  const error = new Error(message, cause === undefined ? undefined : { cause }) as Error & { code?: string };
  error.name = name;
  const code = (cause as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string') error.code = code;
  return error;
}

/**
 * A signed POST endpoint of one AWS service.
 *
 * @example
 * ```ts
 * const ddb = new SignedHttpEndpoint({ endpoint: 'https://dynamodb.eu-west-1.amazonaws.com', region: 'eu-west-1', service: 'dynamodb', credentials: () => client.config.credentials(), timeouts: { connectionMs: 1_000, requestMs: 3_000 }, maxSockets: 50 });
 * const { status, body } = await ddb.post({ 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.GetItem' }, [Buffer.from(json)]);
 * ```
 */
export class SignedHttpEndpoint {
  readonly #url: URL;
  readonly #host: string;
  readonly #path: string;
  readonly #options: SignedHttpOptions;
  readonly #client: HttpTransport;
  #credentials: { value: SigningCredentials; until: number } | undefined;
  #credentialsRead: Promise<SigningCredentials> | undefined;
  /** The x-amz-date of the current second (made once a second rather than per call). */
  #date: { second: number; amz: string } = { second: -1, amz: '' };
  /** The signing key of the current day (it depends only on the secret, the day, region and service). */
  #key: { day: string; secret: string; key: Buffer } | undefined;

  public constructor(options: SignedHttpOptions) {
    this.#options = options;
    this.#url = new URL(options.endpoint);
    this.#host = this.#url.host;
    this.#path = this.#url.pathname || '/';
    const transport = { url: this.#url, maxSockets: options.maxSockets, lookup: options.lookup, ca: options.ca };
    this.#client = options.transport ? options.transport(transport) : new Http1Client(transport);
  }

  /**
   * Posts `chunks` (written in order, never joined) with `headers` plus the signature's.
   * Resolves with any HTTP answer (the caller reads errors from it); rejects on a transport
   * failure: `TimeoutError` (no connection within `connectionMs`: its message says "did not
   * establish a connection"; or no answer within `requestMs`), `AbortError` at `deadline`
   * (epoch ms), or the socket's own error (`ECONNREFUSED`, `ECONNRESET`, …); with `startBy`
   * (epoch ms), a {@link START_MISSED} error when the request could not be written by then
   * (nothing was written).
   */
  public async post(headers: Record<string, string>, chunks: readonly Buffer[], deadline?: number, startBy?: number): Promise<SignedHttpResponse> {
    const credentials = await this.#currentCredentials();
    let length = 0;
    for (const chunk of chunks) length += chunk.byteLength;
    const signed = this.#sign('POST', this.#path, '', headers, payloadHash(chunks), credentials);
    signed['content-length'] = String(length);
    return this.#send('POST', this.#path, signed, chunks, deadline, startBy);
  }

  /**
   * Sends any request (S3's REST calls): `path` and `query` are encoded here, the signature
   * covers them as `@smithy/signature-v4` does for this service, and for S3 the payload's
   * SHA-256 also goes as `x-amz-content-sha256`. Resolves and rejects as {@link post}.
   *
   * @example
   * ```ts
   * const { status, body } = await s3.request({ method: 'GET', path: '/artefacts/editions/daily-2026-12-01/meta.json' });
   * ```
   */
  public async request(request: SignedHttpRequest): Promise<SignedHttpResponse> {
    const credentials = await this.#currentCredentials();
    const chunks = request.chunks ?? [];
    let length = 0;
    for (const chunk of chunks) length += chunk.byteLength;
    const base = this.#path.endsWith('/') ? this.#path.slice(0, -1) : this.#path;
    const wirePath = base + request.path.split('/').map(uriEscape).join('/');
    // The signer encodes the (already encoded) path once more for every service but S3.
    const canonicalPath = this.#options.service === 's3' ? wirePath : encodeURIComponent(wirePath).replace(/%2F/g, '/');
    const query = request.query ?? {};
    const canonicalQuery = Object.keys(query)
      .sort()
      .map((k) => `${uriEscape(k)}=${uriEscape(query[k] as string)}`)
      .join('&');
    const hash = length === 0 ? EMPTY_SHA256 : payloadHash(chunks);
    const headers: Record<string, string> = { ...request.headers };
    if (this.#options.service === 's3') headers['x-amz-content-sha256'] = hash;
    const signed = this.#sign(request.method, canonicalPath, canonicalQuery, headers, hash, credentials);
    if (length > 0 || request.method === 'PUT' || request.method === 'POST') signed['content-length'] = String(length);
    return this.#send(request.method, canonicalQuery === '' ? wirePath : `${wirePath}?${canonicalQuery}`, signed, chunks, request.deadline);
  }

  /** Closes the kept-alive sockets. */
  public destroy(): void {
    this.#client.destroy();
  }

  async #currentCredentials(): Promise<SigningCredentials> {
    const known = this.#credentials;
    if (known && Date.now() < known.until) return known.value;
    this.#credentialsRead ??= this.#options
      .credentials()
      .then((value) => {
        const until = value.expiration ? value.expiration.getTime() - REFRESH_BEFORE_MS : Number.POSITIVE_INFINITY;
        this.#credentials = { value, until };
        return value;
      })
      .finally(() => {
        this.#credentialsRead = undefined;
      });
    return this.#credentialsRead;
  }

  #signingKey(secret: string, day: string): Buffer {
    const known = this.#key;
    if (known && known.day === day && known.secret === secret) return known.key;
    const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();
    const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, day), this.#options.region), this.#options.service), 'aws4_request');
    this.#key = { day, secret, key };
    return key;
  }

  /** The headers to send: the caller's (lower-case names), host, x-amz-date, the token, the signature. */
  #sign(method: string, canonicalPath: string, canonicalQuery: string, headers: Record<string, string>, payloadSha256: string, credentials: SigningCredentials): Record<string, string> {
    const now = Date.now();
    const second = Math.floor(now / 1000);
    if (this.#date.second !== second) this.#date = { second, amz: new Date(second * 1000).toISOString().replace(/[-:]|\.\d{3}/g, '') };
    const amzDate = this.#date.amz;
    const day = amzDate.slice(0, 8);
    const all: Record<string, string> = { ...headers, host: this.#host, 'x-amz-date': amzDate };
    if (credentials.sessionToken) all['x-amz-security-token'] = credentials.sessionToken;
    const names = Object.keys(all).sort();
    let canonicalHeaders = '';
    for (const name of names) canonicalHeaders += `${name}:${String(all[name]).trim().replace(/\s+/g, ' ')}\n`;
    const signedHeaders = names.join(';');
    const canonicalRequest = `${method}\n${canonicalPath}\n${canonicalQuery}\n${canonicalHeaders}\n${signedHeaders}\n${payloadSha256}`;
    const scope = `${day}/${this.#options.region}/${this.#options.service}/aws4_request`;
    const stringToSign = `AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${createHash('sha256').update(canonicalRequest, 'utf8').digest('hex')}`;
    const signature = createHmac('sha256', this.#signingKey(credentials.secretAccessKey, day)).update(stringToSign, 'utf8').digest('hex');
    all.authorization = `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
    return all;
  }

  #send(method: string, path: string, headers: Record<string, string>, chunks: readonly Buffer[], deadline: number | undefined, startBy?: number): Promise<SignedHttpResponse> {
    const { connectionMs, requestMs } = this.#options.timeouts;
    const timers: NodeJS.Timeout[] = [];
    const call: Http1Call = startBy === undefined ? {} : { startBy };
    const fail = (name: string, message: string) => call.abort?.(transportError(name, message));
    // Within requestMs of the socket being ours (a wait in the pool's queue does not count, as
    // with the SDK's handler), the answer's first bytes; then a body that stalls as long fails
    // too. One timer, re-armed (refresh) rather than made anew at each step.
    let waiting: NodeJS.Timeout | undefined;
    const awaitAnswer = () => {
      if (waiting) {
        waiting.refresh();
        return;
      }
      waiting = setTimeout(() => fail('TimeoutError', `no answer within ${requestMs} ms`), requestMs);
      timers.push(waiting);
    };
    if (deadline !== undefined) {
      timers.push(setTimeout(() => fail('AbortError', 'The operation was aborted at its deadline'), Math.max(0, Math.ceil(deadline - Date.now()))));
    }
    let connect: NodeJS.Timeout | undefined;
    call.onSocket = (connecting) => {
      if (!connecting) return awaitAnswer();
      connect = setTimeout(() => fail('TimeoutError', `Socket did not establish a connection within ${connectionMs} ms`), connectionMs);
      timers.push(connect);
    };
    call.onConnected = () => {
      clearTimeout(connect);
      awaitAnswer();
    };
    call.onData = awaitAnswer;
    return this.#client.send({ method, path, headers, chunks }, call).then(
      (answer) => {
        for (const t of timers) clearTimeout(t);
        return answer;
      },
      (error: Error) => {
        for (const t of timers) clearTimeout(t);
        // Our own timeouts are shaped already; the socket's errors keep their name and code.
        throw error.name === 'TimeoutError' || error.name === 'AbortError' || error.name === START_MISSED ? error : transportError(error.name, error.message, error);
      },
    );
  }
}

/** The hex SHA-256 of a payload, hashed chunk by chunk. */
function payloadHash(chunks: readonly Buffer[]): string {
  const payload = createHash('sha256');
  for (const chunk of chunks) payload.update(chunk);
  return payload.digest('hex');
}

/** Error codes the SDK's standard retry treats as throttling (a longer backoff). */
export const THROTTLING_ERRORS: ReadonlySet<string> = new Set(['ThrottlingException', 'ProvisionedThroughputExceededException', 'RequestLimitExceeded', 'TooManyRequestsException', 'Throttling', 'ThrottledException', 'RequestThrottled', 'RequestThrottledException', 'SlowDown', 'BandwidthLimitExceeded', 'TransactionInProgressException', 'EC2ThrottledException', 'PriorRequestNotComplete']);
const TRANSIENT_NETWORK = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);
const TRANSIENT_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT']);
const MAX_BACKOFF_MS = 20_000;

/**
 * Whether the SDK's standard retry mode tries a failed call again: throttling, a timeout or
 * a dropped connection, no answer at all (but not an abort at the call's deadline), or
 * 500/502/503/504.
 *
 * @example
 * ```ts
 * isTransientAwsError(Object.assign(new Error('x'), { name: 'SlowDown', $metadata: { httpStatusCode: 503 } })); // true
 * ```
 */
export function isTransientAwsError(error: unknown): boolean {
  const e = error as { name?: string; code?: string; $metadata?: { httpStatusCode?: number } };
  if (e.name === START_MISSED) return false; // written late it would be wrong, not slow: the caller decides
  if (e.name !== undefined && THROTTLING_ERRORS.has(e.name)) return true;
  if ((e.name !== undefined && TRANSIENT_NETWORK.has(e.name)) || (e.code !== undefined && TRANSIENT_CODES.has(e.code))) return true;
  const status = e.$metadata?.httpStatusCode;
  if (status === undefined) return e.name !== 'AbortError';
  return [500, 502, 503, 504].includes(status);
}

/**
 * Runs one call up to `maxAttempts` times as the SDK's standard retry mode does: another try
 * only for {@link isTransientAwsError}, after a full-jitter backoff (base 100 ms, 500 ms when
 * throttled, doubling, at most 20 s). `attempt` gets the attempt's number (from 1) and the
 * delay so far (for `$metadata`); the last error is thrown with `$metadata.attempts` and
 * `totalRetryDelay` set, as the SDK sets them.
 *
 * @example
 * ```ts
 * const out = await withStandardRetries(3, (attempt, totalRetryDelay) => call(attempt, totalRetryDelay));
 * ```
 */
export async function withStandardRetries<T>(maxAttempts: number, attempt: (n: number, totalRetryDelay: number) => Promise<T>): Promise<T> {
  let totalRetryDelay = 0;
  for (let n = 1; ; n++) {
    try {
      return await attempt(n, totalRetryDelay);
    } catch (error) {
      const e = error as { name?: string; $metadata?: Record<string, unknown> };
      if (n >= maxAttempts || !isTransientAwsError(error)) {
        if (typeof e === 'object' && e !== null) e.$metadata = { ...e.$metadata, attempts: n, totalRetryDelay };
        throw error;
      }
      const throttled = e.name !== undefined && THROTTLING_ERRORS.has(e.name);
      const delay = Math.random() * Math.min(MAX_BACKOFF_MS, (throttled ? 500 : 100) * 2 ** (n - 1));
      totalRetryDelay += delay;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

const XML_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/**
 * The text of the first `<element>` in an XML answer (the query and S3 protocols' answers:
 * flat text elements), entities decoded; undefined when absent.
 *
 * @example
 * ```ts
 * xmlText('<Error><Code>NoSuchKey</Code></Error>', 'Code'); // 'NoSuchKey'
 * ```
 */
export function xmlText(xml: string, element: string): string | undefined {
  const match = new RegExp(`<${element}>([^<]*)</${element}>`).exec(xml);
  if (!match) return undefined;
  return (match[1] as string).replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (all, e: string) => {
    if (e[0] === '#') return String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
    return XML_ENTITIES[e] ?? all;
  });
}

/**
 * An AWS JSON protocol error answer (`{"__type": "…#Name", "message": "…"}`) as the SDK
 * shapes it: `name` from `__type` (after any `#`; else from the answer's
 * `x-amzn-errortype` header), `$fault` from the status, `$retryable` for throttling.
 *
 * @example
 * ```ts
 * throw jsonServiceError(response, { httpStatusCode: response.status, attempts: 1 }, 'SQS');
 * ```
 */
export function jsonServiceError(response: SignedHttpResponse, $metadata: AwsResponseMetadata, service: string): AwsServiceError {
  let parsed: Record<string, unknown> = {};
  try {
    parsed = JSON.parse(response.body.toString('utf8')) as Record<string, unknown>;
  } catch {
    // Not JSON (a proxy's page): named by its status below.
  }
  const header = String(response.headers['x-amzn-errortype'] ?? '').split(':')[0] ?? '';
  const type = String(parsed.__type ?? parsed.code ?? header);
  const name = type.slice(type.lastIndexOf('#') + 1) || (response.status >= 500 ? 'InternalServerError' : 'UnknownError');
  const message = String(parsed.message ?? parsed.Message ?? `${service} answered ${response.status}`);
  const error = new AwsServiceError({ name, message, $fault: response.status >= 500 ? 'server' : 'client', $metadata });
  if (THROTTLING_ERRORS.has(name)) error.$retryable = { throttling: true };
  return error;
}

/**
 * What the lean clients of one endpoint share (DynamoDB, SES, SQS, SSM): the signed
 * endpoint of their service, the {@link AwsCaller} mark, `destroy()`, and one way to refuse a
 * command they do not take.
 *
 * @example
 * ```ts
 * class LeanSsmClient extends LeanAwsCaller {
 *   public send(command) { return command instanceof GetParameterCommand ? this.#get(command.input) : this.unsupported(command, 'GetParameterCommand'); }
 * }
 * ```
 */
export abstract class LeanAwsCaller implements AwsCaller {
  public readonly awsCaller = true as const;
  protected readonly http: SignedHttpEndpoint;

  protected constructor(options: SignedHttpOptions) {
    this.http = new SignedHttpEndpoint(options);
  }

  public abstract send<Input extends object, Output extends object>(command: AwsCommand<Input, Output>): Promise<Output>;

  public destroy(): void {
    this.http.destroy();
  }

  /** Rejects a command this client does not take, naming it and the ones it does. */
  protected unsupported(command: object, supported: string): Promise<never> {
    return Promise.reject(new TypeError(`${this.constructor.name}: ${command.constructor.name} is not supported (only ${supported})`));
  }
}
