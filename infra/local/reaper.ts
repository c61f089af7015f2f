/**
 * Cleanup that outlives the process that needs it.
 *
 * The local stack leaves things behind when its process dies without running its `stop()`:
 * a crash, or SIGKILL, which no handler can catch. Those things are temporary folders (the
 * S3 emulator's store, serverless-offline's working directory with its builds) and the
 * serverless-offline process group, which runs detached (so that a terminal's Ctrl-C reaches
 * it only through us) and would otherwise keep its port and its esbuild children for ever.
 *
 * So each process that creates such things starts one small helper, the reaper
 * (`reaper-process.ts`), on first use, and tells it what to clean up, one JSON line at a time
 * on the reaper's stdin. The reaper does nothing until that pipe closes. The kernel closes it
 * when this process ends, however it ends, SIGKILL included. The reaper then stops the process
 * groups still listed (SIGTERM, then SIGKILL), removes the folders still listed, and exits.
 * What `stop()` cleaned up itself is taken off the list first (the function `reapOnExit`
 * returns), so after a clean stop the reaper finds nothing to do.
 *
 * The reaper runs in a session of its own (`detached`), so the signal that kills this
 * process's group (a terminal closing, `kill -9 -PGID`) does not kill it too. It holds none of
 * this process's output streams, and this process does not wait for it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { REPO_ROOT } from './cfn.ts';

/** Something to clean up: a temporary folder (directly under `os.tmpdir()`), or a process group. */
export type ReapTarget = { path: string } | { processGroup: number };

/** One line on the reaper's stdin. */
export type ReaperMessage = { op: 'add' | 'remove' } & ReapTarget;

const REAPER_SCRIPT = fileURLToPath(new URL('./reaper-process.ts', import.meta.url));

let reaper: ChildProcess | undefined;
let broken = false;

function start(): ChildProcess | undefined {
  if (broken) return undefined;
  if (reaper) return reaper;
  try {
    const child = spawn(process.execPath, ['--import', 'tsx', REAPER_SCRIPT], {
      cwd: REPO_ROOT, // resolves `tsx` from the project's node_modules
      detached: true,
      stdio: ['pipe', 'ignore', 'ignore'],
      env: process.env,
    });
    // Cleanup is best effort: if the reaper cannot start or dies, `stop()` still works.
    const giveUp = (): void => {
      broken = true;
      reaper = undefined;
    };
    child.once('error', giveUp);
    child.once('exit', giveUp);
    child.stdin?.on('error', giveUp);
    // Neither the child nor the pipe keeps this process alive.
    child.unref();
    (child.stdin as Socket | null)?.unref();
    reaper = child;
    return child;
  } catch {
    broken = true;
    return undefined;
  }
}

function send(message: ReaperMessage): void {
  start()?.stdin?.write(`${JSON.stringify(message)}\n`);
}

/**
 * Has the reaper clean `target` up if this process ends before the returned function is
 * called. Call it once the target is cleaned up (or handed over).
 *
 * @example
 * ```ts
 * const dir = await mkdtemp(join(tmpdir(), 'news-digest-s3-'));
 * const release = reapOnExit({ path: dir });
 * // … later, in stop():
 * await rm(dir, { recursive: true, force: true });
 * release();
 * ```
 */
export function reapOnExit(target: ReapTarget): () => void {
  send({ op: 'add', ...target });
  let released = false;
  return () => {
    if (released) return;
    released = true;
    send({ op: 'remove', ...target });
  };
}
