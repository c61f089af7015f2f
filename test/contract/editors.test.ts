/**
 * The AuditLog and IntentStore contracts, run against the in-memory stores and against the
 * DynamoDB adapters on dynalite (EditorsTable of infra/editors.yml).
 */
import { DynamoDbAuditLog, DynamoDbIntentStore } from '../../functions/adapters/dynamodb-editors-store.ts';
import { InMemoryAuditLog, InMemoryIntentStore } from '../kit/memory/index.ts';
import { describeAuditLogContract, describeIntentStoreContract } from './editors.contract.ts';
import { useLocalDynamoDb } from './local-dynamodb.ts';

const dynamo = useLocalDynamoDb();

describeAuditLogContract('InMemoryAuditLog', async () => new InMemoryAuditLog());
describeAuditLogContract('DynamoDbAuditLog on dynalite', async () => new DynamoDbAuditLog({ client: dynamo().client, tableName: await dynamo().table('EditorsTable') }));
describeIntentStoreContract('InMemoryIntentStore', async () => new InMemoryIntentStore());
describeIntentStoreContract('InMemoryIntentStore, with latency', async () => new InMemoryIntentStore({ latencyMs: () => Math.floor(Math.random() * 2) }));
describeIntentStoreContract('DynamoDbIntentStore on dynalite', async () => new DynamoDbIntentStore({ client: dynamo().client, tableName: await dynamo().table('EditorsTable') }));
