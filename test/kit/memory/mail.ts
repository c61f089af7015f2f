/**
 * The mail provider in memory: a scripted SES stand-in, a fixed daily quota, and a
 * confirmation mailer that records what it was asked to send.
 */
import type { DailyQuota, MailSender, SendQuota } from '../../../functions/core/delivery/ports.ts';
import type { OutgoingMessage } from '../../../functions/core/delivery/types.ts';
import { QuotaExhaustedError } from '../../../functions/core/errors.ts';
import type { ConfirmationMailer } from '../../../functions/core/subscribers/ports.ts';
import { InMemoryAdapter, clone, type InMemoryOptions } from './adapter.ts';

/** What the fake provider answers to one send (`call` counts from 1): a message id, or an error to throw. */
export type SendScript = (message: OutgoingMessage, call: number) => string | Error | Promise<string | Error>;

const METHODS = ['send', 'getQuota'] as const;

/**
 * A mail provider that answers as its script says and keeps every accepted message.
 *
 * @example
 * ```ts
 * const mail = new FakeMailSender({ script: (_m, call) => (call === 1 ? new TransientSendError('Throttling') : `ses-${call}`) });
 * mail.recipients(); // addresses of the accepted messages
 * ```
 */
export class FakeMailSender extends InMemoryAdapter<(typeof METHODS)[number]> implements MailSender {
  /** Every message the provider accepted, in order. */
  public readonly accepted: OutgoingMessage[] = [];
  /** What getQuota answers. */
  public quota: SendQuota = { maxSendRate: 14, max24HourSend: 50_000, sentLast24Hours: 0 };
  #script: SendScript;
  #sends = 0;

  public constructor(options: InMemoryOptions & { script?: SendScript } = {}) {
    super(METHODS, options);
    this.#script = options.script ?? ((_m, call) => `ses-${call}`);
  }

  /** Replaces the script for the next sends. */
  public script(script: SendScript): void {
    this.#script = script;
  }

  /** The deadline each send was given (epoch ms), in call order. */
  public readonly deadlines: Array<number | undefined> = [];

  /** The start-by time each send was given (epoch ms), in call order. */
  public readonly startBys: Array<number | undefined> = [];

  public async send(message: OutgoingMessage, options: { deadline?: number; startBy?: number } = {}): Promise<string> {
    await this.enter('send', arguments);
    this.deadlines.push(options.deadline);
    this.startBys.push(options.startBy);
    this.#sends += 1;
    const outcome = await this.#script(message, this.#sends);
    if (outcome instanceof Error) throw outcome;
    this.accepted.push(clone(message));
    return outcome;
  }

  public async getQuota(): Promise<SendQuota> {
    await this.enter('getQuota', arguments);
    return { ...this.quota };
  }

  /** The addresses of the accepted messages, in order. */
  public recipients(): string[] {
    return this.accepted.map((m) => m.to);
  }
}

/**
 * A daily quota with a fixed number of sends left.
 *
 * @example
 * ```ts
 * const quota = new FixedQuota(2);
 * quota.recordSent(2);
 * await quota.ensureAvailable(); // throws QuotaExhaustedError
 * ```
 */
export class FixedQuota implements DailyQuota {
  public left: number;
  public exhausted: string | undefined;

  public constructor(left = Number.POSITIVE_INFINITY) {
    this.left = left;
  }

  public async remaining(): Promise<number> {
    return this.exhausted ? 0 : Math.max(0, this.left);
  }

  public async ensureAvailable(): Promise<void> {
    if ((await this.remaining()) <= 0) throw new QuotaExhaustedError(this.exhausted ?? 'daily sending quota exhausted: test');
  }

  public recordSent(count = 1): void {
    this.left -= count;
  }

  public markExhausted(reason: string): void {
    this.exhausted = reason;
  }
}

/**
 * A confirmation mailer that keeps every mail it was asked to send.
 *
 * @example
 * ```ts
 * const mailer = new RecordingConfirmationMailer();
 * await service.subscribe(request, { sourceIp });
 * mailer.sent[0]?.url; // the confirm link
 * ```
 */
export class RecordingConfirmationMailer extends InMemoryAdapter<'sendConfirmation'> implements ConfirmationMailer {
  /** Each confirmation: the address, the link, and how many arguments came (the port takes two: no name). */
  public readonly sent: Array<{ to: string; url: string; args: number }> = [];

  public constructor(options: InMemoryOptions = {}) {
    super(['sendConfirmation'], options);
  }

  public async sendConfirmation(to: string, url: string, ...rest: unknown[]): Promise<void> {
    await this.enter('sendConfirmation', arguments);
    this.sent.push({ to, url, args: 2 + rest.length });
  }
}
