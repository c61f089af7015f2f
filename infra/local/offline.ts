/**
 * Runs the HTTP API locally with serverless-offline (HTTP API, no stage prefix), for
 * integration and browser tests and `npm start`.
 *
 * serverless-offline gives each handler the environment of serverless.yml's
 * `provider.environment`, where resource variables are CloudFormation intrinsics (`!Ref …`)
 * that offline cannot resolve, and it ignores the caller's environment (except `AWS_*`). So
 * this runs serverless in a private working directory: every entry of the project is
 * symlinked into it, and its serverless.yml is the project's with `provider.environment`
 * completed by the given `env` (which wins). Nothing is written to the project, builds of two
 * runs never collide, and `stop()` kills the whole process group and removes the directory.
 *
 * serverless runs detached, in a process group of its own, so that the group (serverless,
 * esbuild's service, the handlers' workers) can be stopped as one. If this process dies
 * without calling `stop()` (a crash, SIGKILL), the reaper (reaper.ts) stops that group and
 * removes the directory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { isMap, isScalar, parseDocument } from 'yaml';
import { REPO_ROOT } from './cfn.ts';
import { reapOnExit } from './reaper.ts';
import { linkedWorkdir } from './workdir.ts';

export interface OfflineOptions {
  /** Variables for every handler (the local stack's env, TOKEN_SECRET, PUBLIC_BASE_URL, …). */
  env: Record<string, string>;
  /** HTTP port; default 3000; 0 picks a free port. */
  port?: number;
  /** The project directory (default: the repository root). */
  cwd?: string;
  /**
   * The service file to run, as YAML text (default: `<cwd>/serverless.yml`). Lets a test run
   * functions not yet in serverless.yml.
   */
  serviceYaml?: string;
  /** How long to wait for `GET /health` (default 120 s: the first build bundles every handler). */
  startTimeoutMs?: number;
  /** Called with each chunk of serverless' output (default: kept for error messages only). */
  onOutput?: (chunk: string) => void;
  /**
   * JWT authorizers of `provider.httpApi.authorizers` pointed at a local issuer (on AWS their
   * issuer and audience are CloudFormation references offline cannot resolve).
   */
  authorizers?: Record<string, { issuerUrl: string; audience: string[] }>;
}

export interface Offline {
  /** e.g. `http://127.0.0.1:3000` */
  url: string;
  port: number;
  /** Stops serverless-offline and every process it started; removes the working directory. */
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';

/**
 * A TCP port free at the time of asking.
 *
 * @example
 * ```ts
 * const port = await freePort();
 * ```
 */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/**
 * The service YAML with `provider.environment` completed by `env` (which wins over any
 * intrinsic or parameter written there), and JWT authorizers pointed at a local issuer.
 *
 * @example
 * ```ts
 * const yaml = withEnvironment(await readFile('serverless.yml', 'utf8'), { SUBSCRIBERS_TABLE: 'SubscribersTable' });
 * ```
 */
export function withEnvironment(serviceYaml: string, env: Record<string, string>, authorizers: OfflineOptions['authorizers'] = {}): string {
  const doc = parseDocument(serviceYaml);
  if (doc.errors.length > 0) throw new Error(`serverless.yml: ${doc.errors[0]?.message ?? 'invalid YAML'}`);
  for (const [key, value] of Object.entries(env)) {
    doc.setIn(['provider', 'environment', key], doc.createNode(value));
  }
  // A variable still written as a CloudFormation intrinsic (`!Sub …` of a resource the local
  // stack does not make, like the editors' user pool) cannot be resolved here: leave it out
  // rather than hand the functions an unreadable value.
  const environment = doc.getIn(['provider', 'environment']);
  if (isMap(environment)) {
    for (const pair of [...environment.items]) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      const intrinsic = isMap(pair.value) || (isScalar(pair.value) && typeof pair.value.tag === 'string' && pair.value.tag.startsWith('!'));
      if (intrinsic && !(key in env)) environment.delete(pair.key);
    }
  }
  for (const [name, { issuerUrl, audience }] of Object.entries(authorizers)) {
    doc.setIn(['provider', 'httpApi', 'authorizers', name, 'issuerUrl'], doc.createNode(issuerUrl));
    doc.setIn(['provider', 'httpApi', 'authorizers', name, 'audience'], doc.createNode(audience));
  }
  return doc.toString({ lineWidth: 0 });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolveExit) => child.once('exit', () => resolveExit()));
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is gone already.
  }
}

