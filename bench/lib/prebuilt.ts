/**
 * The benchmark's helper processes that measure nothing (the local stacks, the SES stand-in,
 * the seeder, the rate-cap workers), run from one ESM file each that esbuild builds from
 * their sources once per run (a folder of chunks per script), instead of through tsx.
 *
 * Why: a run starts about a dozen of them, most during the set-up, which is bound by the two
 * cores. Through tsx each one resolves and loads every module through the loader's hooks.
 * CPU to be ready, tsx → prebuilt (docs/performance.md, "Helper processes run prebuilt"): a
 * stack process 3.2–3.5 → 2.2–3.1 s, a rate-cap worker 2.1–2.9 → 1.1–1.4 s, the SES stand-in
 * 1.4–1.6 → 0.7–1.0 s (`packages: 'external'`: the dependencies are still loaded from
 * node_modules by Node itself, only our TypeScript is bundled; split at the dynamic imports,
 * so that what a script imports lazily stays lazy). Processes whose own CPU or time is a
 * figure keep running through tsx, as before.
 *
 * `import.meta.url` is replaced in each source file by that file's own URL, so the paths the
 * sources compute from it (the repository's root, `infra/local/reaper-process.ts`) stay as
 * they are. The files are written under bench/results/prebuilt.tmp (inside the repository, so
 * that their imports resolve from its node_modules; ignored by git).
 */
import { mkdirSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The repository (not imported from ./child.ts, which imports this file). */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const OUT_DIR = join(ROOT, 'bench/results/prebuilt.tmp');
const built = new Map<string, Promise<string | undefined>>();

/**
 * The path of `entry` (relative to the repository) built into one ESM file, or undefined if
 * esbuild is missing or failed (the caller then runs the source through tsx).
 *
 * @example
 * ```ts
 * const file = await prebuilt('bench/lib/stack-process.ts');
 * const args = file ? [file] : ['--import', 'tsx', 'bench/lib/stack-process.ts'];
 * ```
 */
export function prebuilt(entry: string): Promise<string | undefined> {
  let file = built.get(entry);
  if (!file) {
    file = build(entry).catch((error: unknown) => {
      process.stderr.write(`prebuilt: ${entry} runs through tsx (${error instanceof Error ? error.message : String(error)})\n`);
      return undefined;
    });
    built.set(entry, file);
  }
  return file;
}

async function build(entry: string): Promise<string> {
  const { build: esbuild } = await import('esbuild');
  mkdirSync(OUT_DIR, { recursive: true });
  const name = basename(entry).replace(/\.[cm]?ts$/, '');
  const outdir = join(OUT_DIR, `${name}-${process.pid}`);
  await esbuild({
    entryPoints: [join(ROOT, entry)],
    outdir,
    outExtension: { '.js': '.mjs' },
    // Split at the dynamic imports: what a source imports lazily (e.g. the rate worker's send
    // wiring, after its configuration is set; MJML, which it never loads when given a
    // rendered edition) stays lazy, with its packages, as through tsx.
    splitting: true,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'error',
    plugins: [
      {
        name: 'own-import-meta-url',
        setup(b) {
          b.onLoad({ filter: /\.[cm]?[jt]s$/ }, async (args) => {
            const text = await readFile(args.path, 'utf8');
            if (!text.includes('import.meta.url')) return undefined;
            return { contents: text.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)), loader: /\.[cm]?ts$/.test(args.path) ? 'ts' : 'js' };
          });
        },
      },
    ],
  });
  return join(outdir, `${name}.mjs`);
}

/**
 * Node's arguments to run `entry`: its prebuilt file, else the source through tsx.
 *
 * @example
 * ```ts
 * spawn(process.execPath, [...nodeArgs, ...(await entryArgs('bench/rate-worker.ts')), JSON.stringify(env)]);
 * ```
 */
export async function entryArgs(entry: string): Promise<string[]> {
  const file = await prebuilt(entry);
  return file ? [file] : ['--import', 'tsx', entry];
}

/**
 * Removes the files this process built (at the end of a run).
 *
 * @example
 * ```ts
 * await removePrebuilt();
 * ```
 */
export async function removePrebuilt(): Promise<void> {
  const files = await Promise.all(built.values());
  for (const file of files) if (file) rmSync(dirname(file), { recursive: true, force: true });
  built.clear();
}
