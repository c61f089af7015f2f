/**
 * The stores and the delivery services built on them, over a given set of AWS callers. The
 * same graph serves two compositions: common.ts builds it on the SDK-backed clients (every
 * function but the send worker), send.ts on the lean signed-HTTP clients, so that the send
 * function's bundle carries no AWS SDK. Nothing here imports a client.
 */
import { AlertDigestAssembler } from '../core/alerts/alert-digests.ts';
import { QuotaGuard } from '../core/delivery/quota-guard.ts';
import type { AwsCaller } from '../adapters/aws-commands.ts';
import { DynamoDbAlertStore } from '../adapters/dynamodb-alert-store.ts';
import { DynamoDbArticleStore } from '../adapters/dynamodb-article-store.ts';
import { DynamoDbDeliveryLedger } from '../adapters/dynamodb-delivery-ledger.ts';
import { DynamoDbEditionRepository } from '../adapters/dynamodb-edition-repository.ts';
import { DynamoDbKeywordIndex } from '../adapters/dynamodb-keyword-index.ts';
import { DynamoDbPickOverrideStore } from '../adapters/dynamodb-pick-override-store.ts';
import { DynamoDbSendSlotStore } from '../adapters/dynamodb-send-slot-store.ts';
import { DynamoDbSubscriberRepository } from '../adapters/dynamodb-subscriber-repository.ts';
import { S3AlertPieceStore } from '../adapters/s3-alert-piece-store.ts';
import { S3ArtefactStore } from '../adapters/s3-artefact-store.ts';
import { SesMailSender } from '../adapters/ses-mail-sender.ts';
import { SqsSendQueue } from '../adapters/sqs-send-queue.ts';
import { config, links, memo, messageHeaders } from './settings.ts';

/** One caller per service, each made on first use. */
export interface AwsClients {
  ddb: () => AwsCaller;
  s3: () => AwsCaller;
  sqs: () => AwsCaller;
  ses: () => AwsCaller;
}

/**
 * The stores over `clients`, each built once per process.
 *
 * @example
 * ```ts
 * const { deliveryLedger, mailSender } = storesOn({ ddb, s3, sqs, ses });
 * await deliveryLedger().countByState('daily-2026-12-01');
 * ```
 */
export function storesOn(clients: AwsClients) {
  const { ddb, s3, sqs, ses } = clients;
  const alertStore = memo(() => new DynamoDbAlertStore({ client: ddb(), tableName: config().ALERTS_TABLE }));
  const alertPieces = memo(() => new S3AlertPieceStore({ client: s3(), bucket: config().ARTEFACTS_BUCKET }));
  /** SES, with the configuration set; GetSendQuota answers are cached a minute. */
  const mailSender = memo(() => new SesMailSender({ client: ses(), configurationSet: config().SES_CONFIGURATION_SET }));
  return {
    articleStore: memo(() => new DynamoDbArticleStore({ client: ddb(), tableName: config().ARTICLES_TABLE })),
    editionRepository: memo(() => new DynamoDbEditionRepository({ client: ddb(), tableName: config().EDITIONS_TABLE })),
    /** The editors' pick overrides, beside the editions. */
    pickOverrideStore: memo(() => new DynamoDbPickOverrideStore({ client: ddb(), tableName: config().EDITIONS_TABLE })),
    subscriberRepository: memo(() => new DynamoDbSubscriberRepository({ client: ddb(), tableName: config().SUBSCRIBERS_TABLE })),
    artefactStore: memo(() => new S3ArtefactStore({ client: s3(), bucket: config().ARTEFACTS_BUCKET })),
    deliveryLedger: memo(() => new DynamoDbDeliveryLedger({ client: ddb(), tableName: config().DELIVERIES_TABLE })),
    /** The shared send slots of the account's rate (DeliveriesTable). */
    sendSlots: memo(() => new DynamoDbSendSlotStore({ client: ddb(), tableName: config().DELIVERIES_TABLE })),
    sendQueue: memo(() => new SqsSendQueue({ client: sqs(), queueUrl: config().SEND_QUEUE_URL })),
    /** The keyword → followers index (AlertsTable). */
    keywordIndex: memo(() => new DynamoDbKeywordIndex({ client: ddb(), tableName: config().ALERTS_TABLE })),
    /** Pending matches, windows, caps and digests (AlertsTable). */
    alertStore,
    /** The flushes' shells and cards (artefacts bucket, `alerts/`). */
    alertPieces,
    mailSender,
    /** The account's daily quota as this process sees it (Max24HourSend - SentLast24Hours, less what it sent since). */
    dailyQuota: memo(() => new QuotaGuard(() => mailSender().getQuota())),
    /** The send worker's alert digests. */
    alertDigests: memo(() => {
      const c = config();
      return new AlertDigestAssembler({ store: alertStore(), pieces: alertPieces(), links: links(), headers: messageHeaders(c), siteName: c.SITE_NAME, subjectPattern: c.SUBJECT_PATTERN });
    }),
  };
}
