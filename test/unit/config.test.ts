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
  TOKEN_SECRET: 'x'.repeat(32),
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

  it('treats an empty variable as missing', () => {
    // Act
    const error = errorOf(() => parseConfig({ ...VALID, ARTICLES_TABLE: '' }));

    // Assess
    expect(error.message).toMatch(/ARTICLES_TABLE is missing/);
  });
});
