/**
 * The Lambda bundles `serverless package` builds: reuses `.serverless/` (or the benchmark's
 * own package folder) when its zips are newer than every source, else packages again into
 * the benchmark's folder. Then, per function: zip size, whether the bundle holds MJML, and
 * the time to import its handler in a fresh Node process (minus a bare `node -e ""`).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from './child.ts';
import { median } from './stats.ts';
import { PLACEHOLDER_ENV } from './placeholder-env.ts';

export const BENCH_PACKAGE_DIR = join(ROOT, 'bench/results/package.tmp');
const SOURCES = ['functions', 'templates', 'infra', 'serverless.yml', 'package.json', 'package-lock.json', 'tsconfig.json'];

function newestMtime(path: string): number {
  let s;
  try {
    s = statSync(path);
  } catch {
    return 0;
  }
  if (!s.isDirectory()) return s.mtimeMs;
  let newest = s.mtimeMs;
  for (const entry of readdirSync(path)) {
    if (entry === 'node_modules' || entry.startsWith('.')) continue;
    newest = Math.max(newest, newestMtime(join(path, entry)));
  }
  return newest;
}

interface FunctionInfo {
  name: string;
  handler: string;
  zip: string;
}

/** The functions of a package folder (from its serverless-state.json). */
function functionsIn(dir: string): FunctionInfo[] | undefined {
  try {
    const state = JSON.parse(readFileSync(join(dir, 'serverless-state.json'), 'utf8')) as {
      service: { functions: Record<string, { handler: string }> };
    };
    const fns = Object.entries(state.service.functions).map(([name, f]) => ({ name, handler: f.handler, zip: join(dir, `${name}.zip`) }));
    return fns.every((f) => statSync(f.zip, { throwIfNoEntry: false })) ? fns : undefined;
  } catch {
    return undefined;
  }
}

function freshIn(dir: string, sourcesAt: number): FunctionInfo[] | undefined {
  const fns = functionsIn(dir);
  if (!fns || fns.length === 0) return undefined;
  return Math.min(...fns.map((f) => statSync(f.zip).mtimeMs)) > sourcesAt ? fns : undefined;
}

export interface Packaging {
  functions: FunctionInfo[];
  dir: string;
  /** Seconds `serverless package` took, when it ran. */
  packagedSeconds?: number;
}

/** Starts packaging (or finds fresh packages); resolves when the zips are there. */
export function ensurePackages(log: (line: string) => void): Promise<Packaging> {
  const sourcesAt = Math.max(...SOURCES.map((s) => newestMtime(join(ROOT, s))));
  for (const dir of [join(ROOT, '.serverless'), BENCH_PACKAGE_DIR]) {
    const fns = freshIn(dir, sourcesAt);
    if (fns) {
      log(`bundles: reusing ${relative(ROOT, dir)} (newer than the sources)`);
      return Promise.resolve({ functions: fns, dir });
    }
  }
  log('bundles: running `serverless package` …');
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['serverless', 'package', '--package', BENCH_PACKAGE_DIR], {
      cwd: ROOT,
      env: { ...process.env, SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const fns = functionsIn(BENCH_PACKAGE_DIR);
      if (code !== 0 || !fns) reject(new Error(`serverless package failed (${code}):\n${output.slice(-4000)}`));
      else resolve({ functions: fns, dir: BENCH_PACKAGE_DIR, packagedSeconds: (performance.now() - t0) / 1000 });
    });
  });
}

/** Placeholder configuration: importing a handler must build nothing that calls AWS. */
const IMPORT_ENV = PLACEHOLDER_ENV;

/** Runs node with the placeholder configuration; resolves with the wall time (ms) and what it printed on stderr. */
function timeNode(args: string[]): Promise<{ ms: number; stderr: string }> {
  const env = { PATH: process.env.PATH ?? '', ...IMPORT_ENV };
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - t0;
      if (code !== 0) reject(new Error(`node ${args.join(' ')} failed: ${stderr.slice(0, 2000)}`));
      else resolve({ ms, stderr });
    });
  });
}

