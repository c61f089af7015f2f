/**
 * The reaper (see reaper.ts): keeps a list of temporary folders and process groups from JSON
 * lines on stdin (`{"op":"add","path":"/tmp/news-digest-s3-x1"}`,
 * `{"op":"remove","processGroup":4242}`). When stdin closes, that is when the process that
 * started it has ended, however it ended, it stops the listed process groups (SIGTERM, then
 * SIGKILL for what is left after a grace period), removes the listed folders, and exits.
 *
 * It only removes folders directly under `os.tmpdir()` and only signals process groups other
 * than its own, so a bad line cannot make it delete or kill anything else.
 */
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { ReaperMessage } from './reaper.ts';

const GRACE_MS = 3_000;
const POLL_MS = 50;

const paths = new Set<string>();
const groups = new Set<number>();
const TMP = resolve(tmpdir());

function apply(message: ReaperMessage): void {
  const add = message.op === 'add';
  if ('path' in message) {
    const path = resolve(String(message.path));
    if (dirname(path) !== TMP) return;
    if (add) paths.add(path);
    else paths.delete(path);
  } else if ('processGroup' in message) {
    const group = Number(message.processGroup);
    if (!Number.isInteger(group) || group <= 1 || group === process.pid) return;
    if (add) groups.add(group);
    else groups.delete(group);
  }
}

/** Signals a process group; false when it has no process left. */
function signal(group: number, name: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-group, name);
    return true;
  } catch {
    return false;
  }
}

async function stopGroups(): Promise<void> {
  let alive = [...groups].filter((g) => signal(g, 'SIGTERM'));
  const deadline = Date.now() + GRACE_MS;
  while (alive.length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, POLL_MS));
    alive = alive.filter((g) => signal(g, 0));
  }
  for (const group of alive) signal(group, 'SIGKILL');
  // SIGKILL cannot be ignored; wait a little for the processes to be gone, so that their
  // folders are not written to while they are removed.
  const after = Date.now() + 1_000;
  while (alive.length > 0 && Date.now() < after) {
    await new Promise((r) => setTimeout(r, POLL_MS));
    alive = alive.filter((g) => signal(g, 0));
  }
}

async function reap(): Promise<void> {
  await stopGroups();
  for (const path of paths) rmSync(path, { recursive: true, force: true, maxRetries: 3 });
  process.exit(0);
}

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  try {
    apply(JSON.parse(line) as ReaperMessage);
  } catch {
    // Not a message: ignored.
  }
});
lines.once('close', () => void reap());
