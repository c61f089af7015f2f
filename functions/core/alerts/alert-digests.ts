/**
 * The send worker's side of alert digests: one subscriber's email assembled from what the
 * flush froze (the digest record) and prepared (the shell and cards), without MJML. The
 * pieces are read once per process and flush (and prepared for the MIME writer once), so a
 * recipient costs one digest read and a few small strings.
 *
 * Suppression at send time, besides the send service's (not confirmed): alerts turned off
 * since the match, or none of the digest's keywords still followed → skipped.
 */
import { normalisePhrase } from '../articles/keywords.ts';
import type { AlertDigestMessage, AlertDigests } from '../delivery/ports.ts';
import type { Links } from '../links.ts';
import { alertValuesOf, assembleAlert, prepareCard, prepareShell, runsToPieces, type PreparedCard, type PreparedShell } from '../rendering/alert-parts.ts';
import { messageFromPieces, type MessageHeaders } from '../rendering/personalizer.ts';
import { AlertCadence, type Subscriber } from '../subscribers/types.ts';
import type { AlertPieceStore, AlertStore } from './ports.ts';

export interface AlertDigestAssemblerDeps {
  store: Pick<AlertStore, 'getDigest'>;
  pieces: AlertPieceStore;
  /** Builds the address of the page behind "and N more". */
  links: Links;
  headers: Omit<MessageHeaders, 'subject'>;
  siteName: string;
  subjectPattern?: string;
  /** Prepared pieces kept per process (default 5,000 cards and shells). */
  cacheSize?: number;
}

/**
 * @example
 * ```ts
 * const digests = new AlertDigestAssembler({ store, pieces, links, headers, siteName: 'Digest' });
 * const message = await digests.message('alerts-2026-12-01T10-05', subscriber);
 * ```
 */
export class AlertDigestAssembler implements AlertDigests {
  readonly #d: AlertDigestAssemblerDeps;
  readonly #shells = new Map<string, Promise<PreparedShell | undefined>>();
  readonly #cards = new Map<string, Promise<PreparedCard | undefined>>();

  public constructor(deps: AlertDigestAssemblerDeps) {
    this.#d = deps;
  }

  public async message(flushId: string, subscriber: Subscriber): Promise<AlertDigestMessage | undefined> {
    if (subscriber.alerts === AlertCadence.NONE) return { kind: 'skip', reason: 'alerts turned off since the match' };
    const digest = await this.#d.store.getDigest(subscriber.id, flushId);
    if (!digest) return { kind: 'skip', reason: 'alert digest not found' };
    const followed = new Set(subscriber.keywords.map(normalisePhrase));
    if (!digest.articles.some((a) => a.keywords.some((k) => followed.has(normalisePhrase(k))))) {
      return { kind: 'skip', reason: 'no longer follows the keywords of this digest' };
    }
    const shown = digest.articles.slice(0, digest.shown);
    const [shell, ...cards] = await Promise.all([
      this.#shell(flushId, digest.language),
      ...shown.map((a) => this.#card(flushId, a.articleKey)),
    ]);
    if (!shell || cards.some((c) => c === undefined)) return undefined;
    const items = shown.map((a, i) => ({ card: cards[i] as PreparedCard, keywords: a.keywords }));
    const values = alertValuesOf(
      items.map((i) => i.card.headline),
      digest.articles.length,
      digest.page ? this.#d.links.archiveFile(digest.page) : undefined,
      { siteName: this.#d.siteName, ...(this.#d.subjectPattern ? { subjectPattern: this.#d.subjectPattern } : {}) },
    );
    const assembled = assembleAlert(shell, items, values);
    return {
      kind: 'message',
      template: messageFromPieces(flushId, assembled.subject, runsToPieces(assembled.html), runsToPieces(assembled.text), this.#d.headers),
    };
  }

  #shell(flushId: string, language: string): Promise<PreparedShell | undefined> {
    return this.#cached(this.#shells, `${flushId}/${language}`, async () => {
      const shell = await this.#d.pieces.getShell(flushId, language);
      return shell ? prepareShell(shell) : undefined;
    });
  }

  #card(flushId: string, key: string): Promise<PreparedCard | undefined> {
    return this.#cached(this.#cards, `${flushId}/${key}`, async () => {
      const card = (await this.#d.pieces.getCards(flushId, [key])).get(key);
      return card ? prepareCard(card) : undefined;
    });
  }

  /** A piece read once per process; a missing or failed read is tried again next time. */
  #cached<T>(cache: Map<string, Promise<T | undefined>>, key: string, load: () => Promise<T | undefined>): Promise<T | undefined> {
    let found = cache.get(key);
    if (!found) {
      if (cache.size >= (this.#d.cacheSize ?? 5000)) cache.clear();
      found = load();
      cache.set(key, found);
      found.then(
        (value) => value ?? cache.delete(key),
        () => cache.delete(key),
      );
    }
    return found;
  }
}
