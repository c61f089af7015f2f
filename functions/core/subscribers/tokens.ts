/**
 * Signed, expiring tokens for subscriber links: `base64url(payload).base64url(hmac)`, where
 * the HMAC-SHA256 covers the encoded payload (subscriber, purpose, expiry, optional nonce).
 * A token for one purpose never verifies for another; signatures are compared in constant time.
 *
 * Secrets come as a list, current first: tokens are signed with the current secret and verify
 * under any secret of the list, so that after a rotation the links already sent keep working
 * until the retired secret is dropped from the list (docs/security.md, "Rotating the secret").
 */
import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';
import { InvalidTokenError } from '../errors.ts';

export const TokenPurpose = {
  CONFIRM: 'confirm',
  UNSUBSCRIBE: 'unsubscribe',
  PREFERENCES: 'preferences',
  /** The one-click link of an alert digest: stops alerts only (the newsletter stays). */
  UNSUBSCRIBE_ALERTS: 'unsubscribe-alerts',
} as const;
export type TokenPurpose = (typeof TokenPurpose)[keyof typeof TokenPurpose];

const PURPOSES: ReadonlySet<string> = new Set(Object.values(TokenPurpose));

/** The token secrets, current first (signing), then the ones still accepted (verifying). */
export type TokenSecrets = readonly [string, ...string[]];

function listOf(secrets: string | TokenSecrets): readonly string[] {
  return typeof secrets === 'string' ? [secrets] : secrets;
}

/** What a token says. */
export interface TokenClaims {
  subscriberId: string;
  purpose: TokenPurpose;
  /** Epoch seconds. */
  expiresAt: number;
  /** Makes a token single-use when the verifier records it (confirmation links). */
  nonce?: string;
}

/** Longest token accepted before any work is done. */
const MAX_TOKEN_LENGTH = 512;
const B64URL = /^[A-Za-z0-9_-]+$/;
const SIGNATURE_BYTES = 32;

/** Compact wire form: short keys keep links short. */
interface WirePayload {
  s: string;
  p: string;
  e: number;
  n?: string;
}

/**
 * Each secret as a key object, made once: `createHmac` with a string key imports the key on
 * every call, and the send worker signs two tokens per recipient. Secrets are few (current
 * and retired); the map is emptied if it ever holds more than 16.
 */
const keys = new Map<string, KeyObject>();
function keyOf(secret: string): KeyObject {
  let key = keys.get(secret);
  if (!key) {
    if (keys.size >= 16) keys.clear();
    keys.set(secret, (key = createSecretKey(Buffer.from(secret, 'utf8'))));
  }
  return key;
}

function sign(secret: string, encodedPayload: string): Buffer {
  return createHmac('sha256', keyOf(secret)).update(`v1.${encodedPayload}`).digest();
}

/**
 * Signs claims into a URL-safe token with the current secret (a list's first). Cheap (one
 * HMAC); runs once per recipient per edition.
 *
 * @example
 * ```ts
 * const token = signToken(config.TOKEN_SECRET, {
 *   subscriberId: 's_0123…', purpose: TokenPurpose.UNSUBSCRIBE, expiresAt: now + 90 * 86400,
 * });
 * const url = `${config.PUBLIC_BASE_URL}/unsubscribe?token=${token}`;
 * ```
 */
export function signToken(secrets: string | TokenSecrets, claims: TokenClaims): string {
  const secret = listOf(secrets)[0]!;
  const wire: WirePayload = { s: claims.subscriberId, p: claims.purpose, e: Math.floor(claims.expiresAt) };
  if (claims.nonce !== undefined) wire.n = claims.nonce;
  const payload = Buffer.from(JSON.stringify(wire), 'utf8').toString('base64url');
  return `${payload}.${sign(secret, payload).toString('base64url')}`;
}

/**
 * Verifies a token for one purpose at a given time, under any of the secrets (each is tried,
 * every comparison in constant time, with no early exit).
 *
 * @throws InvalidTokenError (a ValidationError, 400) with reason `malformed`, `bad signature`,
 *   `wrong purpose` or `expired`.
 * @example
 * ```ts
 * const { subscriberId } = verifyToken(secret, token, TokenPurpose.CONFIRM, Math.floor(Date.now() / 1000));
 * ```
 */
export function verifyToken(
  secrets: string | TokenSecrets,
  token: string,
  purpose: TokenPurpose,
  nowSeconds: number,
): { subscriberId: string; expiresAt: number; nonce?: string } {
  if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH) {
    throw new InvalidTokenError('malformed');
  }
  const parts = token.split('.');
  const [payload, signature] = parts;
  if (parts.length !== 2 || !payload || !signature || !B64URL.test(payload) || !B64URL.test(signature)) {
    throw new InvalidTokenError('malformed');
  }
  const given = Buffer.from(signature, 'base64url');
  // Re-encoding must give the same text, so that no two spellings of one signature verify.
  if (given.length !== SIGNATURE_BYTES || given.toString('base64url') !== signature) {
    throw new InvalidTokenError('bad signature');
  }
  let valid = false;
  for (const secret of listOf(secrets)) valid = timingSafeEqual(given, sign(secret, payload)) || valid;
  if (!valid) throw new InvalidTokenError('bad signature');

  let wire: unknown;
  try {
    wire = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch (cause) {
    throw new InvalidTokenError('malformed', { cause });
  }
  if (!isWirePayload(wire)) throw new InvalidTokenError('malformed');
  if (wire.p !== purpose) throw new InvalidTokenError('wrong purpose');
  if (wire.e <= nowSeconds) throw new InvalidTokenError('expired');
  return wire.n === undefined
    ? { subscriberId: wire.s, expiresAt: wire.e }
    : { subscriberId: wire.s, expiresAt: wire.e, nonce: wire.n };
}

function isWirePayload(value: unknown): value is WirePayload {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.s === 'string' &&
    v.s.length > 0 &&
    typeof v.p === 'string' &&
    PURPOSES.has(v.p) &&
    typeof v.e === 'number' &&
    Number.isSafeInteger(v.e) &&
    (v.n === undefined || typeof v.n === 'string')
  );
}
