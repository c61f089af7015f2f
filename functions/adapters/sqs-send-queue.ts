/**
 * SendQueue on SQS: SendMessageBatch, 10 entries a call, calls in parallel; entries that
 * SQS reports as failed are retried a few times before the page fails (so the fan-out
 * cursor does not move past tasks that were never enqueued).
 */
import { SendMessageBatchCommand, type AwsCaller } from './aws-commands.ts';
import type { SendQueue } from '../core/delivery/ports.ts';
import type { SendTask } from '../core/delivery/types.ts';
import { DigestError } from '../core/errors.ts';

const BATCH = 10;
const ATTEMPTS = 3;

/**
 * @example
 * ```ts
 * const queue = new SqsSendQueue({ client: leanSqs(config), queueUrl: config.SEND_QUEUE_URL });
 * await queue.enqueue([{ editionId: 'daily-2026-11-28', subscriberId: 's_1' }]);
 * ```
 */
export class SqsSendQueue implements SendQueue {
  readonly #sqs: AwsCaller;
  readonly #url: string;

  public constructor(options: { client: AwsCaller; queueUrl: string }) {
    this.#sqs = options.client;
    this.#url = options.queueUrl;
  }

  public async enqueue(tasks: readonly SendTask[], options: { delaySeconds?: number } = {}): Promise<void> {
    const batches: SendTask[][] = [];
    for (let i = 0; i < tasks.length; i += BATCH) batches.push(tasks.slice(i, i + BATCH));
    await Promise.all(batches.map((batch) => this.#sendBatch(batch, options.delaySeconds)));
  }

  async #sendBatch(batch: SendTask[], delaySeconds: number | undefined): Promise<void> {
    let entries = batch.map((task, i) => ({
      Id: String(i),
      MessageBody: JSON.stringify(task),
      ...(delaySeconds ? { DelaySeconds: delaySeconds } : {}),
    }));
    for (let attempt = 1; entries.length > 0; attempt++) {
      const out = await this.#sqs.send(new SendMessageBatchCommand({ QueueUrl: this.#url, Entries: entries }));
      const failed = new Set((out.Failed ?? []).map((f) => f.Id));
      if (failed.size === 0) return;
      if (attempt >= ATTEMPTS) {
        const reasons = (out.Failed ?? []).map((f) => `${f.Code}: ${f.Message}`).join('; ');
        throw new DigestError(`SQS refused ${failed.size} send task(s): ${reasons}`);
      }
      entries = entries.filter((e) => failed.has(e.Id));
    }
  }
}
