/**
 * Domain types of the editions module. Type-only.
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
