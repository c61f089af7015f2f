/**
 * `npm start` serves and stops cleanly: the stack, serverless-offline, the sample edition and
 * the sample alert digest come up, the API and the SES mailbox answer, and Ctrl-C (SIGINT)
 * stops every listener. Killed with SIGKILL, it still leaves no process, no listening port and
 * no temporary folder.
 *
 * Each run gets its own ports, state file and TMPDIR: every temporary folder it makes is in
 * that TMPDIR, and every process it starts inherits it, which is how the test finds them.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../infra/local/offline.ts';
import { pollUntil } from '../helpers/poll.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
/** A start takes 40 s here alone (serverless-offline bundles every handler), minutes on a busy machine. */
const START_TIMEOUT_MS = 200_000;
const START_TEST_TIMEOUT_MS = START_TIMEOUT_MS + 60_000;

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

/** Pids of the live (not zombie) processes whose environment holds `entry` (Linux /proc). */
async function processesWith(entry: string): Promise<number[]> {
  const pids: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const [environ, status] = await Promise.all([readFile(`/proc/${name}/environ`), readFile(`/proc/${name}/stat`, 'utf8')]);
      const state = status.slice(status.lastIndexOf(')') + 2, status.lastIndexOf(')') + 3);
      if (state !== 'Z' && environ.toString('utf8').split('\0').includes(entry)) pids.push(Number(name));
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return pids;
}

/** What a run left in its TMPDIR, other than tsx's compile cache (`tsx-<uid>`, shared on purpose). */
async function leftovers(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((entry) => !/^tsx-\d+$/.test(entry));
}

interface Run {
  child: ChildProcessByStdio<null, Readable, Readable>;
  ports: Record<'s3' | 'dynamodb' | 'ses' | 'sqs' | 'http' | 'auth', number>;
  /** The run's TMPDIR. */
  tmp: string;
  stateFile: string;
  stdout: () => string;
  stderr: () => string;
}

const runs: Run[] = [];

