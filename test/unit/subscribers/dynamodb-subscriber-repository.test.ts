import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { SdkCaller } from '../../../functions/adapters/aws-sdk-caller.ts';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbRateLimiter } from '../../../functions/adapters/dynamodb-rate-limiter.ts';
import { DynamoDbOnceStore, DynamoDbSubscriberRepository } from '../../../functions/adapters/dynamodb-subscriber-repository.ts';
import { decodeCursor, encodeCursor } from '../../../functions/adapters/dynamodb-support.ts';
import { ValidationError } from '../../../functions/core/errors.ts';
import type { Subscriber } from '../../../functions/core/subscribers/types.ts';

const TABLE = 'subscribers';
const ddb = mockClient(DynamoDBDocumentClient);
const client = new SdkCaller(DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })));

const ann: Subscriber = {
  id: 's_ann', email: 'ann@example.org', name: 'Ann', status: 'confirmed', newsletter: 'daily', alerts: 'hourly',
  keywords: ['climate'], consent: { at: '2030-01-01T00:00:00.000Z', method: 'import' },
  createdAt: '2030-01-01T00:00:00.000Z', updatedAt: '2030-01-01T00:00:00.000Z',
};

function storedItem(subscriber: Subscriber, rev = 'r1'): Record<string, unknown> {
  return {
    ...subscriber, pk: `SUB#${subscriber.id}`, sk: 'PROFILE',
    gsi1pk: `NEWS#${subscriber.status}#${subscriber.newsletter}`, gsi1sk: subscriber.id,
    gsi2pk: `ALERT#${subscriber.status}#${subscriber.alerts}`, gsi2sk: subscriber.id, rev,
  };
}

const conditionFailed = (): ConditionalCheckFailedException =>
  new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

