/**
 * The send function's AWS clients without the AWS SDK: DynamoDB, S3, SES, SQS and SSM over the lean
 * signed-HTTP path (aws-signed-http.ts), each an {@link AwsCaller} for the adapters' command
 * classes (aws-commands.ts). This module, and everything it imports, loads nothing of
 * `@aws-sdk/*` or `@smithy/*` at run time (type-only imports are erased): the SDK's client
 * machinery costs the send function some 150–170 ms of its cold start.
 *
 * Without the SDK there is no credential provider chain and no endpoint rules:
 * - credentials are the environment's (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
 *   `AWS_SESSION_TOKEN`: Lambda sets them for the function's role), read through config.ts;
 * - endpoints are the configured ones (the local stack) or the standard partition's
 *   ({@link leanEndpoint}); elsewhere (China, GovCloud, ISO, FIPS, dual-stack) the factory
 *   asks for the service's `*_ENDPOINT` variable.
 * Per-attempt limits and attempts are those of the SDK clients built in aws-clients.ts.
 */
import type { Config } from '../core/config.ts';
import { ConfigError } from '../core/errors.ts';
import { CLIENT_TIMEOUTS, leanEndpoint } from './aws-endpoints.ts';
import type { SigningCredentials } from './aws-signed-http.ts';
import { LeanDynamoDbDocumentClient } from './dynamodb-lean-document-client.ts';
import { LeanS3Client } from './s3-lean-client.ts';
import { LeanSesClient } from './ses-lean-client.ts';
import { LeanSqsClient } from './sqs-lean-client.ts';
import { LeanSsmClient } from './ssm-lean-client.ts';

export { CLIENT_TIMEOUTS, leanEndpoint };

/**
 * The environment's credentials as the lean clients sign with them, or undefined when
 * `AWS_ACCESS_KEY_ID` or `AWS_SECRET_ACCESS_KEY` is not set.
 *
 * @example
 * ```ts
 * if (environmentCredentials(config) === undefined) useTheSdk();
 * ```
 */
export function environmentCredentials(config: Config): SigningCredentials | undefined {
  if (!config.AWS_ACCESS_KEY_ID || !config.AWS_SECRET_ACCESS_KEY) return undefined;
  return { accessKeyId: config.AWS_ACCESS_KEY_ID, secretAccessKey: config.AWS_SECRET_ACCESS_KEY, ...(config.AWS_SESSION_TOKEN ? { sessionToken: config.AWS_SESSION_TOKEN } : {}) };
}

/** What every lean client is built with: the endpoint, region, credentials. */
function basics(config: Config, prefix: string, configured: string | undefined, variable: string): { endpoint: string; region: string; credentials: () => Promise<SigningCredentials> } {
  const credentials = environmentCredentials(config);
  if (credentials === undefined) {
    throw new ConfigError('Configuration error: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN with temporary credentials) must be set: the send function signs its AWS calls without the SDK');
  }
  const endpoint = leanEndpoint(config, prefix, configured);
  if (endpoint === undefined) {
    throw new ConfigError(`Configuration error: set ${variable}: the send function talks to AWS without the SDK, which knows only the standard partition's endpoints (not ${config.AWS_REGION}${config.AWS_USE_FIPS_ENDPOINT ? ', FIPS' : ''}${config.AWS_USE_DUALSTACK_ENDPOINT ? ', dual-stack' : ''})`);
  }
  const signing = async () => credentials;
  return { endpoint, region: config.AWS_REGION, credentials: signing };
}

/**
 * DynamoDB's item calls without the SDK (dynamodb-lean-document-client.ts), undefined values
 * removed as the SDK-backed client does; any other call is rejected (the send worker makes none).
 *
 * @throws ConfigError without credentials, or without an endpoint outside the standard partition.
 * @example `const ledger = new DynamoDbDeliveryLedger({ client: leanDynamoDb(config), tableName: config.DELIVERIES_TABLE });`
 */
export function leanDynamoDb(config: Config): LeanDynamoDbDocumentClient {
  return new LeanDynamoDbDocumentClient({
    ...basics(config, 'dynamodb', config.DYNAMODB_ENDPOINT, 'DYNAMODB_ENDPOINT'),
    timeouts: CLIENT_TIMEOUTS.dynamodb,
    maxSockets: 50,
    translate: { marshallOptions: { removeUndefinedValues: true } },
  });
}

/**
 * S3 without the SDK (GetObject, PutObject); path-style on a configured endpoint, as `s3Client` builds it.
 *
 * @throws ConfigError without credentials, or without an endpoint outside the standard partition.
 * @example `const artefacts = new S3ArtefactStore({ client: leanS3(config), bucket: config.ARTEFACTS_BUCKET });`
 */
export function leanS3(config: Config): LeanS3Client {
  return new LeanS3Client({ ...basics(config, 's3', config.S3_ENDPOINT, 'S3_ENDPOINT'), forcePathStyle: config.S3_ENDPOINT !== undefined, timeouts: CLIENT_TIMEOUTS.s3, maxSockets: 50 });
}

/**
 * SES without the SDK (SendRawEmail, GetSendQuota); its socket pool matches the worker's concurrency.
 *
 * @throws ConfigError without credentials, or without an endpoint outside the standard partition.
 * @example `const mail = new SesMailSender({ client: leanSes(config), configurationSet: config.SES_CONFIGURATION_SET });`
 */
export function leanSes(config: Config): LeanSesClient {
  return new LeanSesClient({ ...basics(config, 'email', config.SES_ENDPOINT, 'SES_ENDPOINT'), timeouts: CLIENT_TIMEOUTS.ses, maxSockets: config.SEND_CONCURRENCY });
}

/**
 * SQS without the SDK (SendMessageBatch).
 *
 * @throws ConfigError without credentials, or without an endpoint outside the standard partition.
 * @example `const queue = new SqsSendQueue({ client: leanSqs(config), queueUrl: config.SEND_QUEUE_URL });`
 */
export function leanSqs(config: Config): LeanSqsClient {
  return new LeanSqsClient({ ...basics(config, 'sqs', config.SQS_ENDPOINT, 'SQS_ENDPOINT'), timeouts: CLIENT_TIMEOUTS.sqs, maxSockets: 50 });
}

/**
 * SSM without the SDK (GetParameter); one attempt per call (ssm-secrets.ts retries).
 *
 * @throws ConfigError without credentials, or without an endpoint outside the standard partition.
 * @example `const secrets = await tokenSecret(config, () => leanSsm(config));`
 */
export function leanSsm(config: Config): LeanSsmClient {
  return new LeanSsmClient({ ...basics(config, 'ssm', config.SSM_ENDPOINT, 'SSM_ENDPOINT'), timeouts: CLIENT_TIMEOUTS.ssm, maxSockets: 2 });
}
