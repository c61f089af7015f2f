/**
 * A small HTTP/1.1 client on kept-alive sockets (plain TCP or TLS) for the lean AWS clients
 * (aws-signed-http.ts): one request at a time on a socket, whole answers, nothing else.
 *
 * Hand-written for speed, where a library would be the rule: the send function makes three
 * or more AWS calls a message, and Node's `http` client (ClientRequest, the agent, and the
 * streams of each request and answer) was about a third of its CPU per message in a profile
 * of the scale run. undici, the maintained alternative, took as much CPU a call as `http` on
 * the same calls. `npm run bench -- --only=transport` measures the lean calls over this
 * client against the same calls over `node:http`, side by side (docs/performance.md,
 * `transportCpuMsPerCall`).
 *
 * What it does, and what AWS's endpoints need of it:
 * - requests with a known length (the body is written as its chunks, never joined);
 * - answers framed by `content-length`, `transfer-encoding: chunked`, or the connection's
 *   end; no body for HEAD, 1xx, 204 and 304; interim 1xx answers skipped;
 * - keep-alive: a socket goes back to the pool after a whole answer, unless the server said
 *   `connection: close` or sent more than the answer; an idle socket the server closes is
 *   dropped from the pool;
 * - at most `maxSockets` sockets; requests beyond wait for one, first come first served.
 * No redirects, no proxies, no `Expect: 100-continue`, no pipelining (AWS needs none).
 */
import { connect as netConnect, type LookupFunction, type Socket } from 'node:net';
import { connect as tlsConnect, type SecureContextOptions } from 'node:tls';

