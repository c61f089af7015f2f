/**
 * An architecture rule: the in-memory kit (test/kit/) and the benchmarks stay out of the
 * Lambda bundles, because nothing under functions/ imports from test/ or bench/.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FUNCTIONS = path.join(ROOT, 'functions');

/** Every .ts / .mjs file under a folder. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(full);
    return /\.(ts|mjs)$/.test(entry.name) ? [full] : [];
  });
}

/** The relative module specifiers a file imports or re-exports (static and dynamic). */
function relativeImports(file: string): string[] {
  const source = readFileSync(file, 'utf8');
  return [...source.matchAll(/(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)]
    .map((m) => m[1] ?? m[2] ?? '')
    .filter((spec) => spec.startsWith('.'));
}

describe('Architecture: the kit stays out of the Lambda bundles', () => {
  it('should import nothing from test/ or bench/ anywhere under functions/', () => {
    // Prepare
    const outside = ['test', 'bench'].map((dir) => path.join(ROOT, dir) + path.sep);

    // Act
    const offenders = sources(FUNCTIONS).flatMap((file) =>
      relativeImports(file)
        .filter((spec) => outside.some((dir) => path.resolve(path.dirname(file), spec).startsWith(dir)))
        .map((spec) => `${path.relative(ROOT, file)} imports ${spec}`),
    );

    // Assess
    expect(offenders).toEqual([]);
  });
});
