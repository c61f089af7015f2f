/**
 * Send now, in two steps (docs/editors.md#send-now). The dry run works out which edition
 * would go out (the period's edition when the schedule has not made it yet, the held edition
 * of the period, else a special edition with its own id), renders it exactly as the build
 * will, counts its recipients per segment and stores an **intent** with a content hash and an
 * expiry. Nothing is sent until a confirm quotes the intent's id, its count and its hash; any
 * other quote, an expired intent, content that changed since, or no recipients at all is
 * refused with 409 and sends nothing. The one confirm that claims the intent creates the
 * edition (conditionally: the schedule then finds it there, one edition, never two) and
 * starts the edition function asynchronously; a repeated confirm starts nothing new.
 */
import { randomBytes } from 'node:crypto';
import { segmentFor } from '../delivery/fan-out-service.ts';
import { newEditionRecord } from '../editions/edition-service.ts';
import type { EditionRepository, EditionStarter } from '../editions/ports.ts';
import { EditionState, JobName } from '../editions/types.ts';
import { ConflictError, NotFoundError, ValidationError } from '../errors.ts';
import type { SubscriberRepository } from '../subscribers/ports.ts';
import type { Segment } from '../subscribers/types.ts';
import { contentHash, type EditionPreviewer } from './edition-preview.ts';
import { MAX_SPECIAL, nextEdition } from './next-edition.ts';
import type { AuditLog, IntentStore } from './ports.ts';
import { AuditAction, IntentKind, type EditorIdentity, type SendIntent } from './types.ts';

/** How long an intent waits for its confirm. */
export const INTENT_TTL_MS = 15 * 60_000;

export interface SendNowDeps {
  previewer: EditionPreviewer;
  editions: EditionRepository;
  subscribers: SubscriberRepository;
  intents: IntentStore;
  audit: AuditLog;
  starter: EditionStarter;
  /** The newsletter's name as the confirmation shows it. */
  newsletterName: (job: JobName) => string;
  now?: () => number;
  /** Makes intent ids (default: 10 random base-36 characters). */
  newId?: () => string;
  /** Each job's time zone (its schedule's), which names the period's edition; UTC when absent. */
  zones?: Partial<Record<JobName, string>>;
}

/** What a confirm quotes: the intent's recipient count and content hash. */
export interface ConfirmQuote {
  count: number;
  hash: string;
}

/** What a confirm did. `started: false` when the intent was confirmed before (nothing new started). */
export interface ConfirmResult {
  intent: string;
  edition: string;
  started: boolean;
  message: string;
}

/** The code a CLI user quotes on the second call: `<intent>.<count>.<hash>`. */
export function confirmCode(intent: Pick<SendIntent, 'id' | 'total' | 'contentHash'>): string {
  return `${intent.id}.${intent.total}.${intent.contentHash}`;
}

/**
 * Reads a confirm code made by {@link confirmCode}.
 *
 * @throws ValidationError when it is not one.
 * @example
 * ```ts
 * parseConfirmCode('k3j9x2m1qa.3.a3f1c09b5e2d7781'); // { intent: 'k3j9x2m1qa', count: 3, hash: 'a3f1c09b5e2d7781' }
 * ```
 */
export function parseConfirmCode(code: string): ConfirmQuote & { intent: string } {
  const match = /^([a-z0-9]{6,40})\.(\d{1,9})\.([0-9a-f]{16})$/.exec(code.trim());
  if (!match) throw new ValidationError('code: expected <intent>.<count>.<hash>, as the dry run printed it');
  return { intent: match[1] as string, count: Number(match[2]), hash: match[3] as string };
}

const segmentLabel = (segment: Segment): string => (segment.kind === 'newsletter' ? `newsletter:${segment.newsletter}` : `alerts:${segment.cadence}`);

/**
 * @example
 * ```ts
 * const sendNow = new SendNow({ previewer, editions, subscribers, intents, audit, starter, newsletterName });
 * const intent = await sendNow.dryRun('daily', editor);
 * await sendNow.confirm(intent.id, { count: intent.total, hash: intent.contentHash }, editor);
 * ```
 */
export class SendNow {
  readonly #d: SendNowDeps;
  readonly #now: () => number;