/** Starts `command` as npm start runs it, with its own ports, state file and TMPDIR; waits until it is ready. */
async function start(command: string, args: string[], options: { detached?: boolean } = {}): Promise<Run> {
  const ports = { s3: await freePort(), dynamodb: await freePort(), ses: await freePort(), sqs: await freePort(), http: await freePort(), auth: await freePort() };
  const tmp = await mkdtemp(join(tmpdir(), 'npm-start-tmp-'));
  // tsx keeps its compile cache in TMPDIR: the run shares the usual one rather than starting cold.
  const tsxCache = `tsx-${process.getuid?.() ?? 0}`;
  await mkdir(join(tmpdir(), tsxCache), { recursive: true });
  await symlink(join(tmpdir(), tsxCache), join(tmp, tsxCache));
  // Its own state file, so that it never replaces the state of a developer's `npm start`.
  const stateFile = join(await mkdtemp(join(tmpdir(), 'npm-start-')), 'stack.json');
  const child = spawn(command, args, {
    cwd: ROOT,
    env: {
      ...process.env,
      LOCAL_S3_PORT: String(ports.s3),
      LOCAL_DYNAMODB_PORT: String(ports.dynamodb),
      LOCAL_SES_PORT: String(ports.ses),
      LOCAL_SQS_PORT: String(ports.sqs),
      LOCAL_HTTP_PORT: String(ports.http),
      LOCAL_AUTH_PORT: String(ports.auth),
      LOCAL_STATE_FILE: stateFile,
      TMPDIR: tmp,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.detached ?? false,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const run: Run = { child, ports, tmp, stateFile, stdout: () => stdout, stderr: () => stderr };
  runs.push(run);
  await pollUntil(async () => stdout.includes('Press Ctrl-C to stop.') || (child.exitCode !== null && Promise.reject(new Error(stderr))), {
    timeoutMs: START_TIMEOUT_MS,
    intervalMs: 200,
    message: `npm start to be ready (stderr: ${stderr.slice(-500)})`,
  });
  return run;
}

/** Nothing of the run is left: no listening port, no process, no temporary folder. */
async function nothingLeft(run: Run): Promise<boolean> {
  for (const port of Object.values(run.ports)) if (await isListening(port)) return false;
  if ((await processesWith(`TMPDIR=${run.tmp}`)).length > 0) return false;
  return (await leftovers(run.tmp)).length === 0;
}

describe('Script: npm start', () => {
  afterEach(async () => {
    // Whatever a failed test left running goes now.
    for (const run of runs.splice(0)) {
      for (const pid of await processesWith(`TMPDIR=${run.tmp}`)) process.kill(pid, 'SIGKILL');
      await rm(run.tmp, { recursive: true, force: true });
      await rm(join(run.stateFile, '..'), { recursive: true, force: true });
    }
  });

  it('serves the API and the mailbox with the sample edition sent, and stops every listener on SIGINT', async () => {
    // Prepare
    const run = await start(process.execPath, ['--import', 'tsx', 'infra/local/start.ts']);
    const exited = new Promise<number | null>((resolve) => run.child.once('exit', (code) => resolve(code)));
    const { ports } = run;

    try {
      // Assess: what it says, and that it is so.
      const stdout = run.stdout();
      const summary = JSON.parse(/Sample edition\s+(\{.*\})/.exec(stdout)?.[1] ?? '{}') as { sent?: number; recipients?: number };
      expect(summary.sent).toBeGreaterThan(0);
      expect(summary.sent).toBe(summary.recipients);
      const alerts = JSON.parse(/Sample alert digest\s+(\{.*?\})\s/.exec(stdout)?.[1] ?? '{}') as { job?: string; sent?: number; recipients?: number; articles?: number };
      expect(alerts).toMatchObject({ job: 'alerts', sent: 1, recipients: 1, articles: 1 });
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
      const raw = (await (await fetch(`http://127.0.0.1:${ports.ses}/raw`)).json()) as Array<{ messageId: string; destinations: string[]; tags: Record<string, string> }>;
      expect(raw.length).toBe((summary.sent ?? 0) + (alerts.sent ?? 0));

      // Edition analytics: delivered for every recipient but the one at the local bounce domain,
      // which bounces; a tracked link followed once through the local SES is one click.
      const edition = (summary as { edition?: string }).edition ?? '';
      type Stats = { counters: Record<string, number>; links: Array<{ url: string; clicks: number }> };
      const stats = async (): Promise<Stats> => (await (await fetch(`http://127.0.0.1:${ports.http}/editor/api/editions/${edition}/stats`, { headers: { authorization: `Bearer ${token}` } })).json()) as Stats;
      const settled = await pollUntil(async () => {
        const s = await stats();
        return s.counters.delivered === (summary.recipients ?? 0) - 1 && s.counters.bouncedPermanent === 1 ? s : undefined;
      }, { timeoutMs: 60_000, intervalMs: 250, message: 'the sample edition\'s deliveries and bounce counted' });
      expect(settled.counters).toMatchObject({ sent: summary.recipients, clicks: 0 });
      const reader = raw.find((m) => m.tags.edition === edition && !m.destinations[0]?.endsWith('@bounce.example.net'));
      const click = await fetch(`http://127.0.0.1:${ports.ses}/click/${reader?.messageId ?? ''}/0`, { redirect: 'manual' });
      expect(click.status).toBe(302);
      const clicked = await pollUntil(async () => ((await stats()).counters.clicks === 1 ? stats() : undefined), { timeoutMs: 30_000, intervalMs: 250, message: 'the click counted' });
      expect(clicked.links).toEqual([{ url: click.headers.get('location'), clicks: 1 }]);
    } finally {
      run.child.kill('SIGINT');
    }

    // Assess: a clean stop.
    expect(await exited).toBe(0);
    for (const port of Object.values(ports)) expect(await isListening(port), `port ${port}`).toBe(false);
    await pollUntil(() => nothingLeft(run), { timeoutMs: 15_000, intervalMs: 200, message: 'no process and no temporary folder left' });
  }, START_TEST_TIMEOUT_MS);

  it('leaves no process, no listening port and no temporary folder when killed with SIGKILL', async () => {
    // Prepare: `npm start` itself, leading a process group as a terminal's job does.
    const run = await start('npm', ['start'], { detached: true });
    const { pid: stackPid } = JSON.parse(await readFile(run.stateFile, 'utf8')) as { pid: number };
    expect(stackPid).not.toBe(run.child.pid);
    expect(await leftovers(run.tmp)).toEqual(expect.arrayContaining([expect.stringMatching(/^news-digest-s3-/), expect.stringMatching(/^news-digest-offline-/)]));
    expect((await processesWith(`TMPDIR=${run.tmp}`)).length).toBeGreaterThan(2);

    // Act: SIGKILL to the whole job, npm and the stack's process at once: neither can clean up.
    process.kill(-(run.child.pid as number), 'SIGKILL');

    // Assess
    await pollUntil(() => nothingLeft(run), {
      timeoutMs: 30_000,
      intervalMs: 200,
      message: 'no process, no listening port and no temporary folder left',
    });
  }, START_TEST_TIMEOUT_MS);
});
