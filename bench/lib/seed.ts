/**
 * Seeding the local stack for the benchmarks: article files in the content bucket, and
 * confirmed daily subscribers written straight to the subscribers table with BatchWriteItem
 * (items shaped as DynamoDbSubscriberRepository writes them), generated page by page so
 * that memory stays flat whatever the count.
 */
import { randomUUID } from 'node:crypto';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { alertsIndexKey, newsletterIndexKey, subscriberPk } from '../../functions/adapters/dynamodb-subscriber-repository.ts';
import { subscriberIdFor } from '../../functions/core/subscribers/identity.ts';
import type { Subscriber } from '../../functions/core/subscribers/types.ts';
import { mapBounded } from '../../functions/core/concurrency.ts';
import { articleFile } from '../../test/kit/fixtures/index.ts';

/**
 * The stack's (placeholder) credentials from `env`: the seeder serves several stacks from one
 * process, so nothing is read from process.env.
 */
function credentialsOf(env: Record<string, string>): { accessKeyId: string; secretAccessKey: string } {
  return { accessKeyId: env.AWS_ACCESS_KEY_ID ?? 'local', secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? 'local' };
}

const NAMES = ['Ann', 'Zoë', 'Łukasz', 'Mary-Jane', '', 'Гиорги', 'Chen', 'Bo'];

function subscriberItem(i: number, now: string): Record<string, unknown> {
  const email = `reader${i}@news-digest.test`;
  const id = subscriberIdFor(email);
  const name = NAMES[i % NAMES.length];
  const subscriber: Subscriber = {
    id,
    email,
    ...(name ? { name } : {}),
    status: 'confirmed',
    newsletter: 'daily',
    alerts: 'none',
    keywords: [],
    consent: { at: now, method: 'import' },
    createdAt: now,
    updatedAt: now,
  };
  return {
    ...subscriber,
    pk: subscriberPk(id),
    sk: 'PROFILE',
    gsi1pk: newsletterIndexKey('confirmed', 'daily'),
    gsi1sk: id,
    gsi2pk: alertsIndexKey('confirmed', 'none'),
    gsi2sk: id,
    rev: randomUUID(),
  };
}

/** Writes `count` confirmed daily subscribers, 25 per BatchWriteItem, `parallel` calls at a time. */
export async function seedSubscribers(env: Record<string, string>, count: number, parallel = 8): Promise<void> {
  const doc = DynamoDBDocumentClient.from(
    new DynamoDBClient({ region: env.AWS_REGION ?? 'us-east-1', endpoint: env.DYNAMODB_ENDPOINT, credentials: credentialsOf(env) }),
  );
  const table = env.SUBSCRIBERS_TABLE;
  if (!table) throw new Error('SUBSCRIBERS_TABLE is not set');
  const now = new Date().toISOString();
  const chunk = 25 * parallel * 4;
  try {
    for (let start = 0; start < count; start += chunk) {
      const batches: number[][] = [];
      for (let b = start; b < Math.min(count, start + chunk); b += 25) {
        batches.push(Array.from({ length: Math.min(25, count - b) }, (_, k) => b + k));
      }
      await mapBounded(batches, parallel, async (indexes) => {
        let requests = indexes.map((i) => ({ PutRequest: { Item: subscriberItem(i, now) } }));
        for (let attempt = 0; requests.length > 0; attempt++) {
          if (attempt > 10) throw new Error('BatchWriteItem kept returning unprocessed items');
          const out = await doc.send(new BatchWriteCommand({ RequestItems: { [table]: requests } }));
          requests = (out.UnprocessedItems?.[table] ?? []) as typeof requests;
        }
      });
    }
  } finally {
    doc.destroy();
  }
}

/** Puts `count` article files (JSON) in the content bucket; returns their keys. */
export async function uploadArticles(env: Record<string, string>, count: number, now = new Date(), parallel = 16): Promise<string[]> {
  const s3 = new S3Client({ region: env.AWS_REGION ?? 'us-east-1', endpoint: env.S3_ENDPOINT, forcePathStyle: true, credentials: credentialsOf(env) });
  const keys: string[] = [];
  try {
    await mapBounded(
      Array.from({ length: count }, (_, i) => i),
      parallel,
      async (i) => {
        const file = articleFile(i, now);
        await s3.send(new PutObjectCommand({ Bucket: env.CONTENT_BUCKET, Key: file.key, Body: file.body, ContentType: 'application/json' }));
        keys.push(file.key);
      },
    );
  } finally {
    s3.destroy();
  }
  return keys.sort();
}
