/**
 * The SubscriberRepository and OnceStore contract, run against the in-memory adapters (plain,
 * and with latency and counters on) and against the DynamoDB adapters on dynalite.
 */
import { DynamoDbOnceStore, DynamoDbSubscriberRepository } from '../../functions/adapters/dynamodb-subscriber-repository.ts';
import { InMemoryOnceStore, InMemorySubscriberRepository } from '../kit/memory/index.ts';
import { useLocalDynamoDb } from './local-dynamodb.ts';
import { describeSubscribersContract } from './subscribers.contract.ts';

const dynamo = useLocalDynamoDb();

describeSubscribersContract('in memory', async (clock) => ({ subscribers: new InMemorySubscriberRepository(), once: new InMemoryOnceStore(clock) }));
describeSubscribersContract('in memory, with latency and counters', async (clock) => ({
  subscribers: new InMemorySubscriberRepository({ latencyMs: () => Math.floor(Math.random() * 2), counters: 'args' }),
  once: new InMemoryOnceStore({ ...clock, latencyMs: 0, counters: true }),
}));
describeSubscribersContract('DynamoDB on dynalite', async (clock) => {
  const tableName = await dynamo().table('SubscribersTable');
  return {
    subscribers: new DynamoDbSubscriberRepository({ client: dynamo().client, tableName }),
    once: new DynamoDbOnceStore({ client: dynamo().client, tableName, ...clock }),
  };
});
describeSubscribersContract('DynamoDB on dynalite, through the SDK alone', async (clock) => {
  const tableName = await dynamo().table('SubscribersTable');
  return {
    subscribers: new DynamoDbSubscriberRepository({ client: dynamo().sdkClient, tableName }),
    once: new DynamoDbOnceStore({ client: dynamo().sdkClient, tableName, ...clock }),
  };
});
