/** Small HTTP helpers shared by the local servers. */
import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';

const MAX_BODY = 50 * 1024 * 1024;
const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'upgrade'];

/**
 * Reads a whole request body (at most 50 MiB).
 *
 * @example
 * ```ts
 * const params = new URLSearchParams((await readBody(req)).toString('utf8'));
 * ```
 */
export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) reject(new Error('Request body too large'));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * Answers with a complete body, unless the response is already over (a response already
 * under way is cut off).
 *
 * @example
 * ```ts
 * reply(res, 200, '<ok/>');
 * ```
 */
export function reply(res: ServerResponse, status: number, body: string, type = 'text/xml'): void {
  if (res.writableEnded || res.destroyed) return;
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/**
 * Answers with JSON.
 *
 * @example
 * ```ts
 * json(res, { cleared: 3 });
 * ```
 */
export function json(res: ServerResponse, value: unknown, status = 200): void {
  reply(res, status, JSON.stringify(value), 'application/json');
}

/**
 * Headers without the hop-by-hop ones (each side of a proxy manages its own connection).
 *
 * @example
 * ```ts
 * res.writeHead(upstream.statusCode ?? 502, endToEnd(upstream.headers));
 * ```
 */
export function endToEnd(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const copy: IncomingHttpHeaders = { ...headers };
  for (const name of HOP_BY_HOP) delete copy[name];
  return copy;
}

/**
 * Stops an HTTP server and drops its open (keep-alive) connections.
 *
 * @example
 * ```ts
 * await closeServer(server);
 * ```
 */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!server.listening) return resolve();
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections?.();
  });
}
