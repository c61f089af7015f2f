/**
 * MailSender on Amazon SES (v1 SendRawEmail): raw MIME, the configuration set, message tags
 * naming the edition and subscriber; SES errors mapped to permanent, transient or quota.
 */
import { GetSendQuotaCommand, SendRawEmailCommand, type SESClient } from '@aws-sdk/client-ses';
import type { MailSender, SendQuota } from '../core/delivery/ports.ts';
import type { OutgoingMessage } from '../core/delivery/types.ts';
import { PermanentSendError, QuotaExhaustedError, TransientSendError } from '../core/errors.ts';

/** SES errors that no retry will fix. */
const PERMANENT = new Set([
  'MessageRejected',
  'MailFromDomainNotVerifiedException',
  'ConfigurationSetDoesNotExistException',
  'ConfigurationSetSendingPausedException',
  'AccountSendingPausedException',
  'InvalidParameterValue',
]);

const QUOTA_CACHE_MS = 60_000;

/** Tag values may hold only ASCII letters, digits, underscore and dash (SES rule). */
function tagValue(value: string): string {
  return value.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 256);
}

/**
 * @example
 * ```ts
 * const mail = new SesMailSender({ client: sesClient(config), configurationSet: 'digest' });
 * const messageId = await mail.send({ to: 'ann@example.com', raw, tags: { edition: 'daily-2026-11-28' } });
 * ```
 */
export class SesMailSender implements MailSender {
  readonly #ses: SESClient;
  readonly #configurationSet: string | undefined;
  #quota: { value: SendQuota; at: number } | undefined;

  public constructor(options: { client: SESClient; configurationSet?: string | undefined }) {
    this.#ses = options.client;
    this.#configurationSet = options.configurationSet || undefined;
  }

  public async send(message: OutgoingMessage): Promise<string> {
    try {
      const out = await this.#ses.send(
        new SendRawEmailCommand({
          RawMessage: { Data: Buffer.from(message.raw) },
          Destinations: [message.to],
          ...(this.#configurationSet ? { ConfigurationSetName: this.#configurationSet } : {}),
          Tags: Object.entries(message.tags).map(([Name, Value]) => ({ Name, Value: tagValue(Value) })),
        }),
      );
      return out.MessageId ?? '';
    } catch (error) {
      throw classify(error);
    }
  }

  public async getQuota(): Promise<SendQuota> {
    if (this.#quota && Date.now() - this.#quota.at < QUOTA_CACHE_MS) return this.#quota.value;
    const out = await this.#ses.send(new GetSendQuotaCommand({}));
    const value = { maxSendRate: out.MaxSendRate ?? 1, max24HourSend: out.Max24HourSend ?? 200, sentLast24Hours: out.SentLast24Hours ?? 0 };
    this.#quota = { value, at: Date.now() };
    return value;
  }
}

/** Maps an SES SDK error to the core's send errors. */
export function classify(error: unknown): Error {
  const e = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const message = `${e.name ?? 'Error'}: ${e.message ?? String(error)}`;
  if (e.name === 'Throttling' || e.name === 'ThrottlingException') {
    // SES says "Daily message quota exceeded" when the 24-hour quota is gone.
    if (/daily message quota/i.test(e.message ?? '')) return new QuotaExhaustedError(message, { cause: error });
    return new TransientSendError(message, { cause: error });
  }
  if (e.name && PERMANENT.has(e.name)) return new PermanentSendError(message, { cause: error });
  // Anything else (5xx, network, credentials) may pass: retried, and after maxReceiveCount
  // deliveries it lands in the dead-letter queue rather than failing every recipient.
  return new TransientSendError(message, { cause: error });
}