/** A whole answer. Header names are lower case; a repeated header's values are joined with ", ". */
export interface Http1Response {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** One request. */
export interface Http1Request {
  method: string;
  /** The request target as sent (already encoded). */
  path: string;
  /** Lower-case names; `host` and `content-length` included by the caller. */
  headers: Readonly<Record<string, string>>;
  chunks: readonly Buffer[];
}

/** Options of an {@link Http1Client}. */
export interface Http1ClientOptions {
  /** `http:` or `https:`, host and port of the server. */
  url: URL;
  maxSockets: number;
  /** Resolves host names (default: the system's, `dns.lookup`). */
  lookup?: LookupFunction | undefined;
  /** Extra trust for TLS (tests: a self-signed certificate); the system's CAs otherwise. */
  ca?: SecureContextOptions['ca'] | undefined;
}

/**
 * One call's hooks: what the request is told as it goes (its caller's timers follow it), and
 * `abort`, which `send` sets (an AbortSignal per call costs more than the call's other bookkeeping).
 */
export interface Http1Call {
  /** Set by {@link Http1Client.send}: ends the call with `reason` (the socket is closed if the request was written). */
  abort?: (reason: Error) => void;
  /** A socket is the request's: a new one still connecting, or a kept-alive one (the request is written at once). */
  onSocket?: (connecting: boolean) => void;
  /** The new socket connected (and finished its TLS handshake): the request is written now. */
  onConnected?: () => void;
  /** Bytes of the answer arrived. */
  onData?: () => void;
  /**
   * The latest time (epoch ms) the request may be written: past it, the call fails with a
   * `StartMissedError` and nothing is written (the socket goes back to the pool unused).
   */
  startBy?: number;
}

/** The request was not written: its start-by time had passed when it was about to be written. */
function startMissed(lateMs: number): Error {
  const error = new Error(`the request was not written: its start-by time had passed ${lateMs} ms before it could be written`);
  error.name = 'StartMissedError';
  return error;
}

/** A connection that ended before its answer did, coded as Node's client codes it (`ECONNRESET`, "socket hang up"). */
function cutOff(message: string): Error {
  const error = new Error(message) as Error & { code?: string };
  error.code = 'ECONNRESET';
  return error;
}

const CRLF_CRLF = Buffer.from('\r\n\r\n', 'latin1');
const CRLF = Buffer.from('\r\n', 'latin1');
/** As Node's `http` checks a header (checkInvalidHeaderChar): tab, visible ASCII, Latin-1. */
const INVALID_HEADER = /[^\t\x20-\x7e\x80-\xff]/;
const INVALID_NAME = /[^!#$%&'*+.^_`|~0-9A-Za-z-]/;
const INVALID_PATH = /[\s\0]/;

/** Parses one answer from the bytes of a socket; says when it is whole. */
class AnswerParser {
  #buffer: Buffer = Buffer.alloc(0);
  #status = 0;
  /** HTTP/1.0 answers close the connection unless they say keep-alive. */
  #http10 = false;
  #headers: Record<string, string> = {};
  /** 'head' until the header block is read; then how the body is framed. */
  #phase: 'head' | 'length' | 'chunked' | 'close' | 'done' = 'head';
  #remaining = 0;
  #body: Buffer[] = [];
  /** In a chunked body: waiting for a size line (true) or for a chunk's data and its CRLF. */
  #atSize = true;
  #inTrailers = false;
  readonly #head: boolean;

  public constructor(method: string) {
    this.#head = method === 'HEAD';
  }

  public get keepAlive(): boolean {
    const connection = (this.#headers.connection ?? '').toLowerCase();
    return this.#phase === 'done' && this.#buffer.length === 0 && (this.#http10 ? connection === 'keep-alive' : connection !== 'close');
  }

  /** Takes bytes; returns the answer once it is whole. Throws on bytes that are not HTTP/1.x. */
  public push(data: Buffer): Http1Response | undefined {
    this.#buffer = this.#buffer.length === 0 ? data : Buffer.concat([this.#buffer, data]);
    for (;;) {
      if (this.#phase === 'head') {
        const end = this.#buffer.indexOf(CRLF_CRLF);
        if (end < 0) {
          if (this.#buffer.length > 64 * 1024) throw new Error('HTTP answer: header block over 64 KB');
          return undefined;
        }
        this.#readHead(this.#buffer.toString('latin1', 0, end));
        this.#buffer = this.#buffer.subarray(end + 4);
        continue;
      }
      if (this.#phase === 'length') {
        const take = Math.min(this.#remaining, this.#buffer.length);
        if (take > 0) this.#body.push(this.#buffer.subarray(0, take));
        this.#buffer = this.#buffer.subarray(take);
        this.#remaining -= take;
        if (this.#remaining > 0) return undefined;
        return this.#finish();
      }
      if (this.#phase === 'chunked') {
        if (!this.#readChunks()) return undefined;
        return this.#finish();
      }
      if (this.#phase === 'close') {
        if (this.#buffer.length > 0) this.#body.push(this.#buffer);
        this.#buffer = Buffer.alloc(0);
        return undefined;
      }
      return undefined;
    }
  }

  /** The connection ended: the answer if its body ran to the end, else undefined (cut off). */
  public end(): Http1Response | undefined {
    if (this.#phase !== 'close') return undefined;
    return this.#finish();
  }

  #readHead(block: string): void {
    const lines = block.split('\r\n');
    const statusLine = /^HTTP\/1\.([01]) (\d{3})(?: .*)?$/.exec(lines[0] ?? '');
    if (!statusLine) throw new Error(`not an HTTP/1.x answer: ${JSON.stringify((lines[0] ?? '').slice(0, 40))}`);
    const status = Number(statusLine[2]);
    const headers: Record<string, string> = {};
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i] as string;
      const colon = line.indexOf(':');
      if (colon <= 0) throw new Error(`HTTP answer: a malformed header line ${JSON.stringify(line.slice(0, 40))}`);
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
    }
    if (status >= 100 && status < 200) return; // interim (100 Continue, 103): the answer follows
    this.#status = status;
    this.#http10 = statusLine[1] === '0';
    this.#headers = headers;
    if (this.#head || status === 204 || status === 304) {
      this.#phase = 'length';
      this.#remaining = 0;
    } else if ((headers['transfer-encoding'] ?? '').toLowerCase().split(',').map((s) => s.trim()).includes('chunked')) {
      this.#phase = 'chunked';
    } else if (headers['content-length'] !== undefined) {
      const length = Number(headers['content-length']);
      if (!Number.isSafeInteger(length) || length < 0) throw new Error(`HTTP answer: content-length ${JSON.stringify(headers['content-length'])}`);
      this.#phase = 'length';
      this.#remaining = length;
    } else {
      this.#phase = 'close';
    }
  }

  /** Reads chunks from the buffer; true once the last chunk and the trailers are read. */
  #readChunks(): boolean {
    for (;;) {
      if (this.#inTrailers) {
        const end = this.#buffer.indexOf(CRLF);
        if (end < 0) return false;
        this.#buffer = this.#buffer.subarray(end + 2);
        if (end === 0) return true; // the empty line after the trailers
        continue;
      }
      if (this.#atSize) {
        const end = this.#buffer.indexOf(CRLF);
        if (end < 0) return false;
        const size = Number.parseInt(this.#buffer.toString('latin1', 0, end).split(';')[0] as string, 16);
        if (!Number.isSafeInteger(size) || size < 0) throw new Error('HTTP answer: a malformed chunk size');
        this.#buffer = this.#buffer.subarray(end + 2);
        if (size === 0) {
          this.#inTrailers = true;
          continue;
        }
        this.#remaining = size;
        this.#atSize = false;
      }
      if (this.#remaining > 0) {
        const take = Math.min(this.#remaining, this.#buffer.length);
        if (take > 0) this.#body.push(this.#buffer.subarray(0, take));
        this.#buffer = this.#buffer.subarray(take);
        this.#remaining -= take;
        if (this.#remaining > 0) return false;
      }
      // The chunk's data is read: its CRLF follows.
      if (this.#buffer.length < 2) return false;
      if (this.#buffer[0] !== 13 || this.#buffer[1] !== 10) throw new Error('HTTP answer: a chunk longer than its size');
      this.#buffer = this.#buffer.subarray(2);
      this.#atSize = true;
    }
  }

  #finish(): Http1Response {
    this.#phase = 'done';
    const body = this.#body.length === 1 ? (this.#body[0] as Buffer) : Buffer.concat(this.#body);
    return { status: this.#status, headers: this.#headers, body };
  }
}

/** A socket of the pool, and the request it serves (none while idle). */
interface Connection {
  socket: Socket;
  serving: ((event: { data?: Buffer; error?: Error; end?: true }) => void) | undefined;
}

/** What `SignedHttpEndpoint` (aws-signed-http.ts) sends its requests through (this client; the benchmark also puts Node's `http` behind it to compare). */
export interface HttpTransport {
  send(request: Http1Request, call?: Http1Call): Promise<Http1Response>;
  destroy(): void;
}

/**
 * Kept-alive HTTP/1.1 connections to one server.
 *
 * @example
 * ```ts
 * const client = new Http1Client({ url: new URL('https://dynamodb.eu-west-1.amazonaws.com'), maxSockets: 50 });
 * const { status, body } = await client.send({ method: 'POST', path: '/', headers, chunks });
 * ```
 */
export class Http1Client implements HttpTransport {
  readonly #options: Http1ClientOptions;
  readonly #https: boolean;
  readonly #port: number;
  /** Connections not serving a request, the latest used last (taken first: it is the least likely to have been closed). */
  readonly #idle: Connection[] = [];
  /** Requests waiting for a socket. */
  readonly #queue: Array<(connection: Connection | undefined, connecting: boolean) => void> = [];
  #open = 0;
  #destroyed = false;

  public constructor(options: Http1ClientOptions) {
    this.#options = options;
    this.#https = options.url.protocol === 'https:';
    this.#port = Number(options.url.port) || (this.#https ? 443 : 80);
  }

  /**
   * Sends a request and resolves with the whole answer; rejects with the socket's error
   * (`ECONNREFUSED`, `ECONNRESET`, …), or with the reason given to `call.abort` (the caller's
   * timeouts and deadline). `call` is told when the socket is ours and when answer bytes come.
   */
  public send(request: Http1Request, call: Http1Call = {}): Promise<Http1Response> {
    let head = `${request.method} ${request.path} HTTP/1.1\r\n`;
    if (INVALID_PATH.test(request.path)) return Promise.reject(new TypeError(`invalid request path ${JSON.stringify(request.path)}`));
    for (const name in request.headers) {
      const value = request.headers[name] as string;
      if (INVALID_HEADER.test(value) || INVALID_NAME.test(name) || name === '') return Promise.reject(new TypeError(`invalid value of header ${JSON.stringify(name)}`));
      head += `${name}: ${value}\r\n`;
    }
    head += '\r\n';
    return new Promise<Http1Response>((resolve, reject) => {
      let connection: Connection | undefined;
      let settled = false;
      const settle = (error: Error | undefined, response?: Http1Response) => {
        if (settled) return;
        settled = true;
        if (error) reject(error);
        else resolve(response as Http1Response);
      };
      call.abort = (reason: Error) => {
        if (settled) return;
        if (connection) {
          connection.serving = undefined;
          connection.socket.destroy();
        }
        settle(reason);
      };
      this.#take((taken, connecting) => {
        if (settled) {
          // Aborted while it waited in the queue: the socket goes to the next one.
          if (taken) this.#release(taken);
          return;
        }
        if (!taken) return settle(new Error('the client was destroyed'));
        connection = taken;
        const parser = new AnswerParser(request.method);
        taken.serving = ({ data, error, end }) => {
          try {
            if (error) {
              taken.serving = undefined;
              return settle(error);
            }
            if (end) {
              taken.serving = undefined;
              const answer = parser.end();
              return answer ? settle(undefined, answer) : settle(cutOff('socket hang up: the answer was cut off'));
            }
            call.onData?.();
            const answer = parser.push(data as Buffer);
            if (!answer) return;
            taken.serving = undefined;
            if (parser.keepAlive) this.#release(taken);
            else taken.socket.destroy();
            settle(undefined, answer);
          } catch (failure) {
            taken.serving = undefined;
            taken.socket.destroy();
            settle(failure as Error);
          }
        };
        const write = () => {
          if (settled) return;
          // Checked here, after the body was built and signed, the last moment before a byte goes out.
          const late = call.startBy === undefined ? 0 : Date.now() - call.startBy;
          if (late > 0) {
            taken.serving = undefined;
            this.#release(taken);
            return settle(startMissed(late));
          }
          const { socket } = taken;
          socket.cork();
          socket.write(head, 'latin1');
          for (const chunk of request.chunks) socket.write(chunk);
          socket.uncork();
        };
        call.onSocket?.(connecting);
        if (!connecting) return write();
        taken.socket.once(this.#https ? 'secureConnect' : 'connect', () => {
          if (settled) return;
          call.onConnected?.();
          write();
        });
      });
    });
  }

  /** Sockets open (connecting, serving or idle) and idle. */
  public get sockets(): { open: number; idle: number } {
    return { open: this.#open, idle: this.#idle.length };
  }

  /** Closes every socket; requests still waiting for one are refused. */
  public destroy(): void {
    this.#destroyed = true;
    for (const waiting of this.#queue.splice(0)) waiting(undefined, false);
    for (const connection of this.#idle.splice(0)) connection.socket.destroy();
  }

  /** An idle connection, a new one (connecting: true), or a turn in the queue. */
  #take(use: (connection: Connection | undefined, connecting: boolean) => void): void {
    if (this.#destroyed) return use(undefined, false);
    const idle = this.#idle.pop();
    if (idle) {
      idle.socket.ref();
      return use(idle, false);
    }
    if (this.#open < this.#options.maxSockets) return use(this.#connect(), true);
    this.#queue.push(use);
  }

  /** Back to the pool, or to the first request waiting. */
  #release(connection: Connection): void {
    if (this.#destroyed || connection.socket.destroyed) {
      connection.socket.destroy();
      return;
    }
    const waiting = this.#queue.shift();
    if (waiting) waiting(connection, connection.socket.connecting);
    else {
      // An idle socket does not keep the process alive (as Node's agent unrefs its free
      // sockets): a CLI command or a test ends when its work does, not when the server
      // closes the connection.
      connection.socket.unref();
      this.#idle.push(connection);
    }
  }

  #connect(): Connection {
    const { url, lookup, ca } = this.#options;
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const socket = this.#https
      ? tlsConnect({ host, port: this.#port, servername: /^[\d.]+$|:/.test(host) ? '' : host, ALPNProtocols: ['http/1.1'], ...(lookup ? { lookup } : {}), ...(ca ? { ca } : {}) })
      : netConnect({ host, port: this.#port, ...(lookup ? { lookup } : {}) });
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 1000);
    this.#open += 1;
    const connection: Connection = { socket, serving: undefined };
    socket.on('data', (data: Buffer) => {
      if (connection.serving) connection.serving({ data });
      else socket.destroy(); // bytes nobody asked for: the connection cannot be trusted
    });
    socket.on('error', (error) => connection.serving?.({ error }));
    socket.on('end', () => {
      connection.serving?.({ end: true });
      socket.destroy();
    });
    socket.on('close', () => {
      this.#open -= 1;
      connection.serving?.({ error: cutOff('socket hang up') });
      const at = this.#idle.indexOf(connection);
      if (at >= 0) this.#idle.splice(at, 1);
      // The first request waiting for a socket gets a new one.
      const waiting = this.#queue.shift();
      if (waiting) {
        if (this.#destroyed) waiting(undefined, false);
        else waiting(this.#connect(), true);
      }
    });
    return connection;
  }
}
