/**
 * Keyed pseudonyms for log lines and rate-limit keys: HMAC-SHA256 under a key of their own
 * (LOG_PSEUDONYM_KEY), never the token secret. An unkeyed hash of an address is no pseudonym:
 * anyone with a list of candidate addresses hashes them and finds who a log line is about.
 * Without the key that is not possible, and rotating the token secret leaves pseudonyms as
 * they are (so log searches keep working across a rotation).
 */
import { createHmac } from 'node:crypto';
import { ConfigError } from '../errors.ts';

/**
 * @example
 * ```ts
 * const pseudonyms = new LogPseudonyms(config.LOG_PSEUDONYM_KEY);
 * logger.info('subscribed', { email: pseudonyms.email(address) }); // e_ and 16 hex digits
 * ```
 */
export class LogPseudonyms {
  readonly #key: Buffer;

  /** @throws ConfigError when the key is empty. */
  public constructor(key: string) {
    if (typeof key !== 'string' || key === '') throw new ConfigError('the log pseudonym key is empty');
    this.#key = Buffer.from(key, 'utf8');
  }

  #mac(domain: string, value: string): string {
    return createHmac('sha256', this.#key).update(`${domain}:${value}`, 'utf8').digest('hex');
  }

  /**
   * The pseudonym of an address: `e_` and 16 hex digits. Never fails: an invalid address is
   * taken as given (trimmed, lower-cased), so rejected input can be logged too.
   */
  public email(address: string): string {
    return `e_${this.#mac('email', String(address).trim().toLowerCase()).slice(0, 16)}`;
  }

  /** The pseudonym of a source IP (or network), 32 hex digits: consent evidence and rate-limit keys. */
  public ip(ip: string): string {
    return this.#mac('ip', ip).slice(0, 32);
  }

  /**
   * The pseudonym of a subscriber id, `p_` and 16 hex digits. Subscriber ids are derived from
   * the address without a key, so log lines carry this instead.
   */
  public subscriber(id: string): string {
    return `p_${this.#mac('subscriber', id).slice(0, 16)}`;
  }
}
