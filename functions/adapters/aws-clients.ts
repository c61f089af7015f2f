/**
 * AWS SDK v3 clients built from the configuration: keep-alive connections with a bounded
 * socket pool, and the local emulators' endpoints when the config names them.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
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

/** Lambda client (asynchronous invokes of the edition function); locally serverless-offline's endpoint. @example `lambdaClient(config)` */
export function lambdaClient(config: Config): LambdaClient {
  return new LambdaClient(common(config, config.LAMBDA_ENDPOINT, 4));
}

let secret: Promise<string> | undefined;

/**
 * The HMAC secret for subscriber links: TOKEN_SECRET, or read once from SSM (SecureString).
 *
 * @example
 * ```ts
 * const key = await tokenSecret(getConfig());
 * ```
 */
export function tokenSecret(config: Config): Promise<string> {
  if (config.TOKEN_SECRET) return Promise.resolve(config.TOKEN_SECRET);
  secret ??= new SSMClient({ region: config.AWS_REGION })
    .send(new GetParameterCommand({ Name: config.TOKEN_SECRET_PARAMETER, WithDecryption: true }))
    .then((out) => {
      const value = out.Parameter?.Value;
      if (!value || value.length < 32) throw new ConfigError(`SSM parameter ${config.TOKEN_SECRET_PARAMETER} must hold at least 32 characters`);
      return value;
    });
  return secret;
}
