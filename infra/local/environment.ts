/**
 * The environment variables that point the app at the local stack. Resource variables come
 * from serverless.yml's `provider.environment` (`!Ref ArticlesTable`, `!GetAtt SendQueue.QueueUrl`,
 * or a physical name like `${self:custom.names.contentBucket}`), completed by a built-in map
 * for anything serverless.yml does not say (or when it does not exist).
 */
import type { CfnResources } from './cfn.ts';
import { resolveIntrinsics } from './intrinsics.ts';
import type { LocalResources } from './intrinsics.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from './provision.ts';
import type { Endpoints } from './provision.ts';
import { resolveVariables } from './variables.ts';
import type { VariableContext } from './variables.ts';

/** Variables the app needs, as CloudFormation would set them, when serverless.yml is silent. */
export const BUILTIN_RESOURCE_ENV: Record<string, unknown> = {
  CONTENT_BUCKET: { Ref: 'ContentBucket' },
  ARTICLES_TABLE: { Ref: 'ArticlesTable' },
  EDITIONS_TABLE: { Ref: 'EditionsTable' },
  SUBSCRIBERS_TABLE: { Ref: 'SubscribersTable' },
  DELIVERIES_TABLE: { Ref: 'DeliveriesTable' },
  ALERTS_TABLE: { Ref: 'AlertsTable' },
  SEND_QUEUE_URL: { Ref: 'SendQueue' },
  SEND_DLQ_URL: { Ref: 'SendDeadLetterQueue' },
};

/**
 * Settings of serverless.yml's `provider.environment` that the local stack takes as they are
 * (with their parameters' defaults): the newsletter schedules.
 */
export const PLAIN_SETTINGS = ['DAILY_SCHEDULE', 'WEEKLY_SCHEDULE'] as const;

const NAME_PROPERTIES = ['BucketName', 'TableName', 'QueueName'] as const;

/** Physical names written in the templates (e.g. a BucketName) → the local name or URL. */
function physicalNames(
  resources: CfnResources,
  local: LocalResources,
  context: VariableContext,
): Map<string, string> {
  const names = new Map<string, string>();
  for (const [id, resource] of Object.entries(resources)) {
    const localName = local.tables[id] ?? local.queues[id]?.url ?? local.buckets[id];
    if (!localName) continue;
    for (const property of NAME_PROPERTIES) {
      const name = resolveVariables(resource.Properties?.[property], context);
      if (typeof name === 'string') names.set(name, localName);
    }
  }
  return names;
}

function providerEnvironment(context: VariableContext): Record<string, unknown> {
  const provider = context.service?.provider;
  const environment = typeof provider === 'object' && provider !== null
    ? (provider as Record<string, unknown>).environment
    : undefined;
  return typeof environment === 'object' && environment !== null
    ? (environment as Record<string, unknown>)
    : {};
}

/** Variables that refer to a local resource (others, like secrets, are not the stack's). */
function resourceVariables(
  declared: Record<string, unknown>,
  local: LocalResources,
  names: Map<string, string>,
  context: VariableContext,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, raw] of Object.entries(declared)) {
    const value = resolveVariables(raw, context);
    if (typeof value === 'object' && value !== null) {
      const resolved = resolveIntrinsics(value, local);
      if (typeof resolved === 'string') env[key] = resolved;
    } else if (typeof value === 'string' && names.has(value)) {
      env[key] = names.get(value) as string;
    }
  }
  return env;
}

/** The {@link PLAIN_SETTINGS} serverless.yml resolves to plain strings. */
function plainSettings(context: VariableContext): Record<string, string> {
  const declared = providerEnvironment(context);
  const env: Record<string, string> = {};
  for (const key of PLAIN_SETTINGS) {
    const value = resolveVariables(declared[key], context);
    if (typeof value === 'string') env[key] = value;
  }
  return env;
}

/**
 * Builds the environment for the app: region, credentials, endpoints, resource names.
 *
 * @example
 * ```ts
 * const env = localEnvironment(resources, local, endpoints, { service });
 * env.SEND_QUEUE_URL; // 'http://127.0.0.1:40123/000000000000/SendQueue'
 * ```
 */
export function localEnvironment(
  resources: CfnResources,
  local: LocalResources,
  endpoints: Endpoints,
  context: VariableContext,
): Record<string, string> {
  const names = physicalNames(resources, local, context);
  return {
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    S3_ENDPOINT: endpoints.s3,
    DYNAMODB_ENDPOINT: endpoints.dynamodb,
    SES_ENDPOINT: endpoints.ses,
    SQS_ENDPOINT: endpoints.sqs,
    ...resourceVariables(BUILTIN_RESOURCE_ENV, local, names, context),
    ...resourceVariables(providerEnvironment(context), local, names, context),
    ...plainSettings(context),
    LOCAL: 'true',
  };
}
