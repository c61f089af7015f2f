/**
 * MailSender on Amazon SES (v1 SendRawEmail): raw MIME, the configuration set, message tags
 * naming the edition and subscriber; SES errors mapped to permanent, transient or quota.
 *
 * It calls SES through an {@link AwsCaller}: the lean client (ses-lean-client.ts, the send
 * function, no SDK) or the SDK's (`SdkCaller` over `sesClient`).
 *
 * Lean send path. The SDK's query serializer base64-encodes `RawMessage.Data`, then
 * percent-encodes the 80–120 KB base64 text with a regular expression and keeps the body as a
 * string, which is converted to bytes again to be signed and again to be written; at hundreds
 * of messages a second this is the largest share of the send worker's CPU. A personalised
 * message therefore goes as its form-encoded chunks (`ENCODED_DATA` on the input, its
 * `RawMessage.Data` left empty), which the lean client writes as they are. An SDK client must
 * carry the two middlewares of {@link useLeanRawMessageBody} (`sesClient` in aws-clients.ts
 * adds them: this class cannot, an AwsCaller has no middleware stack): they let the SDK
 * serialize every other field as usual and splice in the message's base64 as bytes, so the
 * request body is a Buffer that the signer hashes and the socket writes as it is. The body is
 * byte for byte the form encoding the SDK would send.
 */
import type { SESClient } from '@aws-sdk/client-ses';
import type { BuildMiddleware, SerializeMiddleware } from '@smithy/types';
import type { MailSender, SendQuota } from '../core/delivery/ports.ts';
import type { OutgoingMessage } from '../core/delivery/types.ts';
import { PermanentSendError, QuotaExhaustedError, SendOutcomeUnknownError, SendSlotMissedError, TransientSendError } from '../core/errors.ts';
import { GetSendQuotaCommand, SendRawEmailCommand, type AwsCaller } from './aws-commands.ts';
import { START_MISSED, withCallDeadline, withStartBy } from './aws-signed-http.ts';
import { ENCODED_DATA, formEncodedBase64, formEncodedRawMessage } from './ses-raw-message.ts';

export { formEncodedBase64 };

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

const EMPTY = new Uint8Array(0);
/** Where the swap middleware leaves the message for the splice middleware (on the call's own input). */
const HELD_DATA = Symbol('news-digest.rawMessageData');
const DATA_FIELD = '&RawMessage.Data=';
const SWAP_NAME = 'newsDigestRawMessageSwap';
const SPLICE_NAME = 'newsDigestRawMessageSplice';

type HoldingInput = Record<string, unknown> & { [HELD_DATA]?: Uint8Array; [ENCODED_DATA]?: readonly Buffer[] };

interface SendRawEmailInputLike {
  RawMessage?: { Data?: unknown };
}

/**
 * Before serialization: serialize an empty message instead, and hold the real one on the
 * input the later steps are handed (not on the context: a client with `cacheMiddleware`
 * shares one context among all its concurrent calls).
 */
const swapMiddleware: SerializeMiddleware<object, object> = (next, context) => async (args) => {
  if ((args.input as HoldingInput)[ENCODED_DATA]) return next(args);
  const input = args.input as SendRawEmailInputLike;
  const data = input.RawMessage?.Data;
  if (context.commandName !== 'SendRawEmailCommand' || !(data instanceof Uint8Array) || data.byteLength === 0) {
    return next(args);
  }
  const held: HoldingInput = { ...args.input, RawMessage: { ...input.RawMessage, Data: EMPTY }, [HELD_DATA]: data };
  return next({ ...args, input: held });
};

/** After serialization, before length and signing: splice the held message into the body. */
const spliceMiddleware: BuildMiddleware<object, object> = (next) => async (args) => {
  const holding = args.input as HoldingInput;
  const encoded = holding[ENCODED_DATA] ?? (holding[HELD_DATA] ? [formEncodedBase64(holding[HELD_DATA])] : undefined);
  const request = args.request as { body?: unknown; headers?: Record<string, string> } | undefined;
  if (!encoded || typeof request?.body !== 'string' || !request.headers) return next(args);
  const bytes = spliceRawMessage(request.body, encoded);
  request.body = bytes;
  request.headers['content-length'] = String(bytes.byteLength);
  return next(args);
};

