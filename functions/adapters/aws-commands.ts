/**
 * The AWS calls the adapters make, as plain command objects, and the one interface that runs
 * them ({@link AwsCaller}).
 *
 * Why not the SDK's own command classes: importing even one of them pulls the SDK's client
 * machinery into a bundle (the command classes of the send worker's eight calls are 470 KB
 * minified, about 150 ms to load on these machines, more than half the send function's
 * cold-start budget). With these classes an adapter names its call and its input and output
 * types (type-only imports of the SDK's, erased at build time) and stays free of the SDK at
 * run time; the wiring decides what runs the call:
 * - {@link SdkCaller} (aws-sdk-caller.ts) turns each command into the SDK's and sends it
 *   through an SDK v3 client (every function but the send worker, tests with mocks);
 * - the lean signed-HTTP clients (aws-signed-http.ts and the `*-lean-*` modules) speak the
 *   service's protocol directly (the send worker's whole path, and DynamoDB's item calls
 *   everywhere).
 * Both take the same inputs, give the same outputs and throw errors with the same `name`,
 * `$fault` and `$metadata`, so an adapter cannot tell them apart.
 */
import type { InvokeCommandInput, InvokeCommandOutput } from '@aws-sdk/client-lambda';
import type {
  GetObjectCommandInput,
  GetObjectCommandOutput,
  ListObjectsV2CommandInput,
  ListObjectsV2CommandOutput,
  PutObjectCommandInput,
  PutObjectCommandOutput,
} from '@aws-sdk/client-s3';
import type { GetSendQuotaCommandInput, GetSendQuotaCommandOutput, SendRawEmailCommandInput, SendRawEmailCommandOutput } from '@aws-sdk/client-ses';
import type { SendMessageBatchCommandInput, SendMessageBatchCommandOutput } from '@aws-sdk/client-sqs';
import type { GetParameterCommandInput, GetParameterCommandOutput } from '@aws-sdk/client-ssm';
import type {
  BatchGetCommandInput,
  BatchGetCommandOutput,
  BatchWriteCommandInput,
  BatchWriteCommandOutput,
  DeleteCommandInput,
  DeleteCommandOutput,
  GetCommandInput,
  GetCommandOutput,
  PutCommandInput,
  PutCommandOutput,
  QueryCommandInput,
  QueryCommandOutput,
  ScanCommandInput,
  ScanCommandOutput,
  UpdateCommandInput,
  UpdateCommandOutput,
} from '@aws-sdk/lib-dynamodb';

/**
 * One call: the operation (the class) and its input. `Output` is the answer's type.
 *
 * @example
 * ```ts
 * const { Item } = await ddb.send(new GetCommand({ TableName: 'subscribers', Key: { pk: 'SUB#s_1', sk: 'PROFILE' } }));
 * ```
 */
export abstract class AwsCommand<Input extends object, Output extends object> {
  /** Carries the output type for {@link AwsCaller.send}; never set. */
  declare public readonly $output?: Output;

  public constructor(public readonly input: Input) {}
}

/** What every answer carries (the SDK's `$metadata`). */
export interface AwsResponseMetadata {
  httpStatusCode?: number;
  requestId?: string;
  attempts?: number;
  totalRetryDelay?: number;
}

/**
 * Runs commands against one AWS service.
 *
 * @example
 * ```ts
 * const out = await caller.send(new UpdateCommand({ TableName, Key, UpdateExpression: 'ADD n :one', ExpressionAttributeValues: { ':one': 1 } }));
 * ```
 */
export interface AwsCaller {
  /** Marks a caller (an SDK client, whose `send` takes the SDK's commands, is not one). */
  readonly awsCaller: true;
  send<Input extends object, Output extends object>(command: AwsCommand<Input, Output>): Promise<Output>;
  /** Closes its sockets (a CLI run, a test). */
  destroy(): void;
}

/** The constructor of a command (the key both callers look an operation up by). */
export type AwsCommandClass = abstract new (input: never) => AwsCommand<object, object>;

