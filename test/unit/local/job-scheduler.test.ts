import { describe, expect, it } from 'vitest';
import { parseJobSchedule } from '../../../functions/core/editions/schedule.ts';
import { scheduleJobs } from '../../../infra/local/job-scheduler.ts';
import { localEnvironment } from '../../../infra/local/environment.ts';
import { loadServerlessConfig, SERVERLESS_YML } from '../../../infra/local/cfn.ts';

/** A clock and timers that only move when the test says so. */
function manualClock(start: string) {
  let now = Date.parse(start);
  const timers: Array<{ at: number; fn: () => void; cancelled: boolean }> = [];
  return {
    now: () => now,
    setTimer: (fn: () => void, ms: number) => {
      const t = { at: now + ms, fn, cancelled: false };
      timers.push(t);
      return { cancel: () => { t.cancelled = true; } };
    },
    /** Moves to the next timer and fires it. */
    async tick(): Promise<void> {
      const due = timers.filter((t) => !t.cancelled).sort((a, b) => a.at - b.at)[0];
      if (!due) throw new Error('no timer');
      due.cancelled = true;
      now = due.at;
      due.fn();
      await new Promise((r) => setImmediate(r));
    },
  };
}

describe('Function: scheduleJobs (the local stack\'s schedules)', () => {
  it('runs the daily job at 07:00 Amsterdam time every day, across the autumn change, each run once', async () => {
    // Prepare
    const clock = manualClock('2026-10-23T12:00:00Z');
    const runs: string[] = [];
    const jobs = scheduleJobs({
      schedules: { daily: parseJobSchedule('07:00 Europe/Amsterdam') },
      run: async (e) => { runs.push(`${e.job} ${e.time}`); },
      now: clock.now,
      setTimer: clock.setTimer,
    });

    // Act
    for (let i = 0; i < 3; i++) await clock.tick();
    jobs.stop();

    // Assess: 05:00 UTC in summer time, 06:00 UTC after the 25th.
    expect(runs).toEqual(['daily 2026-10-24T05:00:00.000Z', 'daily 2026-10-25T06:00:00.000Z', 'daily 2026-10-26T06:00:00.000Z']);
  });

  it('keeps the schedule after a failed run, and reports it', async () => {
    const clock = manualClock('2026-12-01T12:00:00Z');
    const errors: string[] = [];
    const runs: string[] = [];
    scheduleJobs({
      schedules: { weekly: parseJobSchedule('MON 08:00 Europe/Amsterdam') },
      run: async (e) => { runs.push(e.time); throw new Error('boom'); },
      onError: (error, job) => errors.push(`${job}: ${(error as Error).message}`),
      now: clock.now,
      setTimer: clock.setTimer,
    });
    await clock.tick();
    await clock.tick();
    expect(runs).toEqual(['2026-12-07T07:00:00.000Z', '2026-12-14T07:00:00.000Z']);
    expect(errors).toEqual(['weekly: boom', 'weekly: boom']);
  });

  it('takes the schedules from serverless.yml, as the deployed stack does', async () => {
    const service = await loadServerlessConfig(SERVERLESS_YML);
    const env = localEnvironment({}, { tables: {}, queues: {}, buckets: {} } as never, { s3: 'http://127.0.0.1:1', dynamodb: 'http://127.0.0.1:2', ses: 'http://127.0.0.1:3', sqs: 'http://127.0.0.1:4' } as never, { stage: 'local', ...(service ? { service } : {}) });
    expect(env.DAILY_SCHEDULE).toBe('07:00 Europe/Amsterdam');
    expect(env.WEEKLY_SCHEDULE).toBe('MON 08:00 Europe/Amsterdam');
  });
});
