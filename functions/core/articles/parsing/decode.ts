/**
 * From bytes to text: size limit, emptiness, binary content, UTF-8 validity, BOM, line ends.
 * Every refusal is an {@link UnreadableContentError} whose reason an editor understands.
 */
import { UnreadableContentError } from '../../errors.ts';

/** Largest object the ingestion reads: 5 MiB (5 * 1024 * 1024 bytes). */
export const MAX_OBJECT_BYTES = 5 * 1024 * 1024;

/** Share of control characters above which a text is taken for binary data. */
const MAX_CONTROL_SHARE = 0.1;

/** C0 controls other than tab, LF, CR (and form feed, seen in old exports), and DEL. */
const CONTROL = /[\u0000-\u0008\u000b\u000e-\u001f\u007f]/g;

/**
 * Decodes the bytes of one object to text with `\n` line ends and no BOM, or throws
 * {@link UnreadableContentError}. Checks, in order: size (before decoding), zero bytes,
 * NUL bytes, UTF-8 validity, control characters, whitespace only.
 *
 * @example
 * decodeSourceText('a.txt', new TextEncoder().encode('\uFEFFTitle\r\n\r\nBody')); // 'Title\n\nBody'
 */
export function decodeSourceText(key: string, body: Uint8Array): string {
  if (body.byteLength > MAX_OBJECT_BYTES) {
    throw new UnreadableContentError(key, oversizeReason(body.byteLength));
  }
  if (body.byteLength === 0) {
    throw new UnreadableContentError(key, 'empty file');
  }
  if (body.includes(0)) {
    throw new UnreadableContentError(key, 'binary file, not text (it contains NUL bytes)');
  }
  let text: string;
  try {
    // ignoreBOM false (the default): a leading UTF-8 BOM is consumed by the decoder.
    text = new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch (error) {
    throw new UnreadableContentError(key, 'not valid UTF-8 text (binary or another encoding)', { cause: error });
  }
  text = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  const controls = text.match(CONTROL)?.length ?? 0;
  if (controls > 0 && controls / text.length > MAX_CONTROL_SHARE) {
    throw new UnreadableContentError(key, 'binary file, not text (it is mostly control characters)');
  }
  if (text.trim() === '') {
    throw new UnreadableContentError(key, 'empty file (only whitespace)');
  }
  return text;
}

/**
 * The quarantine reason of an object over {@link MAX_OBJECT_BYTES}: the size in MB with one
 * decimal, or in bytes when one decimal would read as "5.0 MB". Exported so that a caller
 * that refuses an object from its listed size (without fetching it) words it the same way.
 *
 * @example
 * oversizeReason(7_549_747); // 'object is larger than 5 MB (7.2 MB)'
 * oversizeReason(5_242_881); // 'object is larger than 5 MB (5242881 bytes)'
 */
export function oversizeReason(bytes: number): string {
  const rounded = (bytes / (1024 * 1024)).toFixed(1);
  return `object is larger than 5 MB (${Number(rounded) > 5 ? `${rounded} MB` : `${bytes} bytes`})`;
}
