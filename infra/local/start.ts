/**
 * `npm start`: the embedded local stack, serverless-offline for the HTTP API, the S3 event
 * and SQS plumbing that AWS would provide, the sample content and subscribers, and one daily
 * edition sent through the local SES. Stays up until Ctrl-C, then stops everything it started.
 */
import { fileURLToPath } from 'node:url';
import { startLocalStack, portsFromEnv, DEFAULT_PORTS } from './stack.ts';
import { localAppEnv } from './app-env.ts';
import { drainQueue, forwardS3Events, sqsEventSource } from './lambda-driver.ts';
import { importSubscribersFile, runJob, uploadContent, useStack } from './local-run.ts';
import { clearLocalState, writeLocalState } from './local-state.ts';
import { startOffline } from './offline.ts';
import { startEditorIssuer } from './editor-issuer.ts';
import { getConfig } from '../../functions/core/config.ts';
import { handler as ingestHandler } from '../../functions/ingest.ts';
import { handler as sendHandler } from '../../functions/send.ts';

const SAMPLE = fileURLToPath(new URL('./sample/', import.meta.url));

async function main(): Promise<void> {
  // The one place outside config.ts that reads the environment: the local ports (LOCAL_*_PORT).
  const ports = { ...DEFAULT_PORTS, ...portsFromEnv(process.env) };
  const stack = await startLocalStack({ ports: { s3: ports.s3, dynamodb: ports.dynamodb, ses: ports.ses, sqs: ports.sqs } });
  const stops: Array<() => Promise<unknown>> = [() => stack.stop()];
  let stopping = false;
  const stop = async (code: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    process.stdout.write('\nStopping…\n');
    await clearLocalState();
    for (const s of stops.reverse()) await s().catch((e: unknown) => process.stderr.write(`stop: ${String(e)}\n`));
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  try {
    // The editors' sign-in: a local issuer in place of Cognito (infra/local/editor-issuer.ts).
    const issuer = await startEditorIssuer({ port: ports.auth });
    stops.push(() => issuer.stop());
    const env = { ...localAppEnv(stack, { httpPort: ports.http, logLevel: 'WARN' }), ...issuer.env };
    useStack(env);
    await writeLocalState(env);

    // What AWS does between the services: S3 notifications → ingest, the queue → send.
    const events = forwardS3Events(stack, ingestHandler);
    stops.push(async () => events.stop());
    let draining = true;
    const poller = drainQueue({
      queueUrl: getConfig().SEND_QUEUE_URL,
      endpoint: stack.endpoints.sqs,
      region: getConfig().AWS_REGION,
      handler: sendHandler,
      // As serverless.yml has the event source invoke `send` (batch size, window, concurrency).
      eventSource: await sqsEventSource('send'),
      done: async () => !draining,
      timeoutMs: Number.MAX_SAFE_INTEGER,
    });
    stops.push(async () => {
      draining = false;
      await poller.catch(() => undefined);
    });

    const offline = await startOffline({ env, port: ports.http, authorizers: issuer.authorizers });
    stops.unshift(() => offline.stop());

    const quarantined = await uploadContent(stack, `${SAMPLE}content`);
    const imported = await importSubscribersFile(`${SAMPLE}subscribers.csv`);
    const summary = await runJob(stack, { job: 'daily', now: new Date(), quarantined: quarantined.length });

    process.stdout.write(
      [
        '',
        'news-digest is running on the embedded local stack.',
        `  HTTP API            ${offline.url}   (GET /health, /subscribe, /unsubscribe, /preferences)`,
        `  Editors' console    ${offline.url}/editor   (it sends you to the local sign-in: choose local-editor, or local-viewer for read-only)`,
        `  Editor sign-in      ${issuer.url}   (a token for curl: curl -s -X POST ${issuer.url}/dev/token; the CLI finds it by itself)`,
        `  SES mailbox         ${stack.endpoints.ses}`,
        `  S3                  ${stack.endpoints.s3}   (content bucket: ${getConfig().CONTENT_BUCKET})`,
        `  DynamoDB            ${stack.endpoints.dynamodb}`,
        `  SQS                 ${stack.endpoints.sqs}`,
        `  Sample edition      ${JSON.stringify(summary)}`,
        `  Subscribers         ${imported.imported} imported`,
        '',
        'Upload to the content bucket and it is ingested; try `npm run digest -- edition status ' + summary.edition + '`,',
        'or `npm run digest -- edition preview daily` and `npm run digest -- edition send daily` (a dry run first, then --confirm CODE).',
        'Press Ctrl-C to stop.',
        '',
      ].join('\n'),
    );
  } catch (error) {
    process.stderr.write(`npm start failed: ${(error as Error).stack ?? String(error)}\n`);
    await stop(1);
  }
}

await main();
