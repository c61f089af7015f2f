/**
 * Keeps the keyword index in step with subscribers, in one place: every subscribers use case
 * (subscribe, confirm, preferences, import, unsubscribe, bounce and complaint) hands it the
 * subscriber before and after its change, and it writes only the difference. Never a scan.
 *
 * A subscriber is in the index when confirmed with alerts on (`instant`, `hourly`, `daily`,
 * `weekly`). Their entries carry the cadence, zone and delivery hour, so matching never reads
 * subscribers; a change of any of them rewrites the subscriber's entries (at most 25).
 */
import { normalisePhrase } from '../articles/keywords.ts';
import type { Logger } from '../logger.ts';
import { deliverySettings } from '../subscribers/alert-settings.ts';
import type { AlertFollowing } from '../subscribers/ports.ts';
import { AlertCadence, SubscriberStatus, type Subscriber } from '../subscribers/types.ts';
import type { KeywordIndex } from './ports.ts';
import type { FollowerEntry } from './types.ts';

/**
 * The follower entries a subscriber should have in the index: none unless confirmed with
 * alerts on; one per normalised phrase of their keywords otherwise.
 *
 * @example
 * ```ts
 * followerEntries({ ...ann, status: 'confirmed', alerts: 'daily', keywords: ['Minsk', 'Café'] });
 * // [{ phrase: 'minsk', label: 'Minsk', cadence: 'daily', timezone: 'UTC', alertHour: 7, … }, { phrase: 'cafe', … }]
 * ```
 */
export function followerEntries(subscriber: Subscriber | undefined): FollowerEntry[] {
  if (!subscriber || subscriber.status !== SubscriberStatus.CONFIRMED || subscriber.alerts === AlertCadence.NONE) return [];
  const { timezone, alertHour } = deliverySettings(subscriber);
  const entries = new Map<string, FollowerEntry>();
  for (const label of subscriber.keywords) {
    const phrase = normalisePhrase(label);
    if (phrase === '' || entries.has(phrase)) continue;
    entries.set(phrase, { phrase, subscriberId: subscriber.id, label, cadence: subscriber.alerts, timezone, alertHour });
  }
  return [...entries.values()];
}

const same = (a: FollowerEntry, b: FollowerEntry): boolean =>
  a.label === b.label && a.cadence === b.cadence && a.timezone === b.timezone && a.alertHour === b.alertHour;

/**
 * @example
 * ```ts
 * const following = new AlertFollowingService({ index, logger });
 * await following.sync(before, after); // called by the subscribers use cases
 * ```
 */
export class AlertFollowingService implements AlertFollowing {
  readonly #index: KeywordIndex;
  readonly #logger: Logger;

  public constructor(deps: { index: KeywordIndex; logger: Logger }) {
    this.#index = deps.index;
    this.#logger = deps.logger;
  }

  public async sync(before: Subscriber | undefined, after: Subscriber | undefined): Promise<void> {
    const old = new Map(followerEntries(before).map((e) => [e.phrase, e]));
    const now = followerEntries(after);
    const keep = new Set(now.map((e) => e.phrase));
    const removed = [...old.keys()].filter((phrase) => !keep.has(phrase));
    const changed = now.filter((e) => {
      const previous = old.get(e.phrase);
      return previous === undefined || !same(previous, e);
    });
    const id = after?.id ?? before?.id;
    if (id === undefined || (removed.length === 0 && changed.length === 0)) return;
    if (changed.length > 0) await this.#index.follow(changed);
    if (removed.length > 0) await this.#index.unfollow(id, removed);
    this.#logger.debug('alert following updated', { subscriber: id, followed: changed.length, unfollowed: removed.length });
  }
}
