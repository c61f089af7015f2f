/**
 * SQS spoken to directly, without the AWS SDK: SendMessageBatch in the AWS JSON 1.0 protocol
 * (`x-amz-target: AmazonSQS.SendMessageBatch`), which our pinned `@aws-sdk/client-sqs` speaks
 * too and the local queue (local-aws-sqs) answers. The request body is the input as JSON (the
 * SDK's serializer writes the same members; a test compares the two), the answer's
 * `Successful` and `Failed` are passed on as the SDK gives them (and, as the SDK's
 * middleware-sdk-sqs does, each accepted body's MD5 is checked), an error answer is an
 * {@link AwsServiceError} named by its `__type`. Up to three attempts on throttling, 5xx,
 * timeouts and network errors (the SDK's standard retry mode, as the SQS client is
 * configured). Any other command is refused with an error naming it.
 */
import { createHash } from 'node:crypto';
import type { SendMessageBatchCommandInput } from '@aws-sdk/client-sqs';
import { SendMessageBatchCommand, type AwsCommand } from './aws-commands.ts';
import { LeanAwsCaller, jsonServiceError, withStandardRetries, type SignedHttpOptions } from './aws-signed-http.ts';

/** What the lean SQS client needs. */
export interface LeanSqsOptions {
  /** `https://sqs.<region>.amazonaws.com`, or the local queue's. */
  endpoint: string;
  region: string;
  credentials: SignedHttpOptions['credentials'];
  timeouts: SignedHttpOptions['timeouts'];
  maxSockets: number;
  /** Attempts per call (3, the SDK's default, unless given). */
  maxAttempts?: number;
}

const HEADERS = { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.SendMessageBatch' };

/**
 * @example
 * ```ts
 * const sqs = new LeanSqsClient({ endpoint: 'https://sqs.eu-west-1.amazonaws.com', region: 'eu-west-1', credentials: async () => credentials, timeouts: { connectionMs: 1_000, requestMs: 3_000 }, maxSockets: 50 });
 * const { Failed } = await sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: [{ Id: '0', MessageBody: '{}' }] }));
 * ```
 */
export class LeanSqsClient extends LeanAwsCaller {
  readonly #maxAttempts: number;

  public constructor(options: LeanSqsOptions) {
    const { maxAttempts, ...rest } = options;
    super({ ...rest, service: 'sqs' });
    this.#maxAttempts = maxAttempts ?? 3;
  }

  public override send<Input extends object, Output extends object>(command: AwsCommand<Input, Output>): Promise<Output> {
    if (!(command instanceof SendMessageBatchCommand)) {
      return this.unsupported(command, 'SendMessageBatchCommand');
    }
    return this.#sendBatch(command.input) as Promise<Output>;
  }

  async #sendBatch(input: SendMessageBatchCommandInput): Promise<object> {
    const body = [Buffer.from(JSON.stringify(input), 'utf8')];
    const out = await withStandardRetries(this.#maxAttempts, async (attempts, totalRetryDelay) => {
      const response = await this.http.post(HEADERS, body);
      const $metadata = { httpStatusCode: response.status, requestId: String(response.headers['x-amzn-requestid'] ?? ''), attempts, totalRetryDelay };
      if (response.status < 200 || response.status >= 300) throw jsonServiceError(response, $metadata, 'SQS');
      const out = response.body.byteLength > 0 ? (JSON.parse(response.body.toString('utf8')) as { Successful?: Array<{ Id?: string; MD5OfMessageBody?: string }> }) : {};
      return { ...out, $metadata };
    });
    // After the attempts, as the SDK checks it (never retried: SQS took those messages).
    checkMd5(input, out.Successful ?? []);
    return out;
  }
}

/** The SDK's check (middleware-sdk-sqs): SQS's MD5 of each accepted body must be the body's. */
function checkMd5(input: SendMessageBatchCommandInput, successful: ReadonlyArray<{ Id?: string; MD5OfMessageBody?: string }>): void {
  const bodies = new Map((input.Entries ?? []).map((e) => [e.Id, e.MessageBody ?? '']));
  const bad = successful.filter((s) => {
    const body = bodies.get(s.Id);
    return body !== undefined && s.MD5OfMessageBody !== undefined && createHash('md5').update(body, 'utf8').digest('hex') !== s.MD5OfMessageBody;
  });
  if (bad.length > 0) throw new Error(`Invalid MD5 checksum on messages: ${bad.map((s) => s.Id).join(', ')}`);
}
