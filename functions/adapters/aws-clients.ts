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
import { SSMClient, GetParameterCommand } from '@aws-sdk/client-ssm';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { DeserializeMiddleware } from '@smithy/types';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { CALL_DEADLINE, withCallDeadline } from './aws-signed-http.ts';
import type { AwsCaller } from './aws-commands.ts';
import { CLIENT_TIMEOUTS, leanEndpoint, type ClientTimeouts } from './aws-endpoints.ts';
import { SdkCaller } from './aws-sdk-caller.ts';
import { LeanDynamoDbDocumentClient } from './dynamodb-lean-document-client.ts';
import { LeanSesClient } from './ses-lean-client.ts';
import { retryWithBackoff, type RetryOptions } from '../core/concurrency.ts';
import type { Config } from '../core/config.ts';
import { ConfigError } from '../core/errors.ts';
import { parseSecretList } from '../core/secrets.ts';
import type { TokenSecrets } from '../core/subscribers/tokens.ts';

export { CLIENT_TIMEOUTS, leanEndpoint, withCallDeadline };

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
 * SES client; its socket pool matches the worker's concurrency. SendRawEmail goes over the
 * lean signed-HTTP path (ses-lean-client.ts), every other call through the SDK.
 *
 * @example `sesClient(config)`
 */
export function sesClient(config: Config): SESClient {
  // Retries are ours (the send service backs off with jitter and keeps the ledger honest).
  // cacheMiddleware: the middleware stack is resolved once per command type instead of on
  // every call; middleware must therefore be added before the first send, as
  // useLeanRawMessageBody and useCallDeadlines do.
  const timeouts = CLIENT_TIMEOUTS.ses;
  const sdkConfig = { ...common(config, config.SES_ENDPOINT, timeouts, config.SEND_CONCURRENCY), maxAttempts: 1, cacheMiddleware: true };
  const endpoint = leanEndpoint(config, 'email', config.SES_ENDPOINT);
  const client = endpoint === undefined
    ? new SESClient(sdkConfig)
    : new LeanSesClient(sdkConfig, { endpoint, region: config.AWS_REGION, timeouts, maxSockets: config.SEND_CONCURRENCY });
  useCallDeadlines(client);
  return client;
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

/** Tries of one secret read: 3, with full-jitter backoff under 200 ms, then 400 ms. */
export const SECRET_RETRY: RetryOptions = { attempts: 3, baseMs: 200, capMs: 1_000, retryable: isRetryableAwsError };

/** Reads of SSM secrets in progress or done, by parameter name; a failed read is dropped. */
const parameters = new Map<string, Promise<readonly string[]>>();

/**
 * An SSM SecureString holding one secret or a list (commas or line breaks, current first),
 * read once per process and checked for strength ({@link parseSecretList}). A read that fails
 * is retried within the call (a few tries with backoff) and is **not** kept: the next call
 * reads again, so a container recovers as soon as SSM does. Concurrent callers share one read.
 */
function secureParameter(config: Config, name: string, retry: RetryOptions): Promise<readonly string[]> {
  const known = parameters.get(name);
  if (known) return known;
  const client = ssmClient(config);
  const read = retryWithBackoff(async () => {
    const out = await client.send(new GetParameterCommand({ Name: name, WithDecryption: true }));
    return parseSecretList(out.Parameter?.Value ?? '', `SSM parameter ${name}`);
  }, retry).finally(() => client.destroy());
  parameters.set(name, read);
  read.catch(() => {
    if (parameters.get(name) === read) parameters.delete(name);
  });
  return read;
}

/**
 * The HMAC secrets for subscriber links, current first: TOKEN_SECRET, or the SSM parameter
 * TOKEN_SECRET_PARAMETER (one secret or a list, current first), followed by
 * TOKEN_SECRETS_PREVIOUS. Every secret is checked for strength; a failed SSM read is retried
 * and never cached.
 *
 * @example
 * ```ts
 * const secrets = await tokenSecret(getConfig()); // [current, ...previous]
 * ```
 */
export async function tokenSecret(config: Config, retry: RetryOptions = SECRET_RETRY): Promise<TokenSecrets> {
  if (config.TOKEN_SECRET) return [config.TOKEN_SECRET, ...config.TOKEN_SECRETS_PREVIOUS];
  const [current, ...previous] = (await secureParameter(config, config.TOKEN_SECRET_PARAMETER as string, retry)) as [string, ...string[]];
  return [current, ...previous, ...config.TOKEN_SECRETS_PREVIOUS.filter((s) => s !== current && !previous.includes(s))];
}

/**
 * AWS errors worth another try: throttling, 5xx, timeouts and network errors (no answer at all).
 *
 * @example
 * ```ts
 * await retryWithBackoff(() => ssm.send(command), { attempts: 3, baseMs: 200, capMs: 1_000, retryable: isRetryableAwsError });
 * ```
 */
export function isRetryableAwsError(error: unknown): boolean {
  if (error instanceof ConfigError) return false;
  const e = error as { name?: string; $fault?: string; $retryable?: unknown; $metadata?: { httpStatusCode?: number } };
  if (e.$retryable || e.$fault === 'server') return true;
  if (e.name && /Throttl|TooManyRequests|RequestLimitExceeded/.test(e.name)) return true;
  return e.$metadata?.httpStatusCode === undefined;
}

/**
 * The key of the log pseudonyms: LOG_PSEUDONYM_KEY, or the SSM parameter
 * LOG_PSEUDONYM_KEY_PARAMETER (read like the token secret: retried, never caching a failure),
 * checked for strength. Separate from the token secrets, so that rotating those leaves log
 * pseudonyms as they are.
 *
 * @example
 * ```ts
 * const pseudonyms = new LogPseudonyms(await logPseudonymKey(getConfig()));
 * ```
 */
export async function logPseudonymKey(config: Config, retry: RetryOptions = SECRET_RETRY): Promise<string> {
  if (config.LOG_PSEUDONYM_KEY) return config.LOG_PSEUDONYM_KEY;
  if (!config.LOG_PSEUDONYM_KEY_PARAMETER) throw new ConfigError('set LOG_PSEUDONYM_KEY or LOG_PSEUDONYM_KEY_PARAMETER');
  return (await secureParameter(config, config.LOG_PSEUDONYM_KEY_PARAMETER, retry))[0] as string;
}