describe('Function: DynamoDbSubscriberRepository', () => {
  let repo: DynamoDbSubscriberRepository;
  beforeEach(() => {
    ddb.reset();
    repo = new DynamoDbSubscriberRepository({ tableName: TABLE, client });
  });

  it('puts an item with the table and index keys', async () => {
    // Prepare
    ddb.on(PutCommand).resolves({});

    // Act
    await repo.put({ ...ann, timezone: undefined });

    // Assess
    const input = ddb.commandCalls(PutCommand)[0]?.args[0].input;
    expect(input?.TableName).toBe(TABLE);
    expect(input?.Item).toMatchObject({
      pk: 'SUB#s_ann', sk: 'PROFILE', gsi1pk: 'NEWS#confirmed#daily', gsi1sk: 's_ann',
      gsi2pk: 'ALERT#confirmed#hourly', gsi2sk: 's_ann', email: 'ann@example.org', keywords: ['climate'],
    });
    expect(input?.Item).not.toHaveProperty('timezone');
    expect(typeof input?.Item?.rev).toBe('string');
  });

  it('puts many items with BatchWriteItem calls of at most 25, sending unprocessed items again', async () => {
    // Prepare
    const many = Array.from({ length: 30 }, (_, i) => ({ ...ann, id: `s_${i}`, email: `s_${i}@example.org` }));
    let first = true;
    ddb.on(BatchWriteCommand).callsFake((input: { RequestItems: Record<string, unknown[]> }) => {
      const requests = input.RequestItems[TABLE] ?? [];
      if (first) {
        first = false;
        return { UnprocessedItems: { [TABLE]: requests.slice(0, 2) } };
      }
      return {};
    });

    // Act
    await repo.putMany(many);

    // Assess
    const calls = ddb.commandCalls(BatchWriteCommand).map((c) => c.args[0].input.RequestItems?.[TABLE] ?? []);
    expect(calls.map((c) => c.length)).toEqual([25, 2, 5]);
    expect(calls[0]?.[0]).toMatchObject({ PutRequest: { Item: { pk: 'SUB#s_0', sk: 'PROFILE', gsi1pk: 'NEWS#confirmed#daily' } } });
    expect(calls[1]).toEqual(calls[0]?.slice(0, 2));
  });

  it('gets a subscriber with a consistent read and strips the keys', async () => {
    // Prepare
    ddb.on(GetCommand).resolves({ Item: storedItem(ann) });

    // Act
    const subscriber = await repo.get('s_ann');

    // Assess
    expect(subscriber).toEqual(ann);
    expect(ddb.commandCalls(GetCommand)[0]?.args[0].input).toEqual({
      TableName: TABLE, Key: { pk: 'SUB#s_ann', sk: 'PROFILE' }, ConsistentRead: true,
    });
  });

  it('reads many subscribers with consistent BatchGetItem calls of at most 100 keys, asking again for unprocessed keys', async () => {
    // Prepare: 150 ids (and one twice); the first call leaves one key unprocessed.
    const ids = Array.from({ length: 150 }, (_, i) => `s_${i}`);
    const items = new Map(ids.map((id) => [id, storedItem({ ...ann, id, email: `${id}@example.org` })]));
    let first = true;
    ddb.on(BatchGetCommand).callsFake((input: { RequestItems: Record<string, { Keys: { pk: string }[] }> }) => {
      const keys = input.RequestItems[TABLE]?.Keys ?? [];
      const wanted = keys.map((k) => k.pk.slice('SUB#'.length)).filter((id) => items.has(id));
      const left = first ? wanted.slice(-1) : [];
      first = false;
      return {
        Responses: { [TABLE]: wanted.filter((id) => !left.includes(id)).map((id) => items.get(id)) },
        ...(left.length > 0 ? { UnprocessedKeys: { [TABLE]: { Keys: left.map((id) => ({ pk: `SUB#${id}`, sk: 'PROFILE' })), ConsistentRead: true } } } : {}),
      };
    });

    // Act
    const found = await repo.getMany([...ids, 's_0', 's_missing']);

    // Assess
    expect(found.size).toBe(150);
    expect(found.get('s_99')).toEqual({ ...ann, id: 's_99', email: 's_99@example.org' });
    expect(found.has('s_missing')).toBe(false);
    const calls = ddb.commandCalls(BatchGetCommand).map((c) => c.args[0].input.RequestItems?.[TABLE]);
    expect(calls.map((c) => c?.Keys?.length)).toEqual([100, 1, 51]);
    expect(calls.every((c) => c?.ConsistentRead === true)).toBe(true);
  });

  it('answers undefined for an unknown id', async () => {
    // Prepare
    ddb.on(GetCommand).resolves({});

    // Act
    const subscriber = await repo.get('s_none');

    // Assess
    expect(subscriber).toBeUndefined();
  });

  it('changes the status conditionally and moves the index keys with it', async () => {
    // Prepare
    ddb.on(GetCommand).resolves({ Item: storedItem(ann, 'rev-1') });
    ddb.on(PutCommand).resolves({});

    // Act
    const changed = await repo.setStatus('s_ann', 'unsubscribed', { unlessIn: ['bounced', 'complained'] });

    // Assess
    expect(changed).toBe(true);
    const input = ddb.commandCalls(PutCommand)[0]?.args[0].input;
    expect(input?.ConditionExpression).toBe('rev = :rev');
    expect(input?.ExpressionAttributeValues).toEqual({ ':rev': 'rev-1' });
    expect(input?.Item).toMatchObject({ status: 'unsubscribed', gsi1pk: 'NEWS#unsubscribed#daily', gsi2pk: 'ALERT#unsubscribed#hourly' });
  });

  it('does not change a status listed in unlessIn', async () => {
    // Prepare
    ddb.on(GetCommand).resolves({ Item: storedItem({ ...ann, status: 'complained' }) });

    // Act
    const changed = await repo.setStatus('s_ann', 'bounced', { unlessIn: ['complained'] });

    // Assess
    expect(changed).toBe(false);
    expect(ddb.commandCalls(PutCommand)).toHaveLength(0);
  });

  it('does not write when the status is already the target or the subscriber is unknown', async () => {
    // Prepare
    ddb.on(GetCommand, { Key: { pk: 'SUB#s_ann', sk: 'PROFILE' } }).resolves({ Item: storedItem(ann) });
    ddb.on(GetCommand, { Key: { pk: 'SUB#s_none', sk: 'PROFILE' } }).resolves({});

    // Act
    const same = await repo.setStatus('s_ann', 'confirmed');
    const unknown = await repo.setStatus('s_none', 'confirmed');

    // Assess
    expect([same, unknown]).toEqual([false, false]);
    expect(ddb.commandCalls(PutCommand)).toHaveLength(0);
  });

  it('re-reads and re-applies when a concurrent write got in between', async () => {
    // Prepare
    ddb
      .on(GetCommand)
      .resolvesOnce({ Item: storedItem(ann, 'rev-1') })
      .resolves({ Item: storedItem({ ...ann, status: 'bounced' }, 'rev-2') });
    ddb.on(PutCommand).rejectsOnce(conditionFailed()).resolves({});

    // Act
    const changed = await repo.setStatus('s_ann', 'unsubscribed', { unlessIn: ['bounced', 'complained'] });

    // Assess
    expect(changed).toBe(false);
    expect(ddb.commandCalls(GetCommand)).toHaveLength(2);
    expect(ddb.commandCalls(PutCommand)).toHaveLength(1);
  });

  it('creates with attribute_not_exists when update finds nothing', async () => {
    // Prepare
    ddb.on(GetCommand).resolves({});
    ddb.on(PutCommand).resolves({});

    // Act
    const stored = await repo.update('s_ann', (current) => (current ? undefined : ann));

    // Assess
    expect(stored).toEqual(ann);
    expect(ddb.commandCalls(PutCommand)[0]?.args[0].input.ConditionExpression).toBe('attribute_not_exists(pk)');
  });

  it('gives up with a ConflictError after repeated races', async () => {
    // Prepare
    ddb.on(GetCommand).resolves({ Item: storedItem(ann) });
    ddb.on(PutCommand).rejects(conditionFailed());

    // Act
    const act = repo.update('s_ann', (current) => (current ? { ...current, name: 'X' } : undefined));

    // Assess
    await expect(act).rejects.toMatchObject({ name: 'ConflictError', statusCode: 409 });
  });

  it('pages a newsletter segment of confirmed subscribers through gsi1 with an opaque cursor', async () => {
    // Prepare
    const last = { pk: 'SUB#s_ann', sk: 'PROFILE', gsi1pk: 'NEWS#confirmed#daily', gsi1sk: 's_ann' };
    ddb.on(QueryCommand).resolvesOnce({ Items: [storedItem(ann)], LastEvaluatedKey: last }).resolves({ Items: [] });

    // Act
    const first = await repo.pageSegment({ kind: 'newsletter', newsletter: 'daily' }, { limit: 1 });
    const second = await repo.pageSegment({ kind: 'newsletter', newsletter: 'daily' }, { limit: 1, cursor: first.cursor! });

    // Assess
    expect(first.subscribers).toEqual([ann]);
    expect(first.cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(second).toEqual({ subscribers: [] });
    const calls = ddb.commandCalls(QueryCommand).map((c) => c.args[0].input);
    expect(calls[0]).toEqual({
      TableName: TABLE, IndexName: 'gsi1', KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': 'gsi1pk' }, ExpressionAttributeValues: { ':pk': 'NEWS#confirmed#daily' }, Limit: 1,
    });
    expect(calls[1]?.ExclusiveStartKey).toEqual(last);
  });

  it('pages an alerts segment through gsi2', async () => {
    // Prepare
    ddb.on(QueryCommand).resolves({ Items: [] });

    // Act
    await repo.pageSegment({ kind: 'alerts', cadence: 'instant' }, { limit: 25 });

    // Assess
    expect(ddb.commandCalls(QueryCommand)[0]?.args[0].input).toMatchObject({
      IndexName: 'gsi2', ExpressionAttributeNames: { '#pk': 'gsi2pk' }, ExpressionAttributeValues: { ':pk': 'ALERT#confirmed#instant' },
    });
  });

  it('refuses a forged cursor and a bad limit', async () => {
    // Prepare
    const forged = Buffer.from(JSON.stringify({ pk: { S: 'x' } })).toString('base64url');

    // Act
    const badCursor = repo.pageSegment({ kind: 'newsletter', newsletter: 'daily' }, { limit: 1, cursor: forged });
    const badLimit = repo.pageAll({ limit: 0 });

    // Assess
    await expect(badCursor).rejects.toBeInstanceOf(ValidationError);
    await expect(badLimit).rejects.toBeInstanceOf(ValidationError);
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(0);
  });

  it('pages every profile with a filtered scan', async () => {
    // Prepare
    ddb.on(ScanCommand).resolves({ Items: [storedItem(ann)] });

    // Act
    const page = await repo.pageAll({ limit: 100 });

    // Assess
    expect(page).toEqual({ subscribers: [ann] });
    expect(ddb.commandCalls(ScanCommand)[0]?.args[0].input).toMatchObject({
      FilterExpression: 'sk = :profile', ExpressionAttributeValues: { ':profile': 'PROFILE' }, Limit: 100,
    });
  });
});

describe('Function: encodeCursor / decodeCursor', () => {
  it('round-trips a key', () => {
    // Prepare
    const key = { pk: 'SUB#s_1', sk: 'PROFILE' };

    // Act
    const decoded = decodeCursor(encodeCursor(key), ['pk', 'sk']);

    // Assess
    expect(decoded).toEqual(key);
  });

  it.each(['!!', 'e30', Buffer.from('[1]').toString('base64url'), Buffer.from('{"evil":"x"}').toString('base64url')])(
    'refuses %j',
    (cursor) => {
      // Prepare & Act
      const act = (): unknown => decodeCursor(cursor, ['pk', 'sk']);

      // Assess
      expect(act).toThrow('cursor: malformed');
    },
  );
});

describe('Function: DynamoDbOnceStore', () => {
  beforeEach(() => ddb.reset());

  it('claims a key once', async () => {
    // Prepare
    const store = new DynamoDbOnceStore({ tableName: TABLE, client, nowSeconds: () => 100 });
    ddb.on(PutCommand).resolvesOnce({}).rejects(conditionFailed());

    // Act
    const first = await store.claim('confirm#n1', 200);
    const second = await store.claim('confirm#n1', 200);

    // Assess
    expect([first, second]).toEqual([true, false]);
    expect(ddb.commandCalls(PutCommand)[0]?.args[0].input).toEqual({
      TableName: TABLE, Item: { pk: 'ONCE#confirm#n1', sk: 'ONCE', expiresAt: 200 },
      ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now', ExpressionAttributeValues: { ':now': 100 },
    });
  });

  it('releases a key', async () => {
    // Prepare
    const store = new DynamoDbOnceStore({ tableName: TABLE, client });
    ddb.on(DeleteCommand).resolves({});

    // Act
    await store.release('k');

    // Assess
    expect(ddb.commandCalls(DeleteCommand)[0]?.args[0].input.Key).toEqual({ pk: 'ONCE#k', sk: 'ONCE' });
  });

  it('passes other errors on', async () => {
    // Prepare
    const store = new DynamoDbOnceStore({ tableName: TABLE, client });
    ddb.on(PutCommand).rejects(new Error('throttled'));

    // Act
    const act = store.claim('k', 1);

    // Assess
    await expect(act).rejects.toThrow('throttled');
  });
});

describe('Function: DynamoDbRateLimiter', () => {
  beforeEach(() => ddb.reset());

  it('counts hits in a fixed window with an atomic ADD', async () => {
    // Prepare
    const limiter = new DynamoDbRateLimiter({ tableName: TABLE, client });
    ddb.on(UpdateCommand).resolvesOnce({ Attributes: { count: 3 } }).resolves({ Attributes: { count: 4 } });
    const now = new Date(3_600_000 * 10 + 600_000);

    // Act
    const third = await limiter.hit('ip#abc', 3, 3600, now);
    const fourth = await limiter.hit('ip#abc', 3, 3600, now);

    // Assess
    expect(third).toEqual({ allowed: true, remaining: 0, retryAfterSeconds: 3000 });
    expect(fourth).toEqual({ allowed: false, remaining: 0, retryAfterSeconds: 3000 });
    expect(ddb.commandCalls(UpdateCommand)[0]?.args[0].input).toMatchObject({
      TableName: TABLE, Key: { pk: 'RATE#ip#abc', sk: 'W#36000' },
      UpdateExpression: 'ADD #count :one SET expiresAt = if_not_exists(expiresAt, :expires)',
      ExpressionAttributeValues: { ':one': 1, ':expires': 36000 + 3600 + 60 },
    });
  });
});
