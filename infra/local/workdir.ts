/**
 * A private working directory for running the Serverless Framework on the project: every
 * entry of the project is symlinked into a new temporary directory, except the ones named, so
 * that the framework's build folders (`.esbuild`, `.serverless`) are private to each run and
 * two runs (tests, `npm start`, a developer's own `npx serverless …`) never collide.
 */
import { mkdtemp, readdir, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { REPO_ROOT } from './cfn.ts';
import { reapOnExit } from './reaper.ts';

/** Build outputs of the framework and its plugins, and the repository itself: never shared. */
export const BUILD_ENTRIES: ReadonlySet<string> = new Set(['.esbuild', '.serverless', '.serverless-offline', '.git']);

export interface Workdir {
  /** The directory to run serverless in. */
  dir: string;
  /** Removes the directory (idempotent). */
  remove(): Promise<void>;
}

/**
 * Creates the directory and links the project into it. The directory is removed by
 * `remove()`, and by the reaper if this process dies first.
 *
 * @example
 * ```ts
 * const workdir = await linkedWorkdir('news-digest-package-', { exclude: ['serverless.yml'] });
 * await writeFile(join(workdir.dir, 'serverless.yml'), yaml);
 * await workdir.remove();
 * ```
 */
export async function linkedWorkdir(
  prefix: string,
  options: { project?: string; exclude?: Iterable<string> } = {},
): Promise<Workdir> {
  const project = resolve(options.project ?? REPO_ROOT);
  const excluded = new Set([...BUILD_ENTRIES, ...(options.exclude ?? [])]);
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const release = reapOnExit({ path: dir });
  let removed: Promise<void> | undefined;
  const remove = (): Promise<void> =>
    (removed ??= rm(dir, { recursive: true, force: true }).then(release));
  try {
    for (const entry of await readdir(project)) {
      if (!excluded.has(entry)) await symlink(join(project, entry), join(dir, entry));
    }
  } catch (error) {
    await remove();
    throw error;
  }
  return { dir, remove };
}
