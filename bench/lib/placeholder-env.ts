/**
 * A complete placeholder configuration for benchmark processes: every AWS endpoint points at
 * a closed loopback port, so nothing built from it can reach AWS by accident.
 */
export const BENCH_TOKEN_SECRET = 'bench-token-secret-bench-token-secret-0123';

/**
 * @example
 * ```ts
 * useEnvironment({ ...PLACEHOLDER_ENV, SES_ENDPOINT: sesUrl });
 * ```
 */
export const PLACEHOLDER_ENV: Readonly<Record<string, string>> = {
  STAGE: 'bench',
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  AWS_EC2_METADATA_DISABLED: 'true',
  CONTENT_BUCKET: 'bench-content',
  ARTEFACTS_BUCKET: 'bench-artefacts',
  ARTICLES_TABLE: 'bench-articles',
  EDITIONS_TABLE: 'bench-editions',
  SUBSCRIBERS_TABLE: 'bench-subscribers',
  DELIVERIES_TABLE: 'bench-deliveries',
  ALERTS_TABLE: 'bench-alerts',
  SEND_QUEUE_URL: 'http://127.0.0.1:9/000000000000/bench-send',
  DYNAMODB_ENDPOINT: 'http://127.0.0.1:9',
  S3_ENDPOINT: 'http://127.0.0.1:9',
  SQS_ENDPOINT: 'http://127.0.0.1:9',
  SES_ENDPOINT: 'http://127.0.0.1:9',
  TOKEN_SECRET: BENCH_TOKEN_SECRET,
  LOG_PSEUDONYM_KEY: 'bench-log-pseudonym-key-bench-log-pseudonym-0123',
  PUBLIC_BASE_URL: 'http://127.0.0.1:9',
  ARCHIVE_BASE_URL: 'http://127.0.0.1:9/archive',
  FROM_ADDRESS: 'digest@news-digest.test',
  LOG_LEVEL: 'ERROR',
};
