/**
 * DynamoDB for the contract suites: dynalite in this process, and tables made from the
 * definitions in infra/*.yml exactly as the local stack makes them (infra/local/provision.ts),
 * one fresh copy per test so that no test sees another's items.
 */
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import { afterAll, beforeAll } from 'vitest';
import type { AwsCaller } from '../../functions/adapters/aws-commands.ts';
import { SdkCaller } from '../../functions/adapters/aws-sdk-caller.ts';
import { LeanDynamoDbDocumentClient } from '../../functions/adapters/dynamodb-lean-document-client.ts';
import { loadResources, loadServerlessConfig, type CfnResource } from '../../infra/local/cfn.ts';
import { closeServer } from '../../infra/local/http-util.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION, provision } from '../../infra/local/provision.ts';
import { resolveVariables } from '../../infra/local/variables.ts';

/** The tables of infra/*.yml, by logical id. */
export type TableId = 'ArticlesTable' | 'EditionsTable' | 'SubscribersTable' | 'DeliveriesTable' | 'AlertsTable' | 'EditorsTable';

/** What dynalite does not do as DynamoDB does, so that a contract can say so instead of failing. */
export interface EmulatorGaps {
  /** DynamoDB returns the item of a failed condition (ReturnValuesOnConditionCheckFailure); dynalite does not. */
  itemOnConditionFailure: boolean;
}

/** A running dynalite. */
export interface LocalDynamoDb {
  /** DynamoDB as the app's adapters get it (undefined values removed; item calls over the lean signed-HTTP path, the rest through the SDK). */
  client: AwsCaller;
  /** The same through the SDK alone (every call through its middleware), to hold the lean path to it. */
  sdkClient: AwsCaller;
  /** What this emulator does not do as DynamoDB does. */
  gaps: EmulatorGaps;
  /** Creates a fresh, empty copy of table `id` of infra/*.yml and returns its name. */
  table(id: TableId): Promise<string>;
  stop(): Promise<void>;
}

/**
 * Starts dynalite on a free port of 127.0.0.1.
 *
 * @example
 * ```ts
 * const dynamo = await startLocalDynamoDb();
 * const ledger = new DynamoDbDeliveryLedger({ client: dynamo.client, tableName: await dynamo.table('DeliveriesTable') });
 * await dynamo.stop();
 * ```
 */
export async function startLocalDynamoDb(): Promise<LocalDynamoDb> {
  const service = await loadServerlessConfig();
  const resources = resolveVariables<Record<string, CfnResource>>(await loadResources(), { stage: 'local', ...(service ? { service } : {}) });
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const translate = { marshallOptions: { removeUndefinedValues: true } };
  const base = () => new DynamoDBClient({ region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, endpoint, maxAttempts: 1 });
  const sdkClient = new SdkCaller(DynamoDBDocumentClient.from(base(), translate));
  const client = new LeanDynamoDbDocumentClient({
    endpoint, region: LOCAL_REGION, timeouts: { connectionMs: 1_000, requestMs: 3_000 }, maxSockets: 50, maxAttempts: 1,
    credentials: async () => LOCAL_CREDENTIALS, translate, fallback: new SdkCaller(DynamoDBDocumentClient.from(base(), translate)),
  });
  let made = 0;
  return {
    client,
    sdkClient,
    gaps: { itemOnConditionFailure: false },
    table: async (id) => {
      const definition = resources[id];
      if (definition?.Type !== 'AWS::DynamoDB::Table') throw new Error(`infra/*.yml has no table ${id}`);
      made += 1;
      const name = `${id}-${made}`;
      // Only a table: no bucket or queue is asked for, so the other endpoints are never called.
      await provision({ [name]: definition }, { dynamodb: endpoint, s3: endpoint, sqs: endpoint, ses: endpoint });
      return name;
    },
    stop: async () => {
      client.destroy();
      sdkClient.destroy();
      await closeServer(server);
    },
  };
}

/**
 * Runs one dynalite for the test file: started before its first test, stopped after its last.
 * Returns a getter, to be called inside tests and fixtures.
 *
 * @example
 * ```ts
 * const dynamo = useLocalDynamoDb();
 * describeEditionsContract('on dynalite', async () => new DynamoDbEditionRepository({ client: dynamo().client, tableName: await dynamo().table('EditionsTable') }));
 * ```
 */
export function useLocalDynamoDb(): () => LocalDynamoDb {
  let running: LocalDynamoDb | undefined;
  beforeAll(async () => {
    running = await startLocalDynamoDb();
  });
  afterAll(async () => {
    await running?.stop();
  });
  return () => {
    if (running === undefined) throw new Error('dynalite runs only while the tests of this file run');
    return running;
  };
}
