/**
 * The subscription API on serverless-offline over a fresh local stack, for the offline and
 * browser tests.
 */
import { localAppEnv } from '../../infra/local/app-env.ts';
import { useStack } from '../../infra/local/local-run.ts';
import { freePort, startOffline, type Offline } from '../../infra/local/offline.ts';
import { startLocalStack, type LocalStack } from '../../infra/local/stack.ts';


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
    const offline = await startOffline({ env, port });
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
