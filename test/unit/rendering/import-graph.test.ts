import { describe, it, expect } from 'vitest';
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const RENDERING = fileURLToPath(new URL('../../../functions/core/rendering/', import.meta.url));

/** Every module specifier a file imports or re-exports (static only). */
function specifiers(file: string): string[] {
  const source = readFileSync(file, 'utf8');
  return [...source.matchAll(/(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map(
    (m) => m[1] ?? m[2] ?? '',
  );
}

/** The bare packages reachable from a file through relative imports. */
function packagesReachable(entry: string, seen = new Set<string>()): Set<string> {
  const packages = new Set<string>();
  if (seen.has(entry)) return packages;
  seen.add(entry);
  for (const spec of specifiers(entry)) {
    if (spec.startsWith('.')) {
      const target = path.resolve(path.dirname(entry), spec);
      if (existsSync(target)) for (const p of packagesReachable(target, seen)) packages.add(p);
    } else packages.add(spec);
  }
  return packages;
}

describe('Rendering: MJML stays out of the send path', () => {
  const mjmlFree = ['escape.ts', 'types.ts', 'render-error.ts', 'plain-text.ts', 'subject.ts', 'web-archive.ts', 'digest-model.ts'];
  // The per-recipient personaliser (written elsewhere) is checked too when it is present.
  if (existsSync(path.join(RENDERING, 'personalizer.ts'))) mjmlFree.push('personalizer.ts');

  it.each(mjmlFree)('should not reach mjml from %s', (file) => {
    // Act
    const packages = packagesReachable(path.join(RENDERING, file));
    // Assess
    expect([...packages].filter((p) => p === 'mjml' || p.startsWith('mjml-'))).toEqual([]);
  });

  it('should reach mjml from email-renderer.ts (the checker works)', () => {
    // Act / Assess
    expect(packagesReachable(path.join(RENDERING, 'email-renderer.ts')).has('mjml')).toBe(true);
  });
});
