/**
 * Which calls may take the lean signed-HTTP path (aws-clients.ts, aws-lean-clients.ts): only
 * the local stack's endpoints and the standard partition's `<service>.<region>.amazonaws.com`.
 * In China, GovCloud or with FIPS / dual-stack endpoints asked for, every call of the SDK-built
 * clients goes through the SDK, whose endpoint rules know those domains, and the send
 * function's lean factories ask for the service's `*_ENDPOINT`. No network: a middleware
 * stops each SDK call after its endpoint is resolved, before signing.
 */
import { GetSendQuotaCommand, SESClient } from '@aws-sdk/client-ses';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { dynamoDocumentClient, leanEndpoint, sesCaller } from '../../../functions/adapters/aws-clients.ts';
import { leanDynamoDb, leanS3, leanSes, leanSqs, leanSsm } from '../../../functions/adapters/aws-lean-clients.ts';
import { SdkCaller } from '../../../functions/adapters/aws-sdk-caller.ts';
import { ConfigError } from '../../../functions/core/errors.ts';
import { LeanDynamoDbDocumentClient } from '../../../functions/adapters/dynamodb-lean-document-client.ts';
import { LeanSesClient } from '../../../functions/adapters/ses-lean-client.ts';
import { parseConfig } from '../../../functions/core/config.ts';
import { PLACEHOLDER_ENV } from '../../../bench/lib/placeholder-env.ts';

/** A configuration for AWS itself: no local endpoints. */
function awsConfig(extra: Record<string, string>) {
  const env: Record<string, string> = { ...PLACEHOLDER_ENV, ...extra };
  for (const name of ['DYNAMODB_ENDPOINT', 'S3_ENDPOINT', 'SQS_ENDPOINT', 'SES_ENDPOINT', 'SSM_ENDPOINT']) delete env[name];
  return parseConfig(env);
}

/** The host an SDK client would call for `command` (the call is stopped before it is signed). */
async function sdkHost(client: { middlewareStack: SESClient['middlewareStack']; send(command: never): Promise<unknown> }, command: unknown): Promise<string> {
  let host = '';
  client.middlewareStack.add(
    () => async (args) => {
      host = (args.request as { hostname: string }).hostname;
      throw new Error('stopped before signing');
    },
    { step: 'build', priority: 'high', name: 'captureHost' },
  );
  await expect(client.send(command as never)).rejects.toThrow('stopped before signing');
  return host;
}

describe('lean endpoints', () => {
  // The SDK's credential chain reads the process's environment: placeholder keys, no metadata service.
  beforeEach(() => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'placeholder');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'placeholder');
    vi.stubEnv('AWS_EC2_METADATA_DISABLED', 'true');
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('uses the regional amazonaws.com endpoints of the standard partition', () => {
    // Prepare
    const config = awsConfig({ AWS_REGION: 'eu-west-1' });

    // Act
    const ddb = dynamoDocumentClient(config);
    const ses = sesCaller(config);
    const lean = [leanS3(config), leanSes(config), leanSqs(config), leanSsm(config)];

    // Assess
    for (const client of lean) client.destroy();
    expect(leanEndpoint(config, 'dynamodb', undefined)).toBe('https://dynamodb.eu-west-1.amazonaws.com');
    expect(leanEndpoint(config, 'email', undefined)).toBe('https://email.eu-west-1.amazonaws.com');
    expect(ddb).toBeInstanceOf(LeanDynamoDbDocumentClient);
    expect(ses).toBeInstanceOf(LeanSesClient);
    ddb.destroy();
    ses.destroy();
  });

  it('uses a configured (local) endpoint whatever the region', () => {
    // Prepare
    const config = parseConfig({ ...PLACEHOLDER_ENV, AWS_REGION: 'cn-north-1' });

    // Act
    const endpoint = leanEndpoint(config, 'dynamodb', config.DYNAMODB_ENDPOINT);

    // Assess
    expect(endpoint).toBe(PLACEHOLDER_ENV.DYNAMODB_ENDPOINT);
  });

  it.each([
    ['China', { AWS_REGION: 'cn-north-1' }, 'dynamodb.cn-north-1.amazonaws.com.cn', 'email.cn-north-1.amazonaws.com.cn'],
    ['GovCloud', { AWS_REGION: 'us-gov-west-1' }, 'dynamodb.us-gov-west-1.amazonaws.com', 'email.us-gov-west-1.amazonaws.com'],
    ['FIPS', { AWS_REGION: 'us-east-1', AWS_USE_FIPS_ENDPOINT: 'true' }, 'dynamodb-fips.us-east-1.amazonaws.com', 'email-fips.us-east-1.amazonaws.com'],
  ])('leaves %s to the SDK and its endpoint rules', async (_name, env, ddbHost, sesHost) => {
    // Prepare
    const config = awsConfig(env);

    // Act
    const ddb = dynamoDocumentClient(config);
    const ses = sesCaller(config);

    // Assess
    expect(leanEndpoint(config, 'dynamodb', undefined)).toBeUndefined();
    expect(ddb).not.toBeInstanceOf(LeanDynamoDbDocumentClient);
    expect(ddb).toBeInstanceOf(SdkCaller);
    expect((ddb as SdkCaller).client).toBeInstanceOf(DynamoDBDocumentClient);
    expect(ses).toBeInstanceOf(SdkCaller);
    expect(await sdkHost((ddb as SdkCaller).client as never, new GetCommand({ TableName: 't', Key: { pk: 'a' } }))).toBe(ddbHost);
    expect(await sdkHost((ses as SdkCaller<SESClient>).client, new GetSendQuotaCommand({}))).toBe(sesHost);
    // The send function has no SDK to fall back on: its factories ask for the endpoint.
    for (const [factory, variable] of [[leanDynamoDb, 'DYNAMODB_ENDPOINT'], [leanS3, 'S3_ENDPOINT'], [leanSes, 'SES_ENDPOINT'], [leanSqs, 'SQS_ENDPOINT'], [leanSsm, 'SSM_ENDPOINT']] as const) {
      expect(() => factory(config)).toThrow(ConfigError);
      expect(() => factory(config)).toThrow(new RegExp(`set ${variable}`));
    }
    ddb.destroy();
    ses.destroy();
  });

  it('builds no lean client without the credentials, naming the variables (and never quoting a secret)', () => {
    // Prepare
    const env: Record<string, string> = { ...PLACEHOLDER_ENV, AWS_SECRET_ACCESS_KEY: 'do-not-print-me' };
    delete env.AWS_ACCESS_KEY_ID;
    const config = parseConfig(env);

    // Act
    const error = (() => {
      try {
        leanSes(config);
      } catch (e) {
        return e as Error;
      }
      return undefined;
    })();
    const ses = sesCaller(config);

    // Assess: the send function's factory fails; sesCaller keeps to the SDK and its provider chain
    expect(error).toBeInstanceOf(ConfigError);
    expect(error?.message).toMatch(/AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/);
    expect(error?.message).not.toContain('do-not-print-me');
    expect(ses).toBeInstanceOf(SdkCaller);
    ses.destroy();
  });
});
