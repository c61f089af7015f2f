/**
 * The EngagementStore contract, run against the in-memory store and against
 * DynamoDbEngagementStore on dynalite (the deliveries table).
 */
import { GetCommand } from '../../functions/adapters/aws-commands.ts';
import { DynamoDbEngagementStore } from '../../functions/adapters/dynamodb-engagement-store.ts';
import { InMemoryEngagementStore } from '../kit/memory/index.ts';
import { describeEngagementContract } from './engagement.contract.ts';
import { useLocalDynamoDb } from './local-dynamodb.ts';

const dynamo = useLocalDynamoDb();

describeEngagementContract('InMemoryEngagementStore', async () => {
  const store = new InMemoryEngagementStore();
  return {
    store,
    expiries: async (id, edition, subscriber) => ({ event: store.events.get(id)?.expiresAt, firstClick: store.firsts.get(`${edition}#${subscriber}#click`)?.expiresAt }),
  };
});
describeEngagementContract('InMemoryEngagementStore, with latency', async () => {
  const store = new InMemoryEngagementStore({ latencyMs: () => Math.floor(Math.random() * 2) });
  return {
    store,
    expiries: async (id, edition, subscriber) => ({ event: store.events.get(id)?.expiresAt, firstClick: store.firsts.get(`${edition}#${subscriber}#click`)?.expiresAt }),
  };
});
describeEngagementContract('DynamoDbEngagementStore on dynalite', async () => {
  const tableName = await dynamo().table('DeliveriesTable');
  const { client } = dynamo();
  const get = async (pk: string, sk: string) => (await client.send(new GetCommand({ TableName: tableName, Key: { pk, sk } }))).Item?.expiresAt as number | undefined;
  return {
    store: new DynamoDbEngagementStore({ client, tableName }),
    expiries: async (id, edition, subscriber) => ({ event: await get(`EVENT#${id}`, 'EVENT'), firstClick: await get(`ENGAGE#${edition}#${subscriber}`, 'FIRST#click') }),
  };
});
