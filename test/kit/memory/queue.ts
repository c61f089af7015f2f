/**
 * The send queue in memory: it records what was enqueued.
 */
import type { SendQueue } from '../../../functions/core/delivery/ports.ts';
import type { SendTask } from '../../../functions/core/delivery/types.ts';
import { InMemoryAdapter, clone, type InMemoryOptions } from './adapter.ts';

const METHODS = ['enqueue'] as const;

/**
 * A send queue that keeps every task it was given, in order, with its delay.
 *
 * @example
 * ```ts
 * const queue = new RecordingSendQueue();
 * queue.failNext('enqueue', new Error('SQS is down'));
 * queue.subscriberIds(); // ids of every task enqueued so far
 * ```
 */
export class RecordingSendQueue extends InMemoryAdapter<(typeof METHODS)[number]> implements SendQueue {
  /** Every task enqueued so far, oldest first. */
  public readonly sent: Array<{ task: SendTask; delaySeconds?: number }> = [];

  public constructor(options: InMemoryOptions = {}) {
    super(METHODS, options);
  }

  public async enqueue(tasks: readonly SendTask[], options: { delaySeconds?: number } = {}): Promise<void> {
    await this.enter('enqueue', arguments);
    for (const task of tasks) this.sent.push({ task: clone(task), ...(options.delaySeconds !== undefined ? { delaySeconds: options.delaySeconds } : {}) });
  }

  /** The subscriber ids of every task enqueued so far, oldest first. */
  public subscriberIds(): string[] {
    return this.sent.map((s) => s.task.subscriberId);
  }
}
