/**
 * The architecture as rules over the import graph of the whole tree (static imports and
 * re-exports, and `import()` with a literal), plus the send worker's real bundle:
 * - the core imports no adapter, wiring, HTTP, CLI, infra or test code;
 * - nothing under functions/ imports infra/, test/ or bench/ (AWS runs functions/ only);
 * - the editions module imports no rendering or delivery module (they depend on it);
 * - adapters import no wiring, HTTP or CLI code;
 * - MJML stays out of the per-recipient send path: the send bundle holds none, and the alerts
 *   module (whose digest assembly runs in the send worker) reaches none.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FUNCTIONS = path.join(ROOT, 'functions');
const CORE = path.join(FUNCTIONS, 'core');

/** Every .ts file under a folder. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return filesUnder(full);
    return full.endsWith('.ts') ? [full] : [];
  });
}

/** Every module specifier a file imports or re-exports. */
function specifiers(file: string): string[] {
  const source = readFileSync(file, 'utf8');
  return [...source.matchAll(/(?:import|export)\s[^'";]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^import\s+['"]([^'"]+)['"]/gm)].map(
    (m) => m[1] ?? m[2] ?? m[3] ?? '',
  );
}

/** The files a file imports directly (relative imports only), as absolute paths. */
function localImports(file: string): string[] {
  return specifiers(file)
    .filter((s) => s.startsWith('.'))
    .map((s) => path.resolve(path.dirname(file), s));
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

const rel = (file: string): string => path.relative(ROOT, file);
const inside = (file: string, dir: string): boolean => file.startsWith(`${path.join(ROOT, dir)}${path.sep}`);

/** Pairs `importer → imported` that break a rule. */
function violations(files: readonly string[], forbidden: (target: string) => boolean): string[] {
  return files.flatMap((file) => localImports(file).filter(forbidden).map((target) => `${rel(file)} → ${rel(target)}`));
}

describe('Architecture: the import graph', () => {
  it('should find the tree (the checker works)', () => {
    // Act
    const core = filesUnder(CORE);
    // Assess
    expect(core.length).toBeGreaterThan(40);
    expect(violations(core, (t) => inside(t, 'functions/core'))).not.toEqual([]);
  });

  it('should keep the core free of adapters, wiring, HTTP, CLI, infra and test code', () => {
    // Act
    const found = violations(filesUnder(CORE), (target) => !inside(target, 'functions/core'));
    // Assess
    expect(found).toEqual([]);
  });

  it('should keep functions/ (what AWS runs) free of infra/, test/ and bench/', () => {
    // Act
    const found = violations(filesUnder(FUNCTIONS), (target) => !inside(target, 'functions'));
    // Assess
    expect(found).toEqual([]);
  });

  it('should keep the editions module free of rendering and delivery (they depend on it)', () => {
    // Act
    const found = violations(filesUnder(path.join(CORE, 'editions')), (t) => inside(t, 'functions/core/rendering') || inside(t, 'functions/core/delivery'));
    // Assess
    expect(found).toEqual([]);
  });

  it('should keep adapters free of wiring, HTTP and CLI code', () => {
    // Act
    const found = violations(filesUnder(path.join(FUNCTIONS, 'adapters')), (t) => ['functions/wiring', 'functions/http', 'functions/cli'].some((d) => inside(t, d)));
    // Assess
    expect(found).toEqual([]);
  });
});

describe('Architecture: MJML stays out of the send path', () => {
  const RENDERING = path.join(CORE, 'rendering');
  const mjmlFree = ['escape.ts', 'types.ts', 'plain-text.ts', 'subject.ts', 'web-archive.ts', 'digest-model.ts', 'personalizer.ts', 'mime.ts', 'alert-parts.ts'];

  it.each(mjmlFree)('should not reach mjml from rendering/%s', (file) => {
    // Act
    const packages = packagesReachable(path.join(RENDERING, file));
    // Assess
    expect([...packages].filter((p) => p === 'mjml' || p.startsWith('mjml-'))).toEqual([]);
  });

  it.each(readdirSync(path.join(CORE, 'alerts')).filter((f) => f.endsWith('.ts')))('should not reach mjml from alerts/%s (the send worker assembles alert digests)', (file) => {
    // Act
    const packages = packagesReachable(path.join(CORE, 'alerts', file));
    // Assess
    expect([...packages].filter((p) => p === 'mjml' || p.startsWith('mjml-'))).toEqual([]);
  });

  it('should reach mjml from rendering/mjml-compiler.ts (the checker works)', () => {
    // Act / Assess
    expect(packagesReachable(path.join(RENDERING, 'mjml-compiler.ts')).has('mjml')).toBe(true);
  });

  it.each([
    'functions/send.ts', 'functions/http/confirm.ts', 'functions/http/unsubscribe.ts', 'functions/http/preferences.ts', 'functions/http/archive.ts',
    'functions/http/subscribe-page.ts', 'functions/http/editor/page.ts', 'functions/http/editor/read.ts', 'functions/http/editor/control.ts', 'functions/reconcile.ts',
  ])(
    'should bundle %s without any mjml module',
    async (entry) => {
      // Act: the bundle as serverless-esbuild builds it (bundled, node, ESM), not written.
      const result = await build({
        entryPoints: [path.join(ROOT, entry)],
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node20',
        write: false,
        metafile: true,
        logLevel: 'silent',
        outdir: path.join(ROOT, '.esbuild', 'architecture-test'),
      });
      // Assess
      const inputs = Object.keys(result.metafile.inputs);
      expect(inputs.some((i) => i.includes('functions/core/delivery/') || i.includes('functions/http/'))).toBe(true);
      expect(inputs.filter((i) => /node_modules\/mjml/.test(i))).toEqual([]);
    },
  );

  it.each(['functions/http/subscribe.ts', 'functions/http/editor/compose.ts'])('should bundle %s with mjml (the bundle check works; the editors\' preview renders)', async (entry) => {
    // Act
    const result = await build({
      entryPoints: [path.join(ROOT, entry)],
      bundle: true,
      platform: 'node',
      format: 'esm',
      write: false,
      metafile: true,
      logLevel: 'silent',
      outdir: path.join(ROOT, '.esbuild', 'architecture-test'),
    });
    // Assess
    expect(Object.keys(result.metafile.inputs).some((i) => /node_modules\/mjml-core\//.test(i))).toBe(true);
  });
});

describe('Architecture: the bundles that carry no AWS SDK', () => {
  /** The bundle of `entry` as serverless-esbuild builds it; its node_modules packages. */
  async function bundledPackages(entry: string): Promise<string[]> {
    const result = await build({
      entryPoints: [path.join(ROOT, entry)], bundle: true, platform: 'node', format: 'esm', target: 'node20',
      write: false, metafile: true, logLevel: 'silent', outdir: path.join(ROOT, '.esbuild', 'architecture-test'),
    });
    return [...new Set(Object.keys(result.metafile.inputs).flatMap((i) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(i)?.[1] ?? []))];
  }

  it('should bundle functions/http/editor/page.ts (it serves a page from the configuration) without @aws-sdk or @smithy', async () => {
    // Act
    const packages = await bundledPackages('functions/http/editor/page.ts');

    // Assess
    expect(packages.filter((p) => p.startsWith('@aws-sdk/') || p.startsWith('@smithy/'))).toEqual([]);
  });

  it('should bundle functions/send.ts (the send worker, on the lean signed-HTTP clients) without the SDK: only @aws-sdk/util-dynamodb, a marshalling library', async () => {
    // Act
    const packages = await bundledPackages('functions/send.ts');

    // Assess
    expect(packages.filter((p) => p.startsWith('@aws-sdk/') || p.startsWith('@smithy/'))).toEqual(['@aws-sdk/util-dynamodb']);
  });

  it('should bundle functions/http/editor/read.ts with the SDK (the check works; the API reads DynamoDB)', async () => {
    // Act
    const packages = await bundledPackages('functions/http/editor/read.ts');

    // Assess
    expect(packages).toContain('@aws-sdk/client-dynamodb');
  });
});

describe('Architecture: the send function\'s clients and adapters need no AWS SDK (but its marshalling library, @aws-sdk/util-dynamodb)', () => {
  it.each([
    'functions/adapters/aws-lean-clients.ts',
    'functions/adapters/ssm-secrets.ts',
    'functions/adapters/s3-artefact-store.ts',
    'functions/adapters/s3-alert-piece-store.ts',
    'functions/adapters/s3-content-source.ts',
    'functions/adapters/sqs-send-queue.ts',
    'functions/adapters/ses-mail-sender.ts',
    'functions/adapters/ses-confirmation-mailer.ts',
    'functions/adapters/lambda-edition-starter.ts',
  ])('should bundle %s without @aws-sdk (but util-dynamodb) or @smithy (type-only imports are erased)', async (entry) => {
    // Act
    const result = await build({
      entryPoints: [path.join(ROOT, entry)], bundle: true, platform: 'node', format: 'esm', target: 'node20',
      write: false, metafile: true, logLevel: 'silent', outdir: path.join(ROOT, '.esbuild', 'architecture-test'),
    });
    const packages = [...new Set(Object.keys(result.metafile.inputs).flatMap((i) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(i)?.[1] ?? []))];

    // Assess
    expect(packages.filter((p) => (p.startsWith('@aws-sdk/') && p !== '@aws-sdk/util-dynamodb') || p.startsWith('@smithy/'))).toEqual([]);
  });
});
