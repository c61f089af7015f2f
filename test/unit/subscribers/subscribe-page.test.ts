/**
 * The subscribe page (GET /subscribe, and the form again after a refused form post): valid,
 * accessible HTML without scripts; the fields are the API's; the honeypot hidden from people
 * the way the API expects; a refusal says what is wrong and keeps what was typed.
 */
import { readFileSync } from 'node:fs';
import { load } from 'cheerio';
import { HtmlValidate } from 'html-validate';
import { describe, expect, it } from 'vitest';
import { subscribePage } from '../../../functions/http/pages.ts';
import { HONEYPOT_FIELD, parseSubscribeRequest } from '../../../functions/core/subscribers/input.ts';
import type { Branding } from '../../../functions/core/rendering/types.ts';

const branding: Branding = {
  siteName: 'Example <News>', siteUrl: 'https://news.example.org', primaryColor: '#0b5394', textColor: '#1f2328',
  backgroundColor: '#f4f5f7', fromName: 'Example', fromAddress: 'news@example.org', postalAddress: '1 Main St & Co',
};

const validator = new HtmlValidate({
  extends: ['html-validate:recommended', 'html-validate:a11y'],
  rules: { 'no-inline-style': 'off', 'require-sri': 'off' },
});

async function problems(html: string): Promise<string[]> {
  const report = await validator.validateString(html);
  return report.results.flatMap((r) => r.messages.map((m) => `${m.ruleId}: ${m.message} (line ${m.line})`));
}

/** What a browser would post for the form as shown (checked radios, every text field). */
function formFields(html: string): Record<string, string> {
  const $ = load(html);
  const fields: Record<string, string> = {};
  $('form input').each((_i, el) => {
    const input = $(el);
    const type = input.attr('type');
    if (type === 'radio' && input.attr('checked') === undefined) return;
    fields[input.attr('name') ?? ''] = input.attr('value') ?? '';
  });
  $('form select').each((_i, el) => {
    const select = $(el);
    const options = select.find('option');
    const option = options.filter('[selected]').first().length > 0 ? options.filter('[selected]').first() : options.first();
    fields[select.attr('name') ?? ''] = option.attr('value') ?? '';
  });
  return fields;
}

