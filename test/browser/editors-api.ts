/**
 * The editors' API on serverless-offline over a fresh local stack, with the local issuer
 * for sign-in, for the offline and browser tests. This process is pointed at the same stack
 * (to ingest content and drain the send queue in process), and a send worker can run here
 * as on `npm start`.
 */
import { getConfig } from '../../functions/core/config.ts';
import { handler as sendHandler } from '../../functions/send.ts';
import { localAppEnv } from '../../infra/local/app-env.ts';
import { startEditorIssuer, type EditorIssuer } from '../../infra/local/editor-issuer.ts';
import { drainQueue, sqsEventSource } from '../../infra/local/lambda-driver.ts';
import { useStack } from '../../infra/local/local-run.ts';
import { freePort, startOffline, type Offline } from '../../infra/local/offline.ts';
import { startLocalStack, type LocalStack } from '../../infra/local/stack.ts';

export interface EditorsApi {
  stack: LocalStack;
  offline: Offline;
  issuer: EditorIssuer;
  /** The API's base URL (also PUBLIC_BASE_URL). */
  url: string;
  env: Record<string, string>;
  /** Runs the send worker over the send queue in this process until stopped (as `npm start` does). */
  startSendWorker(): { stop(): Promise<void> };
  stop(): Promise<void>;
}

/**
 * Starts a local stack, the local issuer and the API on free ports.
 *
 * @example
 * ```ts
 * const api = await startEditorsApi();
 * await fetch(`${api.url}/editor/api/me`, { headers: { authorization: `Bearer ${api.issuer.mint()}` } });
 * await api.stop();
 * ```
 */
export async function startEditorsApi(extraEnv: Record<string, string> = {}): Promise<EditorsApi> {
  const stack = await startLocalStack({ forwardToMailbox: false });
  const issuer = await startEditorIssuer({ port: 0 });
  try {
    const port = await freePort();
    const env = { ...localAppEnv(stack, { httpPort: port, logLevel: 'WARN' }), ...issuer.env, SUBSCRIBE_LIMIT_PER_IP: '100', ...extraEnv };
    useStack(env);
    const offline = await startOffline({ env, port, authorizers: issuer.authorizers, startTimeoutMs: 240_000 });
    return {
      stack,
      offline,
      issuer,
      url: offline.url,
      env,
      startSendWorker: () => {
        let running = true;
        const done = sqsEventSource('send').then((eventSource) =>
          drainQueue({
            queueUrl: getConfig().SEND_QUEUE_URL,
            endpoint: stack.endpoints.sqs,
            region: getConfig().AWS_REGION,
            handler: sendHandler,
            eventSource,
            done: async () => !running,
            timeoutMs: Number.MAX_SAFE_INTEGER,
          }),
        );
        return {
          stop: async () => {
            running = false;
            await done.catch(() => undefined);
          },
        };
      },
      stop: async () => {
        await offline.stop();
        await issuer.stop();
        await stack.stop();
      },
    };
  } catch (error) {
    await issuer.stop();
    await stack.stop();
    throw error;
  }
}
