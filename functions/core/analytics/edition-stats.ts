/**
 * Use case: how an edition did, as the console and `digest edition stats` show it: the funnel
 * (sent → delivered → opened → clicked, with bounces and complaints), the top links, the sends
 * and deliveries over time, and warnings when the bounce or complaint rate reaches the level at
 * which SES puts an account under review (5% bounces, 0.1% complaints). Reads only.
 */
import type { EditionRepository } from '../editions/ports.ts';
import { NotFoundError } from '../errors.ts';
import type { EngagementStore } from './ports.ts';
import type { Counter, EngagementTotals, LinkClicks, TimelinePoint } from './types.ts';

/** SES reviews an account at these rates (of messages sent). */
export const REVIEW_THRESHOLDS = { bounceRate: 0.05, complaintRate: 0.001 } as const;

/** Top links shown. */
export const TOP_LINKS = 10;

/** One step of the funnel. */
export interface FunnelStep {
  step: 'sent' | 'delivered' | 'opened' | 'clicked';
  count: number;
  /** Share of `sent` (0–1). */
  share: number;
}

/** What the console and the CLI show of an edition. */
export interface EditionStats {
  edition: string;
  job?: string;
  state?: string;
  subject?: string;
  funnel: FunnelStep[];
  counters: Record<Counter, number>;
  /** Hard bounces and complaints over sent (0–1). */
  rates: { bounce: number; complaint: number };
  /** Plain sentences; empty when all is well. */
  warnings: string[];
  links: LinkClicks[];
  timeline: TimelinePoint[];
}

const percent = (rate: number, digits = 1): string => `${(rate * 100).toFixed(digits)}%`;

/**
 * The warnings of an edition's totals: bounce rate ≥ 5%, complaint rate ≥ 0.1% (of sent).
 *
 * @example
 * ```ts
 * reviewWarnings({ sent: 100, bouncedPermanent: 6, complained: 0 });
 * // ['bounce rate 6.0% is at or over 5%: SES reviews accounts from 5% (clean the list)']
 * ```
 */
export function reviewWarnings(counters: Pick<Record<Counter, number>, 'sent' | 'bouncedPermanent' | 'complained'>): string[] {
  const { bounce, complaint } = ratesOf(counters);
  const warnings: string[] = [];
  if (counters.sent > 0 && bounce >= REVIEW_THRESHOLDS.bounceRate) {
    warnings.push(`bounce rate ${percent(bounce)} is at or over 5%: SES reviews accounts from 5% (clean the list)`);
  }
  if (counters.sent > 0 && complaint >= REVIEW_THRESHOLDS.complaintRate) {
    warnings.push(`complaint rate ${percent(complaint, 2)} is at or over 0.1%: SES reviews accounts from 0.1%`);
  }
  return warnings;
}

function ratesOf(counters: Pick<Record<Counter, number>, 'sent' | 'bouncedPermanent' | 'complained'>): { bounce: number; complaint: number } {
  const sent = counters.sent;
  return { bounce: sent > 0 ? counters.bouncedPermanent / sent : 0, complaint: sent > 0 ? counters.complained / sent : 0 };
}

/**
 * An edition's stats from its totals.
 *
 * @example
 * ```ts
 * statsOf('daily-2026-12-01', totals).funnel[1]; // { step: 'delivered', count: 3, share: 0.75 }
 * ```
 */
export function statsOf(edition: string, totals: EngagementTotals): EditionStats {
  const c = totals.counters;
  const share = (n: number): number => (c.sent > 0 ? Math.round((n / c.sent) * 10_000) / 10_000 : 0);
  return {
    edition,
    funnel: [
      { step: 'sent', count: c.sent, share: share(c.sent) },
      { step: 'delivered', count: c.delivered, share: share(c.delivered) },
      { step: 'opened', count: c.uniqueOpens, share: share(c.uniqueOpens) },
      { step: 'clicked', count: c.uniqueClicks, share: share(c.uniqueClicks) },
    ],
    counters: { ...c },
    rates: ratesOf(c),
    warnings: reviewWarnings(c),
    links: totals.links.slice(0, TOP_LINKS),
    timeline: totals.timeline,
  };
}

/**
 * @example
 * ```ts
 * const stats = await new EditionStatsReader({ editions, engagement }).get('daily-2026-12-01');
 * ```
 */
export class EditionStatsReader {
  readonly #d: { editions: EditionRepository; engagement: EngagementStore };

  public constructor(deps: { editions: EditionRepository; engagement: EngagementStore }) {
    this.#d = deps;
  }

  /** @throws NotFoundError for an edition that does not exist. */
  public async get(editionId: string): Promise<EditionStats> {
    const edition = await this.#d.editions.get(editionId);
    if (!edition) throw new NotFoundError(`no edition "${editionId}"`);
    const stats = statsOf(edition.id, await this.#d.engagement.totals(edition.id));
    return { ...stats, job: edition.job, state: edition.state, ...(edition.subject ? { subject: edition.subject } : {}) };
  }

  /** The review warnings of an edition (for the list). */
  public async warnings(editionId: string): Promise<string[]> {
    return reviewWarnings((await this.#d.engagement.totals(editionId)).counters);
  }
}
