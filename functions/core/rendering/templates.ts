/**
 * Loading and filling the MJML templates of `templates/`. No MJML compiler here: this is
 * string work and file reads (each file read once per process).
 *
 * Slot syntax: `{{name}}` (lower-case letters and `_`). A slot is filled in one pass, so
 * text put into a slot is never scanned again. Personalisation tokens (`%%{name}%%`) are a
 * different syntax and are left alone. Comments are removed before filling.
 */
import { readFileSync, realpathSync, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RenderError } from '../errors.ts';

/** A template's slot values: already escaped text or already filled MJML. */
export type Slots = Readonly<Record<string, string>>;

const SLOT = /\{\{([a-z_]+)\}\}/g;
const COMMENT = /<!--[\s\S]*?-->/g;
const INCLUDE = /<mj-include\b[^>]*?\bpath\s*=\s*(["'])(.*?)\1[^>]*>/g;

const fileCache = new Map<string, string>();
const checkedIncludes = new Set<string>();

/**
 * Finds the `templates/` folder: the explicit one when given, else next to the project root
 * of this module, else under the working directory (how a Lambda package lays it out).
 *
 * @throws RenderError when no candidate exists.
 * @example
 * ```ts
 * resolveTemplatesDir(); // '/work/main/templates'
 * ```
 */
export function resolveTemplatesDir(explicit?: string): string {
  const candidates = explicit
    ? [path.resolve(explicit)]
    : [
        fileURLToPath(new URL('../../../templates/', import.meta.url)),
        path.resolve(process.cwd(), 'templates'),
      ];
  for (const candidate of candidates) {
    if (existsSync(candidate) && statSync(candidate).isDirectory()) return realpathSync(candidate);
  }
  throw new RenderError(`Templates folder not found (looked in ${candidates.join(', ')})`);
}

/**
 * Resolves `relative` against `fromDir` and makes sure the result is a file inside `root`
 * (after following symlinks).
 *
 * @throws RenderError on a path that leaves `root` or does not exist.
 * @example
 * ```ts
 * resolveInside('/t', '/t', './partials/footer.mjml'); // '/t/partials/footer.mjml'
 * resolveInside('/t', '/t', '../secret');              // throws RenderError
 * ```
 */
export function resolveInside(root: string, fromDir: string, relative: string): string {
  if (relative.includes('\0') || path.isAbsolute(relative) || /^[a-zA-Z]:|^[\\/]{2}/.test(relative)) {
    throw new RenderError(`Template path not allowed: ${relative}`);
  }
  let decoded = relative;
  try {
    decoded = decodeURIComponent(relative);
  } catch {
    throw new RenderError(`Template path not allowed: ${relative}`);
  }
  const candidate = path.resolve(fromDir, decoded);
  if (!existsSync(candidate)) throw new RenderError(`Template not found: ${relative}`);
  const real = realpathSync(candidate);
  const fromRoot = path.relative(root, real);
  if (!fromRoot || fromRoot.startsWith('..') || path.isAbsolute(fromRoot)) {
    throw new RenderError(`Template path leaves the templates folder: ${relative}`);
  }
  return real;
}

/**
 * Reads a template file under `root` (cached for the life of the process).
 *
 * @example
 * ```ts
 * readTemplate(dir, 'partials/card.mjml');
 * ```
 */
export function readTemplate(root: string, relative: string): string {
  const file = resolveInside(root, root, relative);
  let source = fileCache.get(file);
  if (source === undefined) {
    source = readFileSync(file, 'utf8');
    fileCache.set(file, source);
  }
  return source;
}

/**
 * Checks every `mj-include` reachable from a template (recursively): each must resolve to a
 * file inside `root`. MJML resolves the includes itself at compile time; this guard runs
 * first, once per file and process.
 *
 * @throws RenderError naming the first include that leaves `root` or does not exist.
 * @example
 * ```ts
 * assertIncludesInside(dir, 'digest.mjml');
 * ```
 */
export function assertIncludesInside(root: string, relative: string, seen: readonly string[] = []): void {
  const file = resolveInside(root, root, relative);
  if (checkedIncludes.has(file)) return;
  if (seen.includes(file)) throw new RenderError(`Circular mj-include: ${relative}`);
  const source = readTemplate(root, path.relative(root, file));
  for (const match of source.replace(COMMENT, '').matchAll(INCLUDE)) {
    const target = resolveInside(root, path.dirname(file), match[2] ?? '');
    assertIncludesInside(root, path.relative(root, target), [...seen, file]);
  }
  checkedIncludes.add(file);
}

/**
 * Fills a template's `{{slots}}` in one pass after removing its comments.
 *
 * @throws RenderError when the template uses a slot that `slots` does not define.
 * @example
 * ```ts
 * fillTemplate('<p>{{who}}</p>', { who: 'Ann &amp; Bob' }, 'hello'); // '<p>Ann &amp; Bob</p>'
 * ```
 */
export function fillTemplate(source: string, slots: Slots, name: string): string {
  return source.replace(COMMENT, '').replace(SLOT, (_whole, key: string) => {
    const value = Object.hasOwn(slots, key) ? slots[key] : undefined;
    if (value === undefined) throw new RenderError(`Template ${name} uses an unknown slot {{${key}}}`);
    return value;
  });
}
