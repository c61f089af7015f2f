/**
 * The KeywordIndex and AlertStore contract, run against the in-memory adapters (plain, and
 * with latency and counters on) and against the DynamoDB adapters on dynalite, both on one
 * AlertsTable as in production.
 */
import { GetCommand } from '../../functions/adapters/aws-commands.ts';
import { describe, expect, it } from 'vitest';
import { DynamoDbAlertStore } from '../../functions/adapters/dynamodb-alert-store.ts';
import { DynamoDbKeywordIndex } from '../../functions/adapters/dynamodb-keyword-index.ts';
import { InMemoryAlertStore, InMemoryKeywordIndex } from '../kit/memory/index.ts';
import { describeAlertsContract } from './alerts.contract.ts';
import { useLocalDynamoDb } from './local-dynamodb.ts';

const dynamo = useLocalDynamoDb();

describeAlertsContract('in memory', async () => ({ index: new InMemoryKeywordIndex(), store: new InMemoryAlertStore() }));
describeAlertsContract('in memory, with latency and counters', async () => ({
  index: new InMemoryKeywordIndex({ latencyMs: () => Math.floor(Math.random() * 2), counters: 'args' }),
  store: new InMemoryAlertStore({ latencyMs: () => Math.floor(Math.random() * 2), counters: true }),
}));
describeAlertsContract('DynamoDB on dynalite', async () => {
  const tableName = await dynamo().table('AlertsTable');
  return { index: new DynamoDbKeywordIndex({ client: dynamo().client, tableName }), store: new DynamoDbAlertStore({ client: dynamo().client, tableName }) };
});

describe('DynamoDbAlertStore on dynalite', () => {
  it('writes nothing when it uncounts a day that was never counted (no item left without an expiry)', async () => {
    // Prepare
    const tableName = await dynamo().table('AlertsTable');
    const store = new DynamoDbAlertStore({ client: dynamo().client, tableName });

    // Act
    await store.uncountDigest('s_9', '2026-12-01', 'flush-a');

    // Assess
    const caps = await dynamo().client.send(new GetCommand({ TableName: tableName, Key: { pk: 'SUB#s_9', sk: 'CAP#2026-12-01' } }));
    expect(caps.Item).toBeUndefined();
    expect(await store.countDigest('s_9', '2026-12-01', 'flush-b', 1)).toBe(true);
  });
});
