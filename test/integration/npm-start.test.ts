/**
 * `npm start` serves and stops cleanly: the stack, serverless-offline and the sample edition
 * come up, the API and the SES mailbox answer, and Ctrl-C (SIGINT) stops every listener.
 */
import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../infra/local/offline.ts';
import { pollUntil } from '../helpers/poll.ts';

const ROOT = new URL('../../', import.meta.url).pathname;

function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('Script: npm start', () => {
  it('serves the API and the mailbox with the sample edition sent, and stops every listener on SIGINT', async () => {
    // Prepare
    const ports = { s3: await freePort(), dynamodb: await freePort(), ses: await freePort(), sqs: await freePort(), http: await freePort(), auth: await freePort() };
    const child = spawn(process.execPath, ['--import', 'tsx', 'infra/local/start.ts'], {
      cwd: ROOT,
      env: {
        ...process.env,
        LOCAL_S3_PORT: String(ports.s3),
        LOCAL_DYNAMODB_PORT: String(ports.dynamodb),
        LOCAL_SES_PORT: String(ports.ses),
        LOCAL_SQS_PORT: String(ports.sqs),
        LOCAL_HTTP_PORT: String(ports.http),
        LOCAL_AUTH_PORT: String(ports.auth),
        // Its own state file, so that it never replaces the state of a developer's `npm start`.
        LOCAL_STATE_FILE: join(await mkdtemp(join(tmpdir(), 'npm-start-')), 'stack.json'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

    try {
      // Act
      await pollUntil(async () => stdout.includes('Press Ctrl-C to stop.') || (child.exitCode !== null && Promise.reject(new Error(stderr))), {
        timeoutMs: 120_000,
        intervalMs: 200,
        message: `npm start to be ready (stderr: ${stderr.slice(-500)})`,
      });

      // Assess: what it says, and that it is so.
      const summary = JSON.parse(/Sample edition\s+(\{.*\})/.exec(stdout)?.[1] ?? '{}') as { sent?: number; recipients?: number };
      expect(summary.sent).toBeGreaterThan(0);
      expect(summary.sent).toBe(summary.recipients);
      expect(stdout).toContain(`http://127.0.0.1:${ports.http}`);
      expect(stdout).toContain(`http://127.0.0.1:${ports.ses}`);
      expect(stdout).toContain(`Editors' console    http://127.0.0.1:${ports.http}/editor`);
      const page = await fetch(`http://127.0.0.1:${ports.http}/editor`);
      expect([page.status, page.headers.get('content-security-policy')]).toEqual([200, expect.stringContaining("script-src 'self'")]);
      const { access_token: token } = (await (await fetch(`http://127.0.0.1:${ports.auth}/dev/token`, { method: 'POST' })).json()) as { access_token: string };
      const me = await fetch(`http://127.0.0.1:${ports.http}/editor/api/me`, { headers: { authorization: `Bearer ${token}` } });
      expect(await me.json()).toMatchObject({ username: 'local-editor', scopes: ['editor', 'viewer'] });
      expect((await fetch(`http://127.0.0.1:${ports.http}/health`)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${ports.ses}/`)).status).toBe(200);
      const raw = (await (await fetch(`http://127.0.0.1:${ports.ses}/raw`)).json()) as unknown[] | { messages: unknown[] };
      expect(Array.isArray(raw) ? raw.length : raw.messages.length).toBe(summary.sent);
    } finally {
      child.kill('SIGINT');
    }

    // Assess: a clean stop.
    expect(await exited).toBe(0);
    for (const port of Object.values(ports)) expect(await isListening(port), `port ${port}`).toBe(false);
  });
});
