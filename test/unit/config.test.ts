/**
 * The configuration: read once, validated, failing with the name of every bad variable.
 */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../functions/core/config.ts';
import { ConfigError } from '../../functions/core/errors.ts';

const VALID = {
  CONTENT_BUCKET: 'content-bucket',
  ARTEFACTS_BUCKET: 'artefacts-bucket',
  ARTICLES_TABLE: 'articles',
  EDITIONS_TABLE: 'editions',
  SUBSCRIBERS_TABLE: 'subscribers',
  DELIVERIES_TABLE: 'deliveries',
  ALERTS_TABLE: 'alerts',
  SEND_QUEUE_URL: 'http://127.0.0.1:9324/000000000000/SendQueue',
  TOKEN_SECRET: 'Token-secret-for-tests-0123456789abcdef',
  LOG_PSEUDONYM_KEY: 'Log-pseudonym-key-for-tests-0123456789ab',
  PUBLIC_BASE_URL: 'http://127.0.0.1:3000',
  ARCHIVE_BASE_URL: 'http://127.0.0.1:3000/archive',
  FROM_ADDRESS: 'digest@example.com',
};

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('Function: parseConfig', () => {
  it('accepts a complete environment and fills the defaults', () => {
    // Act
    const config = parseConfig(VALID);

    // Assess
    expect(config.CONTENT_BUCKET).toBe('content-bucket');
    expect(config.AWS_REGION).toBe('us-east-1');
    expect(config.SEND_CONCURRENCY).toBe(32);
    expect(config.EDITION_MAX_DELAY_HOURS).toBe(6);
    expect(config.LOCAL).toBe(false);
  });

  it('names every missing variable', () => {
    // Prepare
    const { CONTENT_BUCKET: _a, SEND_QUEUE_URL: _b, ...rest } = VALID;

    // Act
    const error = errorOf(() => parseConfig(rest));

    // Assess
    expect(error.message).toMatch(/CONTENT_BUCKET is missing/);
    expect(error.message).toMatch(/SEND_QUEUE_URL is missing/);
  });

  it('names a bad value and says what is wrong with it', () => {
    // Act
    const errors = [
      errorOf(() => parseConfig({ ...VALID, PUBLIC_BASE_URL: 'ftp://example.com' })),
      errorOf(() => parseConfig({ ...VALID, BRAND_PRIMARY_COLOR: 'blue' })),
      errorOf(() => parseConfig({ ...VALID, TOKEN_SECRET: 'short' })),
      errorOf(() => parseConfig({ ...VALID, SEND_CONCURRENCY: '-3' })),
      errorOf(() => parseConfig({ ...VALID, FROM_ADDRESS: 'not an address' })),
    ];

    // Assess
    expect(errors.map((e) => e.message)).toEqual([
      expect.stringMatching(/PUBLIC_BASE_URL is invalid/),
      expect.stringMatching(/BRAND_PRIMARY_COLOR is invalid \(a colour like #1a2b3c\)/),
      expect.stringMatching(/TOKEN_SECRET is invalid \(at least 32 characters\)/),
      expect.stringMatching(/SEND_CONCURRENCY is invalid/),
      expect.stringMatching(/FROM_ADDRESS is invalid/),
    ]);
  });

  it('takes the token secret from SSM by name when no secret is given', () => {
    // Prepare
    const { TOKEN_SECRET: _s, ...rest } = VALID;

    // Act
    const config = parseConfig({ ...rest, TOKEN_SECRET_PARAMETER: '/news-digest/prod/token-secret' });
    const error = errorOf(() => parseConfig(rest));

    // Assess
    expect(config.TOKEN_SECRET_PARAMETER).toBe('/news-digest/prod/token-secret');
    expect(error.message).toMatch(/set TOKEN_SECRET or TOKEN_SECRET_PARAMETER/);
  });

  it('checks the token secrets for strength and reads the previous ones as a list', () => {
    // Prepare
    const previous = ['Previous-secret-one-0123456789abcdefgh', 'Previous-secret-two-0123456789abcdefgh'];

    // Act
    const config = parseConfig({ ...VALID, TOKEN_SECRETS_PREVIOUS: ` ${previous[0]},${previous[1]} ` });
    const errors = [
      errorOf(() => parseConfig({ ...VALID, TOKEN_SECRET: ' '.repeat(32) })),
      errorOf(() => parseConfig({ ...VALID, TOKEN_SECRET: 'x'.repeat(32) })),
      errorOf(() => parseConfig({ ...VALID, TOKEN_SECRETS_PREVIOUS: `${previous[0]},short` })),
    ];

    // Assess
    expect(config.TOKEN_SECRETS_PREVIOUS).toEqual(previous);
    expect(parseConfig(VALID).TOKEN_SECRETS_PREVIOUS).toEqual([]);
    expect(errors.map((e) => e.message)).toEqual([
      expect.stringMatching(/TOKEN_SECRET is invalid \(no white space or control characters\)/),
      expect.stringMatching(/TOKEN_SECRET is invalid \(at least 10 different characters\)/),
      expect.stringMatching(/TOKEN_SECRETS_PREVIOUS is invalid \(secret 2: at least 32 characters\)/),
    ]);
    for (const e of errors) expect(e.message).not.toContain('xxxxxxxx');
  });

  it('needs a log pseudonym key apart from the token secrets, or its SSM parameter', () => {
    // Prepare
    const { LOG_PSEUDONYM_KEY: _k, ...rest } = VALID;

    // Act
    const fromSsm = parseConfig({ ...rest, LOG_PSEUDONYM_KEY_PARAMETER: '/news-digest/prod/log-pseudonym-key' });
    const missing = errorOf(() => parseConfig(rest));
    const same = errorOf(() => parseConfig({ ...VALID, LOG_PSEUDONYM_KEY: VALID.TOKEN_SECRET }));

    // Assess
    expect(fromSsm.LOG_PSEUDONYM_KEY_PARAMETER).toBe('/news-digest/prod/log-pseudonym-key');
    expect(missing.message).toMatch(/set LOG_PSEUDONYM_KEY or LOG_PSEUDONYM_KEY_PARAMETER/);
    expect(same.message).toMatch(/LOG_PSEUDONYM_KEY is invalid \(must differ from the token secrets\)/);
  });

  it('treats an empty variable as missing', () => {
    // Act
    const error = errorOf(() => parseConfig({ ...VALID, ARTICLES_TABLE: '' }));

    // Assess
    expect(error.message).toMatch(/ARTICLES_TABLE is missing/);
  });

  it('reads the credentials the lean clients sign with, all optional', () => {
    // Act
    const without = parseConfig(VALID);
    const withSession = parseConfig({ ...VALID, AWS_ACCESS_KEY_ID: 'ASIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret/key+example', AWS_SESSION_TOKEN: 'IQoJb3JpZ2luX2VjEXAMPLE' });

    // Assess
    expect([without.AWS_ACCESS_KEY_ID, without.AWS_SECRET_ACCESS_KEY, without.AWS_SESSION_TOKEN]).toEqual([undefined, undefined, undefined]);
    expect([withSession.AWS_ACCESS_KEY_ID, withSession.AWS_SECRET_ACCESS_KEY, withSession.AWS_SESSION_TOKEN]).toEqual(['ASIAEXAMPLE', 'secret/key+example', 'IQoJb3JpZ2luX2VjEXAMPLE']);
  });
});
