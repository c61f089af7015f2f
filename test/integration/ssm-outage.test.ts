/**
 * The token secret read from SSM through a loopback SSM stand-in (the AWS JSON protocol of
 * GetParameter): a container that started while SSM was down recovers as soon as SSM does,
 * without being recycled; a hung read is aborted by its request timeout and tried again.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CLIENT_TIMEOUTS } from '../../functions/adapters/aws-clients.ts';
import { useEnvironment } from '../../functions/core/config.ts';
import { resetWiring } from '../../functions/wiring/common.ts';
import { sendService } from '../../functions/wiring/send.ts';
import { PLACEHOLDER_ENV } from '../../bench/lib/placeholder-env.ts';

/** Each test reads its own parameter (a secret once read is kept for the life of the process). */
let parameter = '';
let tests = 0;
const SECRET = 'ssm-secret-ssm-secret-ssm-secret-0123456789';

/** What the stand-in does with the next GetParameter calls, in order; then `after`. */
interface SsmPlan {
  next: Array<'down' | 'hang' | 'up'>;
  after: 'down' | 'hang' | 'up';
}

/** A loopback SSM answering GetParameter (JSON 1.1), per plan. */
async function startSsm(plan: SsmPlan): Promise<{ url: string; calls: string[]; abandoned: () => number; stop(): Promise<void> }> {
  const calls: string[] = [];
  let abandoned = 0;
  const answer = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify(body));
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { Name?: string; WithDecryption?: boolean };
      const mode = plan.next.shift() ?? plan.after;
      calls.push(`${target} ${input.Name} ${mode}`);
      if (mode === 'hang') {
        res.on('close', () => {
          if (!res.writableEnded) abandoned += 1;
        });
        return;
      }
      if (mode === 'down') return answer(res, 500, { __type: 'InternalServerError', message: 'SSM is having a bad day' });
      if (target !== 'AmazonSSM.GetParameter' || input.Name !== parameter || input.WithDecryption !== true) {
        return answer(res, 400, { __type: 'ParameterNotFound', message: `no ${input.Name}` });
      }
      return answer(res, 200, { Parameter: { Name: parameter, Type: 'SecureString', Value: SECRET, Version: 1 } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    abandoned: () => abandoned,
    stop: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

describe('token secret from SSM', () => {
  const plan: SsmPlan = { next: [], after: 'up' };
  let ssm: Awaited<ReturnType<typeof startSsm>>;

  beforeAll(async () => {
    ssm = await startSsm(plan);
  });

  beforeEach(() => {
    // A fresh container: the secret comes from SSM (no TOKEN_SECRET), through the stand-in.
    tests += 1;
    parameter = `/news-digest/local/token-secret-${tests}`;
    const { TOKEN_SECRET: _secret, ...env } = PLACEHOLDER_ENV;
    delete process.env.TOKEN_SECRET;
    useEnvironment({ ...env, TOKEN_SECRET_PARAMETER: parameter, SSM_ENDPOINT: ssm.url, LOG_LEVEL: 'SILENT' });
    resetWiring();
    ssm.calls.length = 0;
  });

  afterAll(async () => {
    await ssm?.stop();
  });

  it('recovers without a new container once SSM is back: the failed read was not kept', async () => {
    // Prepare: SSM is down
    plan.after = 'down';

    // Act 1: the send worker is built while SSM is down
    const duringOutage = await sendService().then(() => 'built', (e: Error) => e.name);
    const readsDuringOutage = ssm.calls.length;

    // Act 2: SSM recovers; the next invocation builds it again
    plan.after = 'up';
    const afterRecovery = await sendService();
    const again = await sendService();

    // Assess: 3 tries with backoff during the outage, then one read, kept
    expect(duringOutage).toBe('InternalServerError');
    expect(readsDuringOutage).toBe(3);
    expect(again).toBe(afterRecovery);
    expect(ssm.calls).toEqual([
      ...Array.from({ length: 3 }, () => `AmazonSSM.GetParameter ${parameter} down`),
      `AmazonSSM.GetParameter ${parameter} up`,
    ]);
  });

  it('aborts a hung read at its request timeout and tries again within the same call', async () => {
    // Prepare: the first read is never answered
    plan.next = ['hang'];
    plan.after = 'up';
    const started = Date.now();

    // Act
    await sendService();

    // Assess
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(CLIENT_TIMEOUTS.ssm.requestMs - 50);
    expect(took).toBeLessThan(CLIENT_TIMEOUTS.ssm.requestMs + 3_000);
    expect(ssm.calls).toEqual([`AmazonSSM.GetParameter ${parameter} hang`, `AmazonSSM.GetParameter ${parameter} up`]);
    await expect.poll(() => ssm.abandoned(), { timeout: 2_000 }).toBe(1); // the client closed the hung connection
  });
});