export interface BundleFigures {
  bytes: number;
  initMs: number;
  hasMjml: boolean;
  handlerBytes: number;
  importMs: number;
}

/**
 * Unzips each function and measures it: `runs` fresh processes per handler, each timed from
 * spawn to exit (initMs: median, minus the median of a bare `node -e ""`); each also reports
 * the import alone, timed inside the process (importMs).
 */
export async function measureBundles(functions: readonly FunctionInfo[], runs: number, unpacked?: Record<string, string>): Promise<Record<string, BundleFigures>> {
  const out: Record<string, BundleFigures> = {};
  const base = mkdtempSync(join(tmpdir(), 'news-digest-bundles-'));
  // One process at a time: each is timed alone.
  const times = async (args: string[]) => {
    const timings: { ms: number; stderr: string }[] = [];
    for (let i = 0; i < runs; i++) timings.push(await timeNode(args));
    return timings;
  };
  try {
    const baseline = median((await times(['-e', ''])).map((t) => t.ms));
    for (const fn of functions) {
      let file = unpacked?.[fn.name];
      if (!file) {
        const dir = join(base, fn.name);
        const unzip = spawnSync('unzip', ['-q', '-o', fn.zip, '-d', dir]);
        if (unzip.status !== 0) throw new Error(`unzip ${fn.zip} failed: ${unzip.stderr.toString()}`);
        file = join(dir, `${fn.handler.replace(/\.[^./]+$/, '')}.mjs`);
      }
      const code = readFileSync(file, 'utf8');
      const script = `const t = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); process.stderr.write(String(performance.now() - t));`;
      const timings = await times(['--input-type=module', '-e', script]);
      out[fn.name] = {
        bytes: statSync(fn.zip).size,
        initMs: Math.max(0, median(timings.map((t) => t.ms)) - baseline),
        hasMjml: /mjml-core|mj-column/.test(code),
        handlerBytes: Buffer.byteLength(code),
        importMs: median(timings.map((t) => Number(t.stderr))),
      };
    }
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
  return out;
}

/**
 * Unzips every function of a package, one after the other (asynchronously: the caller's
 * event loop keeps running), each into a folder of its own under `base`; resolves with each
 * function's handler file. The set-up does it once, so that neither the import times'
 * phase nor the runs that use the send and edition bundles wait for an unzip.
 *
 * @example
 * ```ts
 * const files = await unpackAll(packaging.functions, mkdtempSync(join(tmpdir(), 'bundles-')));
 * files.send; // …/send/functions/send.mjs
 * ```
 */
export async function unpackAll(functions: readonly FunctionInfo[], base: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const fn of functions) {
    const dir = join(base, fn.name);
    await new Promise<void>((resolve, reject) => {
      const child = spawn('unzip', ['-q', '-o', fn.zip, '-d', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`unzip ${fn.zip} failed: ${stderr}`))));
    });
    files[fn.name] = join(dir, `${fn.handler.replace(/\.[^./]+$/, '')}.mjs`);
  }
  return files;
}

/**
 * Unzips one function of a package into a fresh temporary folder; returns its handler file
 * (the `.mjs` module).
 *
 * @example
 * ```ts
 * const file = unpackHandler(packaging.functions, 'send'); // …/functions/send.mjs
 * ```
 */
export function unpackHandler(functions: readonly FunctionInfo[], name: string): string {
  const fn = functions.find((f) => f.name === name);
  if (!fn) throw new Error(`no function ${name} in the package`);
  const dir = mkdtempSync(join(tmpdir(), `news-digest-${name}-`));
  const unzip = spawnSync('unzip', ['-q', '-o', fn.zip, '-d', dir]);
  if (unzip.status !== 0) throw new Error(`unzip ${fn.zip} failed: ${unzip.stderr.toString()}`);
  return join(dir, `${fn.handler.replace(/\.[^./]+$/, '')}.mjs`);
}
