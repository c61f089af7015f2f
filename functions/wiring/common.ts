/**
 * Composition root, shared part: the SDK-backed AWS clients and the stores over them
 * (stores.ts), built once per process from the configuration; settings.ts holds, and this
 * module re-exports, what needs the configuration alone (memo, config, loggers, branding,
 * links, message headers). Each handler's wiring module builds only what that handler needs,
 * so that a bundle carries only its own code (the send worker never imports MJML, nor this
 * module: its wiring builds the same stores on the lean clients; the editors' console page
 * carries no AWS SDK).
 */
import { dynamoDocumentClient, s3Client, sesCaller, sqsClient } from '../adapters/aws-clients.ts';
import { SdkCaller } from '../adapters/aws-sdk-caller.ts';
import { branding, config, jobZones, links, logger, memo, messageHeaders, resetWiring } from './settings.ts';
import { storesOn } from './stores.ts';

export { branding, config, jobZones, links, logger, memo, messageHeaders, resetWiring };

/** DynamoDB: item calls over the lean signed-HTTP path, the rest through the SDK. */
export const ddb = memo(() => dynamoDocumentClient(config()));
export const s3 = memo(() => new SdkCaller(s3Client(config())));
export const sqs = memo(() => new SdkCaller(sqsClient(config())));
/** SES: the lean client where it may go (aws-clients.ts), else the SDK. */
export const ses = memo(() => sesCaller(config()));

export const {
  articleStore,
  editionRepository,
  pickOverrideStore,
  subscriberRepository,
  artefactStore,
  deliveryLedger,
  sendSlots,
  sendQueue,
  keywordIndex,
  alertStore,
  alertPieces,
  mailSender,
  dailyQuota,
  alertDigests,
} = storesOn({ ddb, s3, sqs, ses });
