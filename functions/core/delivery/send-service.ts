/**
 * The send worker's use case: for each task, take the ledger lease, check the subscriber's
 * status at send time, personalise the edition's artefact (tokens only, no MJML), send it
 * under the shared rate, and record the outcome. Every send goes through the ledger, so a
 * recipient gets an edition at most once however often a task is delivered.
 */
import type { EditionRepository } from '../editions/edition-repository.ts';
import type { ArtefactStore } from '../editions/artefact-store.ts';
import { EditionState } from '../editions/types.ts';
import { PermanentSendError, QuotaExhaustedError, TransientSendError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { personalize, prepareMessage, type MessageHeaders, type MessageTemplate } from '../rendering/personalizer.ts';
import { emailHash } from '../subscribers/identity.ts';
import type { SubscriberRepository } from '../subscribers/subscriber-repository.ts';
import { signToken, TokenPurpose } from '../subscribers/tokens.ts';
import { SubscriberStatus } from '../subscribers/types.ts';
import { mapBounded } from '../concurrency.ts';
import { isComplete } from './fan-out-service.ts';
import type { DeliveryLedger, MailSender, SendQueue, SendRateLimiter } from './ports.ts';
import { DeliveryState, type SendTask } from './types.ts';

export interface SendServiceDeps {
  ledger: DeliveryLedger;
  subscribers: SubscriberRepository;
  editions: EditionRepository;
  artefacts: ArtefactStore;
  mail: MailSender;
  rate: SendRateLimiter;
  queue: SendQueue;
  logger: Logger;
  headers: Omit<MessageHeaders, 'subject'>;
  links: { publicBaseUrl: string; archiveBaseUrl: string; tokenSecret: string };
  configurationSet?: string;
  /** SES calls in flight at once in this worker. */
  concurrency: number;
  leaseMs: number;
  /** Attempts per message inside one invocation when the provider throttles. */
  maxAttempts?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** What happened to one task. `retry` tasks are reported to SQS as batch item failures. */
export const TaskOutcome = {
  SENT: 'sent',
  FAILED: 'failed',
  SKIPPED: 'skipped',
  DUPLICATE: 'duplicate',
  RETRY: 'retry',
  REQUEUED: 'requeued',
} as const;
export type TaskOutcome = (typeof TaskOutcome)[keyof typeof TaskOutcome];

const UNSUBSCRIBE_LINK_TTL_S = 365 * 86_400;
const PREFERENCES_LINK_TTL_S = 90 * 86_400;
/** Where quota-stopped tasks wait before they are tried again (SQS maximum delay). */
const QUOTA_RETRY_DELAY_S = 900;

/**
 * Sends tasks from the send queue.
 *
 * @example
 * ```ts
 * const outcomes = await service.processBatch([{ editionId: 'daily-2026-11-28', subscriberId: 's_1' }]);
 * ```
 */
export class SendService {
  readonly #d: SendServiceDeps;
  readonly #templates = new Map<string, Promise<MessageTemplate | undefined>>();
  readonly #now: () => number;
  readonly #sleep: (ms: number) => Promise<void>;

  public constructor(deps: SendServiceDeps) {
    this.#d = deps;
    this.#now = deps.now ?? Date.now;
    this.#sleep = deps.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  /** Processes tasks with bounded concurrency; returns one outcome per task, in order. */
  public async processBatch(tasks: readonly SendTask[]): Promise<TaskOutcome[]> {
    let quotaHit = false;
    const outcomes = await mapBounded(tasks, this.#d.concurrency, async (task) => {
      if (quotaHit) return this.#requeue(task);
      try {
        return await this.processTask(task);
      } catch (error) {
        if (error instanceof QuotaExhaustedError) {
          quotaHit = true;
          return this.#requeue(task);
        }
        this.#d.logger.error('send task failed', { edition: task.editionId, subscriber: task.subscriberId, error: String(error) });
        return TaskOutcome.RETRY;
      }
    });
    await this.#count(tasks, outcomes);
    return outcomes;
  }

  /** Processes one task. Throws QuotaExhaustedError (after giving the lease back) when the daily quota is gone. */
  public async processTask(task: SendTask): Promise<TaskOutcome> {
    const { ledger } = this.#d;
    const now = this.#now();
    const leaseUntil = now + this.#d.leaseMs;
    const { granted } = await ledger.acquire(task, { leaseUntil, now, ...(task.retryFailed ? { retryFailed: true } : {}) });
    if (!granted) return TaskOutcome.DUPLICATE;

    const edition = await this.#d.editions.get(task.editionId);
    if (!edition || edition.state === EditionState.CANCELLED) {
      await ledger.complete(task, leaseUntil, { state: DeliveryState.SKIPPED, reason: 'edition cancelled' });
      return TaskOutcome.SKIPPED;
    }
    const subscriber = await this.#d.subscribers.get(task.subscriberId);
    if (!subscriber || subscriber.status !== SubscriberStatus.CONFIRMED) {
      const reason = subscriber ? `subscriber is ${subscriber.status}` : 'subscriber no longer exists';
      await ledger.complete(task, leaseUntil, { state: DeliveryState.SKIPPED, reason });
      return TaskOutcome.SKIPPED;
    }
    const template = await this.#template(task.editionId);
    if (!template) {
      await ledger.release(task, leaseUntil, 'edition artefact not found');
      return TaskOutcome.RETRY;
    }

    const nowS = Math.floor(now / 1000);
    const { publicBaseUrl, archiveBaseUrl, tokenSecret } = this.#d.links;
    const unsubscribeToken = signToken(tokenSecret, { subscriberId: subscriber.id, purpose: TokenPurpose.UNSUBSCRIBE, expiresAt: nowS + UNSUBSCRIBE_LINK_TTL_S });
    const preferencesToken = signToken(tokenSecret, { subscriberId: subscriber.id, purpose: TokenPurpose.PREFERENCES, expiresAt: nowS + PREFERENCES_LINK_TTL_S });
    const raw = personalize(
      template,
      {
        email: subscriber.email,
        ...(subscriber.name ? { name: subscriber.name } : {}),
        unsubscribeUrl: `${publicBaseUrl}/unsubscribe?token=${unsubscribeToken}`,
        preferencesUrl: `${publicBaseUrl}/preferences?token=${preferencesToken}`,
        webViewUrl: `${archiveBaseUrl}/editions/${task.editionId}.html`,
      },
      { subscriberId: subscriber.id, date: new Date(now), messageIdDomain: this.#d.headers.messageIdDomain },
    );

    const maxAttempts = this.#d.maxAttempts ?? 4;
    for (let attempt = 1; ; attempt++) {
      await this.#d.rate.acquire(1);
      try {
        const messageId = await this.#d.mail.send({
          to: subscriber.email,
          raw,
          tags: { edition: task.editionId, subscriber: subscriber.id },
        });
        await ledger.complete(task, leaseUntil, { state: DeliveryState.SENT, messageId });
        return TaskOutcome.SENT;
      } catch (error) {
        if (error instanceof PermanentSendError) {
          await ledger.complete(task, leaseUntil, { state: DeliveryState.FAILED, reason: error.message });
          this.#d.logger.warn('rejected for good', { edition: task.editionId, subscriber: subscriber.id, to: emailHash(subscriber.email), reason: error.message });
          return TaskOutcome.FAILED;
        }
        if (error instanceof QuotaExhaustedError) {
          await ledger.release(task, leaseUntil, error.message);
          throw error;
        }
        const transient = error instanceof TransientSendError;
        if (!transient || attempt >= maxAttempts || this.#now() + 5_000 > leaseUntil) {
          await ledger.release(task, leaseUntil, error instanceof Error ? error.message : String(error));
          return TaskOutcome.RETRY;
        }
        // Full jitter backoff: 100 ms, 200 ms, 400 ms … times a random share.
        await this.#sleep(Math.random() * 100 * 2 ** (attempt - 1));
      }
    }
  }

  #template(editionId: string): Promise<MessageTemplate | undefined> {
    let cached = this.#templates.get(editionId);
    if (!cached) {
      cached = this.#d.artefacts.getEdition(editionId).then((rendered) =>
        rendered ? prepareMessage(rendered, { ...this.#d.headers, subject: rendered.subject }) : undefined,
      );
      cached.catch(() => this.#templates.delete(editionId));
      this.#templates.set(editionId, cached);
    }
    return cached;
  }

  async #requeue(task: SendTask): Promise<TaskOutcome> {
    await this.#d.queue.enqueue([task], { delaySeconds: QUOTA_RETRY_DELAY_S });
    return TaskOutcome.REQUEUED;
  }

  /** Adds this batch's final outcomes to each edition's counters and closes finished editions. */
  async #count(tasks: readonly SendTask[], outcomes: readonly TaskOutcome[]): Promise<void> {
    const perEdition = new Map<string, { sent: number; failed: number; skipped: number }>();
    tasks.forEach((task, i) => {
      const outcome = outcomes[i];
      if (outcome !== TaskOutcome.SENT && outcome !== TaskOutcome.FAILED && outcome !== TaskOutcome.SKIPPED) return;
      const c = perEdition.get(task.editionId) ?? { sent: 0, failed: 0, skipped: 0 };
      c[outcome] += 1;
      perEdition.set(task.editionId, c);
    });
    for (const [editionId, counts] of perEdition) {
      const edition = await this.#d.editions.addCounts(editionId, counts);
      if (edition.state === EditionState.SENDING && isComplete(edition)) {
        await this.#d.editions.transition(editionId, EditionState.SENDING, EditionState.SENT);
      }
    }
  }
}
