/**
 * The token secrets read from SSM (functions/adapters/aws-clients.ts; one secret or a list,
 * current first): read once and kept on success; a failed read is retried with backoff within the call and is never kept, so the
 * next call reads again. SSM is mocked with aws-sdk-client-mock; the send function's way
 * (ssm-secrets.ts through the lean SSM client, no SDK) runs against a loopback SSM.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetParameterCommand, SSMClient, SSMServiceException } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { SECRET_RETRY, isRetryableAwsError, tokenSecret } from '../../../functions/adapters/aws-clients.ts';
import { leanSsm } from '../../../functions/adapters/aws-lean-clients.ts';
import { logPseudonymKey as leanLogPseudonymKey, tokenSecret as leanTokenSecret } from '../../../functions/adapters/ssm-secrets.ts';
import { parseConfig } from '../../../functions/core/config.ts';
import { ConfigError } from '../../../functions/core/errors.ts';
import { PLACEHOLDER_ENV } from '../../../bench/lib/placeholder-env.ts';

const ssmMock = mockClient(SSMClient);
const SECRET = 'Kq8vN2xR7tLw4ZpY9bC3mHf6JdS1gTa5';
let parameters = 0;

/** A configuration that reads the secret from its own SSM parameter (the cache is per parameter). */
function configWithParameter() {
  parameters += 1;
  const { TOKEN_SECRET: _secret, ...env } = PLACEHOLDER_ENV;
  return parseConfig({ ...env, TOKEN_SECRET_PARAMETER: `/news-digest/test/token-secret-${parameters}` });
}

/** Retries that record their waits instead of sleeping. */
function recordingRetry() {
  const waits: number[] = [];
  return { waits, retry: { ...SECRET_RETRY, sleep: async (ms: number) => void waits.push(ms), random: () => 0.5 } };
}

const internalError = () => new SSMServiceException({ name: 'InternalServerError', message: 'SSM is down', $fault: 'server', $metadata: { httpStatusCode: 500 } });

describe('Function: tokenSecret', () => {
  beforeEach(() => ssmMock.reset());

  it('reads the parameter once, decrypted, and keeps it', async () => {
    // Prepare
    const config = configWithParameter();
    ssmMock.on(GetParameterCommand).resolves({ Parameter: { Value: SECRET } });

    // Act
    const first = await tokenSecret(config);
    const second = await tokenSecret(config);

    // Assess
    expect([first, second]).toEqual([[SECRET], [SECRET]]);
    expect(ssmMock.commandCalls(GetParameterCommand)).toHaveLength(1);
    expect(ssmMock.commandCalls(GetParameterCommand)[0]?.args[0].input).toEqual({ Name: config.TOKEN_SECRET_PARAMETER, WithDecryption: true });
  });

  it('retries a failed read with growing backoff within the call, then succeeds', async () => {
    // Prepare: SSM fails twice, then answers
    const config = configWithParameter();
    ssmMock.on(GetParameterCommand).rejectsOnce(internalError()).rejectsOnce(internalError()).resolves({ Parameter: { Value: SECRET } });
    const { waits, retry } = recordingRetry();

    // Act
    const secret = await tokenSecret(config, retry);

    // Assess
    expect(secret).toEqual([SECRET]);
    expect(ssmMock.commandCalls(GetParameterCommand)).toHaveLength(3);
    expect(waits).toEqual([100, 200]); // half (random 0.5) of 200 ms, then of 400 ms
  });

  it('does not keep a failed read: the next call reads again and recovers', async () => {
    // Prepare: SSM is down for the whole first call (3 tries)
    const config = configWithParameter();
    ssmMock.on(GetParameterCommand).rejects(internalError());
    const { retry } = recordingRetry();
    const outage = await tokenSecret(config, retry).catch((e: unknown) => e);
    ssmMock.reset();
    ssmMock.on(GetParameterCommand).resolves({ Parameter: { Value: SECRET } });

    // Act
    const recovered = await tokenSecret(config, retry);

    // Assess
    expect((outage as Error).name).toBe('InternalServerError');
    expect(recovered).toEqual([SECRET]);
    expect(ssmMock.commandCalls(GetParameterCommand)).toHaveLength(1);
  });

  it('does not retry a secret that is too short, nor keep it, and names the parameter', async () => {
    // Prepare
    const config = configWithParameter();
    ssmMock.on(GetParameterCommand).resolves({ Parameter: { Value: 'short' } });
    const { waits, retry } = recordingRetry();

    // Act
    const error = await tokenSecret(config, retry).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain(config.TOKEN_SECRET_PARAMETER);
    expect(waits).toEqual([]);
    ssmMock.on(GetParameterCommand).resolves({ Parameter: { Value: SECRET } });
    expect(await tokenSecret(config, retry)).toEqual([SECRET]); // fixed in SSM: the next call reads it
  });

  it('shares one read between concurrent callers', async () => {
    // Prepare
    const config = configWithParameter();
    ssmMock.on(GetParameterCommand).resolves({ Parameter: { Value: SECRET } });

    // Act
    const secrets = await Promise.all([tokenSecret(config), tokenSecret(config), tokenSecret(config)]);

    // Assess
    expect(secrets).toEqual([[SECRET], [SECRET], [SECRET]]);
    expect(ssmMock.commandCalls(GetParameterCommand)).toHaveLength(1);
  });

  it('returns TOKEN_SECRET without asking SSM when it is set', async () => {
    // Act
    const secret = await tokenSecret(parseConfig({ ...PLACEHOLDER_ENV }));

    // Assess
    expect(secret).toEqual([PLACEHOLDER_ENV.TOKEN_SECRET]);
    expect(ssmMock.commandCalls(GetParameterCommand)).toHaveLength(0);
  });
});

