/**
 * The lean AWS clients' requests over Node's own `http`/`https` client (a keep-alive agent),
 * as aws-signed-http.ts sent them before functions/adapters/http1-client.ts: bench/transport.ts
 * runs the same calls over both, side by side, to show what the hand-written client saves.
 */
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Http1Call, Http1ClientOptions, Http1Request, Http1Response, HttpTransport } from '../../functions/adapters/http1-client.ts';

/**
 * {@link HttpTransport} over `node:http`.
 *
 * @example
 * ```ts
 * const lean = new LeanDynamoDbDocumentClient({ ...options, transport: (o) => new NodeHttpTransport(o) });
 * ```
 */
export class NodeHttpTransport implements HttpTransport {
  readonly #options: Http1ClientOptions;
  readonly #agent: HttpAgent;
  readonly #request: typeof httpRequest;

  public constructor(options: Http1ClientOptions) {
    this.#options = options;
    const https = options.url.protocol === 'https:';
    const agent = { keepAlive: true, maxSockets: options.maxSockets, ...(options.lookup ? { lookup: options.lookup } : {}) };
    this.#agent = https ? new HttpsAgent({ ...agent, ...(options.ca ? { ca: options.ca } : {}) }) : new HttpAgent(agent);
    this.#request = https ? (httpsRequest as unknown as typeof httpRequest) : httpRequest;
  }

  public send(request: Http1Request, call: Http1Call = {}): Promise<Http1Response> {
    const { url } = this.#options;
    return new Promise<Http1Response>((resolve, reject) => {
      let settled = false;
      const finish = (error: Error | undefined, response?: Http1Response) => {
        if (settled) return;
        settled = true;
        if (error) {
          req.destroy();
          reject(error);
        } else resolve(response as Http1Response);
      };
      const req = this.#request({ protocol: url.protocol, hostname: url.hostname, port: url.port, path: request.path, method: request.method, agent: this.#agent, headers: request.headers });
      call.abort = (reason) => finish(reason);
      req.on('socket', (socket) => {
        call.onSocket?.(socket.connecting);
        if (socket.connecting) socket.once('connect', () => call.onConnected?.());
      });
      req.on('error', (error) => finish(error));
      req.on('response', (res) => {
        const body: Buffer[] = [];
        call.onData?.();
        res.on('data', (chunk: Buffer) => {
          body.push(chunk);
          call.onData?.();
        });
        res.on('error', (error) => finish(error));
        res.on('aborted', () => finish(Object.assign(new Error('socket hang up: the answer was cut off'), { code: 'ECONNRESET' })));
        res.on('end', () => finish(undefined, { status: res.statusCode ?? 0, headers: res.headers as Record<string, string>, body: Buffer.concat(body) }));
      });
      for (const chunk of request.chunks) req.write(chunk);
      req.end();
    });
  }

  public destroy(): void {
    this.#agent.destroy();
  }
}