/**
 * The request body: the serialized form (its `RawMessage.Data` empty) with the form-encoded
 * message put in, in one Buffer.
 *
 * @example
 * ```ts
 * spliceRawMessage('Action=SendRawEmail&RawMessage.Data=&Version=2010-12-01', [Buffer.from('SGk%3D')]);
 * ```
 */
export function spliceRawMessage(body: string, encoded: readonly Buffer[]): Buffer {
  const at = body.indexOf(DATA_FIELD);
  if (at < 0) throw new Error('SendRawEmail: the serialized request has no RawMessage.Data field');
  const valueAt = at + DATA_FIELD.length;
  const before = Buffer.from(body.slice(0, valueAt), 'utf8');
  const after = Buffer.from(body.slice(valueAt), 'utf8');
  let length = before.byteLength + after.byteLength;
  for (const e of encoded) length += e.byteLength;
  return Buffer.concat([before, ...encoded, after], length);
}

/**
 * Adds the lean SendRawEmail body path to an SDK client (idempotent): needed by every SDK
 * client a {@link SesMailSender} sends personalised messages through (`sesClient` adds it);
 * other SendRawEmail calls on that client take the same path.
 *
 * @example
 * ```ts
 * useLeanRawMessageBody(client);
 * ```
 */
export function useLeanRawMessageBody(client: SESClient): void {
  const stack = client.middlewareStack as unknown as {
    add(m: unknown, options: { step: string; priority?: string; name: string; override?: boolean }): void;
  };
  stack.add(swapMiddleware, { step: 'serialize', priority: 'high', name: SWAP_NAME, override: true });
  stack.add(spliceMiddleware, { step: 'build', priority: 'high', name: SPLICE_NAME, override: true });
}

/**
 * @example
 * ```ts
 * const mail = new SesMailSender({ client: leanSes(config), configurationSet: 'digest' });
 * const messageId = await mail.send({ to: 'ann@example.com', raw, tags: { edition: 'daily-2026-11-28' } });
 * ```
 */
export class SesMailSender implements MailSender {
  readonly #ses: AwsCaller;
  readonly #configurationSet: string | undefined;
  /** Whether the caller writes a personalised message's encoded chunks (see {@link takesEncodedChunks}). */
  readonly #chunks: boolean;
  #quota: { value: SendQuota; at: number } | undefined;
  #quotaRead: Promise<SendQuota> | undefined;

  public constructor(options: { client: AwsCaller; configurationSet?: string | undefined }) {
    this.#ses = options.client;
    this.#configurationSet = options.configurationSet || undefined;
    this.#chunks = takesEncodedChunks(options.client);
  }

