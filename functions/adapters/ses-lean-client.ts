/**
 * SES (v1) spoken to directly, without the AWS SDK: SendRawEmail (one per message, the send
 * worker's busiest call) and GetSendQuota over a {@link SignedHttpEndpoint}, in SES's query
 * protocol. The SendRawEmail body is the form the SDK's query serializer writes (a test
 * compares the two); the message is written as the chunks ses-raw-message.ts made, never
 * joined. The answer is read as the SDK reads it: the `MessageId` (GetSendQuota's numbers),
 * or an {@link AwsServiceError} with the answer's `Code` as its `name`, its `Message`,
 * `$fault` and `$metadata.httpStatusCode`; a transport failure has the SDK HTTP handler's
 * names (`TimeoutError`, `AbortError`, the socket's code), so `classify` in ses-mail-sender.ts
 * reads both alike. One attempt, as the SES client is configured (`maxAttempts: 1`): the send
 * service retries. Any other command is refused with an error naming it.
 */
import type { SendRawEmailCommandInput } from '@aws-sdk/client-ses';
import { AwsServiceError, GetSendQuotaCommand, SendRawEmailCommand, type AwsCommand } from './aws-commands.ts';
import { LeanAwsCaller, callDeadlineOf, startByOf, uriEscape, xmlText, type SignedHttpOptions, type SignedHttpResponse } from './aws-signed-http.ts';
import { ENCODED_DATA, formEncodedBase64 } from './ses-raw-message.ts';

/** The SendRawEmail fields written here; an input with any other is refused. */
const KNOWN = new Set(['RawMessage', 'Destinations', 'ConfigurationSetName', 'Tags', 'Source']);

/** What the lean client needs. */
export interface LeanSesOptions {
  /** Where SES is (`https://email.<region>.amazonaws.com` unless a local stand-in's is given). */
  endpoint: string;
  region: string;
  credentials: SignedHttpOptions['credentials'];
  timeouts: SignedHttpOptions['timeouts'];
  maxSockets: number;
}

/** The SDK's `extendedEncodeURIComponent`. */
const formValue = uriEscape;

/**
 * The request body before and after the message: `Action`, the fields in the order the SDK
 * writes them, and `Version`.
 */
function bodyAround(input: SendRawEmailCommandInput): { before: string; after: string } {
  let before = 'Action=SendRawEmail';
  if (input.ConfigurationSetName !== undefined) before += `&ConfigurationSetName=${formValue(input.ConfigurationSetName)}`;
  (input.Destinations ?? []).forEach((d, i) => {
    before += `&Destinations.member.${i + 1}=${formValue(d)}`;
  });
  before += '&RawMessage.Data=';
  let after = '';
  if (input.Source !== undefined) after += `&Source=${formValue(input.Source)}`;
  (input.Tags ?? []).forEach((t, i) => {
    after += `&Tags.member.${i + 1}.Name=${formValue(t.Name ?? '')}&Tags.member.${i + 1}.Value=${formValue(t.Value ?? '')}`;
  });
  after += '&Version=2010-12-01';
  return { before, after };
}

/**
 * The form-encoded request body of a SendRawEmail input, as chunks.
 *
 * @example
 * ```ts
 * Buffer.concat(sendRawEmailBody({ RawMessage: { Data: Buffer.from('Hi') }, Destinations: ['a@example.com'] })).toString();
 * // 'Action=SendRawEmail&Destinations.member.1=a%40example.com&RawMessage.Data=SGk%3D&Version=2010-12-01'
 * ```
 */
export function sendRawEmailBody(input: SendRawEmailCommandInput): Buffer[] {
  const { before, after } = bodyAround(input);
  const encoded = (input as { [ENCODED_DATA]?: readonly Buffer[] })[ENCODED_DATA];
  const data = input.RawMessage?.Data;
  const message = encoded ?? (data && data.byteLength > 0 ? [formEncodedBase64(data)] : []);
  return [Buffer.from(before, 'utf8'), ...message, Buffer.from(after, 'utf8')];
}

