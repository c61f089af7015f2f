/**
 * The editors' preview: the next edition of a job (built and rendered exactly as the edition
 * job will build it, with the editors' pick override), or any edition from its stored
 * artefact, personalised for one recipient with their tokens filled in, as the send worker
 * fills them. A test send sends these very bytes (test-send.ts); the content hash is the
 * one a send-now intent quotes.
 */
import { createHash } from 'node:crypto';
import type { ArtefactStore, EditionRepository, PickOverrideStore } from '../editions/ports.ts';
import type { EditionContent, EditionState, JobName, PickOverrideRecord, RenderedEdition } from '../editions/types.ts';
import { ConfigError, NotFoundError } from '../errors.ts';
import type { Links } from '../links.ts';
import { fillTokens, type Recipient } from '../rendering/personalizer.ts';
import { normaliseEmail, subscriberIdFor } from '../subscribers/identity.ts';
import type { SubscriberRepository } from '../subscribers/ports.ts';
import { signToken, TokenPurpose, type TokenSecrets } from '../subscribers/tokens.ts';
import { nextEdition } from './next-edition.ts';

/** The link lifetimes the send worker gives its tokens. */
const UNSUBSCRIBE_LINK_TTL_S = 365 * 86_400;
const PREFERENCES_LINK_TTL_S = 90 * 86_400;

/** Who a preview (or a test send) is personalised for when no address is given. */
export const SAMPLE_RECIPIENT = { email: 'reader@example.com', name: 'Sample Reader' } as const;

/** Renders the next edition of a job (EditionService.preview): only the preview, test and send functions have it. */
export type RenderNext = (
  job: JobName,
  now: Date,
  options: { editionId?: string; to?: string },
) => Promise<{ content: EditionContent; rendered: RenderedEdition }>;

/** A recipient with the links made for them, and the id their tokens are signed for. */
export interface PreviewRecipient extends Recipient {
  subscriberId: string;
  /** Not a subscriber: the sample reader, or an address that is not subscribed. */
  sample: boolean;
}

/** One story of the editor's-choice block, or one that could be pinned there. */
export interface PickView {
  id: string;
  headline: string;
  section: string;
  pinned?: boolean;
}

/** What the console shows of an edition. */
export interface EditionPreview {
  editionId: string;
  job: JobName;
  /** The next edition (not built yet), or an existing one. */
  next: boolean;
  state?: EditionState;
  subject: string;
  preheader: string;
  /** The email as this recipient gets it: tokens filled in (HTML escaped in `html`). */
  html: string;
  text: string;
  recipient: { email: string; name?: string; sample: boolean };
  contentHash: string;
  from?: string;
  to?: string;
  /**
   * The next edition only: the editor's-choice block in order, the articles that could be
   * pinned, and the job's stored override (its version is what a change quotes) with whether
   * it applies to this edition (not when another edition was built with it).
   */
  picks?: PickView[];
  candidates?: PickView[];
  override?: PickOverrideRecord;
  overrideActive?: boolean;
}

export interface EditionPreviewerDeps {
  artefacts: ArtefactStore;
  editions: EditionRepository;
  subscribers: SubscriberRepository;
  picks: PickOverrideStore;
  links: Links;
  /**
   * Signs the links of a test send with the first (as the send worker does). Previews never
   * sign: their unsubscribe and preferences links are inert ({@link PREVIEW_TOKEN}), so that a
   * viewer who previews "as" a subscriber gets no working link of theirs. Absent in the
   * functions that only preview.
   */
  tokenSecret?: TokenSecrets;
  /** Absent in the functions without MJML: they preview existing editions only. */
  renderNext?: RenderNext;
  now?: () => number;
  /** Each job's time zone (its schedule's), which names the period's edition; UTC when absent. */
  zones?: Partial<Record<JobName, string>>;
}

/** The token of a preview's unsubscribe and preferences links: not a token, so the pages refuse it. */
export const PREVIEW_TOKEN = 'preview';

/**
 * The content hash of a rendered edition: 16 hex digits of the sha256 of its subject, HTML
 * and text, tokens left in (so it is the same for every recipient).
 *
 * @example
 * ```ts
 * contentHash(rendered); // 'a3f1c09b5e2d7781'
 * ```
 */
export function contentHash(rendered: Pick<RenderedEdition, 'subject' | 'html' | 'text'>): string {
  return createHash('sha256').update(`${rendered.subject}\u0000${rendered.html}\u0000${rendered.text}`, 'utf8').digest('hex').slice(0, 16);
}

/**
 * @example
 * ```ts
 * const previewer = new EditionPreviewer({ artefacts, editions, subscribers, picks, links, tokenSecret, renderNext });
 * const preview = await previewer.next('daily', { recipient: 'ann@example.org' });
 * ```
 */
export class EditionPreviewer {
  readonly #d: EditionPreviewerDeps;
  readonly #now: () => number;

