/**
 * Creates the buckets, tables and queues of the CloudFormation resources on the emulators,
 * named by logical id, in dependency order (a queue's dead-letter queue first).
 * Unknown resource types are ignored.
 */
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { CfnResource, CfnResources } from './cfn.ts';
import { referencedIds, resolveIntrinsics } from './intrinsics.ts';
import type { LocalResources } from './intrinsics.ts';

/** Endpoints of the emulators (`http://127.0.0.1:PORT`). */
export interface Endpoints {
  s3: string;
  dynamodb: string;
  ses: string;
  sqs: string;
}

/** Credentials s3rver insists on; the other emulators accept anything. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;
export const LOCAL_REGION = 'us-east-1';

const TABLE = 'AWS::DynamoDB::Table';
const QUEUE = 'AWS::SQS::Queue';
const BUCKET = 'AWS::S3::Bucket';
const SUPPORTED: ReadonlySet<string> = new Set([TABLE, QUEUE, BUCKET]);

/** SQS attributes that CloudFormation spells the same way as the CreateQueue API. */
const QUEUE_ATTRIBUTES = [
  'DelaySeconds', 'MaximumMessageSize', 'MessageRetentionPeriod', 'ReceiveMessageWaitTimeSeconds',
  'VisibilityTimeout', 'RedrivePolicy', 'RedriveAllowPolicy', 'FifoQueue', 'ContentBasedDeduplication',
  'DeduplicationScope', 'FifoThroughputLimit', 'KmsMasterKeyId', 'KmsDataKeyReusePeriodSeconds',
  'SqsManagedSseEnabled',
] as const;

/**
 * The S3 bucket name used for a logical id (bucket names must be lower case).
 *
 * @example
 * ```ts
 * bucketNameFor('ContentBucket'); // 'contentbucket'
 * ```
 */
export function bucketNameFor(logicalId: string): string {
  return logicalId.toLowerCase().replace(/[^a-z0-9.-]/g, '-');
}

/** Supported resources in an order where every resource comes after those it refers to. */
function creationOrder(resources: CfnResources): string[] {
  const ids = Object.keys(resources).filter((id) => SUPPORTED.has(resources[id]?.Type ?? ''));
  const done = new Set<string>();
  const visiting = new Set<string>();
  const order: string[] = [];
  const visit = (id: string): void => {
    if (done.has(id)) return;
    if (visiting.has(id)) throw new Error(`Resources refer to each other in a cycle at ${id}`);
    visiting.add(id);
    for (const dep of referencedIds(resources[id]?.Properties)) {
      if (ids.includes(dep)) visit(dep);
    }
    visiting.delete(id);
    done.add(id);
    order.push(id);
  };
  ids.forEach(visit);
  return order;
}

function tableInput(id: string, props: Record<string, unknown>): CreateTableCommandInput {
  const billing = props.BillingMode === 'PAY_PER_REQUEST' ? 'PAY_PER_REQUEST' : 'PROVISIONED';
  const throughput = billing === 'PROVISIONED'
    ? (props.ProvisionedThroughput ?? { ReadCapacityUnits: 5, WriteCapacityUnits: 5 })
    : undefined;
  const indexes = (props.GlobalSecondaryIndexes as Array<Record<string, unknown>> | undefined)?.map(
    (index) => ({
      IndexName: index.IndexName,
      KeySchema: index.KeySchema,
      Projection: index.Projection,
      ...(billing === 'PROVISIONED'
        ? { ProvisionedThroughput: index.ProvisionedThroughput ?? throughput }
        : {}),
    }),
  );
  const locals = props.LocalSecondaryIndexes as Array<Record<string, unknown>> | undefined;
  return {
    TableName: id,
    BillingMode: billing,
    KeySchema: props.KeySchema,
    AttributeDefinitions: props.AttributeDefinitions,
    ...(throughput ? { ProvisionedThroughput: throughput } : {}),
    ...(indexes?.length ? { GlobalSecondaryIndexes: indexes } : {}),
    ...(locals?.length ? { LocalSecondaryIndexes: locals } : {}),
  } as CreateTableCommandInput;
}

function queueAttributes(props: Record<string, unknown>): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const name of QUEUE_ATTRIBUTES) {
    const value = props[name];
    if (value === undefined || value === null) continue;
    if (name === 'FifoQueue' && String(value) !== 'true') continue; // standard queues omit it
    attributes[name] = typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
  return attributes;
}

async function waitForTable(client: DynamoDBClient, name: string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: name }));
    if (Table?.TableStatus === 'ACTIVE') return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`Table ${name} did not become ACTIVE`);
}

/**
 * Creates every bucket, table and queue of `resources` (whose serverless variables are
 * already resolved) and returns their local names, URLs and ARNs.
 *
 * @example
 * ```ts
 * const local = await provision(resources, endpoints);
 * local.queues.SendQueue?.url;
 * ```
 */
export async function provision(resources: CfnResources, endpoints: Endpoints): Promise<LocalResources> {
  const common = { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, maxAttempts: 1 };
  const s3 = new S3Client({ ...common, endpoint: endpoints.s3, forcePathStyle: true });
  const dynamodb = new DynamoDBClient({ ...common, endpoint: endpoints.dynamodb });
  const sqs = new SQSClient({ ...common, endpoint: endpoints.sqs });
  const local: LocalResources = { tables: {}, queues: {}, buckets: {} };
  try {
    for (const id of creationOrder(resources)) {
      const resource = resources[id] as CfnResource;
      const props = (resolveIntrinsics(resource.Properties ?? {}, local) ?? {}) as Record<string, unknown>;
      if (resource.Type === BUCKET) {
        const name = bucketNameFor(id);
        await s3.send(new CreateBucketCommand({ Bucket: name }));
        local.buckets[id] = name;
      } else if (resource.Type === TABLE) {
        await dynamodb.send(new CreateTableCommand(tableInput(id, props)));
        await waitForTable(dynamodb, id);
        local.tables[id] = id;
      } else {
        const fifo = String(props.FifoQueue) === 'true';
        const { QueueUrl: url } = await sqs.send(new CreateQueueCommand({
          QueueName: fifo ? `${id}.fifo` : id,
          Attributes: queueAttributes(props),
        }));
        const { Attributes } = await sqs.send(
          new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
        );
        if (!url || !Attributes?.QueueArn) throw new Error(`Queue ${id} was not created`);
        local.queues[id] = { url, arn: Attributes.QueueArn };
      }
    }
  } finally {
    s3.destroy();
    dynamodb.destroy();
    sqs.destroy();
  }
  return local;
}
