/**
 * The alert settings through every door (API fields, CSV cells, the export), and the token
 * purpose of an alert digest's unsubscribe link.
 */
import { describe, expect, it } from 'vitest';
import { InvalidTokenError, ValidationError } from '../../../functions/core/errors.ts';
import { checkAlertKeywords, parseAlertHour, parseTimezone, deliverySettings } from '../../../functions/core/subscribers/alert-settings.ts';
import { parsePreferencesRequest, parseSubscribeRequest } from '../../../functions/core/subscribers/input.ts';
import { parseSubscribersCsv, toSubscribersCsv } from '../../../functions/core/subscribers/subscriber-csv.ts';
import { signToken, TokenPurpose, verifyToken } from '../../../functions/core/subscribers/tokens.ts';
import { unsubscribePromptPage, unsubscribedPage } from '../../../functions/http/pages.ts';
import type { Subscriber } from '../../../functions/core/subscribers/types.ts';

const reasonOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    if (error instanceof ValidationError) return error.message;
    throw error;
  }
  return 'accepted';
};

describe('Function: checkAlertKeywords', () => {
  it.each([
    [Array.from({ length: 26 }, (_v, i) => `keyword ${i}`), 'keywords: more than 25 (26 given)'],
    [['x'.repeat(61)], `keywords: "${'x'.repeat(39)}…" is longer than 60 characters`],
    [['!!! ???'], 'keywords: "!!! ???" has no letters or digits'],
    [['The'], 'keywords: "The" is only common words'],
    [['of the'], 'keywords: "of the" is only common words'],
  ])('should refuse %j', (keywords, reason) => {
    // Act / Assess
    expect(reasonOf(() => checkAlertKeywords(keywords))).toContain(reason);
  });

  it('should keep 25 keywords of 60 characters, once each after normalisation', () => {
    // Prepare
    const keywords = [...Array.from({ length: 25 }, (_v, i) => `${'k'.repeat(58)}${String(i).padStart(2, '0')}`), 'KK'.repeat(29) + '00'];
    // Act / Assess
    expect(checkAlertKeywords(keywords)).toHaveLength(25);
    expect(checkAlertKeywords(['Café', 'CAFE', 'cafe', 'Nagorno-Karabakh', 'nagorno karabakh'])).toEqual(['Café', 'Nagorno-Karabakh']);
  });
});

describe('Function: parseAlertHour and parseTimezone', () => {
  it.each([['7', 7], ['07', 7], ['0', 0], ['23', 23], ['', undefined], [' 9 ', 9]])('should read the hour %j as %j', (raw, hour) => {
    // Act / Assess
    expect(parseAlertHour(raw, 'alertHour')).toBe(hour);
  });

  it.each(['24', '-1', '7.5', '07:00', 'seven'])('should refuse the hour %j, naming the field', (raw) => {
    // Act / Assess
    expect(reasonOf(() => parseAlertHour(raw, 'alert_hour'))).toMatch(/^alert_hour: must be a whole hour from 0 to 23/);
  });

  it('should accept IANA zones and refuse others', () => {
    // Act / Assess
    expect(parseTimezone('Asia/Yerevan')).toBe('Asia/Yerevan');
    expect(reasonOf(() => parseTimezone('Mars/Olympus'))).toBe('timezone: unknown time zone "Mars/Olympus"');
  });

  it('should default to 07:00 UTC', () => {
    // Act / Assess
    expect(deliverySettings({})).toEqual({ timezone: 'UTC', alertHour: 7 });
  });
});

describe('Function: parseSubscribeRequest and parsePreferencesRequest (alerts)', () => {
  it('should take weekly alerts, a delivery hour and a zone', () => {
    // Act
    const request = parseSubscribeRequest({ email: 'a@example.org', newsletter: 'none', alerts: 'weekly', keywords: 'Minsk; Nagorno-Karabakh', timezone: 'Europe/Amsterdam', alertHour: '08' });
    // Assess
    expect(request).toMatchObject({ newsletter: 'none', alerts: 'weekly', keywords: ['Minsk', 'Nagorno-Karabakh'], timezone: 'Europe/Amsterdam', alertHour: 8 });
  });

  it.each([
    [{ alerts: 'monthly' }, 'alerts: unknown value (one of instant, hourly, daily, weekly, none)'],
    [{ alertHour: '25' }, 'alertHour: must be a whole hour from 0 to 23'],
    [{ timezone: 'Nowhere/City' }, 'timezone: unknown time zone'],
    [{ keywords: 'the' }, 'keywords: "the" is only common words'],
  ])('should refuse %j with the field named', (fields, reason) => {
    // Act / Assess
    expect(reasonOf(() => parseSubscribeRequest({ email: 'a@example.org', ...fields }))).toContain(reason);
  });

  it('should take the delivery hour on the preferences form', () => {
    // Act / Assess
    expect(parsePreferencesRequest({ token: 't', newsletter: 'daily', alerts: 'daily', keywords: 'Minsk', alertHour: '6' })).toMatchObject({ alerts: 'daily', alertHour: 6 });
  });
});

