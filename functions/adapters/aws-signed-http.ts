/**
 * One AWS service endpoint spoken to directly: a POST signed with Signature Version 4 over a
 * keep-alive socket pool, with the same per-attempt limits as the SDK clients built in
 * aws-clients.ts (connection, answer) and an optional per-call deadline.
 *
 * Hand-written for speed, and only for the send worker's hot calls (DynamoDB's JSON protocol,
 * SES's SendRawEmail). A call through an AWS SDK v3 client runs some twenty middlewares
 * (endpoint rules, user agent, schema serde, retry, signing through generic header handling,
 * a fresh middleware stack per DocumentClient command): about 0.8–0.9 ms of CPU a call warm
 * on this machine, against about 0.15 ms here for the same UpdateItem on the same socket
 * pool. The send worker makes three to four such calls a message; `npm run bench -- --only=transport`
 * measures both side by side (bench/transport.ts), and the adapter tests run every
 * DynamoDB adapter's contract through both clients. Everything else (credentials, every
 * other operation) stays with the SDK: the credentials come from the SDK client's own
 * provider chain, so the environment, a role or SSO work as they do for it.
 *
 * The signature is the one `@smithy/signature-v4` computes for the same request (a unit test
 * compares the two header for header): canonical request over the method, `/`, no query, the
 * signed headers in order, and the SHA-256 of the payload, which is hashed from its chunks as
 * they are written (a 100 KB SendRawEmail body is never concatenated).
 */
import { createHash, createHmac } from 'node:crypto';
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

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
  /** The SDK client's credential provider (`client.config.credentials`). */
  credentials: () => Promise<SigningCredentials>;
  /** Per attempt: the TCP connection, and the answer's headers (a stalled body also counts). */
  timeouts: { connectionMs: number; requestMs: number };
  maxSockets: number;
}

/** An answer: its status, headers and whole body. */
export interface SignedHttpResponse {
  status: number;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

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
  readonly #agent: HttpAgent;
  readonly #request: typeof httpRequest;
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
    const https = this.#url.protocol === 'https:';
    this.#agent = https ? new HttpsAgent({ keepAlive: true, maxSockets: options.maxSockets }) : new HttpAgent({ keepAlive: true, maxSockets: options.maxSockets });
    this.#request = https ? (httpsRequest as unknown as typeof httpRequest) : httpRequest;
  }

  /**
   * Posts `chunks` (written in order, never joined) with `headers` plus the signature's.
   * Resolves with any HTTP answer (the caller reads errors from it); rejects on a transport
   * failure: `TimeoutError` (no connection within `connectionMs`: its message says "did not
   * establish a connection"; or no answer within `requestMs`), `AbortError` at `deadline`
   * (epoch ms), or the socket's own error (`ECONNREFUSED`, `ECONNRESET`, …).
   */
  public async post(headers: Record<string, string>, chunks: readonly Buffer[], deadline?: number): Promise<SignedHttpResponse> {
    const credentials = await this.#currentCredentials();
    let length = 0;
    for (const chunk of chunks) length += chunk.byteLength;
    const signed = this.#sign(headers, chunks, credentials);
    signed['content-length'] = String(length);
    return this.#send(signed, chunks, deadline);
  }

  /** Closes the kept-alive sockets. */
  public destroy(): void {
    this.#agent.destroy();
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
  #sign(headers: Record<string, string>, chunks: readonly Buffer[], credentials: SigningCredentials): Record<string, string> {
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
    const payload = createHash('sha256');
    for (const chunk of chunks) payload.update(chunk);
    const canonicalRequest = `POST\n${this.#path}\n\n${canonicalHeaders}\n${signedHeaders}\n${payload.digest('hex')}`;
    const scope = `${day}/${this.#options.region}/${this.#options.service}/aws4_request`;
    const stringToSign = `AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${createHash('sha256').update(canonicalRequest, 'utf8').digest('hex')}`;
    const signature = createHmac('sha256', this.#signingKey(credentials.secretAccessKey, day)).update(stringToSign, 'utf8').digest('hex');
    all.authorization = `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
    return all;
  }

  #send(headers: Record<string, string>, chunks: readonly Buffer[], deadline: number | undefined): Promise<SignedHttpResponse> {
    const { connectionMs, requestMs } = this.#options.timeouts;
    return new Promise<SignedHttpResponse>((resolve, reject) => {
      let settled = false;
      const timers: NodeJS.Timeout[] = [];
      const finish = (error: Error | undefined, response?: SignedHttpResponse) => {
        if (settled) return;
        settled = true;
        for (const t of timers) clearTimeout(t);
        if (error) {
          req.destroy();
          reject(error);
        } else resolve(response as SignedHttpResponse);
      };
      const req = this.#request({
        protocol: this.#url.protocol,
        hostname: this.#url.hostname,
        port: this.#url.port,
        path: this.#path,
        method: 'POST',
        agent: this.#agent,
        headers,
      });
      // Within requestMs of the socket being ours (a wait in the pool's queue does not count, as
      // with the SDK's handler), the answer's headers; then a body that stalls as long fails too.
      let waiting: NodeJS.Timeout | undefined;
      const awaitAnswer = () => {
        clearTimeout(waiting);
        waiting = setTimeout(() => finish(transportError('TimeoutError', `no answer within ${requestMs} ms`)), requestMs);
        timers.push(waiting);
      };
      if (deadline !== undefined) {
        timers.push(setTimeout(() => finish(transportError('AbortError', 'The operation was aborted at its deadline')), Math.max(0, Math.ceil(deadline - Date.now()))));
      }
      req.on('socket', (socket) => {
        if (!socket.connecting) return awaitAnswer();
        const connect = setTimeout(() => finish(transportError('TimeoutError', `Socket did not establish a connection within ${connectionMs} ms`)), connectionMs);
        timers.push(connect);
        socket.once('connect', () => {
          clearTimeout(connect);
          awaitAnswer();
        });
      });
      req.on('error', (error) => finish(transportError(error.name, error.message, error)));
      req.on('response', (res) => {
        const body: Buffer[] = [];
        awaitAnswer();
        res.on('data', (chunk: Buffer) => {
          body.push(chunk);
          awaitAnswer();
        });
        res.on('error', (error) => finish(transportError(error.name, error.message, error)));
        res.on('aborted', () => finish(transportError('Error', 'socket hang up: the answer was cut off')));
        res.on('end', () => finish(undefined, { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(body) }));
      });
      for (const chunk of chunks) req.write(chunk);
      req.end();
    });
  }
}