  public constructor(deps: SendNowDeps) {
    this.#d = deps;
    this.#now = deps.now ?? Date.now;
  }

  /**
   * The first step: stores and returns an intent.
   *
   * @throws ConflictError when the period's edition is being built or sent, when there is
   *   nothing new, or when the segment has no recipients.
   */
  public async dryRun(job: JobName, editor: EditorIdentity): Promise<SendIntent & { code: string; confirmation: string }> {
    if (job !== JobName.DAILY && job !== JobName.WEEKLY) throw new ValidationError(`job: "${job}" is not a newsletter (daily or weekly)`);
    const now = new Date(this.#now());
    const { kind, editionId } = await this.#target(job, now);
    const to = now.toISOString();
    let preview;
    try {
      preview = await this.#d.previewer.next(job, { editionId, to });
    } catch (error) {
      if (error instanceof NotFoundError) throw new ConflictError(`nothing to send: ${error.message}`, { cause: error });
      throw error;
    }
    const segment = segmentFor(job);
    const count = await this.#d.subscribers.countSegment(segment);
    if (count === 0) throw new ConflictError(`nothing to send: the ${this.#d.newsletterName(job)} has no confirmed subscribers`);
    const intent: SendIntent = {
      id: this.#d.newId?.() ?? newIntentId(),
      job,
      kind,
      editionId,
      from: preview.from ?? to,
      to,
      subject: preview.subject,
      newsletter: this.#d.newsletterName(job),
      recipients: { [segmentLabel(segment)]: count },
      total: count,
      contentHash: preview.contentHash,
      createdAt: to,
      createdBy: editor.username,
      expiresAt: new Date(now.getTime() + INTENT_TTL_MS).toISOString(),
    };
    await this.#d.intents.put(intent);
    await this.#audit(editor, AuditAction.DRY_RUN, intent, `intent ${intent.id} (${kind})`);
    return { ...intent, code: confirmCode(intent), confirmation: confirmationText(intent) };
  }

  /**
   * The second step.
   *
   * @throws NotFoundError for an unknown intent; ConflictError (409, nothing sent) for a
   *   quote that does not match, an expired intent, content that changed, no recipients, or
   *   an edition that someone else started in the meantime.
   */
  public async confirm(id: string, quote: ConfirmQuote, editor: EditorIdentity): Promise<ConfirmResult> {
    const intent = await this.#d.intents.get(id);
    if (!intent) throw new NotFoundError(`no intent "${id}": run the dry run again`);
    if (quote.count !== intent.total || quote.hash !== intent.contentHash) {
      await this.#audit(editor, AuditAction.SEND_REFUSED, intent, `the quote (${quote.count}, ${quote.hash}) does not match the intent`);
      throw new ConflictError(`the confirmation does not match intent ${id} (it is for ${intent.total} recipients, content ${intent.contentHash}): nothing was sent`);
    }
    if (intent.confirmedAt) return this.#already(intent);
    const now = this.#now();
    if (now > Date.parse(intent.expiresAt)) {
      await this.#audit(editor, AuditAction.SEND_REFUSED, intent, 'the intent expired');
      throw new ConflictError(`intent ${id} expired at ${intent.expiresAt}: run the dry run again; nothing was sent`);
    }
    const refusal = await this.#recheck(intent);
    if (refusal) {
      await this.#audit(editor, AuditAction.SEND_REFUSED, intent, refusal);
      throw new ConflictError(`${refusal}: run the dry run again; nothing was sent`);
    }
    if (!(await this.#d.intents.confirm(id, editor.username, new Date(now).toISOString()))) {
      return this.#already((await this.#d.intents.get(id)) ?? intent);
    }
    const blocked = await this.#claimEdition(intent, new Date(now));
    if (blocked) {
      await this.#d.intents.setOutcome(id, blocked);
      await this.#audit(editor, AuditAction.SEND_REFUSED, intent, blocked);
      throw new ConflictError(`${blocked}: nothing new was started`);
    }
    await this.#d.starter.start({ job: intent.job, editionId: intent.editionId, scheduledAt: intent.createdAt, from: intent.from, to: intent.to });
    await this.#d.intents.setOutcome(id, 'started');
    await this.#audit(editor, AuditAction.SEND_CONFIRMED, intent, `intent ${intent.id}`);
    return { intent: id, edition: intent.editionId, started: true, message: `${confirmationText(intent).replace(/^Send/, 'Sending')}: edition ${intent.editionId} started` };
  }

  /** Which edition a send-now of `job` makes or sends right now. */
  async #target(job: JobName, now: Date): Promise<{ kind: SendIntent['kind']; editionId: string }> {
    const next = await nextEdition(this.#d.editions, job, now, this.#d.zones?.[job]);
    if (!('busy' in next)) return next;
    const { editionId, state } = next.busy;
    if (state === EditionState.BUILDING) throw new ConflictError(`edition ${editionId} is being built: wait for it, or resume it`);
    if (state === EditionState.SENDING) throw new ConflictError(`edition ${editionId} is sending: watch it, or cancel it`);
    throw new ConflictError(`${editionId.replace(/-s\d+$/, '')} already has ${MAX_SPECIAL - 1} special editions`);
  }

  /** Renders the intent's edition again and counts its recipients: why it cannot go out as planned, or undefined. */
  async #recheck(intent: SendIntent): Promise<string | undefined> {
    let hash: string;
    try {
      hash = contentHash((await this.#d.previewer.next(intent.job, { editionId: intent.editionId, to: intent.to })).rendered);
    } catch (error) {
      if (error instanceof NotFoundError) return `the content changed since the dry run (${error.message})`;
      throw error;
    }
    if (hash !== intent.contentHash) return `the content changed since the dry run (hash ${hash}, not ${intent.contentHash})`;
    if ((await this.#d.subscribers.countSegment(segmentFor(intent.job))) === 0) return `the ${intent.newsletter} has no confirmed subscribers any more`;
    return undefined;
  }

  /** Creates the intent's edition (or takes its held edition); says why not when someone else got there first. */
  async #claimEdition(intent: SendIntent, now: Date): Promise<string | undefined> {
    if (intent.kind === IntentKind.HELD) {
      const held = await this.#d.editions.get(intent.editionId);
      if (held?.state !== EditionState.HELD) return `edition ${intent.editionId} is ${held?.state ?? 'gone'}, not held any more`;
      await this.#d.editions.update(intent.editionId, { from: intent.from, to: intent.to });
      return (await this.#d.editions.transition(intent.editionId, EditionState.HELD, EditionState.BUILDING)) ? undefined : `edition ${intent.editionId} was started by someone else`;
    }
    const { created, edition } = await this.#d.editions.createIfAbsent(
      newEditionRecord({ id: intent.editionId, job: intent.job, scheduledAt: new Date(intent.createdAt), now, from: intent.from, to: intent.to }),
    );
    return created ? undefined : `edition ${intent.editionId} was made in the meantime (it is ${edition.state})`;
  }

  #already(intent: SendIntent): ConfirmResult {
    if (intent.outcome && intent.outcome !== 'started') throw new ConflictError(`intent ${intent.id} was confirmed already and could not start: ${intent.outcome}`);
    return {
      intent: intent.id,
      edition: intent.editionId,
      started: false,
      message: `intent ${intent.id} was confirmed already${intent.confirmedBy ? ` by ${intent.confirmedBy}` : ''}${intent.confirmedAt ? ` at ${intent.confirmedAt}` : ''}: edition ${intent.editionId}; nothing new was started`,
    };
  }

  async #audit(editor: EditorIdentity, action: (typeof AuditAction)[keyof typeof AuditAction], intent: SendIntent, detail: string): Promise<void> {
    await this.#d.audit.record({
      at: new Date(this.#now()).toISOString(),
      actor: editor.username,
      actorSub: editor.sub,
      action,
      job: intent.job,
      edition: intent.editionId,
      counts: { recipients: intent.total },
      detail,
    });
  }
}

/** "Send “<subject>” to N subscribers of <newsletter>" */
export function confirmationText(intent: Pick<SendIntent, 'subject' | 'total' | 'newsletter'>): string {
  return `Send “${intent.subject}” to ${intent.total} subscriber${intent.total === 1 ? '' : 's'} of ${intent.newsletter}`;
}

function newIntentId(): string {
  return [...randomBytes(10)].map((b) => (b % 36).toString(36)).join('');
}
