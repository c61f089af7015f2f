/**
 * AWS SDK v3 clients built from the configuration: keep-alive connections with a bounded
 * socket pool, and the local emulators' endpoints when the config names them.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SESClient } from '@aws-sdk/client-ses';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient, GetParameterCommand } from '@aws-sdk/client-ssm';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { Config } from '../core/config.ts';
import { ConfigError } from '../core/errors.ts';
import { parseSecretList } from '../core/secrets.ts';
import type { TokenSecrets } from '../core/subscribers/tokens.ts';

function handler(maxSockets: number): NodeHttpHandler {
  return new NodeHttpHandler({
    httpAgent: new HttpAgent({ keepAlive: true, maxSockets }),
    httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets }),
    connectionTimeout: 5_000,
    requestTimeout: 30_000,
  });
}

function common(config: Config, endpoint: string | undefined, maxSockets = 50) {
  return {
    region: config.AWS_REGION,
    requestHandler: handler(maxSockets),
    ...(endpoint ? { endpoint } : {}),
  };
}

/** @example `const ddb = dynamoDocumentClient(getConfig());` */
export function dynamoDocumentClient(config: Config): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient(common(config, config.DYNAMODB_ENDPOINT)), {
    marshallOptions: { removeUndefinedValues: true },
  });
}

/** @example `const s3 = s3Client(getConfig());` */
export function s3Client(config: Config): S3Client {
  return new S3Client({ ...common(config, config.S3_ENDPOINT), forcePathStyle: config.S3_ENDPOINT !== undefined });
}

/** SES client; its socket pool matches the worker's concurrency. @example `sesClient(config)` */
export function sesClient(config: Config): SESClient {
  // Retries are ours (the send service backs off with jitter and keeps the ledger honest).
  // cacheMiddleware: the middleware stack is resolved once per command type instead of on
  // every call (a measurable share of the send worker's CPU); middleware must therefore be
  // added before the first send, as useLeanRawMessageBody does.
  return new SESClient({ ...common(config, config.SES_ENDPOINT, config.SEND_CONCURRENCY), maxAttempts: 1, cacheMiddleware: true });
}

/** @example `const sqs = sqsClient(getConfig());` */
export function sqsClient(config: Config): SQSClient {
  return new SQSClient({ ...common(config, config.SQS_ENDPOINT), cacheMiddleware: true });
}

let secret: Promise<TokenSecrets> | undefined;

/**
 * The HMAC secrets for subscriber links, current first: TOKEN_SECRET, or read once from SSM
 * (SecureString: one secret, or a list separated by commas or line breaks, current first),
 * followed by TOKEN_SECRETS_PREVIOUS. Every secret is checked for strength.
 *
 * @example
 * ```ts
 * const secrets = await tokenSecret(getConfig()); // [current, ...previous]
 * ```
 */
export function tokenSecret(config: Config): Promise<TokenSecrets> {
  if (config.TOKEN_SECRET) return Promise.resolve([config.TOKEN_SECRET, ...config.TOKEN_SECRETS_PREVIOUS]);
  secret ??= new SSMClient({ region: config.AWS_REGION })
    .send(new GetParameterCommand({ Name: config.TOKEN_SECRET_PARAMETER, WithDecryption: true }))
    .then((out) => {
      const [current, ...previous] = parseSecretList(out.Parameter?.Value ?? '', `SSM parameter ${config.TOKEN_SECRET_PARAMETER}`);
      return [current, ...previous, ...config.TOKEN_SECRETS_PREVIOUS.filter((s) => !previous.includes(s))];
    });
  return secret;
}

let pseudonymKey: Promise<string> | undefined;

/**
 * The key of the log pseudonyms: LOG_PSEUDONYM_KEY, or read once from SSM (SecureString),
 * checked for strength. Separate from the token secrets, so that rotating those leaves log
 * pseudonyms as they are.
 *
 * @example
 * ```ts
 * const pseudonyms = new LogPseudonyms(await logPseudonymKey(getConfig()));
 * ```
 */
export function logPseudonymKey(config: Config): Promise<string> {
  if (config.LOG_PSEUDONYM_KEY) return Promise.resolve(config.LOG_PSEUDONYM_KEY);
  if (!config.LOG_PSEUDONYM_KEY_PARAMETER) return Promise.reject(new ConfigError('set LOG_PSEUDONYM_KEY or LOG_PSEUDONYM_KEY_PARAMETER'));
  pseudonymKey ??= new SSMClient({ region: config.AWS_REGION })
    .send(new GetParameterCommand({ Name: config.LOG_PSEUDONYM_KEY_PARAMETER, WithDecryption: true }))
    .then((out) => parseSecretList(out.Parameter?.Value ?? '', `SSM parameter ${config.LOG_PSEUDONYM_KEY_PARAMETER}`)[0]);
  return pseudonymKey;
}
