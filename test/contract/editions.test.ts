/**
 * The EditionRepository contract, run against the in-memory repository (plain, and with
 * latency and counters on) and against DynamoDbEditionRepository on dynalite.
 */
import { DynamoDbEditionRepository } from '../../functions/adapters/dynamodb-edition-repository.ts';
import { InMemoryEditionRepository } from '../kit/memory/index.ts';
import { describeEditionsContract } from './editions.contract.ts';
import { useLocalDynamoDb } from './local-dynamodb.ts';

const dynamo = useLocalDynamoDb();

describeEditionsContract('InMemoryEditionRepository', async () => new InMemoryEditionRepository());
describeEditionsContract('InMemoryEditionRepository, with latency and counters', async () => new InMemoryEditionRepository({ latencyMs: () => Math.floor(Math.random() * 2), counters: 'args' }));
describeEditionsContract('DynamoDbEditionRepository on dynalite', async () => new DynamoDbEditionRepository({ client: dynamo().client, tableName: await dynamo().table('EditionsTable') }));
