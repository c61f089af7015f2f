/**
 * The RateWindowStore and RateLimiter contract, run against the in-memory stores (plain, and
 * with latency and counters on) and against the DynamoDB adapters on dynalite.
 */
import { DynamoDbRateLimiter } from '../../functions/adapters/dynamodb-rate-limiter.ts';
import { DynamoDbRateWindowStore } from '../../functions/adapters/dynamodb-rate-window-store.ts';
import { InMemoryRateLimiter, InMemoryRateWindowStore } from '../kit/memory/index.ts';
import { useLocalDynamoDb } from './local-dynamodb.ts';
import { describeRateContract } from './rate.contract.ts';

const dynamo = useLocalDynamoDb();

describeRateContract('in memory', async () => ({ windows: new InMemoryRateWindowStore(), limiter: new InMemoryRateLimiter(), itemOnConditionFailure: true }));
describeRateContract('in memory, with latency and counters', async () => ({
  windows: new InMemoryRateWindowStore({ latencyMs: () => Math.floor(Math.random() * 2), counters: 'args' }),
  limiter: new InMemoryRateLimiter({ latencyMs: 0, counters: true }),
  itemOnConditionFailure: true,
}));
describeRateContract('DynamoDB on dynalite', async () => ({
  windows: new DynamoDbRateWindowStore({ client: dynamo().client, tableName: await dynamo().table('DeliveriesTable') }),
  limiter: new DynamoDbRateLimiter({ client: dynamo().client, tableName: await dynamo().table('SubscribersTable') }),
  itemOnConditionFailure: dynamo().gaps.itemOnConditionFailure,
}));
