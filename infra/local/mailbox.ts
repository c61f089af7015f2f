/**
 * The internal aws-ses-v2-local server behind the SES front: accepted mail is copied there so
 * its mailbox UI (`/`) and `/store` show it, and the front passes every request it does not
 * handle itself through to it. Its store is module-global: every mailbox in one process
 * shows the same mail.
 */
import { Agent, request } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as sesLocal from 'aws-ses-v2-local';
import { closeServer, endToEnd, json } from './http-util.ts';

type StartServer = (config?: { host?: string; port?: number }) => Promise<Server>;

/** Node hands the CommonJS `exports` object as the default; bundlers hand `exports.default`. */
function startFunction(): StartServer {
  const candidates: unknown[] = [
    (sesLocal as { default?: { default?: unknown } }).default?.default,
    (sesLocal as { default?: unknown }).default,
  ];
  const found = candidates.find((c) => typeof c === 'function');
  if (!found) throw new Error('aws-ses-v2-local exports no server function');
  return found as StartServer;
}

/** The link from the front to its mailbox (which may be switched off). */
export interface Mailbox {
  /** Where aws-ses-v2-local listens; undefined when switched off. */
  url: string | undefined;
  /** Sends a copy of an already-read request; resolves whether the mailbox took it. */
  copy(req: IncomingMessage, body: Buffer): Promise<boolean>;
  /** Passes a request through and pipes the answer back (`body` when already read). */
  proxy(req: IncomingMessage, res: ServerResponse, body?: Buffer): void;
  stop(): Promise<void>;
}

/**
 * Starts aws-ses-v2-local on a free port of `host`, or a stand-in answering 404 when `enabled`
 * is false.
 *
 * @example
 * ```ts
 * const mailbox = await startMailbox('127.0.0.1');
 * await fetch(`${mailbox.url}/store`);
 * ```
 */
export async function startMailbox(host: string, enabled = true): Promise<Mailbox> {
  if (!enabled) {
    return {
      url: undefined,
      copy: async () => false,
      proxy: (_req, res) => json(res, { message: 'This SES front runs without a mailbox' }, 404),
      stop: async () => undefined,
    };
  }
  const server = await startFunction()({ host, port: 0 });
  const { port } = server.address() as AddressInfo;
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });

  function send(req: IncomingMessage, body: Buffer | undefined, onAnswer: (answer: IncomingMessage) => void,
    onError: () => void): void {
    const headers = { ...endToEnd(req.headers), host: `${host}:${port}` };
    if (body) {
      delete headers['transfer-encoding'];
      headers['content-length'] = String(body.length);
    }
    const upstream = request({ host, port, method: req.method, path: req.url, headers, agent, timeout: 30_000 }, onAnswer);
    upstream.on('timeout', () => upstream.destroy(new Error('mailbox timeout')));
    upstream.on('error', onError);
    if (body) upstream.end(body);
    else req.pipe(upstream);
  }

  return {
    url: `http://${host}:${port}`,
    copy: (req, body) => new Promise((resolve) => {
      send(req, body, (answer) => {
        answer.resume();
        resolve((answer.statusCode ?? 500) < 300);
      }, () => resolve(false));
    }),
    proxy: (req, res, body) => {
      send(req, body, (answer) => {
        res.writeHead(answer.statusCode ?? 502, endToEnd(answer.headers));
        answer.pipe(res);
      }, () => json(res, { message: 'Mailbox unavailable' }, 502));
    },
    stop: async () => {
      agent.destroy();
      await closeServer(server);
    },
  };
}
