import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { SdkCaller } from '../../../functions/adapters/aws-sdk-caller.ts';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbDeliveryLedger } from '../../../functions/adapters/dynamodb-delivery-ledger.ts';
import { DynamoDbEditionRepository } from '../../../functions/adapters/dynamodb-edition-repository.ts';
import { DynamoDbSendSlotStore } from '../../../functions/adapters/dynamodb-send-slot-store.ts';

const TABLE = 'deliveries';
const ddb = mockClient(DynamoDBDocumentClient);
const client = new SdkCaller(DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })));
const task = { editionId: 'daily-2026-11-28', subscriberId: 's_1' };
const NOW = Date.parse('2026-11-28T06:00:00.000Z');

/** The error DynamoDB answers a failed condition with; `item` in the low-level shape. */
const conditionFailed = (item?: Record<string, unknown>): ConditionalCheckFailedException =>
  new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {}, ...(item ? { Item: item as never } : {}) });

describe('Class: DynamoDbDeliveryLedger', () => {
  let ledger: DynamoDbDeliveryLedger;
  beforeEach(() => {
    ddb.reset();
    ledger = new DynamoDbDeliveryLedger({ client, tableName: TABLE });
  });

  describe('Method: acquire', () => {
    it('takes the lease by conditional write: absent, pending or an expired lease', async () => {
      // Prepare
      ddb.on(UpdateCommand).resolves({ Attributes: { ...task, state: 'sending', leaseUntil: NOW + 120_000, attempts: 1, updatedAt: 'x' } });

      // Act
      const result = await ledger.acquire(task, { leaseUntil: NOW + 120_000, now: NOW });

      // Assess
      expect(result).toEqual({ granted: true, entry: { ...task, state: 'sending', leaseUntil: NOW + 120_000, attempts: 1, updatedAt: 'x' } });
      const input = ddb.commandCalls(UpdateCommand)[0]?.args[0].input;
      expect(input?.Key).toEqual({ pk: 'EDITION#daily-2026-11-28', sk: 'SUB#s_1' });
      expect(input?.ConditionExpression).toBe('attribute_not_exists(pk) OR #state = :pending OR (#state = :sending AND leaseUntil < :nowMs)');
      expect(input?.ExpressionAttributeValues).toMatchObject({ ':sending': 'sending', ':lease': NOW + 120_000, ':nowMs': NOW });
      // A sending entry has no index key (no index entry moves with it); a failed one taken again leaves the index
      expect(input?.UpdateExpression).not.toMatch(/gsi1pk\s*=/);
      expect(input?.UpdateExpression).toMatch(/REMOVE reason, gsi1pk, gsi1sk$/);
      expect(input?.ReturnValuesOnConditionCheckFailure).toBe('ALL_OLD');
    });

    it('lets a failed entry be taken only for resend-failed', async () => {
      // Prepare
      ddb.on(UpdateCommand).resolves({ Attributes: { ...task, state: 'sending' } });

      // Act
      await ledger.acquire(task, { leaseUntil: NOW + 1, now: NOW, retryFailed: true });

      // Assess
      const input = ddb.commandCalls(UpdateCommand)[0]?.args[0].input;
      expect(input?.ConditionExpression).toContain('OR #state = :failed');
      expect(input?.ExpressionAttributeValues).toMatchObject({ ':failed': 'failed' });
    });

    it('reports the current entry when the lease is held or the entry is final', async () => {
      // Prepare
      ddb.on(UpdateCommand).rejects(conditionFailed({
        editionId: { S: task.editionId }, subscriberId: { S: task.subscriberId }, state: { S: 'sent' }, attempts: { N: '1' }, messageId: { S: 'm-1' }, updatedAt: { S: 'x' },
      }));

      // Act
      const result = await ledger.acquire(task, { leaseUntil: NOW + 1, now: NOW });

      // Assess
      expect(result).toEqual({ granted: false, entry: { ...task, state: 'sent', attempts: 1, messageId: 'm-1', updatedAt: 'x' } });
    });

    it('lets other errors through', async () => {
      ddb.on(UpdateCommand).rejects(new Error('ProvisionedThroughputExceeded'));
      await expect(ledger.acquire(task, { leaseUntil: NOW + 1, now: NOW })).rejects.toThrow('ProvisionedThroughputExceeded');
    });
  });

  describe('Method: complete', () => {
    it('records sent with the message id, only for the holder of the lease', async () => {
      // Prepare
      ddb.on(UpdateCommand).resolves({});

      // Act
      const done = await ledger.complete(task, NOW + 5, { state: 'sent', messageId: 'ses-1' });

      // Assess
      expect(done).toBe(true);
      const input = ddb.commandCalls(UpdateCommand)[0]?.args[0].input;
      expect(input?.ConditionExpression).toBe('#state = :sending AND leaseUntil = :lease');
      expect(input?.UpdateExpression).toBe('SET #state = :state, updatedAt = :now, messageId = :detail REMOVE leaseUntil, reason');
      expect(input?.ExpressionAttributeValues).toMatchObject({ ':state': 'sent', ':lease': NOW + 5, ':detail': 'ses-1' });
    });

    it('records failed with the reason, cut to 500 characters', async () => {
      // Prepare
      ddb.on(UpdateCommand).resolves({});

      // Act
      await ledger.complete(task, NOW, { state: 'failed', reason: 'r'.repeat(600) });

      // Assess
      const input = ddb.commandCalls(UpdateCommand)[0]?.args[0].input;
      expect(input?.UpdateExpression).toContain('reason = :detail');
      expect(String(input?.ExpressionAttributeValues?.[':detail'])).toHaveLength(500);
      // failed and skipped entries go in the index (resend-failed pages through them)
      expect(input?.ExpressionAttributeValues).toMatchObject({ ':g': 'daily-2026-11-28#failed', ':s': 's_1' });
    });

    it('returns false when the lease is no longer ours', async () => {
      ddb.on(UpdateCommand).rejects(conditionFailed());
      expect(await ledger.complete(task, NOW, { state: 'skipped', reason: 'subscriber is unsubscribed' })).toBe(false);
    });
  });

  describe('Method: extend', () => {
    it('moves the expiry of a lease it holds', async () => {
      // Prepare
      ddb.on(UpdateCommand).resolves({});

      // Act
      const extended = await ledger.extend(task, NOW, NOW + 120_000);

      // Assess
      expect(extended).toBe(true);
      const input = ddb.commandCalls(UpdateCommand)[0]?.args[0].input;
      expect(input?.ConditionExpression).toBe('#state = :sending AND leaseUntil = :lease');
      expect(input?.ExpressionAttributeValues).toMatchObject({ ':lease': NOW, ':next': NOW + 120_000 });
    });

    it('returns false when another attempt took the lease over', async () => {
      ddb.on(UpdateCommand).rejects(conditionFailed());
      expect(await ledger.extend(task, NOW, NOW + 1)).toBe(false);
    });
  });

  describe('Method: release', () => {
    it('puts the entry back to pending and ignores a lease already gone', async () => {
      // Prepare
      ddb.on(UpdateCommand).resolvesOnce({}).rejectsOnce(conditionFailed());

      // Act
      await ledger.release(task, NOW, 'Throttling');
      await ledger.release(task, NOW, 'Throttling');

      // Assess
      const input = ddb.commandCalls(UpdateCommand)[0]?.args[0].input;
      expect(input?.ExpressionAttributeValues).toMatchObject({ ':pending': 'pending', ':reason': 'Throttling' });
      expect(input?.UpdateExpression).not.toContain('gsi1pk');
    });
  });

  describe('Method: markUnknown', () => {
    it('keeps the entry sending, moves the lease to the settle time and writes the reason, only for the holder', async () => {
      // Prepare
      ddb.on(UpdateCommand).resolvesOnce({}).rejectsOnce(conditionFailed());

      // Act
      const held = await ledger.markUnknown(task, NOW, { until: NOW + 40_000, reason: 'outcome unknown: AbortError: Request aborted' });
      const lost = await ledger.markUnknown(task, NOW, { until: NOW + 40_000, reason: 'outcome unknown' });

      // Assess
      expect([held, lost]).toEqual([true, false]);
      const input = ddb.commandCalls(UpdateCommand)[0]?.args[0].input;
      expect(input?.UpdateExpression).toBe('SET leaseUntil = :until, reason = :reason, updatedAt = :now');
      expect(input?.ConditionExpression).toBe('#state = :sending AND leaseUntil = :lease');
      expect(input?.ExpressionAttributeValues).toMatchObject({ ':sending': 'sending', ':lease': NOW, ':until': NOW + 40_000, ':reason': 'outcome unknown: AbortError: Request aborted' });
    });
  });

  describe('Method: recordSendEvent', () => {
    const event = { messageId: 'ses-1', at: '2026-11-28T06:00:01.000Z' };

    it('records the first Send event on an existing entry, leaving state, lease and updatedAt alone', async () => {
      // Prepare
      ddb.on(GetCommand).resolves({ Item: { ...task, state: 'sending', leaseUntil: NOW, attempts: 1, updatedAt: 'x' } });
      ddb.on(UpdateCommand).resolves({ Attributes: { ...task, state: 'sending', leaseUntil: NOW, attempts: 1, updatedAt: 'x', sendEventMessageId: 'ses-1', sendEventAt: event.at } });

      // Act
      const result = await ledger.recordSendEvent(task, event);

      // Assess
      expect(result).toEqual({ recorded: true, entry: { ...task, state: 'sending', leaseUntil: NOW, attempts: 1, updatedAt: 'x', sendEvent: event } });
      const input = ddb.commandCalls(UpdateCommand)[0]?.args[0].input;
      expect(input?.UpdateExpression).toBe('SET sendEventMessageId = :m, sendEventAt = :at');
      expect(input?.ConditionExpression).toBe('attribute_exists(pk) AND attribute_not_exists(sendEventMessageId)');
      expect(input?.ReturnValuesOnConditionCheckFailure).toBe('ALL_OLD');
    });

    it('keeps the first event when another was recorded, and writes nothing without an entry', async () => {
      // Prepare
      ddb.on(GetCommand).resolvesOnce({ Item: { ...task, state: 'failed', attempts: 1, updatedAt: 'x', sendEventMessageId: 'ses-0', sendEventAt: 'y' } }).resolvesOnce({});
      ddb
        .on(UpdateCommand)
        .rejectsOnce(conditionFailed({ editionId: { S: task.editionId }, subscriberId: { S: task.subscriberId }, state: { S: 'failed' }, attempts: { N: '1' }, sendEventMessageId: { S: 'ses-0' }, sendEventAt: { S: 'y' } }));

      // Act
      const again = await ledger.recordSendEvent(task, event);
      const absent = await ledger.recordSendEvent(task, event);

      // Assess
      expect(again).toMatchObject({ recorded: false, entry: { state: 'failed', sendEvent: { messageId: 'ses-0', at: 'y' } } });
      expect(absent).toEqual({ recorded: false, entry: undefined });
      expect(ddb.commandCalls(UpdateCommand)).toHaveLength(1);
    });

    it('writes nothing for an entry already sent (final: its event would never be read), and returns it', async () => {
      // Prepare
      ddb.on(GetCommand).resolves({ Item: { ...task, state: 'sent', attempts: 1, updatedAt: 'x', messageId: 'ses-1' } });

      // Act
      const result = await ledger.recordSendEvent(task, event);

      // Assess
      expect(result).toEqual({ recorded: false, entry: { ...task, state: 'sent', attempts: 1, updatedAt: 'x', messageId: 'ses-1' } });
      expect(ddb.commandCalls(UpdateCommand)).toHaveLength(0);
    });
  });

  describe('Method: get', () => {
    it('reads consistently', async () => {
      ddb.on(GetCommand).resolves({ Item: { ...task, state: 'sent', attempts: 2, updatedAt: 'x', messageId: 'm' } });
      expect(await ledger.get(task)).toEqual({ ...task, state: 'sent', attempts: 2, updatedAt: 'x', messageId: 'm' });
      expect(ddb.commandCalls(GetCommand)[0]?.args[0].input.ConsistentRead).toBe(true);
    });
  });

  describe('Method: countByState', () => {
    it('counts every state in one pass over the edition\'s partition, page by page', async () => {
      // Prepare
      ddb.on(QueryCommand).callsFake((input: { ExclusiveStartKey?: unknown }) =>
        input.ExclusiveStartKey
          ? { Items: [{ state: 'sent' }, { state: 'sent' }, { state: 'skipped' }] }
          : { Items: [{ state: 'sent' }, { state: 'failed' }, { state: 'sending' }, { state: 'pending' }], LastEvaluatedKey: { pk: 'k', sk: 's' } });

      // Act
      const counts = await ledger.countByState('daily-2026-11-28');

      // Assess
      expect(counts).toEqual({ sending: 1, sent: 3, failed: 1, skipped: 1, cancelled: 0 });
      const input = ddb.commandCalls(QueryCommand)[0]?.args[0].input;
      expect(input).toMatchObject({ KeyConditionExpression: 'pk = :pk', ProjectionExpression: '#state' });
      expect(input?.IndexName).toBeUndefined();
    });
  });

  describe('Method: pageByState', () => {
    it('returns subscriber ids and an opaque cursor that round-trips', async () => {
      // Prepare
      ddb.on(QueryCommand).resolvesOnce({ Items: [{ gsi1sk: 's_1' }, { gsi1sk: 's_2' }], LastEvaluatedKey: { pk: 'EDITION#e', sk: 'SUB#s_2' } }).resolvesOnce({ Items: [{ gsi1sk: 's_3' }] });

      // Act
      const first = await ledger.pageByState('e', 'failed', { limit: 2 });
      const second = await ledger.pageByState('e', 'failed', { limit: 2, ...(first.cursor ? { cursor: first.cursor } : {}) });

      // Assess
      expect(first.subscriberIds).toEqual(['s_1', 's_2']);
      expect(second).toEqual({ subscriberIds: ['s_3'] });
      expect(ddb.commandCalls(QueryCommand)[1]?.args[0].input.ExclusiveStartKey).toEqual({ pk: 'EDITION#e', sk: 'SUB#s_2' });
      expect(ddb.commandCalls(QueryCommand)[0]?.args[0].input.IndexName).toBe('gsi1');
    });

    it('pages through the partition for states not in the index, cutting a page at the limit', async () => {
      // Prepare
      ddb.on(QueryCommand).resolvesOnce({ Items: [{ subscriberId: 's_1', sk: 'SUB#s_1' }, { subscriberId: 's_2', sk: 'SUB#s_2' }, { subscriberId: 's_3', sk: 'SUB#s_3' }], LastEvaluatedKey: { pk: 'EDITION#e', sk: 'SUB#s_9' } }).resolvesOnce({ Items: [] });

      // Act
      const first = await ledger.pageByState('e', 'sending', { limit: 2 });
      const second = await ledger.pageByState('e', 'sending', { limit: 2, ...(first.cursor ? { cursor: first.cursor } : {}) });

      // Assess: the cut page resumes after its last id
      expect(first.subscriberIds).toEqual(['s_1', 's_2']);
      expect(second).toEqual({ subscriberIds: [] });
      const input = ddb.commandCalls(QueryCommand)[0]?.args[0].input;
      expect(input).toMatchObject({ KeyConditionExpression: 'pk = :pk', FilterExpression: '#state = :state' });
      expect(ddb.commandCalls(QueryCommand)[1]?.args[0].input.ExclusiveStartKey).toEqual({ pk: 'EDITION#e', sk: 'SUB#s_2' });
    });
  });

  describe('Method: lastChange', () => {
    it('is the newest updatedAt of the edition, over every page', async () => {
      // Prepare
      ddb.on(QueryCommand)
        .resolvesOnce({ Items: [{ updatedAt: '2026-11-28T06:00:01.000Z' }, { updatedAt: '2026-11-28T06:00:05.000Z' }], LastEvaluatedKey: { pk: 'x' } })
        .resolvesOnce({ Items: [{ updatedAt: '2026-11-28T06:00:03.000Z' }] });

      // Act
      const last = await ledger.lastChange('e');

      // Assess
      expect(last).toBe(Date.parse('2026-11-28T06:00:05.000Z'));
      expect(ddb.commandCalls(QueryCommand)[0]?.args[0].input).toMatchObject({ KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'EDITION#e' }, ProjectionExpression: 'updatedAt' });
    });

    it('is undefined for an edition without entries', async () => {
      ddb.on(QueryCommand).resolves({ Items: [] });
      expect(await ledger.lastChange('e')).toBeUndefined();
    });
  });
});

