/**
 * Composition root, shared part: AWS clients, branding and loggers built once per process
 * from the configuration. Each handler's wiring module builds only what that handler needs,
 * so that a bundle carries only its own code (the send worker never imports MJML).
 */
import { getConfig, type Config } from '../core/config.ts';
import { Links } from '../core/links.ts';
import { createLogger, type Logger } from '../core/logger.ts';
import type { JobName } from '../core/editions/types.ts';
import type { Branding } from '../core/rendering/types.ts';
import type { MessageHeaders } from '../core/rendering/personalizer.ts';
import { dynamoDocumentClient, s3Client, sesClient, sqsClient } from '../adapters/aws-clients.ts';
import { DynamoDbArticleStore } from '../adapters/dynamodb-article-store.ts';
import { DynamoDbEditionRepository } from '../adapters/dynamodb-edition-repository.ts';
import { DynamoDbPickOverrideStore } from '../adapters/dynamodb-pick-override-store.ts';
import { DynamoDbSubscriberRepository } from '../adapters/dynamodb-subscriber-repository.ts';
import { S3ArtefactStore } from '../adapters/s3-artefact-store.ts';
import { SqsSendQueue } from '../adapters/sqs-send-queue.ts';
import { DynamoDbDeliveryLedger } from '../adapters/dynamodb-delivery-ledger.ts';

const resets: Array<() => void> = [];

/**
 * A dependency made on first use and kept for the life of the process (a Lambda container).
 * A promise that rejects is not kept (a secret read from SSM while SSM was down): the next
 * call makes it again.
 */
export function memo<T>(make: () => T): () => T {
  let value: { v: T } | undefined;
  resets.push(() => {
    value = undefined;
  });
  return () => {
    if (value) return value.v;
    const made = { v: make() };
    value = made;
    if (made.v instanceof Promise) {
      made.v.catch(() => {
        if (value === made) value = undefined;
      });
    }
    return made.v;
  };
}

/** Forgets every memoised dependency (the CLI and tests switch environments between runs). */
export function resetWiring(): void {
  for (const reset of resets) reset();
}

export const config = (): Config => getConfig();
export const ddb = memo(() => dynamoDocumentClient(config()));
export const s3 = memo(() => s3Client(config()));
export const sqs = memo(() => sqsClient(config()));
export const ses = memo(() => sesClient(config()));

export const articleStore = memo(() => new DynamoDbArticleStore({ client: ddb(), tableName: config().ARTICLES_TABLE }));
export const editionRepository = memo(() => new DynamoDbEditionRepository({ client: ddb(), tableName: config().EDITIONS_TABLE }));
/** The editors' pick overrides, beside the editions. */
export const pickOverrideStore = memo(() => new DynamoDbPickOverrideStore({ client: ddb(), tableName: config().EDITIONS_TABLE }));
export const subscriberRepository = memo(() => new DynamoDbSubscriberRepository({ client: ddb(), tableName: config().SUBSCRIBERS_TABLE }));
export const artefactStore = memo(() => new S3ArtefactStore({ client: s3(), bucket: config().ARTEFACTS_BUCKET }));
export const deliveryLedger = memo(() => new DynamoDbDeliveryLedger({ client: ddb(), tableName: config().DELIVERIES_TABLE }));
export const sendQueue = memo(() => new SqsSendQueue({ client: sqs(), queueUrl: config().SEND_QUEUE_URL }));

/** Every public URL (archive pages, subscriber links). */
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

export const links = memo(() => new Links({ publicBaseUrl: config().PUBLIC_BASE_URL, archiveBaseUrl: config().ARCHIVE_BASE_URL }));

/** A logger for one function. */
export function logger(service: string): Logger {
  return createLogger(service, config().LOG_LEVEL === 'SILENT' ? 'SILENT' : config().LOG_LEVEL);
}

/** Branding from config. */
export function branding(c: Config = config()): Branding {
  return {
    siteName: c.SITE_NAME,
    siteUrl: c.SITE_URL,
    ...(c.SITE_LOGO_URL ? { logoUrl: c.SITE_LOGO_URL } : {}),
    primaryColor: c.BRAND_PRIMARY_COLOR,
    textColor: c.BRAND_TEXT_COLOR,
    backgroundColor: c.BRAND_BACKGROUND_COLOR,
    fromName: c.FROM_NAME,
    fromAddress: c.FROM_ADDRESS,
    postalAddress: c.POSTAL_ADDRESS,
  };
}

/** Edition-wide message headers (the subject comes from each edition). */
export function messageHeaders(c: Config = config()): Omit<MessageHeaders, 'subject'> {
  const domain = c.FROM_ADDRESS.split('@')[1] ?? 'localhost';
  return { fromName: c.FROM_NAME, fromAddress: c.FROM_ADDRESS, listId: `digest.${domain}`, messageIdDomain: domain };
}
