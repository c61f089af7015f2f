/**
 * Every public URL the system hands out, built in one place: the web archive's pages (an
 * edition's page, a job's index and feed) and the subscriber links (subscribe page, confirm,
 * preferences, unsubscribe). No MJML, no I/O: the send worker, the edition job, the HTTP API and the CLI
 * all use it.
 *
 * Archive paths are relative to the archive root (the `archive/` prefix of the artefacts
 * bucket, served under `ARCHIVE_BASE_URL`); {@link ArchivePath} gives the path, a
 * {@link Links} instance the absolute URL.
 */

/** Where each public archive file lives, relative to the archive root. */
export const ArchivePath = {
  /**
   * An edition's public page.
   *
   * @example
   * ```ts
   * ArchivePath.edition('daily-2026-11-28'); // 'editions/daily-2026-11-28.html'
   * ```
   */
  edition: (editionId: string): string => `editions/${editionId}.html`,
  /** A job's archive index, e.g. `daily/index.html`. */
  index: (job: string): string => `${job}/index.html`,
  /** A job's Atom feed, e.g. `daily/feed.xml`. */
  feed: (job: string): string => `${job}/feed.xml`,
  /**
   * The page behind an alert digest's "and N more": every article it matched. `token` is
   * random and unguessable (the page lists articles only, but which ones is the reader's).
   *
   * @example
   * ```ts
   * ArchivePath.alertMatches('alerts-2026-12-01T10-05', 'q3Zk…'); // 'alerts/alerts-2026-12-01T10-05/q3Zk….html'
   * ```
   */
  alertMatches: (flushId: string, token: string): string => `alerts/${flushId}/${token}.html`,
} as const;

/** The two public bases the links start from. */
export interface LinkBases {
  /** The HTTP API: confirm, preferences and unsubscribe links. */
  publicBaseUrl: string;
  /** Where the archive is served. */
  archiveBaseUrl: string;
}

const trimSlashes = (url: string): string => url.replace(/\/+$/, '');

/**
 * Builds the public URLs. Tokens are URL-encoded here (base64url tokens need none, but a
 * token is never trusted to be URL-safe).
 *
 * @example
 * ```ts
 * const links = new Links({ publicBaseUrl: 'https://api.example.com', archiveBaseUrl: 'https://example.com/archive' });
 * links.editionPage('daily-2026-11-28'); // 'https://example.com/archive/editions/daily-2026-11-28.html'
 * links.unsubscribe('abc'); // 'https://api.example.com/unsubscribe?token=abc'
 * ```
 */
export class Links {
  readonly #api: string;
  readonly #archive: string;

  public constructor(bases: LinkBases) {
    this.#api = trimSlashes(bases.publicBaseUrl);
    this.#archive = trimSlashes(bases.archiveBaseUrl);
  }

  /** An archive file's absolute URL, from its {@link ArchivePath}. */
  public archiveFile(path: string): string {
    return `${this.#archive}/${path}`;
  }

  /** An edition's public web page (the "view in browser" link). */
  public editionPage(editionId: string): string {
    return this.archiveFile(ArchivePath.edition(editionId));
  }

  /** A job's archive index. */
  public archiveIndex(job: string): string {
    return this.archiveFile(ArchivePath.index(job));
  }

  /** A job's Atom feed. */
  public feed(job: string): string {
    return this.archiveFile(ArchivePath.feed(job));
  }

  /** The page with the unsubscribe button (and the RFC 8058 one-click target). */
  public unsubscribe(token: string): string {
    return this.#tokenLink('unsubscribe', token);
  }

  /** The preferences page. */
  public preferences(token: string): string {
    return this.#tokenLink('preferences', token);
  }

  /**
   * The public subscribe page (`GET /subscribe`, a plain form that posts to the same path).
   *
   * @example
   * ```ts
   * links.subscribePage(); // 'https://api.example.com/subscribe'
   * ```
   */
  public subscribePage(): string {
    return `${this.#api}/subscribe`;
  }

  /** The double opt-in confirmation link. */
  public confirm(token: string): string {
    return this.#tokenLink('confirm', token);
  }

  #tokenLink(path: string, token: string): string {
    return `${this.#api}/${path}?token=${encodeURIComponent(token)}`;
  }
}