describe('Class: DynamoDbSendSlotStore', () => {
  beforeEach(() => ddb.reset());

  describe('Method: claim', () => {
    it('claims the next slots of the sequence with one ADD', async () => {
      // Prepare: the sequence is at 1,000
      ddb.on(UpdateCommand).resolves({ Attributes: { used: 1_004 } });
      const store = new DynamoDbSendSlotStore({ client, tableName: TABLE });

      // Act
      const first = await store.claim('SEQ#71429us', 4, 900);

      // Assess
      expect(first).toBe(1_000);
      const calls = ddb.commandCalls(UpdateCommand);
      expect(calls).toHaveLength(1);
      const input = calls[0]?.args[0].input;
      expect(input?.Key).toEqual({ pk: 'RATE#ses', sk: 'SEQ#71429us' });
      expect(input?.UpdateExpression).toBe('ADD used :n SET expiresAt = :exp');
      expect(input?.ExpressionAttributeValues).toMatchObject({ ':n': 4 });
    });

    it('moves an idle sequence to the present with a write conditional on what it saw', async () => {
      // Prepare: the ADD shows the sequence far behind `from`
      ddb.on(UpdateCommand).resolvesOnce({ Attributes: { used: 14 } }).resolvesOnce({});
      const store = new DynamoDbSendSlotStore({ client, tableName: TABLE });

      // Act
      const first = await store.claim('SEQ#1', 4, 5_000);

      // Assess
      expect(first).toBe(5_000);
      const input = ddb.commandCalls(UpdateCommand)[1]?.args[0].input;
      expect(input?.ConditionExpression).toBe('used = :seen');
      expect(input?.ExpressionAttributeValues).toMatchObject({ ':to': 5_004, ':seen': 14 });
    });

    it('returns the slots it got when another worker moved the sequence first', async () => {
      // Prepare
      ddb.on(UpdateCommand).resolvesOnce({ Attributes: { used: 14 } }).rejectsOnce(conditionFailed({}));
      const store = new DynamoDbSendSlotStore({ client, tableName: TABLE });

      // Act
      const first = await store.claim('SEQ#1', 4, 5_000);

      // Assess: the caller skips slots in the past
      expect(first).toBe(10);
    });
  });
});

