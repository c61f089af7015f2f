/**
 * AWS SDK v3 clients built from the configuration: keep-alive connections with a bounded
 * socket pool, the local emulators' endpoints when the config names them, and deadlines on
 * every call.
 *
 * Deadlines. `@smithy/node-http-handler` 4.x only *logs* a breached `requestTimeout` unless
 * `throwOnRequestTimeout` is set, so a hung call would run until the Lambda invocation is
 * killed. Every client here aborts instead ({@link CLIENT_TIMEOUTS}): a connection that is not
 * up within `connectionMs`, or an answer whose headers do not come within `requestMs` (or
 * a body that stalls for as long), fails with a `TimeoutError`. The SDK retries those
 * (SES and SSM excepted: their retries are ours), so `requestMs` × attempts stays under the
 * timeout of the shortest function that uses the client (10 s for the HTTP API).
 *
 * On top of that a single call can carry its own deadline ({@link withCallDeadline}): the send
 * worker gives each SendRawEmail one derived from its lease and from what is left of the
 * invocation. It is aborted then (`AbortError`), so no SES call outlives its invocation or
 * its lease. The deadline travels on the command's input and reaches the HTTP handler through
 * a request-keyed WeakMap rather than `client.send(command, { abortSignal })`: the SDK keeps a
 * client's resolved middleware (`cacheMiddleware`) only for calls made without options.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { SESClient } from '@aws-sdk/client-ses';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { DeserializeMiddleware } from '@smithy/types';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { AwsCaller } from './aws-commands.ts';
import { CLIENT_TIMEOUTS, leanEndpoint, type ClientTimeouts } from './aws-endpoints.ts';
import { environmentCredentials, leanSes } from './aws-lean-clients.ts';
import { SdkCaller } from './aws-sdk-caller.ts';
import { CALL_DEADLINE, withCallDeadline } from './aws-signed-http.ts';
import { LeanDynamoDbDocumentClient } from './dynamodb-lean-document-client.ts';
import { useLeanRawMessageBody } from './ses-mail-sender.ts';
import { SECRET_RETRY, isRetryableAwsError, logPseudonymKey as logPseudonymKeyVia, tokenSecret as tokenSecretVia } from './ssm-secrets.ts';
import type { RetryOptions } from '../core/concurrency.ts';
import type { Config } from '../core/config.ts';
import type { TokenSecrets } from '../core/subscribers/tokens.ts';

export { CLIENT_TIMEOUTS, SECRET_RETRY, isRetryableAwsError, leanEndpoint, withCallDeadline };

type Timeouts = ClientTimeouts;
type HandleArgs = Parameters<NodeHttpHandler['handle']>;

/** The abort signal of each outgoing request that carries a call deadline. */
const callSignals = new WeakMap<object, AbortSignal>();
const DEADLINE_MIDDLEWARE = 'newsDigestCallDeadline';

/** NodeHttpHandler that aborts a request at its call deadline (see {@link withCallDeadline}). */
class DeadlineHttpHandler extends NodeHttpHandler {
  public override handle(request: HandleArgs[0], options: HandleArgs[1] = {}): ReturnType<NodeHttpHandler['handle']> {
    const signal = callSignals.get(request);
    return super.handle(request, signal && !options.abortSignal ? { ...options, abortSignal: signal } : options);
  }
}

/**
 * Around sending and reading the answer (after signing, once per attempt): turns the input's
 * call deadline into an abort signal for {@link DeadlineHttpHandler}, armed until the answer
 * has been read.
 */
const deadlineMiddleware: DeserializeMiddleware<object, object> = (next) => async (args) => {
  const deadline = (args.input as { [CALL_DEADLINE]?: number })[CALL_DEADLINE];
  const request = args.request;
  if (typeof deadline !== 'number' || typeof request !== 'object' || request === null) return next(args);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), Math.max(0, Math.ceil(deadline - Date.now())));
  callSignals.set(request, controller.signal);
  try {
    return await next(args);
  } finally {
    clearTimeout(timer);
    callSignals.delete(request);
  }
};


/**
 * Lets a client's calls carry a deadline ({@link withCallDeadline}); idempotent. The clients
 * built here that need it have it already. With `cacheMiddleware`, call it before the first
 * call.
 *
 * @example
 * ```ts
 * useCallDeadlines(client);
 * ```
 */
export function useCallDeadlines(client: { middlewareStack: unknown }): void {
  const stack = client.middlewareStack as {
    add(m: unknown, options: { step: string; priority?: string; name: string; override?: boolean }): void;
  };
  // High priority: outside the SDK's deserializer, so the deadline also covers reading the answer.
  stack.add(deadlineMiddleware, { step: 'deserialize', priority: 'high', name: DEADLINE_MIDDLEWARE, override: true });
}

function handler(maxSockets: number, timeouts: Timeouts): NodeHttpHandler {
  return new DeadlineHttpHandler({
    httpAgent: new HttpAgent({ keepAlive: true, maxSockets }),
    httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets }),
    connectionTimeout: timeouts.connectionMs,
    requestTimeout: timeouts.requestMs,
    throwOnRequestTimeout: true,
    socketTimeout: timeouts.requestMs,
  });
}

