/**
 * Domain types of the editions module: type-only, but for the `as const` value objects.
 */
import type { StoredArticle, StoredPick } from '../articles/types.ts';

/** The scheduled jobs. `alerts` builds alert digests (alerts issue). */
export const JobName = {
  DAILY: 'daily',
  WEEKLY: 'weekly',
  ALERTS: 'alerts',
} as const;
export type JobName = (typeof JobName)[keyof typeof JobName];

/** Life cycle of an edition (see docs/CONTEXT.md). */
export const EditionState = {
  BUILDING: 'building',
  SENDING: 'sending',
  SENT: 'sent',
  CANCELLED: 'cancelled',
  /** Created late (schedule fired past the allowed delay): waits for an editor. */
  HELD: 'held',
} as const;
export type EditionState = (typeof EditionState)[keyof typeof EditionState];

/** One entry of the editor's-choice block: a flagged article or a page-export teaser. */
export interface EditionPick {
  id: string;
  headline: string;
  section: string;
  summary: string;
  url?: string;
  image?: { url: string; alt: string; caption?: string };
}

/**
 * An editor's change to the editor's-choice block of a job's next edition, kept beside the
 * editions (never in the content bucket) and applied when the edition is assembled.
 */
export interface PickOverride {
  /**
   * Stories that lead the block, in this order: picks of the period, or articles of the
   * period promoted to picks. Ids no longer in the period are ignored.
   */
  pinned: readonly string[];
  /** Picks taken out of the block: an article goes back to its section, a teaser is left out. */
  unpinned: readonly string[];
}

/** The stored override of a job, with who changed it and which edition used it. */
export interface PickOverrideRecord extends PickOverride {
  job: JobName;
  /** Bumped by every change: a change quotes the version it was made from. */
  version: number;
  updatedAt: string;
  /** Who changed it (the editor's user name). */
  updatedBy: string;
  /** The edition that was built with it; later editions start from the content's own order. */
  appliedTo?: string;
}

/** A section of the edition with its stories, most recent first. */
export interface EditionSection {
  name: string;
  articles: StoredArticle[];
}

/** What goes into one edition, ordered: editor's choice first, then sections. */
export interface EditionContent {
  id: string;
  job: JobName;
  /** ISO-8601: the edition's period start and end (ingest time). */
  from: string;
  to: string;
  picks: EditionPick[];
  sections: EditionSection[];
  /** Language of the edition (BCP 47), from the content. */
  language: string;
}

/** Picks as they come from the store, before they are merged with flagged articles. */
export type PickSource = StoredPick | StoredArticle;

/**
 * Personalisation tokens left in a rendered artefact and replaced per recipient at send
 * time. The values are HTML-escaped at replacement time.
 */
export const Token = {
  NAME: '%%{name}%%',
  UNSUBSCRIBE_URL: '%%{unsubscribe_url}%%',
  PREFERENCES_URL: '%%{preferences_url}%%',
  WEB_VIEW_URL: '%%{web_view_url}%%',
} as const;
export type Token = (typeof Token)[keyof typeof Token];

/** The artefact of rendering one edition once: still holds tokens. */
export interface RenderedEdition {
  editionId: string;
  subject: string;
  preheader: string;
  /** HTML part, with tokens. */
  html: string;
  /** Plain-text part, with tokens. */
  text: string;
  language: string;
  /** The tokens that appear in html or text. */
  tokens: Token[];
  /** Number of stories shown in the email (picks + articles) and left out for size. */
  shown: number;
  omitted: number;
}

/** One published edition as the archive index and feed list it. */
export interface ArchiveEntry {
  id: string;
  title: string;
  /** ISO-8601. */
  publishedAt: string;
}
