/**
 * The SendSlotStore and RateLimiter contract, run against the in-memory stores (plain, and
 * with latency and counters on) and against the DynamoDB adapters on dynalite.
 */
import { DynamoDbRateLimiter } from '../../functions/adapters/dynamodb-rate-limiter.ts';
import { DynamoDbSendSlotStore } from '../../functions/adapters/dynamodb-send-slot-store.ts';
import { InMemoryRateLimiter, InMemorySendSlotStore } from '../kit/memory/index.ts';
import { useLocalDynamoDb } from './local-dynamodb.ts';
import { describeRateContract } from './rate.contract.ts';

const dynamo = useLocalDynamoDb();

describeRateContract('in memory', async () => ({ slots: new InMemorySendSlotStore(), limiter: new InMemoryRateLimiter() }));
describeRateContract('in memory, with latency and counters', async () => ({
  slots: new InMemorySendSlotStore({ latencyMs: () => Math.floor(Math.random() * 2), counters: 'args' }),
  limiter: new InMemoryRateLimiter({ latencyMs: 0, counters: true }),
}));
describeRateContract('DynamoDB on dynalite', async () => ({
  slots: new DynamoDbSendSlotStore({ client: dynamo().client, tableName: await dynamo().table('DeliveriesTable') }),
  limiter: new DynamoDbRateLimiter({ client: dynamo().client, tableName: await dynamo().table('SubscribersTable') }),
}));
describeRateContract('DynamoDB on dynalite, through the SDK alone', async () => ({
  slots: new DynamoDbSendSlotStore({ client: dynamo().sdkClient, tableName: await dynamo().table('DeliveriesTable') }),
  limiter: new DynamoDbRateLimiter({ client: dynamo().sdkClient, tableName: await dynamo().table('SubscribersTable') }),
}));