describe('Function: subscribePage', () => {
  it('is valid, accessible HTML without scripts that posts to POST /subscribe', async () => {
    // Act
    const page = subscribePage(branding);

    // Assess
    expect(page.statusCode).toBe(200);
    expect(await problems(page.html)).toEqual([]);
    expect(page.html).not.toMatch(/<script/i);
    expect(page.html).toContain('<h1>Subscribe to Example &lt;News&gt;</h1>');
    expect(page.html).toContain('<form method="post" action="subscribe">');
    expect(page.html).toContain('<input type="radio" id="newsletter-daily" name="newsletter" value="daily" checked>');
    expect(page.html).toContain('<input type="radio" id="alerts-none" name="alerts" value="none" checked>');
    expect(load(page.html)('#privacy').text()).toContain('nothing else is sent until you follow it');
  });

  it('asks for exactly the fields the API reads, and the defaults are a valid request', () => {
    // Prepare
    const fields = { ...formFields(subscribePage(branding).html), email: 'reader@example.org' };

    // Act
    const request = parseSubscribeRequest(fields);

    // Assess
    expect(Object.keys(fields).sort()).toEqual(['alertHour', 'alerts', 'email', 'keywords', 'name', 'newsletter', 'timezone', HONEYPOT_FIELD].sort());
    expect(request).toMatchObject({ email: 'reader@example.org', newsletter: 'daily', alerts: 'none', keywords: [], alertHour: 7, isBot: false });
  });

  it('matches the embedding snippet of the README: the API reads its fields, it posts to /subscribe', () => {
    // Prepare
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    const snippet = /### Embedding the subscribe form[\s\S]*?```html\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    const fields = { ...formFields(snippet), email: 'reader@example.org' };

    // Act
    const request = parseSubscribeRequest(fields);

    // Assess
    expect(load(snippet)('form').attr('action')).toMatch(/^https:\/\/[^/]+\/subscribe$/);
    expect(load(snippet)('form').attr('method')).toBe('post');
    expect(request).toMatchObject({ newsletter: 'daily', alerts: 'none', isBot: false });
    const honeypot = load(snippet)(`input[name="${HONEYPOT_FIELD}"]`);
    expect([honeypot.attr('tabindex'), honeypot.attr('autocomplete'), honeypot.parent().attr('aria-hidden')]).toEqual(['-1', 'off', 'true']);
  });

  it('hides the honeypot from people: off-screen, aria-hidden, out of the tab order, no autofill', () => {
    // Act
    const $ = load(subscribePage(branding).html);
    const honeypot = $(`input[name="${HONEYPOT_FIELD}"]`);

    // Assess
    expect(honeypot).toHaveLength(1);
    expect(honeypot.attr('tabindex')).toBe('-1');
    expect(honeypot.attr('autocomplete')).toBe('off');
    expect(honeypot.attr('value')).toBe('');
    expect(honeypot.closest('[aria-hidden="true"]').hasClass('hp')).toBe(true);
    expect($('style').text()).toMatch(/\.hp \{ position: absolute; left: -10000px;/);
    expect($('style').text()).not.toMatch(/\.hp \{[^}]*display: none/);
  });

  it('shows the form again with the reason, the field marked and the values kept (escaped)', async () => {
    // Prepare
    const values = {
      email: '"><script>alert(1)</script>', name: 'Zoë', newsletter: 'weekly', alerts: 'hourly',
      keywords: 'energy, <b>', alertHour: '21', timezone: 'Asia/Yerevan', [HONEYPOT_FIELD]: 'http://spam.example',
    };

    // Act
    const page = subscribePage(branding, { error: 'email: not a valid address', values });
    const $ = load(page.html);

    // Assess
    expect(page.statusCode).toBe(400);
    expect(await problems(page.html)).toEqual([]);
    expect($('[role="alert"]').text()).toContain('Email address: not a valid address.');
    expect($('[role="alert"] a').attr('href')).toBe('#email');
    expect($('#email').attr('aria-invalid')).toBe('true');
    expect($('#email').attr('aria-describedby')).toBe('form-error');
    expect($('#email').attr('value')).toBe(values.email);
    expect(page.html).not.toContain('<script>');
    expect($('#name').attr('value')).toBe('Zoë');
    expect($('#keywords').attr('value')).toBe('energy, <b>');
    expect($('#timezone').attr('value')).toBe('Asia/Yerevan');
    expect($('#alertHour option[selected]').map((_i, el) => $(el).attr('value')).get()).toEqual(['21']);
    expect($('#newsletter-weekly').attr('checked')).toBeDefined();
    expect($('#alerts-hourly').attr('checked')).toBeDefined();
    expect($(`input[name="${HONEYPOT_FIELD}"]`).attr('value')).toBe('');
    expect(page.html).not.toContain('spam.example');
  });

  it.each([
    ['newsletter: choose a newsletter or alerts', 'Newsletter: choose a newsletter or alerts.', '#newsletter-daily'],
    ['keywords: too long', 'Keywords: too long.', '#keywords'],
    ['timezone: unknown time zone', 'Time zone: unknown time zone.', '#timezone'],
    ['alertHour: must be a whole hour from 0 to 23', 'Delivery hour: must be a whole hour from 0 to 23.', '#alertHour'],
  ])('explains "%s", with the API\'s reason, links to the field and stays valid', async (reason, text, target) => {
    // Act
    const { html } = subscribePage(branding, { error: reason, values: { email: 'a@example.org', keywords: 'a\u0007b' } });
    const $ = load(html);

    // Assess
    expect($('[role="alert"] p').first().text()).toBe(text);
    expect($('[role="alert"] code').text()).toBe(reason);
    expect($('[role="alert"] a').attr('href')).toBe(target);
    expect(await problems(html)).toEqual([]);
    expect($('#keywords').attr('value')).toBe('ab');
  });

  it('describes a field with an error by the error and its hint', () => {
    // Act
    const $ = load(subscribePage(branding, { error: 'keywords: too long' }).html);

    // Assess
    expect($('#keywords').attr('aria-describedby')).toBe('form-error keywords-hint');
    expect($('#keywords').attr('aria-invalid')).toBe('true');
    expect($('#timezone').attr('aria-describedby')).toBe('timezone-hint');
    expect($('#timezone').attr('aria-invalid')).toBeUndefined();
  });

  it('explains a reason about no field in general terms', () => {
    // Act
    const $ = load(subscribePage(branding, { error: 'colour: unknown field' }).html);

    // Assess
    expect($('[role="alert"] p').first().text()).toBe('The form could not be read. Please try again.');
    expect($('[role="alert"] code').text()).toBe('colour: unknown field');
    expect($('[aria-invalid]')).toHaveLength(0);
  });
});
