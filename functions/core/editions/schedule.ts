/**
 * When a newsletter job runs: a local time in an IANA time zone (`07:00 Europe/Amsterdam`
 * daily, `MON 08:00 Europe/Amsterdam` weekly), and which period an edition covers in that zone.
 * On AWS an EventBridge Scheduler schedule with `ScheduleExpressionTimezone` fires the job
 * (infra/schedules.yml), so the hour stays right across daylight-saving changes; locally
 * infra/local/start.ts waits for {@link nextRunAfter}. Either way the edition's id (its day or
 * ISO week) is taken in the same zone, so `daily-2026-12-02` is the 2nd in Amsterdam.
 */
import { instantOf, isTimeZone, localTimeOf } from '../alerts/zoned-time.ts';
import { ValidationError } from '../errors.ts';
import { JobName } from './types.ts';

/** The ISO weekdays as Scheduler's cron writes them (1 = Monday). */
export const Weekday = { MON: 1, TUE: 2, WED: 3, THU: 4, FRI: 5, SAT: 6, SUN: 7 } as const;
export type Weekday = keyof typeof Weekday;

/** One job's schedule. */
export interface JobSchedule {
  /** Local hour (0–23) and minute (0–59). */
  hour: number;
  minute: number;
  /** IANA time zone. */
  zone: string;
  /** Weekly jobs: the day (`MON` …); daily jobs run every day. */
  day?: Weekday;
}

/** The defaults of serverless.yml's `custom.schedules`. */
export const DEFAULT_SCHEDULES: Readonly<Record<'daily' | 'weekly', string>> = {
  daily: '07:00 Europe/Amsterdam',
  weekly: 'MON 08:00 Europe/Amsterdam',
};

const SCHEDULE = /^(?:(MON|TUE|WED|THU|FRI|SAT|SUN)\s+)?([01]\d|2[0-3]):([0-5]\d)\s+(\S+)$/;

/**
 * Parses `[DAY ]HH:MM Zone`.
 *
 * @throws ValidationError naming what is wrong.
 * @example
 * ```ts
 * parseJobSchedule('MON 08:00 Europe/Amsterdam'); // { day: 'MON', hour: 8, minute: 0, zone: 'Europe/Amsterdam' }
 * ```
 */
export function parseJobSchedule(text: string): JobSchedule {
  const match = SCHEDULE.exec(text.trim());
  if (!match) throw new ValidationError(`schedule "${text}": expected "[MON ]HH:MM Area/City", e.g. "07:00 Europe/Amsterdam"`);
  const [, day, hh = '0', mm = '0', zone = ''] = match;
  if (!isTimeZone(zone)) throw new ValidationError(`schedule "${text}": unknown time zone "${zone}" (an IANA name such as Europe/Amsterdam)`);
  return { hour: Number(hh), minute: Number(mm), zone, ...(day ? { day: day as Weekday } : {}) };
}

/**
 * A schedule as people write it.
 *
 * @example
 * ```ts
 * describeSchedule(parseJobSchedule('MON 08:00 Europe/Amsterdam')); // 'MON 08:00 Europe/Amsterdam'
 * ```
 */
export function describeSchedule(schedule: JobSchedule): string {
  const time = `${String(schedule.hour).padStart(2, '0')}:${String(schedule.minute).padStart(2, '0')}`;
  return `${schedule.day ? `${schedule.day} ` : ''}${time} ${schedule.zone}`;
}

/**
 * The EventBridge Scheduler cron expression of a schedule (evaluated in its zone).
 * infra/schedule-expression.cjs writes the same for the template.
 *
 * @example
 * ```ts
 * cronExpression(parseJobSchedule('MON 08:00 Europe/Amsterdam')); // 'cron(0 8 ? * MON *)'
 * ```
 */
export function cronExpression(schedule: JobSchedule): string {
  return schedule.day
    ? `cron(${schedule.minute} ${schedule.hour} ? * ${schedule.day} *)`
    : `cron(${schedule.minute} ${schedule.hour} * * ? *)`;
}

/**
 * The first instant after `instant` at which the schedule fires. A local time that does not
 * exist that day (the spring-forward gap) fires at the end of the gap, as Scheduler does.
 *
 * @example
 * ```ts
 * new Date(nextRunAfter(Date.parse('2026-03-28T06:00:00Z'), parseJobSchedule('07:00 Europe/Amsterdam'))).toISOString();
 * // '2026-03-29T05:00:00.000Z' (07:00 CEST, the day the clocks go forward)
 * ```
 */
export function nextRunAfter(instant: number, schedule: JobSchedule): number {
  const today = localTimeOf(instant, schedule.zone);
  for (let add = 0; add <= 8; add += 1) {
    const date = new Date(Date.UTC(today.year, today.month - 1, today.day + add, 12));
    const weekday = date.getUTCDay() === 0 ? 7 : date.getUTCDay();
    if (schedule.day && Weekday[schedule.day] !== weekday) continue;
    const at = instantOf({ year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate(), hour: schedule.hour, minute: schedule.minute }, schedule.zone);
    if (at > instant) return at;
  }
  throw new RangeError('no run within 8 days');
}

/** The ISO week (`2026-W48`) of a local calendar date. */
function isoWeek(year: number, month: number, day: number): string {
  const d = new Date(Date.UTC(year, month - 1, day));
  const weekday = d.getUTCDay() || 7;
  d.setUTCDate(d.getUTCDate() + 4 - weekday);
  const yearStart = new Date(Date.UTC(d.getUTCFullYear(), 0, 1));
  const week = Math.ceil(((d.getTime() - yearStart.getTime()) / 86_400_000 + 1) / 7);
  return `${d.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

/**
 * The edition id for a job and the time it was scheduled: one per period, the day (or ISO
 * week) being the one in the job's zone (UTC when none is given).
 *
 * @example
 * ```ts
 * editionIdFor('daily', new Date('2026-11-28T06:00:00Z')); // 'daily-2026-11-28'
 * editionIdFor('daily', new Date('2026-11-28T23:30:00Z'), 'Asia/Yerevan'); // 'daily-2026-11-29'
 * editionIdFor('weekly', new Date('2026-11-28T06:00:00Z')); // 'weekly-2026-W48'
 * ```
 */
export function editionIdFor(job: JobName, scheduledAt: Date, zone = 'UTC'): string {
  if (job === JobName.ALERTS) return `alerts-${scheduledAt.toISOString().slice(0, 13).replace('T', '-')}`;
  const l = localTimeOf(scheduledAt.getTime(), zone);
  if (job === JobName.WEEKLY) return `weekly-${isoWeek(l.year, l.month, l.day)}`;
  return `daily-${l.year}-${String(l.month).padStart(2, '0')}-${String(l.day).padStart(2, '0')}`;
}