async function healthy(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2_000) });
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
}

/**
 * Starts serverless-offline and waits until `GET /health` answers 200.
 *
 * @throws Error with the tail of serverless' output when it exits or the deadline passes.
 * @example
 * ```ts
 * const stack = await startLocalStack();
 * const offline = await startOffline({ env: { ...stack.env, TOKEN_SECRET, PUBLIC_BASE_URL: 'http://127.0.0.1:3000' } });
 * await fetch(`${offline.url}/health`);
 * await offline.stop();
 * ```
 */
export async function startOffline(options: OfflineOptions): Promise<Offline> {
  const project = resolve(options.cwd ?? REPO_ROOT);
  const port = options.port === 0 ? await freePort() : (options.port ?? 3000);
  const lambdaPort = await freePort();
  const url = `http://${HOST}:${port}`;

  // serverless.yml is written, not linked: it carries the environment.
  const workdir = await linkedWorkdir('news-digest-offline-', { project, exclude: ['serverless.yml'] });
  let child: ChildProcess | undefined;
  let releaseGroup: (() => void) | undefined;
  const cleanup = async (): Promise<void> => {
    if (child) {
      killGroup(child, 'SIGTERM');
      const done = exited(child);
      const timer = setTimeout(() => killGroup(child!, 'SIGKILL'), 5_000);
      await done;
      clearTimeout(timer);
      // Anything left in the group (esbuild service, workers) goes too.
      killGroup(child, 'SIGKILL');
      releaseGroup?.();
    }
    await workdir.remove();
  };

  try {
    const serviceYaml = options.serviceYaml ?? (await readFile(join(project, 'serverless.yml'), 'utf8'));
    // LAMBDA_ENDPOINT: offline's Lambda API, where the editors' API starts the edition function.
    const env = { LAMBDA_ENDPOINT: `http://${HOST}:${lambdaPort}`, ...options.env };
    await writeFile(join(workdir.dir, 'serverless.yml'), withEnvironment(serviceYaml, env, options.authorizers));

    let output = '';
    child = spawn(
      process.execPath,
      [
        join(project, 'node_modules/serverless/bin/serverless.js'),
        'offline', 'start',
        '--stage', 'local',
        '--host', HOST,
        '--httpPort', String(port),
        '--lambdaPort', String(lambdaPort),
        '--noPrependStageInUrl',
        '--noSponsor',
      ],
      {
        cwd: workdir.dir,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...process.env,
          ...env,
          SLS_TELEMETRY_DISABLED: '1',
          SLS_NOTIFICATIONS_MODE: 'off',
          SLS_DEPRECATION_DISABLE: '*',
        },
      },
    );
    // detached: the child leads its own process group, whose id is its pid.
    if (child.pid !== undefined) releaseGroup = reapOnExit({ processGroup: child.pid });
    const collect = (chunk: Buffer): void => {
      const text = chunk.toString('utf8');
      output = (output + text).slice(-20_000);
      options.onOutput?.(text);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    let exit: string | undefined;
    child.once('exit', (code, signal) => {
      exit = `exited with ${code ?? signal}`;
    });

    const deadline = Date.now() + (options.startTimeoutMs ?? 120_000);
    while (!(await healthy(url))) {
      if (exit !== undefined) throw new Error(`serverless-offline ${exit} before answering /health:\n${output}`);
      if (Date.now() > deadline) throw new Error(`serverless-offline did not answer ${url}/health in time:\n${output}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  } catch (error) {
    await cleanup();
    throw error;
  }

  let stopped: Promise<void> | undefined;
  return { url, port, stop: () => (stopped ??= cleanup()) };
}