describe('Function: parseSubscribersCsv and toSubscribersCsv (alerts)', () => {
  it('should read the zone and hour columns, and report bad ones by line and field', async () => {
    // Prepare
    const text = [
      'email,name,newsletter,alerts,keywords,timezone,alert_hour',
      'ok@example.org,,none,weekly,Minsk,Asia/Yerevan,9',
      'zone@example.org,,none,daily,Minsk,Mars/Olympus,9',
      'hour@example.org,,none,daily,Minsk,,noon',
      'many@example.org,,none,daily,' + Array.from({ length: 26 }, (_v, i) => `k${i}`).join(';') + ',,',
      'cadence@example.org,,none,fortnightly,Minsk,,',
      'default@example.org,,daily,instant,Iran,,',
    ].join('\n');
    // Act
    const { rows, errors } = await parseSubscribersCsv(text);
    // Assess
    expect(rows.map((r) => [r.line, r.alerts, r.timezone, r.alertHour])).toEqual([
      [2, 'weekly', 'Asia/Yerevan', 9],
      [7, 'instant', undefined, undefined],
    ]);
    expect(errors).toEqual([
      { line: 3, reason: 'timezone: unknown time zone "Mars/Olympus"' },
      { line: 4, reason: 'alert_hour: must be a whole hour from 0 to 23 (got "noon")' },
      { line: 5, reason: expect.stringContaining('keywords: more than 25') },
      { line: 6, reason: 'alerts: unknown value "fortnightly" (instant, hourly, daily, weekly or none)' },
    ]);
  });

  it('should export the zone and hour, and read them back', async () => {
    // Prepare
    const subscriber: Subscriber = { id: 's_1', email: 'ann@example.org', status: 'confirmed', newsletter: 'none', alerts: 'weekly', keywords: ['Minsk', 'Iran'], timezone: 'Europe/Amsterdam', alertHour: 8, createdAt: 't', updatedAt: 't' };
    // Act
    const csv = toSubscribersCsv([subscriber]);
    // Assess
    expect(csv).toBe('email,name,newsletter,alerts,keywords,status,timezone,alert_hour\nann@example.org,,none,weekly,Minsk;Iran,confirmed,Europe/Amsterdam,8\n');
    expect((await parseSubscribersCsv(csv)).rows[0]).toMatchObject({ alerts: 'weekly', keywords: ['Minsk', 'Iran'], timezone: 'Europe/Amsterdam', alertHour: 8 });
  });
});

describe('Function: verifyToken (the alerts-only unsubscribe purpose)', () => {
  const SECRET = 'x'.repeat(40);
  const NOW = 1_800_000_000;
  const reason = (token: string, purpose: TokenPurpose): string | undefined => {
    try {
      verifyToken(SECRET, token, purpose, NOW);
      return undefined;
    } catch (error) {
      if (error instanceof InvalidTokenError) return error.reason;
      throw error;
    }
  };

  it('should verify an unsubscribe-alerts token for that purpose only, and no other token for it', () => {
    // Prepare
    const alerts = signToken(SECRET, { subscriberId: 's_1', purpose: TokenPurpose.UNSUBSCRIBE_ALERTS, expiresAt: NOW + 60 });
    const all = signToken(SECRET, { subscriberId: 's_1', purpose: TokenPurpose.UNSUBSCRIBE, expiresAt: NOW + 60 });
    // Act / Assess
    expect(reason(alerts, TokenPurpose.UNSUBSCRIBE_ALERTS)).toBeUndefined();
    expect([TokenPurpose.UNSUBSCRIBE, TokenPurpose.PREFERENCES, TokenPurpose.CONFIRM].map((p) => reason(alerts, p))).toEqual(['wrong purpose', 'wrong purpose', 'wrong purpose']);
    expect(reason(all, TokenPurpose.UNSUBSCRIBE_ALERTS)).toBe('wrong purpose');
    expect(JSON.parse(Buffer.from(alerts.split('.')[0] ?? '', 'base64url').toString())).toMatchObject({ p: 'unsubscribe-alerts' });
  });
});

describe('Function: unsubscribePromptPage (an alert digest link)', () => {
  const branding = {
    siteName: 'Digest', siteUrl: 'https://example.org', primaryColor: '#0b5394', textColor: '#1f2328', backgroundColor: '#f4f5f7',
    fromName: 'Digest', fromAddress: 'd@example.org', postalAddress: 'Street 1',
  };

  it('should offer stopping alerts, and stopping everything with the other token', () => {
    // Act
    const page = unsubscribePromptPage(branding, 'alerts-token', { everythingToken: 'all-token' });
    // Assess
    expect(page.statusCode).toBe(200);
    expect(page.html).toContain('action="unsubscribe?token=alerts-token"');
    expect(page.html).toContain('action="unsubscribe?token=all-token"');
    expect(page.html).toContain('Stop keyword alerts');
    expect(page.html).toContain('Unsubscribe from everything');
    expect(unsubscribedPage(branding, { alertsOnly: true }).html).toContain('Keyword alerts stopped');
  });
});
