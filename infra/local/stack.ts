/**
 * The embedded local AWS stack: DynamoDB (dynalite), S3 (s3rver), SQS (local-aws-sqs) and
 * SES (the SES front over aws-ses-v2-local), all in this process on 127.0.0.1, with every
 * table, queue and bucket of `infra/*.yml` created by logical id.
 */
import { EventEmitter } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import dynalite from 'dynalite';
import { createRequestHandler } from 'local-aws-sqs';
import S3rver from 's3rver';
import { INFRA_DIR, SERVERLESS_YML, loadResources, loadServerlessConfig } from './cfn.ts';
import type { CfnResources } from './cfn.ts';
import { localEnvironment } from './environment.ts';
import type { LocalResources } from './intrinsics.ts';
import { provision } from './provision.ts';
import type { Endpoints } from './provision.ts';
import { closeServer } from './http-util.ts';
import { reapOnExit } from './reaper.ts';
import { guardedS3Handler } from './s3-guard.ts';
import { toAwsS3Event } from './s3-events.ts';
import { startSesFront } from './ses-front.ts';
import type { SesFaults, SesFront } from './ses-front.ts';
import { resolveVariables } from './variables.ts';
import type { VariableContext } from './variables.ts';

export { DEFAULT_PORTS, portsFromEnv } from './ports.ts';
export type { Ports } from './ports.ts';
export type { Endpoints } from './provision.ts';
export type { LocalResources } from './intrinsics.ts';
export type { CapturedMessage, SesFaults, SesFront, SesStats } from './ses-front.ts';

const HOST = '127.0.0.1';
const ACCOUNT_ID = '000000000000';

export interface LocalStackOptions {
  /** Ports of the emulators; absent or 0 = a free port. */
  ports?: Partial<Record<keyof Endpoints, number>>;
  /** Faults the SES endpoint starts with. */
  faults?: SesFaults;
  /** Forward accepted mail to the aws-ses-v2-local mailbox (default true). */
  forwardToMailbox?: boolean;
  /** Keep raw bytes of captured mail (default true). */
  keepRaw?: boolean;
  /** Keep a record of every n-th accepted mail only (default 1; see SesFrontOptions). */
  keepEvery?: number;
  /**
   * Called with each DynamoDB request's operation (`X-Amz-Target` without its prefix), JSON
   * body and headers, before dynalite handles it (benchmarks count the calls and what they write).
   */
  observeDynamoDb?: (operation: string, body: Record<string, unknown>, headers: Record<string, string | string[] | undefined>) => void;
  /** Where the CloudFormation fragments are (default `infra/`). */
  infraDir?: string;
  /** The serverless service file (default `serverless.yml` at the repository root). */
  serverlessYml?: string;
}

/** A running local stack. */
export interface LocalStack {
  /** Everything the app's configuration needs to use this stack. */
  env: Record<string, string>;
  endpoints: Endpoints;
  resources: LocalResources;
  ses: SesFront;
  /**
   * Re-emits s3rver's `'event'` payloads (`{ Records: [...] }`) on object create/delete, with
   * the object key URL-encoded and the bucket ARN spelled as AWS does.
   */
  s3Events: EventEmitter;
  /**
   * Closes every server and connection, and removes the temporary S3 directory. If this
   * process ends without calling it (a crash, SIGKILL), the reaper removes the directory.
   */
  stop(): Promise<void>;
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, HOST, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

async function loadDefinitions(options: LocalStackOptions): Promise<{
  resources: CfnResources;
  context: VariableContext;
}> {
  const service = await loadServerlessConfig(options.serverlessYml ?? SERVERLESS_YML);
  const context: VariableContext = { stage: 'local', ...(service ? { service } : {}) };
  const raw = await loadResources(options.infraDir ?? INFRA_DIR);
  return { resources: resolveVariables<CfnResources>(raw, context), context };
}

/**
 * Starts the local stack and creates every resource of `infra/*.yml` on it.
 *
 * @example
 * ```ts
 * const stack = await startLocalStack();            // free ports
 * useEnvironment(stack.env);                        // point the app at it
 * stack.ses.setFaults({ throttleShare: 0.2, seed: 1 });
 * await stack.stop();
 * ```
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const { resources, context } = await loadDefinitions(options);
  const ports = options.ports ?? {};
  const cleanups: Array<() => Promise<unknown>> = [];
  /** Undoes what was started, last first; carries on past a failure and reports the first. */
  const stop = async (): Promise<void> => {
    const errors: unknown[] = [];
    for (const cleanup of cleanups.splice(0).reverse()) {
      await cleanup().catch((error: unknown) => errors.push(error));
    }
    if (errors.length > 0) throw errors[0];
  };

  try {
    const directory = await mkdtemp(join(tmpdir(), 'news-digest-s3-'));
    // Removed by stop(), or by the reaper if this process dies without stopping.
    const release = reapOnExit({ path: directory });
    cleanups.push(() => rm(directory, { recursive: true, force: true }).then(release));

    const dynamo = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    const observe = options.observeDynamoDb;
    if (observe) {
      dynamo.prependListener('request', (req) => {
        const operation = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          try {
            observe(operation, JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>, req.headers);
          } catch {
            // Not JSON: dynalite answers it with an error of its own.
          }
        });
      });
    }
    const dynamoPort = await listen(dynamo, ports.dynamodb ?? 0);
    cleanups.push(() => closeServer(dynamo));

    // s3rver and local-aws-sqs listen without an 'error' handler (a busy port would crash the
    // process), so their request handlers are served from servers of our own. s3rver's is
    // guarded: keys it cannot take get an S3 error answer instead of crashing the process.
    const s3 = new S3rver({ silent: true, directory });
    const s3Server = createServer(guardedS3Handler(s3));
    const s3Port = await listen(s3Server, ports.s3 ?? 0);
    cleanups.push(() => closeServer(s3Server));
    const s3Events = new EventEmitter();
    s3.on('event', (event: unknown) => {
      // s3rver emits inside the request, after the object is stored: a listener's error must
      // not turn that into a failed PUT, nor escape.
      try {
        s3Events.emit('event', toAwsS3Event(event));
      } catch (error) {
        process.stderr.write(`local S3: an event listener failed: ${String(error)}\n`);
      }
    });

    const sqsHandler = createRequestHandler({
      port: 0, hostname: HOST, accountId: ACCOUNT_ID, emulateQueueCreationLifecycle: false,
    });
    const sqs = createServer((req, res) => void sqsHandler.requestHandler(req, res));
    sqsHandler.service.PORT = await listen(sqs, ports.sqs ?? 0); // queue URLs carry the port
    cleanups.push(() => closeServer(sqs));

    const ses = await startSesFront({
      port: ports.ses ?? 0,
      host: HOST,
      ...(options.faults ? { faults: options.faults } : {}),
      ...(options.forwardToMailbox === undefined ? {} : { forwardToMailbox: options.forwardToMailbox }),
      ...(options.keepRaw === undefined ? {} : { keepRaw: options.keepRaw }),
      ...(options.keepEvery === undefined ? {} : { keepEvery: options.keepEvery }),
    });
    cleanups.push(() => ses.stop());

    const endpoints: Endpoints = {
      s3: `http://${HOST}:${s3Port}`,
      dynamodb: `http://${HOST}:${dynamoPort}`,
      ses: ses.url,
      sqs: `http://${HOST}:${(sqs.address() as AddressInfo).port}`,
    };
    const local = await provision(resources, endpoints);
    const env = localEnvironment(resources, local, endpoints, context);
    return { env, endpoints, resources: local, ses, s3Events, stop };
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
}
