/**
 * Composition root, shared part: AWS clients and stores built once per process from the
 * configuration (settings.ts holds, and this module re-exports, what needs the configuration
 * alone: memo, config, loggers, branding). Each handler's wiring module builds only what that
 * handler needs, so that a bundle carries only its own code (the send worker never imports
 * MJML; the editors' console page no AWS SDK).
 */
import type { Config } from '../core/config.ts';
import { Links } from '../core/links.ts';
import type { JobName } from '../core/editions/types.ts';
import type { MessageHeaders } from '../core/rendering/personalizer.ts';
import { dynamoDocumentClient, s3Client, sesCaller, sqsClient } from '../adapters/aws-clients.ts';
import { SdkCaller } from '../adapters/aws-sdk-caller.ts';
import { DynamoDbArticleStore } from '../adapters/dynamodb-article-store.ts';
import { DynamoDbEditionRepository } from '../adapters/dynamodb-edition-repository.ts';
import { DynamoDbPickOverrideStore } from '../adapters/dynamodb-pick-override-store.ts';
import { DynamoDbSubscriberRepository } from '../adapters/dynamodb-subscriber-repository.ts';
import { S3ArtefactStore } from '../adapters/s3-artefact-store.ts';
import { SqsSendQueue } from '../adapters/sqs-send-queue.ts';
import { DynamoDbDeliveryLedger } from '../adapters/dynamodb-delivery-ledger.ts';
import { branding, config, logger, memo, resetWiring } from './settings.ts';

export { branding, config, logger, memo, resetWiring };

export const ddb = memo(() => dynamoDocumentClient(config()));
export const s3 = memo(() => new SdkCaller(s3Client(config())));
export const sqs = memo(() => new SdkCaller(sqsClient(config())));
export const ses = memo(() => sesCaller(config()));

export const articleStore = memo(() => new DynamoDbArticleStore({ client: ddb(), tableName: config().ARTICLES_TABLE }));
export const editionRepository = memo(() => new DynamoDbEditionRepository({ client: ddb(), tableName: config().EDITIONS_TABLE }));
/** The editors' pick overrides, beside the editions. */
export const pickOverrideStore = memo(() => new DynamoDbPickOverrideStore({ client: ddb(), tableName: config().EDITIONS_TABLE }));
export const subscriberRepository = memo(() => new DynamoDbSubscriberRepository({ client: ddb(), tableName: config().SUBSCRIBERS_TABLE }));
export const artefactStore = memo(() => new S3ArtefactStore({ client: s3(), bucket: config().ARTEFACTS_BUCKET }));
export const deliveryLedger = memo(() => new DynamoDbDeliveryLedger({ client: ddb(), tableName: config().DELIVERIES_TABLE }));
export const sendQueue = memo(() => new SqsSendQueue({ client: sqs(), queueUrl: config().SEND_QUEUE_URL }));

/**
 * Each newsletter job's time zone (DAILY_SCHEDULE, WEEKLY_SCHEDULE): the day or week its
 * editions are named after.
 *
 * @example
 * ```ts
 * jobZones().daily; // 'Europe/Amsterdam'
 * ```
 */
export const jobZones = (): Partial<Record<JobName, string>> => ({ daily: config().DAILY_SCHEDULE.zone, weekly: config().WEEKLY_SCHEDULE.zone });

/** Every public URL (archive pages, subscriber links). */
export const links = memo(() => new Links({ publicBaseUrl: config().PUBLIC_BASE_URL, archiveBaseUrl: config().ARCHIVE_BASE_URL }));

/** Edition-wide message headers (the subject comes from each edition). */
export function messageHeaders(c: Config = config()): Omit<MessageHeaders, 'subject'> {
  const domain = c.FROM_ADDRESS.split('@')[1] ?? 'localhost';
  return { fromName: c.FROM_NAME, fromAddress: c.FROM_ADDRESS, listId: `digest.${domain}`, messageIdDomain: domain };
}
