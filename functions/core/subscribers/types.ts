/**
 * Domain types of the subscribers module. Type-only.
 */

export const SubscriberStatus = {
  PENDING: 'pending',
  CONFIRMED: 'confirmed',
  UNSUBSCRIBED: 'unsubscribed',
  BOUNCED: 'bounced',
  COMPLAINED: 'complained',
} as const;
export type SubscriberStatus = (typeof SubscriberStatus)[keyof typeof SubscriberStatus];

export const Newsletter = { DAILY: 'daily', WEEKLY: 'weekly', NONE: 'none' } as const;
export type Newsletter = (typeof Newsletter)[keyof typeof Newsletter];

export const AlertCadence = { INSTANT: 'instant', HOURLY: 'hourly', DAILY: 'daily', WEEKLY: 'weekly', NONE: 'none' } as const;
export type AlertCadence = (typeof AlertCadence)[keyof typeof AlertCadence];

/** How consent was given, kept as evidence. */
export interface ConsentEvidence {
  /** ISO-8601 */
  at: string;
  /** e.g. `double-opt-in`, `import` */
  method: string;
  /** sha256 of the source IP (never the IP itself), when known. */
  ipHash?: string;
}

export interface Subscriber {
  /** Opaque, stable id derived from the normalised address (see subscriberIdFor). */
  id: string;
  /** Normalised address (trimmed, lower-cased domain and local part). */
  email: string;
  name?: string;
  status: SubscriberStatus;
  newsletter: Newsletter;
  alerts: AlertCadence;
  keywords: string[];
  /** IANA time zone; UTC when absent. */
  timezone?: string;
  /** Local hour (0–23) of daily and weekly alert digests; 7 when absent. */
  alertHour?: number;
  consent?: ConsentEvidence;
  createdAt: string;
  updatedAt: string;
  /** Soft bounces (ISO-8601 times) within the last 30 days. */
  softBounces?: string[];
}

/** A segment the sending jobs page through without a scan. */
export type Segment =
  | { kind: 'newsletter'; newsletter: Exclude<Newsletter, 'none'> }
  | { kind: 'alerts'; cadence: Exclude<AlertCadence, 'none'> };

/** One page of a segment; `cursor` is opaque and absent on the last page. */
export interface SubscriberPage {
  subscribers: Subscriber[];
  cursor?: string;
}
