import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { articleJsonSchema } from '../../../functions/core/articles/parsing/index.ts';
import { articleSchemaText, SCHEMA_FILE } from '../../../infra/local/write-schema.ts';

const DOC = new URL('../../../docs/content-formats.md', import.meta.url);

describe('File: docs/article.schema.json', () => {
  it('is the schema the validator exports (regenerate: npx tsx infra/local/write-schema.ts)', async () => {
    // Act
    const committed = await readFile(SCHEMA_FILE, 'utf8');

    // Assess
    expect(committed).toBe(articleSchemaText());
    expect(JSON.parse(committed)).toEqual(articleJsonSchema());
  });
});

describe('File: docs/content-formats.md', () => {
  it('documents every field of the schema in its field table', async () => {
    // Prepare
    const doc = await readFile(DOC, 'utf8');
    const fields = Object.keys(articleJsonSchema()['properties'] as Record<string, unknown>);

    // Assess
    for (const field of fields) expect(doc, field).toMatch(new RegExp(`^\\| \`${field}\` \\|`, 'm'));
  });
});
