/**
 * The PickOverrideStore contract, run against the in-memory store and against
 * DynamoDbPickOverrideStore on dynalite (the editions table).
 */
import { DynamoDbPickOverrideStore } from '../../functions/adapters/dynamodb-pick-override-store.ts';
import { InMemoryPickOverrideStore } from '../kit/memory/index.ts';
import { useLocalDynamoDb } from './local-dynamodb.ts';
import { describePicksContract } from './picks.contract.ts';

const dynamo = useLocalDynamoDb();

describePicksContract('InMemoryPickOverrideStore', async () => new InMemoryPickOverrideStore());
describePicksContract('InMemoryPickOverrideStore, with latency', async () => new InMemoryPickOverrideStore({ latencyMs: () => Math.floor(Math.random() * 2) }));
describePicksContract('DynamoDbPickOverrideStore on dynalite', async () => new DynamoDbPickOverrideStore({ client: dynamo().client, tableName: await dynamo().table('EditionsTable') }));
