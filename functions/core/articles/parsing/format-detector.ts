/**
 * Which parser reads an object: by extension first, then by content for `.txt` and
 * extension-less keys.
 */
import { UnreadableContentError } from '../../errors.ts';
import { ArticleFormat } from '../types.ts';

/** Extensions the ingestion reads, and what they mean. `sniff`: decided by the content. */
const EXTENSIONS = {
  json: 'json',
  md: 'markdown',
  markdown: 'markdown',
  txt: 'sniff',
  text: 'sniff',
  '': 'sniff',
} as const satisfies Record<string, ArticleFormat | 'sniff'>;

type KnownExtension = keyof typeof EXTENSIONS;

/** Front matter: `---` on the first line and a closing `---` (or `...`) line. */
const FRONT_MATTER = /^---[ \t]*\n(?:[\s\S]*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|$)/;

/**
 * The lower-case extension of the key's last segment, without the dot; '' when none
 * (a leading dot, as in `.hidden`, is not an extension).
 *
 * @example
 * extensionOf('news/2026/Story.JSON'); // 'json'
 * extensionOf('exports/page');         // ''
 */
export function extensionOf(key: string): string {
  const name = key.slice(key.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}

/**
 * Throws "unsupported file type .pdf" unless the key's extension is one the ingestion reads.
 * Called before the bytes are looked at.
 *
 * @example
 * assertSupportedExtension('a/report.pdf'); // throws UnreadableContentError('a/report.pdf', 'unsupported file type .pdf')
 */
export function assertSupportedExtension(key: string): void {
  const extension = extensionOf(key);
  if (!Object.hasOwn(EXTENSIONS, extension)) {
    throw new UnreadableContentError(key, `unsupported file type .${extension}`);
  }
}

/**
 * The format of a (decoded) object. `.json` is JSON and `.md`/`.markdown` Markdown whatever
 * they hold. For `.txt` and no extension the content decides: a JSON object (or a text that
 * parses as a JSON array) → JSON, front matter or a first line `# Heading` → Markdown, else
 * a plain-text page export.
 *
 * @example
 * detectFormat('a.txt', '{"title":"T"}');          // 'json'
 * detectFormat('a.txt', '---\ntitle: T\n---\nBody'); // 'markdown'
 * detectFormat('a', 'Headline\n\nParagraph');       // 'page-export'
 */
export function detectFormat(key: string, text: string): ArticleFormat {
  assertSupportedExtension(key);
  const byExtension = EXTENSIONS[extensionOf(key) as KnownExtension];
  if (byExtension !== 'sniff') {
    return byExtension;
  }
  const start = text.trimStart();
  if (start.startsWith('{') || (start.startsWith('[') && parsesAsJson(start))) {
    return ArticleFormat.JSON;
  }
  if (FRONT_MATTER.test(text) || /^#[ \t]+\S/.test(start)) {
    return ArticleFormat.MARKDOWN;
  }
  return ArticleFormat.PAGE_EXPORT;
}

function parsesAsJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