  /**
   * Sends one message; with a `deadline` (epoch ms) the call is aborted then (the lean client,
   * or an SDK client from sesClient()). With `startBy` (epoch ms) it is not sent once that time
   * has passed: the lean client checks just before it writes the request, an SDK client only
   * here, before the call (SendSlotMissedError either way).
   */
  public async send(message: OutgoingMessage, options: { deadline?: number; startBy?: number } = {}): Promise<string> {
    try {
      // A personalised message goes as its chunks, encoded with the edition's shared encodings
      // (the field stays empty for the serializer; the lean client or the body middleware puts
      // the bytes in). Otherwise the raw text is encoded to UTF-8 once and sent without re-encoding.
      const mime = this.#chunks ? message.mime : undefined;
      const input = {
        RawMessage: { Data: mime ? EMPTY : message.mime ? message.mime.toBuffer() : Buffer.from(message.raw, 'utf8') },
        Destinations: [message.to],
        ...(this.#configurationSet ? { ConfigurationSetName: this.#configurationSet } : {}),
        Tags: Object.entries(message.tags).map(([Name, Value]) => ({ Name, Value: tagValue(Value) })),
        ...(mime ? { [ENCODED_DATA]: formEncodedRawMessage(mime) } : {}),
      };
      const late = options.startBy === undefined ? 0 : Date.now() - options.startBy;
      if (late > 0) throw new SendSlotMissedError(`not sent: its start-by time passed ${late} ms ago`);
      const out = await this.#ses.send(new SendRawEmailCommand(withStartBy(withCallDeadline(input, options.deadline), options.startBy)));
      return out.MessageId ?? '';
    } catch (error) {
      throw classify(error);
    }
  }

  public async getQuota(): Promise<SendQuota> {
    if (this.#quota && Date.now() - this.#quota.at < QUOTA_CACHE_MS) return this.#quota.value;
    // Callers that arrive while a read is under way (a cold batch's tasks) share it.
    this.#quotaRead ??= this.#ses
      .send(new GetSendQuotaCommand({}))
      .then((out) => {
        const value = { maxSendRate: out.MaxSendRate ?? 1, max24HourSend: out.Max24HourSend ?? 200, sentLast24Hours: out.SentLast24Hours ?? 0 };
        this.#quota = { value, at: Date.now() };
        return value;
      })
      .finally(() => {
        this.#quotaRead = undefined;
      });
    return this.#quotaRead;
  }
}

/**
 * Whether a caller writes the encoded chunks of a personalised message (`ENCODED_DATA`): the
 * lean client does; an SDK client (an SdkCaller's `client`) only with the middlewares of
 * {@link useLeanRawMessageBody}. Without them the SDK would send the empty `RawMessage.Data`
 * that the chunks stand in for, so such a caller gets the message's bytes instead (slower,
 * and correct). Duck-typed: this module imports nothing of the SDK at run time.
 */
function takesEncodedChunks(caller: AwsCaller): boolean {
  const stack = (caller as { client?: { middlewareStack?: { identify?: () => string[] } } }).client?.middlewareStack;
  if (typeof stack?.identify !== 'function') return true;
  return stack.identify().some((entry) => entry.startsWith(SWAP_NAME));
}

/**
 * Network errors that can only happen before the request reached SES (nothing was sent):
 * the connection was refused or never came up, or the name did not resolve.
 */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
/** `@smithy/node-http-handler`'s connection timeout (the socket never connected). */
const CONNECT_TIMEOUT = /did not establish a connection/;

/**
 * Whether SES may have received the request without our seeing its answer: the call was
 * aborted at its deadline (`AbortError`), timed out waiting for the answer or while reading
 * it (`TimeoutError`, which the HTTP handler also uses for ECONNRESET, EPIPE and ETIMEDOUT),
 * or the connection dropped (`socket hang up`); or SES answered 2xx and the answer could not
 * be read (it accepted the message; the id is lost). Errors with any other HTTP status are
 * SES's answer, and a connection that never came up sent nothing.
 */
function outcomeUnknown(e: { name?: string; message?: string; code?: string; $metadata?: { httpStatusCode?: number } }): boolean {
  const status = e.$metadata?.httpStatusCode;
  if (status !== undefined) return status >= 200 && status < 300;
  if (e.code !== undefined && NOT_SENT_CODES.has(e.code)) return false;
  if (e.name === 'AbortError') return true;
  if (e.name === 'TimeoutError') return !CONNECT_TIMEOUT.test(e.message ?? '');
  return e.code === 'ECONNRESET' || e.code === 'EPIPE' || /socket hang up/i.test(e.message ?? '');
}

/**
 * Maps an SES error (the SDK's exception or the lean client's AwsServiceError: both read by
 * name, `$fault` and `$metadata`) to the core's send errors: permanent, transient (SES
 * refused or the request never left), quota, unknown outcome (SES may have accepted it), or
 * slot missed (the request was not written: its start-by time had passed).
 */
export function classify(error: unknown): Error {
  if (error instanceof SendSlotMissedError) return error;
  const e = error as { name?: string; message?: string; code?: string; $metadata?: { httpStatusCode?: number } };
  const message = `${e.name ?? 'Error'}: ${e.message ?? String(error)}`;
  // The lean client wrote nothing: the request's start-by time had passed.
  if (e.name === START_MISSED) return new SendSlotMissedError(message, { cause: error });
  if (outcomeUnknown(e)) return new SendOutcomeUnknownError(message, { cause: error });
  if (e.name === 'Throttling' || e.name === 'ThrottlingException') {
    // SES says "Daily message quota exceeded" when the 24-hour quota is gone.
    if (/daily message quota/i.test(e.message ?? '')) return new QuotaExhaustedError(message, { cause: error });
    return new TransientSendError(message, { cause: error });
  }
  if (e.name && PERMANENT.has(e.name)) return new PermanentSendError(message, { cause: error });
  // Anything else (5xx, connection refused, credentials) may pass: retried, and after maxReceiveCount
  // deliveries it lands in the dead-letter queue rather than failing every recipient.
  return new TransientSendError(message, { cause: error });
}
