/**
 * The newsletter schedules on the local stack, as EventBridge Scheduler runs them on AWS: each
 * job at its local time in its zone (DAILY_SCHEDULE, WEEKLY_SCHEDULE, which the local stack
 * takes from serverless.yml's `custom.schedules`), with the time it was due as the event's
 * `time`. The clock and the timer are injectable, so a test can drive it.
 */
import { nextRunAfter, type JobSchedule } from '../../functions/core/editions/schedule.ts';
import type { JobName } from '../../functions/core/editions/types.ts';

/** What a timer needs to be cancelled. */
export interface Timer {
  cancel(): void;
}

export interface JobSchedulerOptions {
  schedules: Partial<Record<JobName, JobSchedule>>;
  /** Runs one job (the edition handler with `{ job, time }`). Its errors are reported, and the schedule carries on. */
  run: (event: { job: JobName; time: string }) => Promise<unknown>;
  onError?: (error: unknown, job: JobName) => void;
  now?: () => number;
  /** Calls `fn` after `ms` (default setTimeout, unref'd). */
  setTimer?: (fn: () => void, ms: number) => Timer;
}

const realTimer = (fn: () => void, ms: number): Timer => {
  const t = setTimeout(fn, ms);
  t.unref();
  return { cancel: () => clearTimeout(t) };
};

/**
 * Starts one timer per job, each re-armed after it fires.
 *
 * @example
 * ```ts
 * const jobs = scheduleJobs({ schedules: { daily: config.DAILY_SCHEDULE }, run: (e) => editionHandler(e) });
 * jobs.next.daily; // '2026-12-03T06:00:00.000Z'
 * jobs.stop();
 * ```
 */
export function scheduleJobs(options: JobSchedulerOptions): { next: Partial<Record<JobName, string>>; stop(): void } {
  const now = options.now ?? Date.now;
  const setTimer = options.setTimer ?? realTimer;
  const timers = new Map<JobName, Timer>();
  const next: Partial<Record<JobName, string>> = {};
  let stopped = false;
  // `after`: the last run's time, so that a timer firing a little early never runs it twice.
  const arm = (job: JobName, schedule: JobSchedule, after = now()): void => {
    if (stopped) return;
    const at = nextRunAfter(Math.max(after, now()), schedule);
    next[job] = new Date(at).toISOString();
    timers.set(job, setTimer(() => {
      options.run({ job, time: new Date(at).toISOString() })
        .catch((error: unknown) => options.onError?.(error, job))
        .finally(() => arm(job, schedule, at));
    }, Math.max(0, at - now())));
  };
  for (const [job, schedule] of Object.entries(options.schedules) as Array<[JobName, JobSchedule]>) arm(job, schedule);
  return {
    next,
    stop: () => {
      stopped = true;
      for (const t of timers.values()) t.cancel();
    },
  };
}