describe('Function: isRetryableAwsError', () => {
  it('retries throttling, 5xx and errors without an answer; not client errors or bad configuration', () => {
    expect(isRetryableAwsError(internalError())).toBe(true);
    expect(isRetryableAwsError(new SSMServiceException({ name: 'ThrottlingException', message: 'Rate exceeded', $fault: 'client', $metadata: { httpStatusCode: 400 } }))).toBe(true);
    expect(isRetryableAwsError(Object.assign(new Error('timed out'), { name: 'TimeoutError' }))).toBe(true);
    expect(isRetryableAwsError(new SSMServiceException({ name: 'ParameterNotFound', message: 'no', $fault: 'client', $metadata: { httpStatusCode: 400 } }))).toBe(false);
    expect(isRetryableAwsError(new ConfigError('too short'))).toBe(false);
  });
});

describe('Function: tokenSecret (ssm-secrets.ts through the lean SSM client)', () => {
  it('retries a failing read, shares one read among concurrent callers and keeps it', async () => {
    // Prepare: a loopback SSM that fails the first GetParameter, then answers
    const targets: string[] = [];
    const server: Server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const input = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { Name: string; WithDecryption: boolean };
        targets.push(`${String(req.headers['x-amz-target'])} ${input.Name} ${input.WithDecryption}`);
        const [status, body] = targets.length === 1 ? [500, { __type: 'InternalServerError', message: 'down' }] : [200, { Parameter: { Name: input.Name, Value: `${SECRET},${SECRET.split('').reverse().join('')}` } }];
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify(body));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    parameters += 1;
    const env: Record<string, string> = { ...PLACEHOLDER_ENV, SSM_ENDPOINT: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, TOKEN_SECRET_PARAMETER: `/news-digest/test/token-secret-${parameters}` };
    delete env.TOKEN_SECRET;
    const lean = parseConfig(env);
    const { retry } = recordingRetry();

    // Act
    const secrets = await Promise.all([leanTokenSecret(lean, () => leanSsm(lean), retry), leanTokenSecret(lean, () => leanSsm(lean), retry)]);
    const again = await leanTokenSecret(lean, () => leanSsm(lean), retry);
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));

    // Assess
    expect(secrets[0]).toEqual([SECRET, SECRET.split('').reverse().join('')]);
    expect(secrets[1]).toEqual(secrets[0]);
    expect(again).toEqual(secrets[0]);
    expect(targets).toEqual(Array(2).fill(`AmazonSSM.GetParameter ${lean.TOKEN_SECRET_PARAMETER} true`));
  });

  it('fails, without caching, when the lean client cannot be built (no credentials)', async () => {
    // Prepare
    const env: Record<string, string> = { ...PLACEHOLDER_ENV, LOG_PSEUDONYM_KEY_PARAMETER: '/news-digest/test/pseudonym-key' };
    delete env.LOG_PSEUDONYM_KEY;
    delete env.AWS_ACCESS_KEY_ID;
    const config = parseConfig(env);

    // Act
    const error = await leanLogPseudonymKey(config, () => leanSsm(config)).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(ConfigError);
    expect(String(error)).toMatch(/AWS_ACCESS_KEY_ID/);
  });
});
