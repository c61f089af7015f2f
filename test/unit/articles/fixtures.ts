/**
 * Helpers of the article parser tests: fixture objects from test/fixtures/content and the
 * quarantine reason of a failing parse.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { UnreadableContentError } from '../../../functions/core/errors.ts';
import type { SourceObject } from '../../../functions/core/articles/types.ts';

/** Folder of the content fixtures. */
export const CONTENT_DIR = fileURLToPath(new URL('../../fixtures/content/', import.meta.url));

/** The seed page export, as exported from commonspace.eu. */
export const SEED_PATH = fileURLToPath(new URL('../../fixtures/000_c5efd77b2ca7bb98.txt', import.meta.url));

/** Options every test parses with. */
export const OPTIONS = { defaultLanguage: 'en' } as const;

/** A source object with the bytes of a content fixture, under the key `content/<name>`. */
export function fixtureObject(name: string): SourceObject {
  return sourceObject(`content/${name}`, readFileSync(`${CONTENT_DIR}${name}`));
}

/** A source object with the given key and body (text is encoded as UTF-8). */
export function sourceObject(key: string, body: string | Uint8Array): SourceObject {
  return {
    key,
    body: typeof body === 'string' ? new TextEncoder().encode(body) : new Uint8Array(body),
    lastModified: new Date('2026-03-04T05:06:07Z'),
  };
}

/** Runs `act`, which must throw an UnreadableContentError, and returns that error. */
export function unreadableFrom(act: () => unknown): UnreadableContentError {
  try {
    act();
  } catch (error) {
    if (error instanceof UnreadableContentError) {
      return error;
    }
    throw error;
  }
  throw new Error('expected an UnreadableContentError, but nothing was thrown');
}
