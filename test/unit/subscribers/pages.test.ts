import { HtmlValidate } from 'html-validate';
import { describe, expect, it } from 'vitest';
import {
  confirmedPage,
  errorPage,
  preferencesPage,
  subscribeAcceptedPage,
  unsubscribedPage,
  unsubscribePromptPage,
} from '../../../functions/http/pages.ts';
import type { PreferencesView } from '../../../functions/core/subscribers/subscription-service.ts';
import type { Branding } from '../../../functions/core/rendering/types.ts';

const branding: Branding = {
  siteName: 'Example <News>', siteUrl: 'https://news.example.org', primaryColor: '#0b5394', textColor: '#1f2328',
  backgroundColor: '#f4f5f7', fromName: 'Example', fromAddress: 'news@example.org', postalAddress: '1 Main St & Co',
};

const view: PreferencesView = {
  maskedEmail: 'a***@example.org', name: '"><script>alert(1)</script>', status: 'confirmed', newsletter: 'weekly',
  alerts: 'hourly', keywords: ['energy', '<b>'], preferencesToken: 'p.tok', unsubscribeToken: 'u.tok',
};

const validator = new HtmlValidate({
  extends: ['html-validate:recommended', 'html-validate:a11y'],
  rules: { 'no-inline-style': 'off', 'require-sri': 'off' },
});

async function problems(html: string): Promise<string[]> {
  const report = await validator.validateString(html);
  return report.results.flatMap((r) => r.messages.map((m) => `${m.ruleId}: ${m.message} (line ${m.line})`));
}

describe('Function: pages', () => {
  it.each([
    ['subscribeAcceptedPage', subscribeAcceptedPage(branding)],
    ['confirmedPage', confirmedPage(branding, { already: false })],
    ['preferencesPage', preferencesPage(branding, view, { saved: true })],
    ['unsubscribePromptPage', unsubscribePromptPage(branding, 'u.tok')],
    ['unsubscribedPage', unsubscribedPage(branding)],
    ['errorPage', errorPage(branding, 400, 'token: expired')],
  ])('%s is valid, accessible HTML without scripts', async (_name, page) => {
    // Prepare & Act
    const found = await problems(page.html);

    // Assess
    expect(found).toEqual([]);
    expect(page.html).not.toMatch(/<script/i);
    expect(page.html).toContain('<html lang="en">');
    expect(page.html).toContain('Example &lt;News&gt;');
  });

  it('escapes every value on the preferences page and labels every control', () => {
    // Prepare & Act
    const { html, statusCode } = preferencesPage(branding, view);

    // Assess
    expect(statusCode).toBe(200);
    expect(html).toContain('&quot;&gt;&lt;script&gt;');
    expect(html).toContain('value="energy, &lt;b&gt;"');
    expect(html).toContain('<input type="radio" id="newsletter-weekly" name="newsletter" value="weekly" checked>');
    expect(html).toContain('<input type="radio" id="alerts-hourly" name="alerts" value="hourly" checked>');
    expect(html).toContain('<label for="keywords">');
    expect(html).toContain('action="unsubscribe?token=u.tok"');
    expect(html).toContain('<input type="hidden" name="token" value="p.tok">');
    expect(html).not.toContain('example.org"');
  });

  it('the unsubscribe page posts the one-click body to the link', () => {
    // Prepare & Act
    const { html } = unsubscribePromptPage(branding, 'a.b');

    // Assess
    expect(html).toContain('<form method="post" action="unsubscribe?token=a.b">');
    expect(html).toContain('<input type="hidden" name="List-Unsubscribe" value="One-Click">');
  });

  it.each([
    [400, 'token: expired', 'This link has expired'],
    [400, 'token: already used', 'This link was already used'],
    [400, 'token: bad signature', 'This link is not valid'],
    [404, 'subscription not found', 'Subscription not found'],
    [404, 'not found', 'Page not found'],
    [429, 'too many requests; try again later', 'Too many requests'],
    [500, 'internal error', 'Something went wrong'],
  ])('explains a %i "%s" clearly', (status, reason, heading) => {
    // Prepare & Act
    const page = errorPage(branding, status, reason);

    // Assess
    expect(page.statusCode).toBe(status);
    expect(page.html).toContain(`<h1>${heading}</h1>`);
    if (status < 500) expect(page.html).toContain(`<code>${reason.replace(/'/g, '&#39;')}</code>`);
  });

  it('shows the request id to quote, and no detail of a 5xx', () => {
    // Prepare & Act
    const page = errorPage(branding, 500, 'internal error', 'req-<1>');
    const refused = errorPage(branding, 400, 'token: expired', 'req-2');

    // Assess
    expect(page.html).toContain('<p class="hint">Request id: <code>req-&lt;1&gt;</code></p>');
    expect(page.html).not.toContain('internal error');
    expect(refused.html).toContain('Request id: <code>req-2</code>');
    expect(errorPage(branding, 400, 'token: expired').html).not.toContain('Request id');
  });
});
