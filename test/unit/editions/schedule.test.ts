import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../functions/core/config.ts';
import { EditionService } from '../../../functions/core/editions/edition-service.ts';
import type { EditionRecord, FanOut } from '../../../functions/core/editions/ports.ts';
import { cronExpression, editionIdFor, nextRunAfter, parseJobSchedule } from '../../../functions/core/editions/schedule.ts';
import { makeArticle } from '../../kit/fixtures/index.ts';
import { FakeEditionRenderer, InMemoryArtefactStore, InMemoryArticleStore, InMemoryEditionRepository, MemoryLogger } from '../../kit/memory/index.ts';

const iso = (instant: number): string => new Date(instant).toISOString();

describe('Module: editions/schedule', () => {
  describe('Function: parseJobSchedule', () => {
    it('reads a daily and a weekly schedule', () => {
      expect(parseJobSchedule('07:00 Europe/Amsterdam')).toEqual({ hour: 7, minute: 0, zone: 'Europe/Amsterdam' });
      expect(parseJobSchedule('MON 08:30 Asia/Yerevan')).toEqual({ day: 'MON', hour: 8, minute: 30, zone: 'Asia/Yerevan' });
    });

    it.each(['7:00 Europe/Amsterdam', '24:00 Europe/Amsterdam', '07:00', '07:00 Mars/Olympus', 'FUN 07:00 UTC', '07:60 UTC'])('refuses %j with a reason', (text) => {
      expect(() => parseJobSchedule(text)).toThrow(/schedule/);
    });
  });

  describe('Function: cronExpression', () => {
    it('writes Scheduler cron expressions for the local time', () => {
      expect(cronExpression(parseJobSchedule('07:00 Europe/Amsterdam'))).toBe('cron(0 7 * * ? *)');
      expect(cronExpression(parseJobSchedule('MON 08:15 Europe/Amsterdam'))).toBe('cron(15 8 ? * MON *)');
    });
  });

  describe('Function: nextRunAfter', () => {
    const daily = parseJobSchedule('07:00 Europe/Amsterdam');

    it('fires at 07:00 Amsterdam time on both sides of the spring and autumn changes', () => {
      expect(iso(nextRunAfter(Date.parse('2026-03-28T07:00:00Z'), daily))).toBe('2026-03-29T05:00:00.000Z');
      expect(iso(nextRunAfter(Date.parse('2026-03-27T07:00:00Z'), daily))).toBe('2026-03-28T06:00:00.000Z');
      expect(iso(nextRunAfter(Date.parse('2026-10-24T06:00:00Z'), daily))).toBe('2026-10-25T06:00:00.000Z');
      expect(iso(nextRunAfter(Date.parse('2026-10-23T06:00:00Z'), daily))).toBe('2026-10-24T05:00:00.000Z');
    });

    it('fires weekly on the named day only', () => {
      const weekly = parseJobSchedule('MON 08:00 Europe/Amsterdam');
      // 2026-12-02 is a Wednesday; the next Monday is the 7th.
      expect(iso(nextRunAfter(Date.parse('2026-12-02T10:00:00Z'), weekly))).toBe('2026-12-07T07:00:00.000Z');
    });
  });

  describe('Function: editionIdFor', () => {
    it('names an edition built at 23:30 UTC for Asia/Yerevan after the local day (already the next one)', () => {
      const at = new Date('2026-12-01T23:30:00Z');
      expect(editionIdFor('daily', at, 'Asia/Yerevan')).toBe('daily-2026-12-02');
      expect(editionIdFor('daily', at)).toBe('daily-2026-12-01');
      expect(editionIdFor('daily', at, 'America/New_York')).toBe('daily-2026-12-01');
    });

    it('takes the ISO week in the zone: Sunday 23:30 UTC is already Monday in Yerevan', () => {
      const at = new Date('2026-11-29T23:30:00Z');
      expect(editionIdFor('weekly', at)).toBe('weekly-2026-W48');
      expect(editionIdFor('weekly', at, 'Asia/Yerevan')).toBe('weekly-2026-W49');
    });
  });

  describe('Class: EditionService (zones)', () => {
    it('creates the edition of the local day of its job\'s zone', async () => {
      // Prepare
      const now = new Date('2026-12-01T23:30:00Z');
      const articles = new InMemoryArticleStore();
      await articles.putArticle(makeArticle(1, { ingestedAt: new Date(now.getTime() - 3600_000).toISOString() }));
      const editions = new InMemoryEditionRepository();
      const fanOut: FanOut = { fanOut: async (edition: EditionRecord) => ({ ...edition, fanoutDone: true }) };
      const service = new EditionService({
        articles, editions, artefacts: new InMemoryArtefactStore(), renderer: new FakeEditionRenderer(), fanOut,
        logger: new MemoryLogger(), defaultLanguage: 'en', maxDelayMs: 6 * 3600_000, zones: { daily: 'Asia/Yerevan' },
      });

      // Act
      const result = await service.run({ job: 'daily', scheduledAt: now, now });

      // Assess
      expect(result.edition).toBe('daily-2026-12-02');
      expect(await editions.get('daily-2026-12-02')).toBeDefined();
    });
  });

  describe('Config: DAILY_SCHEDULE, WEEKLY_SCHEDULE', () => {
    const base = {
      CONTENT_BUCKET: 'content', ARTEFACTS_BUCKET: 'artefacts', ARTICLES_TABLE: 'a', EDITIONS_TABLE: 'e', SUBSCRIBERS_TABLE: 's', DELIVERIES_TABLE: 'd', ALERTS_TABLE: 'al',
      SEND_QUEUE_URL: 'http://127.0.0.1:1/q', TOKEN_SECRET_PARAMETER: '/t', LOG_PSEUDONYM_KEY_PARAMETER: '/l', PUBLIC_BASE_URL: 'https://x.example', ARCHIVE_BASE_URL: 'https://x.example/archive', FROM_ADDRESS: 'a@x.example',
    };

    it('defaults to 07:00 daily and Monday 08:00 weekly in Europe/Amsterdam', () => {
      const config = parseConfig(base);
      expect(config.DAILY_SCHEDULE).toEqual({ hour: 7, minute: 0, zone: 'Europe/Amsterdam' });
      expect(config.WEEKLY_SCHEDULE).toEqual({ day: 'MON', hour: 8, minute: 0, zone: 'Europe/Amsterdam' });
    });

    it('names a bad schedule', () => {
      expect(() => parseConfig({ ...base, DAILY_SCHEDULE: '07:00 Nowhere/Town' })).toThrow(/DAILY_SCHEDULE is invalid .*unknown time zone/);
    });
  });
});