/**
 * @example
 * ```ts
 * const ses = new LeanSesClient({ endpoint: 'https://email.eu-west-1.amazonaws.com', region: 'eu-west-1', credentials: async () => credentials, timeouts: { connectionMs: 1_000, requestMs: 10_000 }, maxSockets: 32 });
 * const { MessageId } = await ses.send(new SendRawEmailCommand({ RawMessage: { Data: raw }, Destinations: ['ann@example.com'] }));
 * ```
 */
export class LeanSesClient extends LeanAwsCaller {

  public constructor(options: LeanSesOptions) {
    // SES v1 signs as `ses` (its endpoint is `email.<region>`).
    super({ ...options, service: 'ses' });
  }

  public override send<Input extends object, Output extends object>(command: AwsCommand<Input, Output>): Promise<Output> {
    if (command instanceof SendRawEmailCommand) {
      const unknown = Object.keys(command.input).filter((k) => !KNOWN.has(k));
      if (unknown.length > 0) return Promise.reject(new TypeError(`LeanSesClient: SendRawEmail with ${unknown.join(', ')} is not supported (only ${[...KNOWN].join(', ')})`));
      return this.#sendRaw(command.input) as Promise<Output>;
    }
    if (command instanceof GetSendQuotaCommand) return this.#sendQuota() as Promise<Output>;
    return this.unsupported(command, 'SendRawEmailCommand and GetSendQuotaCommand');
  }


  async #sendRaw(input: SendRawEmailCommandInput): Promise<{ MessageId: string; $metadata: Record<string, unknown> }> {
    const response = await this.http.post(FORM, sendRawEmailBody(input), callDeadlineOf(input), startByOf(input));
    const xml = response.body.toString('utf8');
    const $metadata = metadata(response, xml);
    const messageId = response.status >= 200 && response.status < 300 ? xmlText(xml, 'MessageId') : undefined;
    if (messageId !== undefined) return { MessageId: messageId, $metadata };
    // An error answer; or 2xx without a MessageId (SES took it, the id is lost: the caller treats it as unknown).
    throw serviceError(response, xml, 'a MessageId');
  }

  async #sendQuota(): Promise<{ Max24HourSend?: number; MaxSendRate?: number; SentLast24Hours?: number; $metadata: Record<string, unknown> }> {
    const response = await this.http.post(FORM, [QUOTA_BODY]);
    const xml = response.body.toString('utf8');
    if (response.status < 200 || response.status >= 300 || !xml.includes('<GetSendQuotaResult')) throw serviceError(response, xml, 'a GetSendQuotaResult');
    const out: { Max24HourSend?: number; MaxSendRate?: number; SentLast24Hours?: number; $metadata: Record<string, unknown> } = { $metadata: metadata(response, xml) };
    for (const field of ['Max24HourSend', 'MaxSendRate', 'SentLast24Hours'] as const) {
      const text = xmlText(xml, field);
      if (text !== undefined) out[field] = parseFloat(text);
    }
    return out;
  }
}

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const QUOTA_BODY = Buffer.from('Action=GetSendQuota&Version=2010-12-01', 'utf8');

function metadata(response: SignedHttpResponse, xml: string): { httpStatusCode: number; requestId: string; attempts: number; totalRetryDelay: number } {
  return { httpStatusCode: response.status, requestId: xmlText(xml, 'RequestId') ?? String(response.headers['x-amzn-requestid'] ?? ''), attempts: 1, totalRetryDelay: 0 };
}

/** An SES error answer as the SDK names it (its `Code`); a 2xx without what was expected is a DeserializationError. */
function serviceError(response: SignedHttpResponse, xml: string, expected: string): AwsServiceError {
  const ok = response.status >= 200 && response.status < 300;
  const name = xmlText(xml, 'Code') ?? (ok ? 'DeserializationError' : `Http${response.status}`);
  const message = xmlText(xml, 'Message') ?? `SES answered ${response.status} without ${expected}`;
  const error = new AwsServiceError({ name, message, $fault: response.status >= 500 ? 'server' : 'client', $metadata: metadata(response, xml) });
  if (name === 'Throttling' || name === 'ThrottlingException') error.$retryable = { throttling: true };
  return error;
}
