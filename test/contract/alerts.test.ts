/**
 * The KeywordIndex and AlertStore contract, run against the in-memory adapters (plain, and
 * with latency and counters on) and against the DynamoDB adapters on dynalite, both on one
 * AlertsTable as in production.
 */
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
