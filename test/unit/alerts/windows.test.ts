/**
 * Due times of alert windows, and the zone helper under them, across daylight-saving changes:
 * a spring-forward and a fall-back day in Europe/Amsterdam and America/New_York.
 */
import { describe, expect, it } from 'vitest';
import { capDay, dueAt, nextAllowed } from '../../../functions/core/alerts/windows.ts';
import { instantOf, isTimeZone, localTimeOf, nextLocalHour, nextLocalTopOfHour } from '../../../functions/core/alerts/zoned-time.ts';

const at = (iso: string): number => Date.parse(iso);
const iso = (ms: number): string => new Date(ms).toISOString();
const FIVE_MINUTES = 5 * 60_000;

describe('Function: instantOf', () => {
  it.each([
    // zone, local time, instant
    ['Europe/Amsterdam', [2026, 3, 29, 1, 30], '2026-03-29T00:30:00.000Z'], // before the change (CET)
    ['Europe/Amsterdam', [2026, 3, 29, 2, 0], '2026-03-29T01:00:00.000Z'], // in the gap: the end of it, 03:00 CEST
    ['Europe/Amsterdam', [2026, 3, 29, 2, 45], '2026-03-29T01:00:00.000Z'],
    ['Europe/Amsterdam', [2026, 3, 29, 3, 0], '2026-03-29T01:00:00.000Z'],
    ['Europe/Amsterdam', [2026, 10, 25, 2, 30], '2026-10-25T00:30:00.000Z'], // in the fold: the first 02:30 (CEST)
    ['America/New_York', [2026, 3, 8, 2, 30], '2026-03-08T07:00:00.000Z'], // gap: 03:00 EDT
    ['America/New_York', [2026, 11, 1, 1, 30], '2026-11-01T05:30:00.000Z'], // fold: the first 01:30 (EDT)
    ['Asia/Kolkata', [2026, 12, 1, 7, 0], '2026-12-01T01:30:00.000Z'],
    ['UTC', [2026, 12, 31, 23, 59], '2026-12-31T23:59:00.000Z'],
  ] as const)('should resolve %s %j to %s', (zone, [year, month, day, hour, minute], expected) => {
    // Act / Assess
    expect(iso(instantOf({ year, month, day, hour, minute }, zone))).toBe(expected);
  });

  it('should read back the local time of an instant, with the ISO weekday', () => {
    // Act
    const local = localTimeOf(at('2026-03-29T01:00:00Z'), 'Europe/Amsterdam');
    // Assess
    expect(local).toEqual({ year: 2026, month: 3, day: 29, hour: 3, minute: 0, weekday: 7 });
  });
});

