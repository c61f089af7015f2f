import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../functions/core/config.ts';

const BASE = {
  CONTENT_BUCKET: 'content', ARTEFACTS_BUCKET: 'artefacts', ARTICLES_TABLE: 'a', EDITIONS_TABLE: 'e', SUBSCRIBERS_TABLE: 's', DELIVERIES_TABLE: 'd', ALERTS_TABLE: 'al',
  SEND_QUEUE_URL: 'http://127.0.0.1:1/q', TOKEN_SECRET_PARAMETER: '/t', LOG_PSEUDONYM_KEY_PARAMETER: '/l', PUBLIC_BASE_URL: 'https://x.example', ARCHIVE_BASE_URL: 'https://x.example/archive', FROM_ADDRESS: 'a@x.example',
};

describe('Config: CLICK_TRACKING, ENGAGEMENT_RETENTION_DAYS', () => {
  it('tracks no clicks and keeps per-recipient events 90 days by default', () => {
    const config = parseConfig(BASE);
    expect(config.CLICK_TRACKING).toEqual([]);
    expect(config.ENGAGEMENT_RETENTION_DAYS).toBe(90);
    expect(parseConfig({ ...BASE, CLICK_TRACKING: 'none' }).CLICK_TRACKING).toEqual([]);
  });

  it('takes click tracking per job', () => {
    expect(parseConfig({ ...BASE, CLICK_TRACKING: 'daily, weekly' }).CLICK_TRACKING).toEqual(['daily', 'weekly']);
  });

  it('names a bad value', () => {
    expect(() => parseConfig({ ...BASE, CLICK_TRACKING: 'hourly' })).toThrow(/CLICK_TRACKING is invalid/);
    expect(() => parseConfig({ ...BASE, ENGAGEMENT_RETENTION_DAYS: '0' })).toThrow(/ENGAGEMENT_RETENTION_DAYS is invalid/);
  });
});
