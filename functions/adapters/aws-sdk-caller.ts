/**
 * Runs the adapters' commands (aws-commands.ts) through an AWS SDK v3 client: each command
 * becomes the SDK's command of the same name with the same input, and the SDK's answer or
 * exception is passed on as it is. Every function but the send worker runs its S3, SQS, SES,
 * SSM and Lambda calls this way (and DynamoDB's calls that the lean client does not take);
 * unit tests of the adapters mock the SDK client under it (aws-sdk-client-mock).
 */
import { InvokeCommand as SdkInvoke } from '@aws-sdk/client-lambda';
import { GetObjectCommand as SdkGetObject, ListObjectsV2Command as SdkListObjectsV2, PutObjectCommand as SdkPutObject } from '@aws-sdk/client-s3';
import { GetSendQuotaCommand as SdkGetSendQuota, SendRawEmailCommand as SdkSendRawEmail } from '@aws-sdk/client-ses';
import { SendMessageBatchCommand as SdkSendMessageBatch } from '@aws-sdk/client-sqs';
import { GetParameterCommand as SdkGetParameter } from '@aws-sdk/client-ssm';
import {
  BatchGetCommand as SdkBatchGet,
  BatchWriteCommand as SdkBatchWrite,
  DeleteCommand as SdkDelete,
  GetCommand as SdkGet,
  PutCommand as SdkPut,
  QueryCommand as SdkQuery,
  ScanCommand as SdkScan,
  UpdateCommand as SdkUpdate,
} from '@aws-sdk/lib-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  GetCommand,
  GetObjectCommand,
  GetParameterCommand,
  GetSendQuotaCommand,
  InvokeCommand,
  ListObjectsV2Command,
  PutCommand,
  PutObjectCommand,
  QueryCommand,
  ScanCommand,
  SendMessageBatchCommand,
  SendRawEmailCommand,
  UpdateCommand,
  type AwsCaller,
  type AwsCommand,
  type AwsCommandClass,
} from './aws-commands.ts';

type SdkCommandClass = new (input: never) => object;

/** Our command class → the SDK's. */
const SDK_COMMANDS = new Map<AwsCommandClass, SdkCommandClass>([
  [GetCommand, SdkGet],
  [PutCommand, SdkPut],
  [UpdateCommand, SdkUpdate],
  [DeleteCommand, SdkDelete],
  [QueryCommand, SdkQuery],
  [ScanCommand, SdkScan],
  [BatchGetCommand, SdkBatchGet],
  [BatchWriteCommand, SdkBatchWrite],
  [GetObjectCommand, SdkGetObject],
  [PutObjectCommand, SdkPutObject],
  [ListObjectsV2Command, SdkListObjectsV2],
  [SendRawEmailCommand, SdkSendRawEmail],
  [GetSendQuotaCommand, SdkGetSendQuota],
  [SendMessageBatchCommand, SdkSendMessageBatch],
  [GetParameterCommand, SdkGetParameter],
  [InvokeCommand, SdkInvoke],
]);

/** What SdkCaller needs of an SDK client (any v3 client or DynamoDBDocumentClient). */
export interface SdkClientLike {
  send(command: never): Promise<unknown>;
  destroy(): void;
}

/**
 * An {@link AwsCaller} over an SDK v3 client.
 *
 * @example
 * ```ts
 * const s3 = new SdkCaller(new S3Client({ region: 'eu-west-1' }));
 * const out = await s3.send(new GetObjectCommand({ Bucket: 'artefacts', Key: 'editions/daily-2026-12-01/template.json' }));
 * ```
 */
export class SdkCaller<Client extends SdkClientLike = SdkClientLike> implements AwsCaller {
  public readonly awsCaller = true as const;

  public constructor(public readonly client: Client) {}

  public send<Input extends object, Output extends object>(command: AwsCommand<Input, Output>): Promise<Output> {
    const Sdk = SDK_COMMANDS.get(command.constructor as AwsCommandClass);
    if (Sdk === undefined) return Promise.reject(new TypeError(`no SDK command for ${command.constructor.name}`));
    return this.client.send(new Sdk(command.input as never) as never) as Promise<Output>;
  }

  public destroy(): void {
    this.client.destroy();
  }
}