describe('Function: dueAt', () => {
  const settings = (cadence: 'instant' | 'hourly' | 'daily' | 'weekly', timezone = 'UTC', alertHour = 7) => ({ cadence, timezone, alertHour });

  it('should close an instant window after the instant window, or at once for a breaking article', () => {
    // Act / Assess
    expect(iso(dueAt(settings('instant'), at('2026-12-01T10:02:00Z'), { instantWindowMs: FIVE_MINUTES }))).toBe('2026-12-01T10:07:00.000Z');
    expect(iso(dueAt(settings('instant'), at('2026-12-01T10:02:00Z'), { instantWindowMs: FIVE_MINUTES, breaking: true }))).toBe('2026-12-01T10:02:00.000Z');
  });

  it('should close an hourly window at the next top of the local hour', () => {
    // Act / Assess
    expect(iso(dueAt(settings('hourly'), at('2026-12-01T10:02:00Z'), { instantWindowMs: 0 }))).toBe('2026-12-01T11:00:00.000Z');
    expect(iso(dueAt(settings('hourly', 'Asia/Kolkata'), at('2026-12-01T10:02:00Z'), { instantWindowMs: 0 }))).toBe('2026-12-01T10:30:00.000Z');
    expect(iso(nextLocalTopOfHour(at('2026-12-01T11:00:00Z'), 'UTC'))).toBe('2026-12-01T12:00:00.000Z');
  });

  it.each([
    // a daily follower at 07:00 local, matched the day before each change
    ['Europe/Amsterdam', '2026-03-28T12:00:00Z', '2026-03-29T05:00:00.000Z', '2026-03-30T05:00:00.000Z'], // spring forward: +1 → +2
    ['Europe/Amsterdam', '2026-10-24T12:00:00Z', '2026-10-25T06:00:00.000Z', '2026-10-26T06:00:00.000Z'], // fall back: +2 → +1
    ['America/New_York', '2026-03-07T17:00:00Z', '2026-03-08T11:00:00.000Z', '2026-03-09T11:00:00.000Z'], // spring forward: -5 → -4
    ['America/New_York', '2026-10-31T17:00:00Z', '2026-11-01T12:00:00.000Z', '2026-11-02T12:00:00.000Z'], // fall back: -4 → -5
  ])('should send a daily digest at 07:00 local in %s across the change (match %s)', (zone, matched, first, second) => {
    // Act
    const due = dueAt(settings('daily', zone), at(matched), { instantWindowMs: 0 });
    const next = dueAt(settings('daily', zone), due, { instantWindowMs: 0 });
    // Assess
    expect(iso(due)).toBe(first);
    expect(iso(next)).toBe(second);
    expect(localTimeOf(due, zone).hour).toBe(7);
    expect(localTimeOf(next, zone).hour).toBe(7);
  });

  it('should move a delivery hour that does not exist that day to the end of the gap', () => {
    // Act: 02:00 does not exist in Amsterdam on 29 March 2026
    const due = dueAt(settings('daily', 'Europe/Amsterdam', 2), at('2026-03-28T12:00:00Z'), { instantWindowMs: 0 });
    // Assess: 03:00 CEST
    expect(iso(due)).toBe('2026-03-29T01:00:00.000Z');
    expect(localTimeOf(due, 'Europe/Amsterdam').hour).toBe(3);
    // and the day after, 02:00 again
    expect(iso(dueAt(settings('daily', 'Europe/Amsterdam', 2), due, { instantWindowMs: 0 }))).toBe('2026-03-30T00:00:00.000Z');
  });

  it('should send a doubled hour once, at its first occurrence', () => {
    // Act: 01:00 happens twice in New York on 1 November 2026
    const due = dueAt(settings('daily', 'America/New_York', 1), at('2026-10-31T12:00:00Z'), { instantWindowMs: 0 });
    // Assess
    expect(iso(due)).toBe('2026-11-01T05:00:00.000Z');
    expect(iso(dueAt(settings('daily', 'America/New_York', 1), due, { instantWindowMs: 0 }))).toBe('2026-11-02T06:00:00.000Z');
  });

  it('should send a weekly digest on the next Monday at the delivery hour', () => {
    // Act: Tuesday 1 December 2026 → Monday 7 December
    const due = dueAt(settings('weekly', 'Europe/Amsterdam', 9), at('2026-12-01T10:00:00Z'), { instantWindowMs: 0 });
    // Assess
    expect(iso(due)).toBe('2026-12-07T08:00:00.000Z');
    expect(iso(nextLocalHour(at('2026-12-07T07:59:00Z'), 'Europe/Amsterdam', 9, [1]))).toBe('2026-12-07T08:00:00.000Z');
  });
});

describe('Function: nextAllowed and capDay (the daily cap)', () => {
  it('should hold an instant window back until the next local midnight', () => {
    // Act / Assess
    expect(iso(nextAllowed({ cadence: 'instant', timezone: 'Europe/Amsterdam', alertHour: 7 }, at('2026-12-01T20:00:00Z')))).toBe('2026-12-01T23:00:00.000Z');
    expect(iso(nextAllowed({ cadence: 'hourly', timezone: 'UTC', alertHour: 7 }, at('2026-12-01T20:00:00Z')))).toBe('2026-12-02T00:00:00.000Z');
  });

  it('should hold a daily window back until its next delivery hour after midnight', () => {
    // Act / Assess
    expect(iso(nextAllowed({ cadence: 'daily', timezone: 'UTC', alertHour: 7 }, at('2026-12-01T07:00:00Z')))).toBe('2026-12-02T07:00:00.000Z');
  });

  it('should count in the subscriber\'s local day', () => {
    // Act / Assess
    expect(capDay(at('2026-12-01T23:30:00Z'), 'Europe/Amsterdam')).toBe('2026-12-02');
    expect(capDay(at('2026-12-01T23:30:00Z'), 'America/New_York')).toBe('2026-12-01');
  });
});

describe('Function: isTimeZone', () => {
  it('accepts canonical names (listed) and aliases (tried on a formatter), and nothing else', () => {
    // Act / Assess
    expect(['Europe/Amsterdam', 'America/New_York', 'UTC'].map(isTimeZone)).toEqual([true, true, true]);
    expect(['Asia/Calcutta', 'US/Eastern', 'Etc/GMT+2'].map(isTimeZone)).toEqual([true, true, true]);
    expect(['Mars/Olympus', 'Europe/Amsterdam ', '', 'europe/nowhere'].map(isTimeZone)).toEqual([false, false, false, false]);
  });
});
