// The cron expressions of the newsletter schedules (infra/schedules.yml), from
// serverless.yml's `custom.schedules` (a local time, `HH:MM`, and for weekly a day). Scheduler
// evaluates them in the schedule's zone (ScheduleExpressionTimezone). A bad time or day fails
// packaging with a message naming the parameter. Same rules as functions/core/editions/schedule.ts
// (test/integration/schedules-template.test.ts compares them); CommonJS because serverless
// `require`s it.
'use strict';

const TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;
const DAYS = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'];

function hourMinute(time, name) {
  const match = TIME.exec(String(time));
  if (!match) throw new Error(`${name} must be a local time HH:MM (e.g. 07:00), not "${time}"`);
  return [Number(match[2]), Number(match[1])];
}

module.exports = async ({ resolveVariable }) => {
  const daily = await resolveVariable('self:custom.schedules.daily');
  const weekly = await resolveVariable('self:custom.schedules.weekly');
  const [dm, dh] = hourMinute(daily.time, 'dailyTime');
  const [wm, wh] = hourMinute(weekly.time, 'weeklyTime');
  const day = String(weekly.day).toUpperCase();
  if (!DAYS.includes(day)) throw new Error(`weeklyDay must be one of ${DAYS.join(', ')}, not "${weekly.day}"`);
  return {
    daily: `cron(${dm} ${dh} * * ? *)`,
    weekly: `cron(${wm} ${wh} ? * ${day} *)`,
  };
};
