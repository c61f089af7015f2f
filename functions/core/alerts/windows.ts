/**
 * When a subscriber's alert window closes (its **due time**), by cadence, and the cap's local
 * day. Pure functions over the zone helper (zoned-time.ts); no I/O.
 *
 * - `instant`: the first match plus the instant window (`ALERT_INSTANT_WINDOW_MINUTES`, 5);
 *   a breaking article makes it due at once;
 * - `hourly`: the next full hour, local time;
 * - `daily`: the next delivery hour (0–23, default 7) in the subscriber's zone;
 * - `weekly`: the next Monday at the delivery hour.
 *
 * The first match of a window fixes its due time: later matches join it (see docs/alerts.md).
 */
import { AlertCadence } from '../subscribers/types.ts';
import type { ActiveCadence } from './types.ts';
import { localDay, nextLocalHour, nextLocalMidnight, nextLocalTopOfHour } from './zoned-time.ts';

/** Weekly digests go out on this ISO weekday (1 = Monday). */
export const WEEKLY_DAY = 1;

/** A follower's settings that decide its due times. */
export interface WindowSettings {
  cadence: ActiveCadence;
  /** IANA zone; UTC when the subscriber gave none. */
  timezone: string;
  /** Local delivery hour of daily and weekly digests (0–23). */
  alertHour: number;
}

/**
 * When a window opened by a match at `matchedAt` closes.
 *
 * @example
 * ```ts
 * dueAt({ cadence: 'hourly', timezone: 'UTC', alertHour: 7 }, Date.parse('2026-12-01T10:05:00Z'), { instantWindowMs: 300_000 });
 * // Date.parse('2026-12-01T11:00:00Z')
 * ```
 */
export function dueAt(settings: WindowSettings, matchedAt: number, options: { instantWindowMs: number; breaking?: boolean }): number {
  switch (settings.cadence) {
    case AlertCadence.INSTANT:
      return options.breaking ? matchedAt : matchedAt + options.instantWindowMs;
    case AlertCadence.HOURLY:
      return nextLocalTopOfHour(matchedAt, settings.timezone);
    case AlertCadence.DAILY:
      return nextLocalHour(matchedAt, settings.timezone, settings.alertHour);
    case AlertCadence.WEEKLY:
      return nextLocalHour(matchedAt, settings.timezone, settings.alertHour, [WEEKLY_DAY]);
  }
}

/**
 * Where a window held back by the daily cap goes: the start of the subscriber's next local
 * day for `instant` and `hourly`, the next delivery time for `daily` and `weekly` (never
 * earlier than the next local day).
 *
 * @example
 * ```ts
 * nextAllowed({ cadence: 'instant', timezone: 'Europe/Amsterdam', alertHour: 7 }, Date.parse('2026-12-01T20:00:00Z'));
 * // Date.parse('2026-12-01T23:00:00Z') (midnight in Amsterdam)
 * ```
 */
export function nextAllowed(settings: WindowSettings, now: number): number {
  const midnight = nextLocalMidnight(now, settings.timezone);
  if (settings.cadence === AlertCadence.INSTANT || settings.cadence === AlertCadence.HOURLY) return midnight;
  return dueAt(settings, midnight - 1, { instantWindowMs: 0 });
}

/**
 * The subscriber's local day the cap counts in, `YYYY-MM-DD`.
 *
 * @example
 * ```ts
 * capDay(Date.parse('2026-12-01T23:30:00Z'), 'Europe/Amsterdam'); // '2026-12-02'
 * ```
 */
export function capDay(instant: number, timezone: string): string {
  return localDay(instant, timezone);
}
