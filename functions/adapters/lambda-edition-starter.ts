/**
 * EditionStarter on AWS Lambda: invokes the `edition` function asynchronously
 * (`InvocationType: Event`) with the edition's id and period. Lambda queues the event and
 * retries a failed run twice; the reconciler starts an edition stuck in `building` again.
 * Locally the client points at serverless-offline's Lambda endpoint, which runs the same
 * handler.
 */
import { InvokeCommand, type AwsCaller } from './aws-commands.ts';
import type { EditionStartRequest, EditionStarter } from '../core/editions/ports.ts';
import { DigestError } from '../core/errors.ts';

/**
 * @example
 * ```ts
 * const starter = new LambdaEditionStarter({ client: new SdkCaller(lambdaClient(config)), functionName: 'news-digest-prod-edition' });
 * await starter.start({ job: 'daily', editionId: 'daily-2026-11-28', scheduledAt: new Date().toISOString() });
 * ```
 */
export class LambdaEditionStarter implements EditionStarter {
  readonly #client: AwsCaller;
  readonly #functionName: string;

  public constructor(options: { client: AwsCaller; functionName: string }) {
    this.#client = options.client;
    this.#functionName = options.functionName;
  }

  public async start(request: EditionStartRequest): Promise<void> {
    const event = {
      job: request.job,
      edition: request.editionId,
      time: request.scheduledAt,
      force: true,
      ...(request.from ? { from: request.from } : {}),
      ...(request.to ? { to: request.to } : {}),
    };
    const out = await this.#client.send(
      new InvokeCommand({ FunctionName: this.#functionName, InvocationType: 'Event', Payload: new TextEncoder().encode(JSON.stringify(event)) }),
    );
    // An asynchronous invocation is accepted with 202; anything else means it was not queued.
    if (out.StatusCode !== 202) throw new DigestError(`the edition function did not accept the run (status ${out.StatusCode ?? 'none'})`);
  }
}
