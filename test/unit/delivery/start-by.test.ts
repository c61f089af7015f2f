/**
 * A send's start-by time (its send slot plus the lateness allowed): a request that cannot be
 * written by then is not written at all, and the send reports SendSlotMissedError (nothing
 * was sent), so that a late request never reaches SES bunched with the next slots' requests.
 * Checked against loopback servers: the HTTP client (the last moment before a byte goes out),
 * the lean SES client waiting for a socket, and the SDK's client (checked before the call).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sesCaller, sesClient } from '../../../functions/adapters/aws-clients.ts';
import type { AwsCaller } from '../../../functions/adapters/aws-commands.ts';
import { SdkCaller } from '../../../functions/adapters/aws-sdk-caller.ts';
import { START_MISSED, isTransientAwsError } from '../../../functions/adapters/aws-signed-http.ts';
import { Http1Client } from '../../../functions/adapters/http1-client.ts';
import { SesMailSender, classify } from '../../../functions/adapters/ses-mail-sender.ts';
import { parseConfig } from '../../../functions/core/config.ts';
import { SendSlotMissedError, TransientSendError } from '../../../functions/core/errors.ts';
import { successXml } from '../../../infra/local/ses-protocol.ts';
import { PLACEHOLDER_ENV } from '../../../bench/lib/placeholder-env.ts';

/** A loopback SES that answers each SendRawEmail after `delayMs`, counting requests and connections. */
async function fakeSes(delayMs: number): Promise<{ url: string; server: Server; requests: number; connections: number }> {
  const state = { url: '', server: undefined as unknown as Server, requests: 0, connections: 0 };
  state.server = createServer((req: IncomingMessage, res: ServerResponse) => {
    state.requests += 1;
    req.resume();
    setTimeout(() => res.writeHead(200, { 'content-type': 'text/xml' }).end(successXml('SendRawEmail', `<MessageId>m-${state.requests}</MessageId>`)), delayMs);
  });
  state.server.on('connection', () => {
    state.connections += 1;
  });
  await new Promise<void>((resolve) => state.server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(state.server.address() as AddressInfo).port}`;
  return state;
}

const MESSAGE = { to: 'ann@example.org', raw: 'Subject: hi\r\n\r\nbody', tags: { edition: 'daily-2026-11-28', subscriber: 's_1' } };
const post = (body: string) => ({ method: 'POST', path: '/', headers: { host: '127.0.0.1', 'content-length': String(Buffer.byteLength(body)) }, chunks: [Buffer.from(body)] });

let ses: Awaited<ReturnType<typeof fakeSes>> | undefined;
const closing: Array<{ destroy(): void }> = [];
const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };

beforeEach(() => {
  // The SDK signs with credentials from the environment; the fake SES ignores them.
  process.env.AWS_ACCESS_KEY_ID ??= 'local';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
});

afterEach(async () => {
  for (const c of closing.splice(0)) c.destroy();
  const server = ses?.server;
  ses = undefined;
  if (server) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  if (saved.id === undefined) delete process.env.AWS_ACCESS_KEY_ID;
  if (saved.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
});

describe('Class: Http1Client, start-by time', () => {
  it('writes nothing when the start-by time has passed, and keeps the socket for the next request', async () => {
    // Prepare: one kept-alive connection, used once
    ses = await fakeSes(0);
    const http = new Http1Client({ url: new URL(ses.url), maxSockets: 1 });
    closing.push(http);
    expect((await http.send(post('first'))).status).toBe(200);

    // Act
    const late = await http.send(post('late'), { startBy: Date.now() - 5 }).catch((e: unknown) => e);
    const next = await http.send(post('next'), { startBy: Date.now() + 60_000 });

    // Assess
    expect(late).toMatchObject({ name: START_MISSED });
    expect((late as Error).message).toMatch(/not written: its start-by time had passed \d+ ms/);
    expect(next.status).toBe(200);
    expect(ses.requests).toBe(2); // 'first' and 'next' only
    expect(ses.connections).toBe(1);
  });
});

describe('Class: SesMailSender, start-by time', () => {
  it('lean client: a send whose start-by time passes while it waits for a socket is not sent (SendSlotMissedError)', async () => {
    // Prepare: one socket (SEND_CONCURRENCY 1), held 300 ms by the first send
    ses = await fakeSes(300);
    const client = sesCaller(parseConfig({ ...PLACEHOLDER_ENV, SES_ENDPOINT: ses.url, SEND_CONCURRENCY: '1' }));
    closing.push(client);
    const mail = new SesMailSender({ client });

    // Act: the second send may start up to 50 ms from now; its socket is free only after 300 ms
    const first = mail.send(MESSAGE);
    const second = mail.send(MESSAGE, { startBy: Date.now() + 50 }).catch((e: unknown) => e);

    // Assess
    expect(await first).toBe('m-1');
    const error = await second;
    expect(error).toBeInstanceOf(SendSlotMissedError);
    expect((error as Error).message).toMatch(/^StartMissedError: the request was not written/);
    expect(ses.requests).toBe(1);
  });

  it.each<{ label: string; build: (endpoint: string) => AwsCaller }>([
    { label: 'lean client', build: (endpoint) => sesCaller(parseConfig({ ...PLACEHOLDER_ENV, SES_ENDPOINT: endpoint })) },
    { label: 'SDK client', build: (endpoint) => new SdkCaller(sesClient(parseConfig({ ...PLACEHOLDER_ENV, SES_ENDPOINT: endpoint }))) },
  ])('$label: sends nothing once the start-by time has passed, and sends one still ahead', async ({ build }) => {
    // Prepare
    ses = await fakeSes(0);
    const client = build(ses.url);
    closing.push(client);
    const mail = new SesMailSender({ client });

    // Act
    const late = await mail.send(MESSAGE, { startBy: Date.now() - 1 }).catch((e: unknown) => e);
    const inTime = await mail.send(MESSAGE, { startBy: Date.now() + 60_000 });

    // Assess
    expect(late).toBeInstanceOf(SendSlotMissedError);
    expect(inTime).toBe('m-1');
    expect(ses.requests).toBe(1);
  });
});

describe('Function: classify, isTransientAwsError', () => {
  it('maps an unwritten request to SendSlotMissedError, and no standard retry tries it again', () => {
    // Prepare
    const error = Object.assign(new Error('the request was not written: its start-by time had passed 2 ms before it could be written'), { name: START_MISSED });

    // Act
    const mapped = classify(error);

    // Assess
    expect(mapped).toBeInstanceOf(SendSlotMissedError);
    expect(mapped).not.toBeInstanceOf(TransientSendError);
    expect((mapped as Error).cause).toBe(error);
    expect(isTransientAwsError(error)).toBe(false);
  });
});
