/**
 * Where the AWS calls go and how long each attempt may take: shared by the SDK clients
 * (aws-clients.ts) and the lean signed-HTTP clients, and free of the SDK itself so that the
 * send function's bundle can carry it.
 */
import type { Config } from '../core/config.ts';

/**
 * Per-attempt limits of each client, in milliseconds: the TCP connection, and the answer
 * (headers; the body may then stall at most as long). Each aborts with a `TimeoutError`.
 */
export const CLIENT_TIMEOUTS = {
  /** 3 attempts (the SDK's default) × 3 s: under the HTTP functions' 10 s. */
  dynamodb: { connectionMs: 1_000, requestMs: 3_000 },
  sqs: { connectionMs: 1_000, requestMs: 3_000 },
  /** Until the answer's headers: a body then streams for as long as it keeps moving. */
  s3: { connectionMs: 1_000, requestMs: 3_000 },
  /** 1 attempt (retries are the send service's); SendRawEmail also gets a per-call deadline. */
  ses: { connectionMs: 1_000, requestMs: 10_000 },
  /** 1 attempt per try; a secret's read tries up to 3 times with backoff. */
  ssm: { connectionMs: 1_000, requestMs: 2_000 },
  /** An asynchronous invoke (the editors' send-now starting the edition function) answers at once. */
  lambda: { connectionMs: 1_000, requestMs: 3_000 },
} as const satisfies Record<string, { connectionMs: number; requestMs: number }>;

/** One service's limits. */
export type ClientTimeouts = (typeof CLIENT_TIMEOUTS)[keyof typeof CLIENT_TIMEOUTS];

/** Regions of the standard `aws` partition (the SDK's partitions.json): `amazonaws.com` endpoints. */
const STANDARD_PARTITION_REGION = /^(us|eu|ap|sa|ca|me|af|il|mx)-\w+-\d+$/;

/**
 * Where the lean signed-HTTP path may send a service's calls: the configured endpoint (the
 * local stack), else `https://<prefix>.<region>.amazonaws.com` for a region of the standard
 * partition. Undefined, so that every call goes through the SDK and its endpoint rules, for
 * other partitions (China, GovCloud, ISO: other domains and FIPS defaults) and when FIPS or
 * dual-stack endpoints are asked for.
 *
 * @example `leanEndpoint(config, 'dynamodb', config.DYNAMODB_ENDPOINT) // 'https://dynamodb.eu-west-1.amazonaws.com'`
 */
export function leanEndpoint(config: Config, prefix: string, configured: string | undefined): string | undefined {
  if (configured !== undefined) return configured;
  if (config.AWS_USE_FIPS_ENDPOINT || config.AWS_USE_DUALSTACK_ENDPOINT || !STANDARD_PARTITION_REGION.test(config.AWS_REGION)) return undefined;
  return `https://${prefix}.${config.AWS_REGION}.amazonaws.com`;
}

