/**
 * The newsletter schedules as `serverless package` writes them (no AWS credentials): one
 * EventBridge Scheduler schedule per job, at the local time of serverless.yml's
 * `custom.schedules` in its zone, invoking the edition function through a role that may do
 * that and nothing else. The cron writer (infra/schedule-expression.cjs) is checked against
 * the app's own (functions/core/editions/schedule.ts), with parameters and bad ones.
 */
import { createRequire } from 'node:module';
import { beforeAll, describe, expect, it } from 'vitest';
import { cronExpression, parseJobSchedule } from '../../functions/core/editions/schedule.ts';
import { packageService, type CfnTemplate } from '../helpers/serverless-package.ts';

type Resolver = (args: { resolveVariable: (name: string) => Promise<unknown> }) => Promise<{ daily: string; weekly: string }>;
const expressions = createRequire(import.meta.url)('../../infra/schedule-expression.cjs') as Resolver;
const withSchedules = (daily: object, weekly: object) => expressions({
  resolveVariable: async (name) => (name.endsWith('.daily') ? daily : weekly),
});

describe('Template: newsletter schedules (serverless package)', () => {
  let template: CfnTemplate;

  beforeAll(async () => {
    ({ template } = await packageService());
  }, 300_000);

  it('schedules the daily edition at 07:00 and the weekly one on Monday at 08:00, in Europe/Amsterdam, with the due time as input', () => {
    const schedules = Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::Scheduler::Schedule');
    expect(schedules.map(([id]) => id).sort()).toEqual(['DailyEditionSchedule', 'WeeklyEditionSchedule']);
    const daily = template.Resources.DailyEditionSchedule?.Properties ?? {};
    const weekly = template.Resources.WeeklyEditionSchedule?.Properties ?? {};
    expect(daily).toMatchObject({
      ScheduleExpression: 'cron(0 7 * * ? *)',
      ScheduleExpressionTimezone: 'Europe/Amsterdam',
      FlexibleTimeWindow: { Mode: 'OFF' },
      State: 'ENABLED',
      Target: {
        Arn: { 'Fn::GetAtt': ['EditionLambdaFunction', 'Arn'] },
        RoleArn: { 'Fn::GetAtt': ['EditionSchedulerRole', 'Arn'] },
        Input: '{"job":"daily","time":"<aws.scheduler.scheduled-time>"}',
      },
    });
    expect(weekly).toMatchObject({
      ScheduleExpression: 'cron(0 8 ? * MON *)',
      ScheduleExpressionTimezone: 'Europe/Amsterdam',
      Target: { Input: '{"job":"weekly","time":"<aws.scheduler.scheduled-time>"}' },
    });
    // No UTC cron rule is left for the edition function.
    const rules = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Events::Rule');
    expect(JSON.stringify(rules)).not.toContain('EditionLambdaFunction');
  });

  it('tells the edition function the same schedules, so it names editions after the day in that zone', () => {
    const variables = (template.Resources.EditionLambdaFunction?.Properties?.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(variables.DAILY_SCHEDULE).toBe('07:00 Europe/Amsterdam');
    expect(variables.WEEKLY_SCHEDULE).toBe('MON 08:00 Europe/Amsterdam');
    expect(parseJobSchedule(String(variables.DAILY_SCHEDULE))).toEqual({ hour: 7, minute: 0, zone: 'Europe/Amsterdam' });
  });

  it('lets Scheduler, from this account only, invoke the edition function and nothing else', () => {
    const role = template.Resources.EditionSchedulerRole?.Properties ?? {};
    expect(role.AssumeRolePolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [{
        Effect: 'Allow',
        Principal: { Service: 'scheduler.amazonaws.com' },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
      }],
    });
    expect(role.ManagedPolicyArns).toBeUndefined();
    const statements = (role.Policies as Array<{ PolicyDocument: { Statement: unknown[] } }>).flatMap((p) => p.PolicyDocument.Statement);
    expect(statements).toEqual([{ Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: { 'Fn::GetAtt': ['EditionLambdaFunction', 'Arn'] } }]);
  });
});

describe('Module: infra/schedule-expression.cjs', () => {
  it.each([
    ['06:30', 'Asia/Yerevan', 'FRI', '17:05'],
    ['00:00', 'America/New_York', 'SUN', '23:59'],
  ])('writes what the app computes for daily %s and weekly %s %s', async (dailyTime, zone, day, weeklyTime) => {
    const written = await withSchedules({ time: dailyTime, zone }, { day, time: weeklyTime, zone });
    expect(written.daily).toBe(cronExpression(parseJobSchedule(`${dailyTime} ${zone}`)));
    expect(written.weekly).toBe(cronExpression(parseJobSchedule(`${day} ${weeklyTime} ${zone}`)));
  });

  it('fails packaging with the parameter\'s name on a bad time or day', async () => {
    await expect(withSchedules({ time: '7am' }, { day: 'MON', time: '08:00' })).rejects.toThrow(/dailyTime must be a local time HH:MM/);
    await expect(withSchedules({ time: '07:00' }, { day: 'Someday', time: '08:00' })).rejects.toThrow(/weeklyDay must be one of/);
  });
});
