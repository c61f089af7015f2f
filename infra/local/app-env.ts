/**
 * The application settings of a local run: the stack's resource variables plus the values
 * that on AWS come from parameters (public URLs, sender, token secret, log pseudonym key). The
 * secrets are random per run: nothing secret is kept in the repository.
 */
import { randomBytes } from 'node:crypto';
import type { LocalStack } from './stack.ts';

/**
 * @example
 * ```ts
 * useEnvironment(localAppEnv(stack, { httpPort: 3000 }));
 * ```
 */
export function localAppEnv(stack: Pick<LocalStack, 'env'>, options: { httpPort: number; logLevel?: string }): Record<string, string> {
  const api = `http://127.0.0.1:${options.httpPort}`;
  return {
    ...stack.env,
    STAGE: 'local',
    LOCAL: 'true',
    TOKEN_SECRET: randomBytes(32).toString('hex'),
    LOG_PSEUDONYM_KEY: randomBytes(32).toString('hex'),
    PUBLIC_BASE_URL: api,
    ARCHIVE_BASE_URL: `${api}/archive`,
    FROM_ADDRESS: 'digest@news-digest.test',
    LOG_LEVEL: options.logLevel ?? 'WARN',
    // The local SES front answers GetSendQuota with its own MaxSendRate.
    SEND_RATE_LIMIT: '0',
    // As on AWS (`${self:service}-${sls:stage}`): the local SES publishes Send events for it.
    SES_CONFIGURATION_SET: 'news-digest-local',
  };
}
