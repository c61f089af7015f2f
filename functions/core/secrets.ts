/**
 * Checks on the project's secrets: the token secrets that sign subscriber links and the key
 * of the log pseudonyms. A secret must be long and varied enough that nobody guesses it; a
 * list of secrets (current first, then the ones being retired) lets links signed before a
 * rotation keep working for their lifetime (docs/security.md, "Rotating the secret").
 * Messages never quote a secret.
 */
import { ConfigError } from './errors.ts';

/** Shortest secret accepted. */
export const MIN_SECRET_LENGTH = 32;
/** Fewest different characters a secret must hold. */
const MIN_DISTINCT_CHARACTERS = 10;

const CLASSES: readonly RegExp[] = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^a-zA-Z0-9]/];

/**
 * Why a secret is too weak, or undefined when it is strong enough: at least 32 characters, no
 * white space or control characters, at least 10 different characters of at least two kinds
 * (lower case, upper case, digits, others), and not one short pattern repeated. The output of
 * `openssl rand -hex 32` or `openssl rand -base64 48` passes.
 *
 * @example
 * ```ts
 * secretWeakness(' '.repeat(32));              // 'no white space or control characters'
 * secretWeakness('ab12'.repeat(8));            // 'at least 10 different characters'
 * secretWeakness(randomBytes(32).toString('hex')); // undefined
 * ```
 */
export function secretWeakness(secret: string): string | undefined {
  if (secret.length < MIN_SECRET_LENGTH) return `at least ${MIN_SECRET_LENGTH} characters`;
  // eslint-disable-next-line no-control-regex
  if (/[\s\u0000-\u001f\u007f-\u009f]/.test(secret)) return 'no white space or control characters';
  if (new Set(secret).size < MIN_DISTINCT_CHARACTERS) return `at least ${MIN_DISTINCT_CHARACTERS} different characters`;
  if (CLASSES.filter((c) => c.test(secret)).length < 2) {
    return 'at least two kinds of characters (lower case, upper case, digits, symbols)';
  }
  if (`${secret}${secret}`.indexOf(secret, 1) < secret.length) return 'not a short pattern repeated';
  return undefined;
}

/**
 * Splits a list of secrets (separated by commas or white space, current first) and checks
 * each one.
 *
 * @param source names where the list came from, for the error (a variable or SSM parameter).
 * @throws ConfigError naming the source, which secret (by position) and why, never its value.
 * @example
 * ```ts
 * const [current, ...previous] = parseSecretList(value, 'SSM parameter /news-digest/prod/token-secret');
 * ```
 */
export function parseSecretList(text: string, source: string): [string, ...string[]] {
  const secrets = text.split(/[\s,]+/).filter((s) => s !== '');
  const [current, ...previous] = secrets;
  if (current === undefined) throw new ConfigError(`${source} holds no secret`);
  for (const [index, secret] of secrets.entries()) {
    const weakness = secretWeakness(secret);
    if (weakness !== undefined) throw new ConfigError(`${source}: secret ${index + 1} is too weak (${weakness})`);
  }
  return [current, ...previous];
}
