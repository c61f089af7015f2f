/**
 * Edition analytics: what SES reported about each message of an edition after it accepted it
 * (the configuration set's events), counted per edition. The words are those of
 * docs/CONTEXT.md (engagement event, counter, retention).
 */

/** The SES event types we record (the values of `eventType`). */
export const EngagementType = {
  SEND: 'Send',
  DELIVERY: 'Delivery',
  DELIVERY_DELAY: 'DeliveryDelay',
  BOUNCE: 'Bounce',
  COMPLAINT: 'Complaint',
  REJECT: 'Reject',
  RENDERING_FAILURE: 'Rendering Failure',
  OPEN: 'Open',
  CLICK: 'Click',
} as const;
export type EngagementType = (typeof EngagementType)[keyof typeof EngagementType];

/** The counters of an edition. */
export const Counter = {
  SENT: 'sent',
  DELIVERED: 'delivered',
  DELAYED: 'delayed',
  BOUNCED_PERMANENT: 'bouncedPermanent',
  BOUNCED_TRANSIENT: 'bouncedTransient',
  COMPLAINED: 'complained',
  REJECTED: 'rejected',
  RENDERING_FAILED: 'renderingFailed',
  OPENS: 'opens',
  UNIQUE_OPENS: 'uniqueOpens',
  CLICKS: 'clicks',
  UNIQUE_CLICKS: 'uniqueClicks',
} as const;
export type Counter = (typeof Counter)[keyof typeof Counter];

/** Every counter, in the order reports show them. */
export const COUNTERS: readonly Counter[] = Object.values(Counter);

/** One SES event, read from its notification, against an edition and a recipient. */
export interface EngagementEvent {
  /**
   * The event's own id (32 hex digits), derived from what SES says about it: the message id,
   * the type and what tells two events of one message apart (a bounce's or complaint's
   * feedback id, an open's or click's time and link). A redelivered notification has the same id.
   */
  id: string;
  type: EngagementType;
  editionId: string;
  subscriberId: string;
  messageId: string;
  /** When it happened (ISO-8601; SES's event timestamp, else the mail's). */
  at: string;
  /** Bounces: `Permanent`, `Transient` or `Undetermined`. */
  bounceType?: string;
  /** Clicks: the link followed. */
  link?: string;
}

/** The first open or click of a recipient. */
export const FirstKind = { OPEN: 'open', CLICK: 'click' } as const;
export type FirstKind = (typeof FirstKind)[keyof typeof FirstKind];

/** What a stored event's claim found. */
export const ClaimOutcome = {
  /** Nobody recorded it: this caller counts it. */
  CLAIMED: 'claimed',
  /** It was counted before (a redelivered notification). */
  COUNTED: 'counted',
  /** Another caller is counting it right now. */
  BUSY: 'busy',
} as const;
export type ClaimOutcome = (typeof ClaimOutcome)[keyof typeof ClaimOutcome];

/** What to add to one counter shard. */
export interface CounterIncrement {
  counters: Partial<Record<Counter, number>>;
  /** Clicks: the link, counted per link. */
  link?: string;
  /** Sends and deliveries: the minute they happened in (`2026-12-01T10:05`), for the chart. */
  minute?: string;
}

/** One link and its clicks. */
export interface LinkClicks {
  url: string;
  clicks: number;
}

/** Sends and deliveries in one minute. */
export interface TimelinePoint {
  minute: string;
  sent: number;
  delivered: number;
}

/** An edition's totals, summed over the shards. */
export interface EngagementTotals {
  counters: Record<Counter, number>;
  /** Most clicked first. */
  links: LinkClicks[];
  /** Oldest first. */
  timeline: TimelinePoint[];
}
