/**
 * The secrets a function reads from SSM (the token secrets, the log pseudonym key), through
 * any SSM {@link AwsCaller}: the lean one (ssm-lean-client.ts, the send function) or the SDK's
 * (`SdkCaller`, every other function). No SDK runtime import here.
 */
import { retryWithBackoff, type RetryOptions } from '../core/concurrency.ts';
import type { Config } from '../core/config.ts';
import { ConfigError } from '../core/errors.ts';
import { parseSecretList } from '../core/secrets.ts';
import type { TokenSecrets } from '../core/subscribers/tokens.ts';
import { GetParameterCommand, type AwsCaller } from './aws-commands.ts';

/** Makes an SSM caller for one read (destroyed after it). */
export type SsmCallerFactory = () => AwsCaller;

/**
 * AWS errors worth another try: throttling, 5xx, timeouts and network errors (no answer at all).
 *
 * @example
 * ```ts
 * await retryWithBackoff(() => ssm.send(command), { attempts: 3, baseMs: 200, capMs: 1_000, retryable: isRetryableAwsError });
 * ```
 */
export function isRetryableAwsError(error: unknown): boolean {
  if (error instanceof ConfigError) return false;
  const e = error as { name?: string; $fault?: string; $retryable?: unknown; $metadata?: { httpStatusCode?: number } };
  if (e.$retryable || e.$fault === 'server') return true;
  if (e.name && /Throttl|TooManyRequests|RequestLimitExceeded/.test(e.name)) return true;
  return e.$metadata?.httpStatusCode === undefined;
}

/** Tries of one secret read: 3, with full-jitter backoff under 200 ms, then 400 ms. */
export const SECRET_RETRY: RetryOptions = { attempts: 3, baseMs: 200, capMs: 1_000, retryable: isRetryableAwsError };

/** Reads of SSM secrets in progress or done, by parameter name; a failed read is dropped. */
const parameters = new Map<string, Promise<readonly string[]>>();

/**
 * An SSM SecureString holding one secret or a list (commas or line breaks, current first),
 * read once per process and checked for strength ({@link parseSecretList}). A read that fails
 * is retried within the call (a few tries with backoff) and is **not** kept: the next call
 * reads again, so a container recovers as soon as SSM does. Concurrent callers share one read.
 */
function secureParameter(ssm: SsmCallerFactory, name: string, retry: RetryOptions): Promise<readonly string[]> {
  const known = parameters.get(name);
  if (known) return known;
  const read = (async () => {
    const client = ssm();
    try {
      return await retryWithBackoff(async () => {
        const out = await client.send(new GetParameterCommand({ Name: name, WithDecryption: true }));
        return parseSecretList(out.Parameter?.Value ?? '', `SSM parameter ${name}`);
      }, retry);
    } finally {
      client.destroy();
    }
  })();
  parameters.set(name, read);
  read.catch(() => {
    if (parameters.get(name) === read) parameters.delete(name);
  });
  return read;
}

/**
 * The HMAC secrets for subscriber links, current first: TOKEN_SECRET, or the SSM parameter
 * TOKEN_SECRET_PARAMETER (one secret or a list, current first), followed by
 * TOKEN_SECRETS_PREVIOUS. Every secret is checked for strength; a failed SSM read is retried
 * and never cached.
 *
 * @example
 * ```ts
 * const secrets = await tokenSecret(getConfig(), () => leanSsm(getConfig())); // [current, ...previous]
 * ```
 */
export async function tokenSecret(config: Config, ssm: SsmCallerFactory, retry: RetryOptions = SECRET_RETRY): Promise<TokenSecrets> {
  if (config.TOKEN_SECRET) return [config.TOKEN_SECRET, ...config.TOKEN_SECRETS_PREVIOUS];
  const [current, ...previous] = (await secureParameter(ssm, config.TOKEN_SECRET_PARAMETER as string, retry)) as [string, ...string[]];
  return [current, ...previous, ...config.TOKEN_SECRETS_PREVIOUS.filter((s) => s !== current && !previous.includes(s))];
}

/**
 * The key of the log pseudonyms: LOG_PSEUDONYM_KEY, or the SSM parameter
 * LOG_PSEUDONYM_KEY_PARAMETER (read like the token secret: retried, never caching a failure),
 * checked for strength. Separate from the token secrets, so that rotating those leaves log
 * pseudonyms as they are.
 *
 * @example
 * ```ts
 * const pseudonyms = new LogPseudonyms(await logPseudonymKey(getConfig(), () => leanSsm(getConfig())));
 * ```
 */
export async function logPseudonymKey(config: Config, ssm: SsmCallerFactory, retry: RetryOptions = SECRET_RETRY): Promise<string> {
  if (config.LOG_PSEUDONYM_KEY) return config.LOG_PSEUDONYM_KEY;
  if (!config.LOG_PSEUDONYM_KEY_PARAMETER) throw new ConfigError('set LOG_PSEUDONYM_KEY or LOG_PSEUDONYM_KEY_PARAMETER');
  return (await secureParameter(ssm, config.LOG_PSEUDONYM_KEY_PARAMETER, retry))[0] as string;
}
