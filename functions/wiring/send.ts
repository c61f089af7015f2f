/** Wiring of the send worker. Imports nothing that loads MJML. */
import { SendService } from '../core/delivery/send-service.ts';
import { SharedRateLimiter } from '../core/delivery/rate-limiter.ts';
import { DynamoDbRateWindowStore } from '../adapters/dynamodb-rate-window-store.ts';
import { SesMailSender } from '../adapters/ses-mail-sender.ts';
import { tokenSecret } from '../adapters/aws-clients.ts';
import { artefactStore, config, ddb, deliveryLedger, editionRepository, logger, memo, messageHeaders, sendQueue, ses, subscriberRepository } from './common.ts';

/** The send use case, built once per process (the token secret may come from SSM). */
export const sendService = memo(async (): Promise<SendService> => {
    const c = config();
    const mail = new SesMailSender({ client: ses(), configurationSet: c.SES_CONFIGURATION_SET });
    // The account's MaxSendRate (GetSendQuota, cached a minute), unless config caps it lower.
    const rate = async () => {
      const quota = (await mail.getQuota()).maxSendRate;
      return c.SEND_RATE_LIMIT > 0 ? Math.min(c.SEND_RATE_LIMIT, quota) : quota;
    };
    const windows = new DynamoDbRateWindowStore({ client: ddb(), tableName: c.DELIVERIES_TABLE });
    return new SendService({
      ledger: deliveryLedger(),
      subscribers: subscriberRepository(),
      editions: editionRepository(),
      artefacts: artefactStore(),
      mail,
      rate: new SharedRateLimiter(windows, rate),
      queue: sendQueue(),
      logger: logger('send'),
      headers: messageHeaders(c),
      links: { publicBaseUrl: c.PUBLIC_BASE_URL, archiveBaseUrl: c.ARCHIVE_BASE_URL, tokenSecret: await tokenSecret(c) },
      ...(c.SES_CONFIGURATION_SET ? { configurationSet: c.SES_CONFIGURATION_SET } : {}),
      concurrency: c.SEND_CONCURRENCY,
      leaseMs: c.SEND_LEASE_SECONDS * 1000,
    });
});
