/**
 * `npm start`: the embedded local stack, serverless-offline for the HTTP API, the S3 event
 * and SQS plumbing that AWS would provide, the sample subscribers and content, one daily
 * edition and one alert digest (every window flushed as if due now) sent through the local
 * SES, then an alert flush every 5 minutes as on AWS. Stays up until Ctrl-C, then stops
 * everything it started.
 *
 * Nothing outlives it, however it ends:
 * - Ctrl-C, SIGTERM, SIGHUP (a closed terminal): it stops everything itself.
 * - Its parent dies (npm killed with SIGKILL): package.json runs it with `exec`, so npm is
 *   its parent, and a changed parent pid means npm is gone. It then stops as on Ctrl-C.
 * - It dies itself (a crash, SIGKILL): the reaper (reaper.ts), a helper process that outlives
 *   it, stops serverless-offline's process group and removes the temporary folders. Its own
 *   servers close with it.
 */
import { fileURLToPath } from 'node:url';
import { startLocalStack, portsFromEnv, DEFAULT_PORTS } from './stack.ts';
import { localAppEnv } from './app-env.ts';
import { drainQueue, forwardS3Events, forwardSesEvents, sqsEventSource } from './lambda-driver.ts';
import { importSubscribersFile, runAlerts, runJob, uploadContent, useStack } from './local-run.ts';
import { clearLocalState, writeLocalState } from './local-state.ts';
import { startOffline } from './offline.ts';
import { startEditorIssuer } from './editor-issuer.ts';
import { whenParentGone } from './parent-watch.ts';
import { getConfig } from '../../functions/core/config.ts';
import { handler as ingestHandler } from '../../functions/ingest.ts';
import { handler as sendHandler } from '../../functions/send.ts';
import { handler as feedbackHandler } from '../../functions/feedback.ts';
import { handler as alertsHandler } from '../../functions/alerts.ts';
import { handler as editionHandler } from '../../functions/edition.ts';
import { scheduleJobs } from './job-scheduler.ts';
import { describeSchedule } from '../../functions/core/editions/schedule.ts';

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
  process.on('SIGHUP', () => void stop(0));
  whenParentGone(() => {
    process.stderr.write('npm start: its parent process is gone.\n');
    void stop(0);
  });

  try {
    // The editors' sign-in: a local issuer in place of Cognito (infra/local/editor-issuer.ts).
    const issuer = await startEditorIssuer({ port: ports.auth });
    stops.push(() => issuer.stop());
    // Click tracking on for the daily edition, so that the local funnel fills in (off by default on AWS).
    const env = { ...localAppEnv(stack, { httpPort: ports.http, logLevel: 'WARN' }), ...issuer.env, CLICK_TRACKING: 'daily' };
    useStack(env);
    await writeLocalState(env);

    // What AWS does between the services: S3 notifications → ingest, the queue → send.
    const events = forwardS3Events(stack, ingestHandler, {
      onError: (error, event) => {
        const keys = event.Records.map((r) => r.s3.object.key).join(', ');
        process.stderr.write(`ingest failed for ${keys.slice(0, 300)}: ${error instanceof Error ? error.message : String(error)}\n`);
      },
    });
    stops.push(async () => events.stop());
    // SES's events (Send, Delivery or Bounce, Click) → feedback (SNS on AWS), while the stack runs.
    const sendEvents = forwardSesEvents(stack, feedbackHandler);
    stops.push(async () => sendEvents.stop());
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

    // Subscribers first: their keyword alerts are matched as the content is ingested.
    const imported = await importSubscribersFile(`${SAMPLE}subscribers.csv`);
    const quarantined = await uploadContent(stack, `${SAMPLE}content`);
    const summary = await runJob(stack, { job: 'daily', now: new Date(), quarantined: quarantined.length, forwardSendEvents: false });
    // davit@example.com follows "Tbilisi" (instant): one alert digest, sent now rather than in 5 minutes.
    const alerts = await runAlerts(stack, { now: new Date(), quarantined: quarantined.length, forwardSendEvents: false });
    // Then the alerts schedule, as on AWS (rate(5 minutes)).
    const schedule = setInterval(() => {
      alertsHandler({ time: new Date().toISOString() }).catch((e: unknown) => process.stderr.write(`alert flush: ${String(e)}\n`));
    }, 5 * 60_000);
    stops.push(async () => clearInterval(schedule));
    // The newsletter schedules, at their local time and zone as on AWS (serverless.yml custom.schedules).
    const jobs = scheduleJobs({
      schedules: { daily: getConfig().DAILY_SCHEDULE, weekly: getConfig().WEEKLY_SCHEDULE },
      run: (event) => editionHandler(event),
      onError: (e, job) => process.stderr.write(`${job} edition: ${String(e)}\n`),
    });
    stops.push(async () => jobs.stop());

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
        `  Sample alert digest ${JSON.stringify(alerts)}   (davit@example.com follows "Tbilisi", instant)`,
        `  Subscribers         ${imported.imported} imported`,
        `  Schedules           daily ${jobs.next.daily ?? '-'}, weekly ${jobs.next.weekly ?? '-'}   (UTC; serverless.yml custom.schedules: ${describeSchedule(getConfig().DAILY_SCHEDULE)} daily, ${describeSchedule(getConfig().WEEKLY_SCHEDULE)} weekly)`,
        '',
        'Upload to the content bucket and it is ingested (and matched against the alerts, flushed every 5 minutes);',
        'try `npm run digest -- edition status ' + summary.edition + '`, `npm run digest -- alerts status`,',
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
