/**
 * `feedback`: the SES notifications of the configuration set, over SNS. Send events are
 * recorded in the delivery ledger (they close the exactly-once window, docs/delivery.md);
 * bounce and complaint notifications suppress addresses. Routing is in wiring/ses-events.ts.
 * A record that is not a JSON notification is logged and dropped (a retry cannot help);
 * any other failure fails the invocation so that Lambda retries it (handling is idempotent).
 */
import type { SNSEvent } from 'aws-lambda';
import { ValidationError } from './core/errors.ts';
import { logger } from './wiring/common.ts';
import { sesEventRouter } from './wiring/ses-events.ts';

export const handler = async (event: SNSEvent): Promise<{ processed: number; dropped: number }> => {
  const router = sesEventRouter();
  let processed = 0;
  let dropped = 0;
  for (const record of event.Records ?? []) {
    try {
      await router.dispatch(record.Sns.Message, record.Sns.MessageId);
      processed += 1;
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      logger('feedback').warn('feedback: dropped a malformed notification', { messageId: record.Sns.MessageId, reason: error.message });
      dropped += 1;
    }
  }
  return { processed, dropped };
};