  public constructor(deps: EditionPreviewerDeps) {
    this.#d = deps;
    this.#now = deps.now ?? Date.now;
  }

  /**
   * The next edition of a job as it would be built now (or with the id and period end it
   * will have), personalised for `recipient`.
   *
   * @throws NotFoundError when there is nothing new to send.
   */
  public async next(job: JobName, options: { recipient?: string; editionId?: string; to?: string } = {}): Promise<EditionPreview & { rendered: RenderedEdition }> {
    if (!this.#d.renderNext) throw new NotFoundError('this function previews existing editions only');
    const now = new Date(this.#now());
    // The edition a send-now would make (its id is in the web view link, so in the bytes).
    const next = options.editionId ? undefined : await nextEdition(this.#d.editions, job, now, this.#d.zones?.[job]);
    const editionId = options.editionId ?? (next && !('busy' in next) ? next.editionId : undefined);
    const [{ content, rendered }, override] = await Promise.all([
      this.#d.renderNext(job, now, { ...(editionId ? { editionId } : {}), ...(options.to ? { to: options.to } : {}) }),
      this.#d.picks.get(job),
    ]);
    const active = override && (override.appliedTo === undefined || override.appliedTo === content.id) ? override : undefined;
    const pinned = new Set(active?.pinned ?? []);
    return {
      ...(await this.#view(rendered, job, options.recipient)),
      next: true,
      from: content.from,
      to: content.to,
      picks: content.picks.map((p) => ({ id: p.id, headline: p.headline, section: p.section, pinned: pinned.has(p.id) })),
      candidates: content.sections.flatMap((s) => s.articles.map((a) => ({ id: a.id, headline: a.title, section: s.name }))),
      ...(override ? { override, overrideActive: active !== undefined } : {}),
      rendered,
    };
  }

  /** An edition that was built, from its stored artefact. @throws NotFoundError */
  public async existing(editionId: string, options: { recipient?: string } = {}): Promise<EditionPreview & { rendered: RenderedEdition }> {
    const edition = await this.#d.editions.get(editionId);
    if (!edition) throw new NotFoundError(`no edition "${editionId}"`);
    const rendered = await this.#d.artefacts.getEdition(editionId);
    if (!rendered) throw new NotFoundError(`edition "${editionId}" has not been rendered (it is ${edition.state})`);
    return {
      ...(await this.#view(rendered, edition.job, options.recipient)),
      next: false,
      state: edition.state,
      ...(edition.from ? { from: edition.from } : {}),
      ...(edition.to ? { to: edition.to } : {}),
      rendered,
    };
  }

  /**
   * Who a preview or test send is for: the subscriber with that address (their name, their
   * links), else the address as a sample reader; without an address, {@link SAMPLE_RECIPIENT}.
   *
   * @throws ValidationError for an invalid address.
   */
  public async recipientFor(email: string | undefined, editionId: string, options: { liveLinks?: boolean } = { liveLinks: true }): Promise<PreviewRecipient> {
    const address = email === undefined ? undefined : normaliseEmail(email);
    const subscriber = address ? await this.#d.subscribers.get(subscriberIdFor(address)) : undefined;
    const subscriberId = subscriber?.id ?? 'sample';
    const nowS = Math.floor(this.#now() / 1000);
    const { links, tokenSecret } = this.#d;
    const name = subscriber ? subscriber.name : address ? undefined : SAMPLE_RECIPIENT.name;
    const sign = (purpose: TokenPurpose, ttlS: number): string => {
      if (options.liveLinks === false) return PREVIEW_TOKEN;
      if (!tokenSecret) throw new ConfigError('this function previews only: it has no token secret to sign live links');
      return signToken(tokenSecret, { subscriberId, purpose, expiresAt: nowS + ttlS });
    };
    return {
      email: address ?? SAMPLE_RECIPIENT.email,
      ...(name ? { name } : {}),
      subscriberId,
      sample: !subscriber,
      unsubscribeUrl: links.unsubscribe(sign(TokenPurpose.UNSUBSCRIBE, UNSUBSCRIBE_LINK_TTL_S)),
      preferencesUrl: links.preferences(sign(TokenPurpose.PREFERENCES, PREFERENCES_LINK_TTL_S)),
      webViewUrl: links.editionPage(editionId),
    };
  }

  async #view(rendered: RenderedEdition, job: JobName, email: string | undefined): Promise<Omit<EditionPreview, 'next'>> {
    const recipient = await this.recipientFor(email, rendered.editionId, { liveLinks: false });
    return {
      editionId: rendered.editionId,
      job,
      subject: rendered.subject,
      preheader: rendered.preheader,
      html: fillTokens(rendered.html, recipient, { html: true }),
      text: fillTokens(rendered.text, recipient, { html: false }),
      recipient: { email: recipient.email, ...(recipient.name ? { name: recipient.name } : {}), sample: recipient.sample },
      contentHash: contentHash(rendered),
    };
  }
}
