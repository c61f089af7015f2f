/**
 * SES feedback (SNS): bounce and complaint notifications suppress addresses.
 * A record that is not a JSON notification is logged and dropped (a retry cannot help);
 * any other failure fails the invocation so that Lambda retries it (handling is idempotent).
 */
import type { SNSEvent } from 'aws-lambda';
import { ValidationError } from './core/errors.ts';
import { feedbackService } from './wiring/subscribers.ts';
import { logger } from './wiring/common.ts';

export const handler = async (event: SNSEvent): Promise<{ processed: number; dropped: number }> => {
  const service = await feedbackService();
  let processed = 0;
  let dropped = 0;
  for (const record of event.Records ?? []) {
    try {
      await service.handle(record.Sns.Message, record.Sns.MessageId);
      processed += 1;
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      logger('feedback').warn('feedback: dropped a malformed notification', { messageId: record.Sns.MessageId, reason: error.message });
      dropped += 1;
    }
  }
  return { processed, dropped };
};