function common(config: Config, endpoint: string | undefined, timeouts: Timeouts, maxSockets = 50) {
  return {
    region: config.AWS_REGION,
    requestHandler: handler(maxSockets, timeouts),
    ...(endpoint ? { endpoint } : {}),
    // From the one configuration (the SDK would read the same variables itself).
    ...(config.AWS_USE_FIPS_ENDPOINT ? { useFipsEndpoint: true } : {}),
    ...(config.AWS_USE_DUALSTACK_ENDPOINT ? { useDualstackEndpoint: true } : {}),
  };
}

/**
 * DynamoDB for the adapters: item calls over the lean signed-HTTP path
 * (dynamodb-lean-document-client.ts) where {@link leanEndpoint} allows it, anything else
 * through the SDK's document client; the same socket limits and deadlines, the SDK's
 * credential chain.
 *
 * @example `const ddb = dynamoDocumentClient(getConfig());`
 */
export function dynamoDocumentClient(config: Config): AwsCaller {
  const timeouts = CLIENT_TIMEOUTS.dynamodb;
  const client = new DynamoDBClient(common(config, config.DYNAMODB_ENDPOINT, timeouts));
  const translate = { marshallOptions: { removeUndefinedValues: true } };
  const sdk = new SdkCaller(DynamoDBDocumentClient.from(client, translate));
  const endpoint = leanEndpoint(config, 'dynamodb', config.DYNAMODB_ENDPOINT);
  if (endpoint === undefined) return sdk;
  const credentials = client.config.credentials;
  return new LeanDynamoDbDocumentClient({ endpoint, region: config.AWS_REGION, timeouts, maxSockets: 50, credentials: () => credentials(), translate, fallback: sdk });
}

/** @example `const s3 = s3Client(getConfig());` */
export function s3Client(config: Config): S3Client {
  return new S3Client({ ...common(config, config.S3_ENDPOINT, CLIENT_TIMEOUTS.s3), forcePathStyle: config.S3_ENDPOINT !== undefined });
}

/**
 * The SDK's SES client; its socket pool matches the worker's concurrency. SendRawEmail calls
 * carry their deadlines and take the lean body path (useLeanRawMessageBody: a SesMailSender's
 * personalised message goes as its encoded chunks).
 *
 * @example `new SesMailSender({ client: new SdkCaller(sesClient(config)) })`
 */
export function sesClient(config: Config): SESClient {
  // Retries are ours (the send service backs off with jitter and keeps the ledger honest).
  // cacheMiddleware: the middleware stack is resolved once per command type instead of on
  // every call; middleware must therefore be added before the first send, as
  // useLeanRawMessageBody and useCallDeadlines do.
  const timeouts = CLIENT_TIMEOUTS.ses;
  const client = new SESClient({ ...common(config, config.SES_ENDPOINT, timeouts, config.SEND_CONCURRENCY), maxAttempts: 1, cacheMiddleware: true });
  useLeanRawMessageBody(client);
  useCallDeadlines(client);
  return client;
}

/**
 * SES as the adapters call it: without the SDK (ses-lean-client.ts, SendRawEmail and
 * GetSendQuota) where {@link leanEndpoint} gives an endpoint and the environment holds
 * credentials, else the SDK's client ({@link sesClient}).
 *
 * @example `const mail = new SesMailSender({ client: sesCaller(config) });`
 */
export function sesCaller(config: Config): AwsCaller {
  if (leanEndpoint(config, 'email', config.SES_ENDPOINT) !== undefined && environmentCredentials(config) !== undefined) return leanSes(config);
  return new SdkCaller(sesClient(config));
}

/** @example `const sqs = sqsClient(getConfig());` */
export function sqsClient(config: Config): SQSClient {
  return new SQSClient({ ...common(config, config.SQS_ENDPOINT, CLIENT_TIMEOUTS.sqs), cacheMiddleware: true });
}

/** Lambda client (asynchronous invokes of the edition function); locally serverless-offline's endpoint. @example `lambdaClient(config)` */
export function lambdaClient(config: Config): LambdaClient {
  return new LambdaClient(common(config, config.LAMBDA_ENDPOINT, CLIENT_TIMEOUTS.lambda, 4));
}

/** @example `const ssm = ssmClient(getConfig());` */
export function ssmClient(config: Config): SSMClient {
  // One attempt per try: secureParameter retries with its own backoff.
  return new SSMClient({ ...common(config, config.SSM_ENDPOINT, CLIENT_TIMEOUTS.ssm, 2), maxAttempts: 1 });
}

/** An SSM caller over the SDK client, for the secrets' reads. */
const sdkSsm = (config: Config) => (): AwsCaller => new SdkCaller(ssmClient(config));

/**
 * The HMAC secrets for subscriber links, current first, read through the SDK's SSM client
 * (ssm-secrets.ts's `tokenSecret`; the send function passes the lean one).
 *
 * @example
 * ```ts
 * const secrets = await tokenSecret(getConfig()); // [current, ...previous]
 * ```
 */
export function tokenSecret(config: Config, retry: RetryOptions = SECRET_RETRY): Promise<TokenSecrets> {
  return tokenSecretVia(config, sdkSsm(config), retry);
}

/**
 * The key of the log pseudonyms, read through the SDK's SSM client (ssm-secrets.ts's `logPseudonymKey`).
 *
 * @example
 * ```ts
 * const pseudonyms = new LogPseudonyms(await logPseudonymKey(getConfig()));
 * ```
 */
export function logPseudonymKey(config: Config, retry: RetryOptions = SECRET_RETRY): Promise<string> {
  return logPseudonymKeyVia(config, sdkSsm(config), retry);
}