// DynamoDB, document form (plain values; the caller marshals).
/** @example `new GetCommand({ TableName, Key: { pk, sk } })` */
export class GetCommand extends AwsCommand<GetCommandInput, GetCommandOutput> {}
/** @example `new PutCommand({ TableName, Item, ConditionExpression: 'attribute_not_exists(pk)' })` */
export class PutCommand extends AwsCommand<PutCommandInput, PutCommandOutput> {}
/** @example `new UpdateCommand({ TableName, Key, UpdateExpression: 'SET #s = :s', ExpressionAttributeNames, ExpressionAttributeValues })` */
export class UpdateCommand extends AwsCommand<UpdateCommandInput, UpdateCommandOutput> {}
/** @example `new DeleteCommand({ TableName, Key })` */
export class DeleteCommand extends AwsCommand<DeleteCommandInput, DeleteCommandOutput> {}
/** @example `new QueryCommand({ TableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': pk } })` */
export class QueryCommand extends AwsCommand<QueryCommandInput, QueryCommandOutput> {}
/** @example `new ScanCommand({ TableName, Segment: 0, TotalSegments: 4 })` */
export class ScanCommand extends AwsCommand<ScanCommandInput, ScanCommandOutput> {}
/** @example `new BatchGetCommand({ RequestItems: { [table]: { Keys } } })` */
export class BatchGetCommand extends AwsCommand<BatchGetCommandInput, BatchGetCommandOutput> {}
/** @example `new BatchWriteCommand({ RequestItems: { [table]: [{ PutRequest: { Item } }] } })` */
export class BatchWriteCommand extends AwsCommand<BatchWriteCommandInput, BatchWriteCommandOutput> {}

// S3.
/** @example `new GetObjectCommand({ Bucket, Key })` */
export class GetObjectCommand extends AwsCommand<GetObjectCommandInput, GetObjectCommandOutput> {}
/** @example `new PutObjectCommand({ Bucket, Key, Body, ContentType })` */
export class PutObjectCommand extends AwsCommand<PutObjectCommandInput, PutObjectCommandOutput> {}
/** @example `new ListObjectsV2Command({ Bucket, Prefix })` */
export class ListObjectsV2Command extends AwsCommand<ListObjectsV2CommandInput, ListObjectsV2CommandOutput> {}

// SES (v1).
/** @example `new SendRawEmailCommand({ RawMessage: { Data }, Destinations: [to] })` */
export class SendRawEmailCommand extends AwsCommand<SendRawEmailCommandInput, SendRawEmailCommandOutput> {}
/** @example `new GetSendQuotaCommand({})` */
export class GetSendQuotaCommand extends AwsCommand<GetSendQuotaCommandInput, GetSendQuotaCommandOutput> {}

// SQS.
/** @example `new SendMessageBatchCommand({ QueueUrl, Entries })` */
export class SendMessageBatchCommand extends AwsCommand<SendMessageBatchCommandInput, SendMessageBatchCommandOutput> {}

// SSM.
/** @example `new GetParameterCommand({ Name, WithDecryption: true })` */
export class GetParameterCommand extends AwsCommand<GetParameterCommandInput, GetParameterCommandOutput> {}

// Lambda.
/** @example `new InvokeCommand({ FunctionName, InvocationType: 'Event', Payload })` */
export class InvokeCommand extends AwsCommand<InvokeCommandInput, InvokeCommandOutput> {}

/**
 * An AWS service's error answer, as the lean clients throw it: `name` is the service's error
 * code, with `$fault`, `$metadata` and, for throttling, `$retryable` as the SDK sets them
 * (the SDK's own exceptions carry the same fields, so code reads both alike by name).
 *
 * @example
 * ```ts
 * throw new AwsServiceError({ name: 'ConditionalCheckFailedException', message: 'The conditional request failed', $fault: 'client', $metadata: { httpStatusCode: 400 } });
 * ```
 */
export class AwsServiceError extends Error {
  public readonly $fault: 'client' | 'server';
  public readonly $metadata: AwsResponseMetadata;
  public $retryable?: { throttling?: boolean };
  /** DynamoDB's ConditionalCheckFailedException with ReturnValuesOnConditionCheckFailure: the item, in its wire form. */
  public readonly Item?: Record<string, unknown>;

  public constructor(options: { name: string; message: string; $fault: 'client' | 'server'; $metadata: AwsResponseMetadata; Item?: Record<string, unknown> }) {
    super(options.message);
    this.name = options.name;
    this.$fault = options.$fault;
    this.$metadata = options.$metadata;
    if (options.Item !== undefined) this.Item = options.Item;
  }
}
