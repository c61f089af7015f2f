/**
 * The DeliveryLedger contract, run against the in-memory ledger (plain, and with latency and
 * counters on) and against DynamoDbDeliveryLedger on dynalite.
 */
import { DynamoDbDeliveryLedger } from '../../functions/adapters/dynamodb-delivery-ledger.ts';
import { InMemoryDeliveryLedger } from '../kit/memory/index.ts';
import { describeLedgerContract } from './ledger.contract.ts';
import { useLocalDynamoDb } from './local-dynamodb.ts';

const dynamo = useLocalDynamoDb();

describeLedgerContract('InMemoryDeliveryLedger', async () => ({ ledger: new InMemoryDeliveryLedger(), itemOnConditionFailure: true }));
describeLedgerContract('InMemoryDeliveryLedger, with latency and counters', async () => ({
  ledger: new InMemoryDeliveryLedger({ latencyMs: () => Math.floor(Math.random() * 2), counters: 'args' }),
  itemOnConditionFailure: true,
}));
describeLedgerContract('DynamoDbDeliveryLedger on dynalite', async () => ({
  ledger: new DynamoDbDeliveryLedger({ client: dynamo().client, tableName: await dynamo().table('DeliveriesTable') }),
  itemOnConditionFailure: dynamo().gaps.itemOnConditionFailure,
}));
describeLedgerContract('DynamoDbDeliveryLedger on dynalite, through the SDK alone', async () => ({
  ledger: new DynamoDbDeliveryLedger({ client: dynamo().sdkClient, tableName: await dynamo().table('DeliveriesTable') }),
  itemOnConditionFailure: dynamo().gaps.itemOnConditionFailure,
}));
