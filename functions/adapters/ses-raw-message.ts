/**
 * The `RawMessage.Data` field of a SendRawEmail request, written straight from a message's
 * byte chunks: base64, then form-encoded (`+` `/` `=` as `%2B` `%2F` `%3D`, exactly as the
 * SDK's query serializer writes it).
 *
 * Hand-written for speed. The SDK (and our earlier lean path) encodes the whole 60–120 KB
 * message for every recipient, although all but a few hundred bytes of it are the same for
 * every recipient of an edition. A chunk the personaliser marks `shared` is the same Buffer
 * object in every message of the edition, so its encoding is made once and kept (a WeakMap
 * on the chunk: it goes when the edition's template goes). Base64 works on groups of three
 * bytes, and a shared chunk can start at any of the three positions in a group, depending
 * on the bytes before it; so each chunk keeps up to three encodings, one per alignment,
 * each covering the chunk's whole groups, and only the 0–2 bytes at each of its ends are
 * encoded with their neighbours per message. `npm run bench` measures it against
 * MailComposer (same work, bytes out) and checks the result byte for byte against the SDK's
 * own encoding and by parsing messages back.
 */
import type { RawMime } from '../core/rendering/personalizer.ts';

/**
 * Where a SendRawEmail command's input carries its message already form-encoded, as chunks
 * ({@link formEncodedRawMessage}); its `RawMessage.Data` is then empty.
 */
export const ENCODED_DATA = Symbol('news-digest.rawMessageEncoded');

/**
 * The query-string form of base64 (`+` `/` `=` percent-encoded, as the SDK's
 * `extendedEncodeURIComponent` does; the other base64 characters are unreserved), as bytes.
 */
export function formEncodedBase64(data: Uint8Array): Buffer {
  const base64 = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64');
  return Buffer.from(base64.replaceAll('+', '%2B').replaceAll('/', '%2F').replaceAll('=', '%3D'), 'latin1');
}

/** Inputs at least this long are form-encoded with string replacements rather than the byte loop. */
const NATIVE_FROM = 4096;

/** Shared chunks shorter than this are encoded per message like the rest (not worth a cache entry). */
const MIN_CACHED = 48;

/** Per shared chunk, its form-encoded base64 by alignment (0, 1 or 2 bytes carried in from before). */
const encodings = new WeakMap<Buffer, (Buffer | undefined)[]>();

const PLUS = 0x2b;
const SLASH = 0x2f;
const EQUALS = 0x3d;
const PERCENT = 0x25;
const HEX = Buffer.from('0123456789ABCDEF', 'latin1');

/**
 * The base64 of `bytes`, form-encoded (`+` `/` `=` as `%2B` `%2F` `%3D`). One pass over the
 * base64 bytes into a Buffer sized for it, instead of three string replacements and a copy:
 * this runs for every recipient's own bytes (a few hundred).
 */
function formBytes(bytes: Buffer): Buffer {
  // A shared chunk's middle (tens of KB, once per edition and alignment) goes through the
  // string replacements: the loop below would run that long in the interpreter, and V8 would
  // compile it mid-loop (on-stack replacement) and again later for the short inputs.
  if (bytes.byteLength >= NATIVE_FROM) return formEncodedBase64(bytes);
  const base64 = Buffer.from(bytes.toString('base64'), 'latin1');
  let specials = 0;
  for (let i = 0; i < base64.length; i++) {
    const c = base64[i] as number;
    if (c === PLUS || c === SLASH || c === EQUALS) specials += 1;
  }
  if (specials === 0) return base64;
  const out = Buffer.allocUnsafe(base64.length + 2 * specials);
  let o = 0;
  for (let i = 0; i < base64.length; i++) {
    const c = base64[i] as number;
    if (c === PLUS || c === SLASH || c === EQUALS) {
      out[o++] = PERCENT;
      out[o++] = HEX[c >> 4] as number;
      out[o++] = HEX[c & 15] as number;
    } else out[o++] = c;
  }
  return out;
}

/** The form-encoded base64 of `chunk` after skipping `head` bytes, up to its last whole group (kept per alignment). */
function middle(chunk: Buffer, head: number, carried: number): Buffer {
  let byAlignment = encodings.get(chunk);
  if (!byAlignment) encodings.set(chunk, (byAlignment = [undefined, undefined, undefined]));
  let encoded = byAlignment[carried];
  if (!encoded) {
    const whole = head + Math.floor((chunk.byteLength - head) / 3) * 3;
    encoded = formBytes(chunk.subarray(head, whole));
    byAlignment[carried] = encoded;
  }
  return encoded;
}

/**
 * The form-encoded base64 of a message, as chunks to be written one after the other. The
 * bytes between two cached middles (the recipient's own, short shared chunks, and the 0–2
 * bytes at a cached chunk's ends) are gathered and encoded in one go.
 *
 * @example
 * ```ts
 * const data = formEncodedRawMessage(personalizeMime(template, recipient, meta));
 * Buffer.concat(data).toString('latin1'); // 'RnJvbTog...%3D'
 * ```
 */
export function formEncodedRawMessage(mime: RawMime): Buffer[] {
  const out: Buffer[] = [];
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const { chunks, shared } = mime;
  for (let i = 0; i < chunks.length; i++) {
    const chunk = chunks[i] as Buffer;
    if (!shared[i] || chunk.byteLength < MIN_CACHED) {
      pending.push(chunk);
      pendingBytes += chunk.byteLength;
      continue;
    }
    // The pending bytes and the chunk's first 0–2 bytes fill whole groups; then the cached middle.
    const carried = pendingBytes % 3;
    const head = (3 - carried) % 3;
    if (head > 0) {
      pending.push(chunk.subarray(0, head));
      pendingBytes += head;
    }
    if (pendingBytes > 0) out.push(formBytes(pending.length === 1 ? (pending[0] as Buffer) : Buffer.concat(pending, pendingBytes)));
    out.push(middle(chunk, head, carried));
    const end = head + Math.floor((chunk.byteLength - head) / 3) * 3;
    pending = end < chunk.byteLength ? [chunk.subarray(end)] : [];
    pendingBytes = chunk.byteLength - end;
  }
  if (pendingBytes > 0) out.push(formBytes(pending.length === 1 ? (pending[0] as Buffer) : Buffer.concat(pending, pendingBytes)));
  return out;
}