describe('Class: DynamoDbEditionRepository', () => {
  beforeEach(() => ddb.reset());

  describe('Method: setCounts', () => {
    it('sets the counters only if they still hold what the reconciler read', async () => {
      // Prepare
      ddb.on(UpdateCommand).resolvesOnce({}).rejectsOnce(conditionFailed());
      const repo = new DynamoDbEditionRepository({ client, tableName: 'editions' });

      // Act
      const set = await repo.setCounts('daily-2026-11-28', { sent: 9, failed: 1, skipped: 2 }, { sent: 7, failed: 1, skipped: 2 });
      const raced = await repo.setCounts('daily-2026-11-28', { sent: 9, failed: 1, skipped: 2 }, { sent: 7, failed: 1, skipped: 2 });

      // Assess
      expect(set).toBe(true);
      expect(raced).toBe(false);
      const input = ddb.commandCalls(UpdateCommand)[0]?.args[0].input;
      expect(input?.Key).toEqual({ pk: 'EDITION#daily-2026-11-28', sk: 'EDITION' });
      expect(input?.ConditionExpression).toBe('attribute_exists(pk) AND sent = :expSent AND failed = :expFailed AND skipped = :expSkipped');
      expect(input?.ExpressionAttributeValues).toMatchObject({ ':sent': 9, ':failed': 1, ':skipped': 2, ':expSent': 7 });
    });
  });
});
