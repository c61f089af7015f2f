/**
 * What keeps a killed process from leaving things behind: the reaper stops the process groups
 * and removes the temporary folders of a process that ended without cleaning up (SIGKILL, a
 * crash), and leaves alone what was released; a process notices that its parent was killed.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../infra/local/cfn.ts';
import { pollUntil } from '../helpers/poll.ts';

const module = (name: string): string => JSON.stringify(pathToFileURL(join(REPO_ROOT, 'infra/local', name)).href);

/**
 * A process that makes a folder and a detached process group (whose leader ignores SIGTERM),
 * hands both to the reaper, makes a second folder that it releases, prints all of it as one
 * JSON line, then waits, or crashes when told to.
 */
const OWNER = `
import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reapOnExit } from ${module('reaper.ts')};
const folder = await mkdtemp(join(tmpdir(), 'news-digest-owned-'));
reapOnExit({ path: folder });
const released = await mkdtemp(join(tmpdir(), 'news-digest-released-'));
reapOnExit({ path: released })();
const group = spawn(process.execPath, ['-e', "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000)"], { detached: true, stdio: 'ignore' });
reapOnExit({ processGroup: group.pid });
process.stdout.write(JSON.stringify({ folder, released, group: group.pid }) + '\\n');
if (process.argv.includes('crash')) setTimeout(() => { throw new Error('crash'); }, 100);
else setInterval(() => {}, 1000);
`;

function alive(pid: number, group = false): boolean {
  try {
    process.kill(group ? -pid : pid, 0);
    return true;
  } catch {
    return false;
  }
}

const exists = (path: string): Promise<boolean> => stat(path).then(() => true, () => false);

describe('Reaper', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup().catch(() => undefined);
  });

  it.each(['was killed with SIGKILL', 'crashed'])('cleans up after a process that %s: stops its process group, removes its folder, keeps what it released', async (how) => {
    // Prepare: the owner's temporary folders go under a root of this test's own.
    const root = await mkdtemp(join(tmpdir(), 'reaper-test-'));
    cleanups.push(() => rm(root, { recursive: true, force: true }));
    const owner = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', OWNER, ...(how === 'crashed' ? ['crash'] : [])], {
      cwd: REPO_ROOT,
      env: { ...process.env, TMPDIR: root },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const [line] = (await once(createInterface({ input: owner.stdout }), 'line')) as [string];
    const made = JSON.parse(line) as { folder: string; released: string; group: number };
    cleanups.push(async () => {
      if (alive(made.group, true)) process.kill(-made.group, 'SIGKILL');
    });
    expect(alive(made.group, true)).toBe(true);
    expect(await exists(made.folder)).toBe(true);

    // Act
    if (how !== 'crashed') owner.kill('SIGKILL');
    await once(owner, 'exit');

    // Assess
    await pollUntil(async () => !alive(made.group, true) && !(await exists(made.folder)), {
      timeoutMs: 15_000,
      intervalMs: 100,
      message: 'the process group to be stopped and the folder removed',
    });
    expect(await exists(made.released)).toBe(true);
  });

  it('lets a process notice that its parent was killed', async () => {
    // Prepare: parent → child; the child writes "gone" to a file when its parent is gone.
    const root = await mkdtemp(join(tmpdir(), 'reaper-test-'));
    cleanups.push(() => rm(root, { recursive: true, force: true }));
    const out = join(root, 'out');
    const child = `
      import { writeFileSync } from 'node:fs';
      import { whenParentGone } from ${module('parent-watch.ts')};
      whenParentGone(() => { writeFileSync(${JSON.stringify(out)}, 'gone'); process.exit(0); }, 50);
      writeFileSync(${JSON.stringify(out)}, 'watching');
      setInterval(() => {}, 1000);
    `;
    const parent = spawn(process.execPath, ['-e', `
      const { spawn } = require('node:child_process');
      const c = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', ${JSON.stringify(child)}], { stdio: 'ignore' });
      console.log(c.pid);
      setInterval(() => {}, 1000);
    `], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'ignore'] });
    const [line] = (await once(createInterface({ input: parent.stdout }), 'line')) as [string];
    const childPid = Number(line);
    cleanups.push(async () => {
      if (alive(childPid)) process.kill(childPid, 'SIGKILL');
    });

    await pollUntil(async () => (await readFile(out, 'utf8').catch(() => '')) === 'watching', { timeoutMs: 15_000, message: 'the child to watch' });

    // Act
    parent.kill('SIGKILL');

    // Assess
    await pollUntil(async () => !alive(childPid) && (await readFile(out, 'utf8').catch(() => '')) === 'gone', {
      timeoutMs: 15_000,
      intervalMs: 100,
      message: 'the child to notice and exit',
    });
  });
});
