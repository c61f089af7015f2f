import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../functions/core/errors.ts';
import { parsePreferencesRequest, parseSubscribeRequest, tokenFrom } from '../../../functions/core/subscribers/input.ts';

describe('Function: parseSubscribeRequest', () => {
  it('normalises and applies defaults', () => {
    // Prepare & Act
    const request = parseSubscribeRequest({ email: ' Ann@Example.org ', name: '  Ann   Lee ', keywords: 'Energy; climate, energy' });

    // Assess
    expect(request).toEqual({ email: 'ann@example.org', name: 'Ann Lee', newsletter: 'daily', alerts: 'none', keywords: ['Energy', 'climate'], isBot: false });
  });

  it('accepts keywords as a list and a time zone', () => {
    // Prepare & Act
    const request = parseSubscribeRequest({ email: 'a@example.org', keywords: ['Minsk', 'b'], timezone: 'Europe/Amsterdam', alerts: 'Instant' });

    // Assess
    expect(request).toMatchObject({ keywords: ['Minsk', 'b'], timezone: 'Europe/Amsterdam', alerts: 'instant' });
  });

  it('flags a filled honeypot', () => {
    // Prepare & Act
    const request = parseSubscribeRequest({ email: 'a@example.org', website: 'x' });

    // Assess
    expect(request.isBot).toBe(true);
  });

  it.each([
    [{}, 'email: is required'],
    [{ email: 'nope' }, 'email: not a valid address'],
    [{ email: ['a@example.org', 'b@example.org'] }, 'email: given more than once'],
    [{ email: 'a@example.org', name: 'Ann\r\nBcc: x' }, 'name: contains a control character'],
    [{ email: 'a@example.org', name: 'x'.repeat(101) }, 'name: longer than 100 characters'],
    [{ email: 'a@example.org', name: 'customer. Your account at http://evil.example/login is suspended' }, 'name: looks like a web address'],
    [{ email: 'a@example.org', name: 'Ann \u202eevil' }, 'name: contains a bidirectional control character'],
    [{ email: 'a@example.org', keywords: 'energy, www.evil.example' }, 'keywords: a keyword looks like a web address'],
    [{ email: 'a@example.org', keywords: 'x'.repeat(61) }, 'keywords: a keyword is longer than 60 characters'],
    [{ email: 'a@example.org', newsletter: 'monthly' }, 'newsletter: unknown value (one of daily, weekly, none)'],
    [{ email: 'a@example.org', alerts: 'sometimes' }, 'alerts: unknown value (one of instant, hourly, daily, weekly, none)'],
    [{ email: 'a@example.org', newsletter: 'none', alerts: 'none' }, 'newsletter: choose a newsletter or alerts'],
    [{ email: 'a@example.org', keywords: 'a\nb' }, 'keywords: contains a control character'],
    [{ email: 'a@example.org', keywords: Array.from({ length: 26 }, (_, i) => `k${i}`) }, 'keywords: more than 25'],
    [{ email: 'a@example.org', timezone: 'Mars/Olympus' }, 'timezone: unknown time zone'],
    [{ email: 'a@example.org', admin: 'true' }, 'admin: unknown field'],
    [{ email: 'a@example.org', website: 'a\u0000' }, 'website: contains a control character'],
  ])('refuses %j', (fields, reason) => {
    // Prepare & Act
    const act = (): unknown => parseSubscribeRequest(fields);

    // Assess
    expect(act).toThrow(ValidationError);
    expect(act).toThrow(reason);
  });
});

describe('Function: parsePreferencesRequest', () => {
  it('requires newsletter and alerts and tells an emptied name apart from an absent one', () => {
    // Prepare & Act
    const emptied = parsePreferencesRequest({ token: 't', name: '', newsletter: 'none', alerts: 'daily', keywords: '' });
    const absent = parsePreferencesRequest({ newsletter: 'weekly', alerts: 'none' });

    // Assess
    expect(emptied).toEqual({ name: null, newsletter: 'none', alerts: 'daily', keywords: [] });
    expect(absent).toEqual({ newsletter: 'weekly', alerts: 'none', keywords: [] });
    expect(() => parsePreferencesRequest({ alerts: 'none' })).toThrow('newsletter: is required');
  });
});

describe('Function: tokenFrom', () => {
  it('takes the token from the query or the body, not two different ones', () => {
    // Prepare & Act & Assess
    expect(tokenFrom('a.b')).toBe('a.b');
    expect(tokenFrom(undefined, { token: 'c.d' })).toBe('c.d');
    expect(tokenFrom('a.b', { token: 'a.b' })).toBe('a.b');
    expect(() => tokenFrom('a.b', { token: 'c.d' })).toThrow('token: given twice with different values');
    expect(() => tokenFrom(undefined)).toThrow('token: is required');
    expect(() => tokenFrom('a\n.b')).toThrow('token: malformed');
  });
});
