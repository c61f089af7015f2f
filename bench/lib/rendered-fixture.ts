/**
 * The kit's 15-story edition (test/kit/fixtures), rendered once with MJML, as the edition
 * function renders it once per edition. The benchmark's send workers (the throughput worker
 * and the four rate-cap workers) only read it, as a send worker reads the rendered edition
 * from S3: the set-up renders it in the seeder process (which imports MJML for its fan-outs
 * anyway) and writes it to a file, so that no worker imports MJML and compiles the template
 * itself (four to five imports and compiles of about 2 s of CPU each, paid once instead).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { RenderedEdition } from '../../functions/core/editions/types.ts';
import { EDITION_URL, makeBranding, makeContent } from '../../test/kit/fixtures/index.ts';

/**
 * Renders the fixture edition (with MJML).
 *
 * @example
 * ```ts
 * const rendered = await renderFixtureEdition();
 * ```
 */
export async function renderFixtureEdition(): Promise<RenderedEdition> {
  const { renderEdition } = await import('../../functions/core/rendering/edition-email.ts');
  return renderEdition(makeContent(), { branding: makeBranding({ fromAddress: 'digest@news-digest.test' }), editionUrl: EDITION_URL });
}

/**
 * Renders the fixture edition and writes it to `file` (JSON).
 *
 * @example
 * ```ts
 * await writeFixtureEdition('/tmp/edition.json');
 * ```
 */
export async function writeFixtureEdition(file: string): Promise<void> {
  writeFileSync(file, JSON.stringify(await renderFixtureEdition()));
}

/**
 * The fixture edition: read from `file` when given (written by writeFixtureEdition), else rendered here.
 *
 * @example
 * ```ts
 * const rendered = await fixtureEdition(process.env.BENCH_RENDERED_FILE);
 * ```
 */
export async function fixtureEdition(file?: string): Promise<RenderedEdition> {
  return file ? (JSON.parse(readFileSync(file, 'utf8')) as RenderedEdition) : renderFixtureEdition();
}
