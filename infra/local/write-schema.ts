/**
 * Writes `docs/article.schema.json`, the JSON Schema of the article format (JSON files and
 * Markdown front matter), generated from the validator the ingestion uses, so that what is
 * documented is what is enforced. A unit test checks the committed file is up to date.
 *
 *   npx tsx infra/local/write-schema.ts          # write the file
 *   npx tsx infra/local/write-schema.ts --check  # exit 1 when the file is out of date
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { articleJsonSchema } from '../../functions/core/articles/parsing/index.ts';

/** Where the schema is committed. */
export const SCHEMA_FILE = fileURLToPath(new URL('../../docs/article.schema.json', import.meta.url));

/**
 * The text of the schema file: the generated schema, two-space indent, trailing newline.
 *
 * @example
 * ```ts
 * JSON.parse(articleSchemaText()).required; // ['title']
 * ```
 */
export function articleSchemaText(): string {
  return `${JSON.stringify(articleJsonSchema(), null, 2)}\n`;
}

async function main(args: string[]): Promise<number> {
  const text = articleSchemaText();
  if (args.includes('--check')) {
    const current = await readFile(SCHEMA_FILE, 'utf8').catch(() => '');
    if (current === text) return 0;
    process.stderr.write(`${SCHEMA_FILE} is out of date: run npx tsx infra/local/write-schema.ts\n`);
    return 1;
  }
  await writeFile(SCHEMA_FILE, text);
  process.stdout.write(`${SCHEMA_FILE}\n`);
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = await main(process.argv.slice(2));
}
