/**
 * The state file of a running `npm start`: the environment of its stack, so that CLI
 * commands (`digest quarantine list`, `digest edition status`, …) can work on it.
 */
import { readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { dirname } from 'node:path';

/** Local tooling only: LOCAL_STATE_FILE moves the file (tests run a second `npm start` beside yours). */
const STATE_FILE = process.env.LOCAL_STATE_FILE ?? fileURLToPath(new URL('../../.local-state/stack.json', import.meta.url));

export interface LocalState {
  pid: number;
  env: Record<string, string>;
  startedAt: string;
}

/** Writes the state of this process's stack. */
export async function writeLocalState(env: Record<string, string>): Promise<void> {
  await mkdir(dirname(STATE_FILE), { recursive: true });
  await writeFile(STATE_FILE, JSON.stringify({ pid: process.pid, env, startedAt: new Date().toISOString() } satisfies LocalState, null, 2), { mode: 0o600 });
}

/** The state of a running `npm start`, or undefined when none runs (a stale file is ignored). */
export async function readLocalState(): Promise<LocalState | undefined> {
  try {
    const state = JSON.parse(await readFile(STATE_FILE, 'utf8')) as LocalState;
    process.kill(state.pid, 0); // throws when that process is gone
    return state;
  } catch {
    return undefined;
  }
}

/** Removes the state file (on shutdown). */
export async function clearLocalState(): Promise<void> {
  await rm(STATE_FILE, { force: true });
}
