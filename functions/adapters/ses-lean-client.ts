/**
 * An SESClient whose SendRawEmail calls go straight to SES's query protocol over a
 * {@link SignedHttpEndpoint} (one per message: the send worker's busiest call), instead of
 * through the SDK's middleware stack; every other command, and a call with options, goes
 * through the SDK. The body is the form the SDK's query serializer writes (a test compares
 * the two); the message is written as the chunks ses-raw-message.ts made, never joined. The
 * answer is read as the SDK reads it: the `MessageId`, or an error with the answer's `Code`
 * as its `name`, its `Message`, `$fault` and `$metadata.httpStatusCode`; a transport failure
 * has the SDK HTTP handler's names (`TimeoutError`, `AbortError`, the socket's code), so
 * `classify` in ses-mail-sender.ts reads both alike. One attempt, as the SES client is
 * configured (`maxAttempts: 1`): the send service retries.
 */
import { SendRawEmailCommand, SESClient, SESServiceException, type SESClientConfig, type SendRawEmailCommandInput } from '@aws-sdk/client-ses';
import { SignedHttpEndpoint, callDeadlineOf, type SignedHttpOptions } from './aws-signed-http.ts';
import { ENCODED_DATA, formEncodedBase64 } from './ses-raw-message.ts';

/** The SendRawEmail fields written here; an input with any other goes through the SDK. */
const KNOWN = new Set(['RawMessage', 'Destinations', 'ConfigurationSetName', 'Tags', 'Source']);

/** What the lean client needs besides the SDK client's own configuration. */
export interface LeanSesOptions {
  /** Where SES is (`https://email.<region>.amazonaws.com` unless a local stand-in's is given). */
  endpoint: string;
  region: string;
  timeouts: SignedHttpOptions['timeouts'];
  maxSockets: number;
}

/** The SDK's `extendedEncodeURIComponent`: encodeURIComponent, and `!'()*` too. */
function formValue(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

const XML_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function xmlText(xml: string, element: string): string | undefined {
  const match = new RegExp(`<${element}>([^<]*)</${element}>`).exec(xml);
  if (!match) return undefined;
  return (match[1] as string).replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (all, e: string) => {
    if (e[0] === '#') return String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
    return XML_ENTITIES[e] ?? all;
  });
}

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
 * const ses = new LeanSesClient({ region: 'eu-west-1', maxAttempts: 1 }, { endpoint: 'https://email.eu-west-1.amazonaws.com', region: 'eu-west-1', timeouts: { connectionMs: 1_000, requestMs: 10_000 }, maxSockets: 32 });
 * const { MessageId } = await ses.send(new SendRawEmailCommand({ RawMessage: { Data: raw }, Destinations: ['ann@example.com'] }));
 * ```
 */
export class LeanSesClient extends SESClient {
  readonly #http: SignedHttpEndpoint;

  public constructor(configuration: SESClientConfig, options: LeanSesOptions) {
    super(configuration);
    const credentials = this.config.credentials;
    // SES v1 signs as `ses` (its endpoint is `email.<region>`).
    this.#http = new SignedHttpEndpoint({ ...options, service: 'ses', credentials: () => credentials() });
  }

  // Typed as the SDK's overloads through the base class; the lean path returns the same output shape.
  public override send(...args: unknown[]): never {
    const [command, ...rest] = args as [{ input: Record<string, unknown> }, ...unknown[]];
    if (!(command instanceof SendRawEmailCommand) || rest.length > 0 || Object.keys(command.input).some((k) => !KNOWN.has(k))) {
      return (super.send as (...a: unknown[]) => never)(...args);
    }
    return this.#sendRaw(command.input) as never;
  }

  public override destroy(): void {
    this.#http.destroy();
    super.destroy();
  }

  async #sendRaw(input: SendRawEmailCommandInput): Promise<{ MessageId: string; $metadata: Record<string, unknown> }> {
    const response = await this.#http.post({ 'content-type': 'application/x-www-form-urlencoded' }, sendRawEmailBody(input), callDeadlineOf(input));
    const xml = response.body.toString('utf8');
    const $metadata = { httpStatusCode: response.status, requestId: xmlText(xml, 'RequestId') ?? String(response.headers['x-amzn-requestid'] ?? ''), attempts: 1, totalRetryDelay: 0 };
    const messageId = response.status >= 200 && response.status < 300 ? xmlText(xml, 'MessageId') : undefined;
    if (messageId !== undefined) return { MessageId: messageId, $metadata };
    // An error answer; or 2xx without a MessageId (SES took it, the id is lost: the caller treats it as unknown).
    const name = xmlText(xml, 'Code') ?? (response.status >= 200 && response.status < 300 ? 'DeserializationError' : `Http${response.status}`);
    const message = xmlText(xml, 'Message') ?? `SES answered ${response.status} without a MessageId`;
    throw new SESServiceException({ name, $fault: response.status >= 500 ? 'server' : 'client', $metadata, message });
  }
}
