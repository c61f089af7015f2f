/**
 * Domain types of the articles module. Type-only: no runtime code lives here.
 *
 * Words (see docs/CONTEXT.md): an **article** is one story the publisher dropped in the
 * content bucket; an **editor's-choice item** ("pick") is a story the editors highlight,
 * either an article flagged `editorsChoice` or a teaser block found on a page export.
 */

/** Formats the ingestion understands, detected by extension and content. */
export const ArticleFormat = {
  JSON: 'json',
  MARKDOWN: 'markdown',
  PAGE_EXPORT: 'page-export',
} as const;
export type ArticleFormat = (typeof ArticleFormat)[keyof typeof ArticleFormat];

export interface ArticleImage {
  url: string;
  alt: string;
  caption?: string;
}

/**
 * An article as parsed from one source object, before it is stored.
 * Text fields hold plain text; `bodyHtml` holds sanitised HTML (allow-list) when the
 * source had HTML or Markdown, and is absent for plain-text sources.
 */
export interface ParsedArticle {
  /** Stable id: the URL when known, else a slug of the object key. */
  id: string;
  title: string;
  url?: string;
  /** ISO-8601; absent when the source has none (the object's LastModified is used then). */
  publishedAt?: string;
  section: string;
  /** Plain text, at most 300 characters (first paragraph cut at a word boundary + "…" when defaulted). */
  summary: string;
  /** Plain-text body, paragraphs separated by a blank line. */
  bodyText: string;
  /** Sanitised HTML body (allow-list), when the source body was HTML or Markdown. */
  bodyHtml?: string;
  image?: ArticleImage;
  tags: string[];
  editorsChoice: boolean;
  breaking: boolean;
  source?: string;
  /** Photo credit / caption line of page exports (`photo:`). */
  photo?: string;
  /** BCP 47 language tag; defaults to the configured content language. */
  language: string;
}

/** An editor's-choice teaser found on a page export ("Editor's choice" block). */
export interface EditorsChoiceItem {
  /** Derived from the normalised headline, so the same teaser on two pages is one item. */
  id: string;
  headline: string;
  section: string;
  teaser: string;
  url?: string;
}

/** What the parser makes of one source object. */
export interface ParseResult {
  format: ArticleFormat;
  /** Absent for a listing page (teasers only). */
  article?: ParsedArticle;
  picks: EditorsChoiceItem[];
}

/** Input to the parser: the raw bytes of one object and what S3 says about it. */
export interface SourceObject {
  key: string;
  body: Uint8Array;
  lastModified: Date;
  contentType?: string;
}

/** An article as kept in the store. */
export interface StoredArticle extends ParsedArticle {
  /** `publishedAt` resolved (explicit field, else the object's LastModified). */
  publishedAt: string;
  /** When this article first entered the store (ISO-8601). Editions pick by this. */
  ingestedAt: string;
  /** When the stored article last changed after the first ingest. */
  updatedAt?: string;
  /** True once a changed object replaced the first version (not sent again as new). */
  updated: boolean;
  /** The object key it came from. */
  sourceKey: string;
  /** sha256 of the object's bytes. */
  contentHash: string;
  /** Normalised word tokens of title, summary and body, for keyword alerts. */
  keywords: string[];
}

/** An editor's-choice teaser as kept in the store. */
export interface StoredPick extends EditorsChoiceItem {
  ingestedAt: string;
  sourceKey: string;
}

/**
 * Why an object could not be read (its content), or could not be ingested (an internal
 * error: `attempts` is set, and the reason starts with `internal: `).
 */
export interface QuarantineRecord {
  key: string;
  reason: string;
  /** ISO-8601: when it was quarantined (for an internal error, the last attempt). */
  at: string;
  /**
   * Internal errors only: how many attempts at these bytes failed so far. The reconciliation
   * tries again until there were 3, then leaves the object in quarantine.
   */
  attempts?: number;
  /** Internal errors only: sha256 of the bytes that failed, when they could be read. */
  contentHash?: string;
}
