/**
 * Call deadlines of the SES callers (functions/adapters/aws-clients.ts, aws-lean-clients.ts)
 * against a loopback HTTP server: a call is aborted at its own deadline and reported as an
 * unknown outcome (the deadline rides on the input, not on `send` options). Both ways a
 * SesMailSender may be built: the lean client (sesCaller on a configured endpoint, the send
 * function's) and the SDK's client through SdkCaller (sesClient's middleware reads it).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AwsCaller } from '../../../functions/adapters/aws-commands.ts';
import { sesCaller, sesClient } from '../../../functions/adapters/aws-clients.ts';
import { LeanSesClient } from '../../../functions/adapters/ses-lean-client.ts';
import { SdkCaller } from '../../../functions/adapters/aws-sdk-caller.ts';
import { SesMailSender } from '../../../functions/adapters/ses-mail-sender.ts';
import { parseConfig } from '../../../functions/core/config.ts';
import { SendOutcomeUnknownError } from '../../../functions/core/errors.ts';
import { successXml } from '../../../infra/local/ses-protocol.ts';
import { PLACEHOLDER_ENV } from '../../../bench/lib/placeholder-env.ts';

/** A loopback SES that answers after `delayMs`, never when `delayMs` is Infinity, or starts its answer and stalls (`stall`). */
async function fakeSes(delayMs: number, stall = false): Promise<{ url: string; server: Server; requests: number; closedUnanswered: number }> {
  const state = { url: '', server: undefined as unknown as Server, requests: 0, closedUnanswered: 0 };
  state.server = createServer((req: IncomingMessage, res: ServerResponse) => {
    state.requests += 1;
    req.resume();
    res.on('close', () => {
      if (!res.writableEnded) state.closedUnanswered += 1;
    });
    if (stall) {
      res.writeHead(200, { 'content-type': 'text/xml', 'content-length': '400' }).write('<SendRawEmailResponse>');
      return;
    }
    if (Number.isFinite(delayMs)) {
      setTimeout(() => res.writeHead(200, { 'content-type': 'text/xml' }).end(successXml('SendRawEmail', '<MessageId>m-1</MessageId>')), delayMs);
    }
  });
  await new Promise<void>((resolve) => state.server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(state.server.address() as AddressInfo).port}`;
  return state;
}

const MESSAGE = { to: 'ann@example.org', raw: 'Subject: hi\r\n\r\nbody', tags: { edition: 'daily-2026-11-28', subscriber: 's_1' } };

describe.each<{ label: string; build: (endpoint: string) => AwsCaller }>([
  { label: 'sesCaller (lean)', build: (endpoint) => sesCaller(parseConfig({ ...PLACEHOLDER_ENV, SES_ENDPOINT: endpoint })) },
  { label: 'sesClient through SdkCaller', build: (endpoint) => new SdkCaller(sesClient(parseConfig({ ...PLACEHOLDER_ENV, SES_ENDPOINT: endpoint }))) },
])('SES call deadlines: $label', ({ label, build }) => {
  let ses: Awaited<ReturnType<typeof fakeSes>> | undefined;
  let client: AwsCaller | undefined;
  const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };

  beforeEach(() => {
    // The SDK signs with credentials from the environment; the fake SES ignores them.
    process.env.AWS_ACCESS_KEY_ID ??= 'local';
    process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
  });

  afterEach(async () => {
    client?.destroy();
    ses?.server.closeAllConnections();
    await new Promise((resolve) => ses?.server.close(resolve));
    if (saved.id === undefined) delete process.env.AWS_ACCESS_KEY_ID;
    if (saved.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
  });

  it('aborts a SendRawEmail at its call deadline and reports the outcome as unknown', async () => {
    // Prepare: an SES that takes the request and never answers
    ses = await fakeSes(Number.POSITIVE_INFINITY);
    client = build(ses.url);
    const mail = new SesMailSender({ client });
    const started = Date.now();

    // Act
    const sent = mail.send(MESSAGE, { deadline: started + 300 });

    // Assess
    const error = await sent.catch((e: unknown) => e);
    const took = Date.now() - started;
    expect(error).toBeInstanceOf(SendOutcomeUnknownError);
    expect((error as Error).message).toMatch(/^AbortError/);
    expect(took).toBeGreaterThanOrEqual(290);
    expect(took).toBeLessThan(2_000);
    expect(ses.requests).toBe(1);
    const server = ses;
    await expect.poll(() => server.closedUnanswered, { timeout: 2_000 }).toBe(1); // the connection was torn down
  });

  it('also aborts a call whose answer starts and then stalls (SES said 200: accepted, but its id is lost)', async () => {
    // Prepare: headers and a first chunk, then nothing
    ses = await fakeSes(0, true);
    client = build(ses.url);
    const mail = new SesMailSender({ client });
    const started = Date.now();

    // Act
    const error = await mail.send(MESSAGE, { deadline: started + 300 }).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(SendOutcomeUnknownError);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('lets a call without a deadline, or one the answer beats, complete', async () => {
    // Prepare: an SES that answers after 200 ms
    ses = await fakeSes(200);
    client = build(ses.url);
    const mail = new SesMailSender({ client });

    // Act
    expect(client instanceof LeanSesClient).toBe(label.includes('lean'));
    const plain = await mail.send(MESSAGE);
    const inTime = await mail.send(MESSAGE, { deadline: Date.now() + 5_000 });

    // Assess
    expect([plain, inTime]).toEqual(['m-1', 'm-1']);
    expect(ses.requests).toBe(2);
  });
});
