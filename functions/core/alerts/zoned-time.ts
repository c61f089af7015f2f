/**
 * Wall-clock time in an IANA time zone, on `Intl.DateTimeFormat` alone (no library): the
 * local date and hour of an instant, and the instant of a local date and hour, correct across
 * daylight-saving changes.
 *
 * Two local times are special on a DST day:
 * - in the spring-forward **gap** (Europe/Amsterdam 2026-03-29 02:00–02:59 does not exist),
 *   a local time resolves to the next valid instant: the end of the gap (03:00 local);
 * - in the fall-back **fold** (America/New_York 2026-11-01 01:00–01:59 happens twice), it
 *   resolves to the first occurrence (the earlier instant, still on daylight time).
 */

/** A local calendar date and time (month 1–12). */
export interface LocalTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      weekday: 'short',
    });
    formatters.set(zone, f);
  }
  return f;
}

const WEEKDAYS: Readonly<Record<string, number>> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

/** The runtime's canonical zone names, read once. */
let canonicalZones: ReadonlySet<string> | undefined;

/**
 * Whether a string names a time zone this runtime knows. A canonical name is looked up in
 * `Intl.supportedValuesOf('timeZone')` (about 2 ms the first time); anything else (an alias
 * such as Asia/Calcutta, or not a zone) is tried on a formatter. The first formatter of a
 * process costs about 30 ms (ICU's set-up), which the configuration's check of the schedules
 * would otherwise add to every function's cold start, the send function's included.
 *
 * @example
 * ```ts
 * isTimeZone('Europe/Amsterdam'); // true
 * isTimeZone('Mars/Olympus');     // false
 * ```
 */
export function isTimeZone(zone: string): boolean {
  canonicalZones ??= new Set(Intl.supportedValuesOf('timeZone'));
  if (canonicalZones.has(zone)) return true;
  try {
    formatter(zone);
    return true;
  } catch {
    return false;
  }
}

/**
 * The local date and time of an instant in a zone, with the ISO weekday (1 = Monday).
 *
 * @example
 * ```ts
 * localTimeOf(Date.parse('2026-03-29T01:00:00Z'), 'Europe/Amsterdam'); // { …, day: 29, hour: 3, minute: 0, weekday: 7 }
 * ```
 */
export function localTimeOf(instant: number, zone: string): LocalTime & { weekday: number } {
  const parts: Record<string, string> = {};
  for (const p of formatter(zone).formatToParts(instant)) parts[p.type] = p.value;
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    weekday: WEEKDAYS[parts.weekday ?? ''] ?? 1,
  };
}

/** The zone's offset from UTC at an instant (ms; +2 h in Amsterdam in summer), to the minute. */
function offsetAt(instant: number, zone: string): number {
  const l = localTimeOf(instant, zone);
  const asUtc = Date.UTC(l.year, l.month - 1, l.day, l.hour, l.minute);
  return asUtc - Math.floor(instant / 60_000) * 60_000;
}

/**
 * The instant of a local date and time in a zone. A time in a DST gap gives the next valid
 * instant (the end of the gap); a time in a DST fold gives its first occurrence. Days and
 * months outside their range roll over as with `Date.UTC` (day 32 of January is 1 February).
 *
 * @example
 * ```ts
 * new Date(instantOf({ year: 2026, month: 3, day: 29, hour: 2, minute: 0 }, 'Europe/Amsterdam')).toISOString();
 * // '2026-03-29T01:00:00.000Z' (02:00 does not exist that day: 03:00 CEST)
 * ```
 */
export function instantOf(local: LocalTime, zone: string): number {
  const wall = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute);
  // The offsets in force around that wall time: transitions are months apart, so these two
  // are the only candidates.
  const before = offsetAt(wall - DAY_MS, zone);
  const after = offsetAt(wall + DAY_MS, zone);
  const candidates = [...new Set([wall - before, wall - after])].sort((a, b) => a - b);
  const valid = candidates.filter((t) => offsetAt(t, zone) === wall - t);
  if (valid.length > 0) return valid[0] as number;
  // In a gap: the first instant whose offset is the later one (the transition), to the minute.
  let lo = Math.min(...candidates);
  let hi = Math.max(...candidates);
  const late = offsetAt(hi, zone);
  while (hi - lo > 60_000) {
    const mid = Math.floor((lo + hi) / 2 / 60_000) * 60_000;
    if (offsetAt(mid, zone) === late) hi = mid;
    else lo = mid;
  }
  return hi;
}

/**
 * The local calendar day of an instant in a zone, `YYYY-MM-DD`.
 *
 * @example
 * ```ts
 * localDay(Date.parse('2026-12-01T23:30:00Z'), 'Europe/Amsterdam'); // '2026-12-02'
 * ```
 */
export function localDay(instant: number, zone: string): string {
  const l = localTimeOf(instant, zone);
  return `${l.year}-${String(l.month).padStart(2, '0')}-${String(l.day).padStart(2, '0')}`;
}

/**
 * The first instant after `instant` at which local time is `hour`:00, on a day whose ISO
 * weekday is in `weekdays` (all days when absent). An hour that does not exist that day (DST
 * gap) gives the end of the gap.
 *
 * @example
 * ```ts
 * // 07:00 in New York, the day after a 10:00 match:
 * new Date(nextLocalHour(Date.parse('2026-11-01T15:00:00Z'), 'America/New_York', 7)).toISOString();
 * // '2026-11-02T12:00:00.000Z'
 * ```
 */
export function nextLocalHour(instant: number, zone: string, hour: number, weekdays?: readonly number[]): number {
  const today = localTimeOf(instant, zone);
  for (let add = 0; add <= 8; add += 1) {
    const noon = Date.UTC(today.year, today.month - 1, today.day + add, 12);
    const date = new Date(noon);
    const weekday = date.getUTCDay() === 0 ? 7 : date.getUTCDay();
    if (weekdays && !weekdays.includes(weekday)) continue;
    const at = instantOf({ year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate(), hour, minute: 0 }, zone);
    if (at > instant) return at;
  }
  throw new RangeError(`no local ${hour}:00 within 8 days in ${zone}`);
}

/**
 * The first instant after `instant` at which a new local hour starts (minute 0). Equal to the
 * next UTC hour in zones with whole-hour offsets; correct for India (+05:30) and Nepal too.
 *
 * @example
 * ```ts
 * new Date(nextLocalTopOfHour(Date.parse('2026-12-01T10:05:00Z'), 'Asia/Kolkata')).toISOString();
 * // '2026-12-01T10:30:00.000Z' (16:00 in India)
 * ```
 */
export function nextLocalTopOfHour(instant: number, zone: string): number {
  const minute = Math.floor(instant / 60_000) * 60_000;
  const l = localTimeOf(minute, zone);
  let candidate = minute + (60 - l.minute) * 60_000;
  // An offset change inside the hour (rare: DST at a half hour) is caught by checking.
  while (localTimeOf(candidate, zone).minute !== 0 && candidate - instant < 2 * HOUR_MS) candidate += 60_000;
  return candidate;
}

/**
 * The start of the next local day (00:00, or the first valid instant after it).
 *
 * @example
 * ```ts
 * new Date(nextLocalMidnight(Date.parse('2026-12-01T10:00:00Z'), 'Europe/Amsterdam')).toISOString();
 * // '2026-12-01T23:00:00.000Z'
 * ```
 */
export function nextLocalMidnight(instant: number, zone: string): number {
  return nextLocalHour(instant, zone, 0);
}
