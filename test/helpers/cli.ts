/**
 * Running the `digest` CLI as a user does, in a child process.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The repository root. */
export const ROOT = new URL('../../', import.meta.url).pathname;

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `digest ARGS…` and returns its exit code and output (never throws on a non-zero exit).
 *
 * @example
 * ```ts
 * const { code, stdout } = await digest(['edition', 'status', 'daily-2026-11-28']);
 * ```
 */
export async function digest(args: string[], options: { timeoutMs?: number } = {}): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run('node', ['--import', 'tsx', join(ROOT, 'infra/local/digest.ts'), ...args], { cwd: ROOT, timeout: options.timeoutMs ?? 90_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** The last non-empty line of a command's output (the JSON summary of `digest run`). */
export const lastLine = (s: string): string => s.trim().split('\n').at(-1) ?? '';
