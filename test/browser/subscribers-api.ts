/**
 * The subscription API on serverless-offline over a fresh local stack, for the offline and
 * browser tests. Until serverless.yml has the subscriber functions, they are taken from
 * docs/serverless-subscribers-snippet.yml (the service file is generated, never written).
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument, type YAMLMap } from 'yaml';
import { localAppEnv } from '../../infra/local/app-env.ts';
import { useStack } from '../../infra/local/local-run.ts';
import { freePort, startOffline, type Offline } from '../../infra/local/offline.ts';
import { startLocalStack, type LocalStack } from '../../infra/local/stack.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
const HTTP_FUNCTIONS = ['health', 'subscribe', 'confirm', 'preferences', 'unsubscribe'];

/** serverless.yml, completed with the HTTP functions of the snippet when it lacks them. */
export async function serviceYaml(): Promise<string> {
  const text = await readFile(join(ROOT, 'serverless.yml'), 'utf8');
  const service = parseDocument(text);
  const snippet = parseDocument(await readFile(join(ROOT, 'docs/serverless-subscribers-snippet.yml'), 'utf8'));
  const functions = snippet.get('functions') as YAMLMap | undefined;
  for (const name of HTTP_FUNCTIONS) {
    if (service.hasIn(['functions', name])) continue;
    service.setIn(['functions', name], functions?.get(name, true));
  }
  return service.toString({ lineWidth: 0 });
}

export interface SubscribersApi {
  stack: LocalStack;
  offline: Offline;
  /** The API's base URL (also PUBLIC_BASE_URL, so every link in a mail can be followed). */
  url: string;
  env: Record<string, string>;
  stop(): Promise<void>;
}

/**
 * Starts a local stack and the API on a free port; this process is pointed at the same stack
 * (to run editions in process).
 *
 * @example
 * ```ts
 * const api = await startSubscribersApi();
 * await fetch(`${api.url}/health`);
 * await api.stop();
 * ```
 */
export async function startSubscribersApi(): Promise<SubscribersApi> {
  const stack = await startLocalStack({ forwardToMailbox: false });
  try {
    const port = await freePort();
    const env = { ...localAppEnv(stack, { httpPort: port, logLevel: 'WARN' }), SUBSCRIBE_LIMIT_PER_IP: '100' };
    useStack(env);
    const offline = await startOffline({ env, port, serviceYaml: await serviceYaml() });
    return {
      stack,
      offline,
      url: offline.url,
      env,
      stop: async () => {
        await offline.stop();
        await stack.stop();
      },
    };
  } catch (error) {
    await stack.stop();
    throw error;
  }
}
