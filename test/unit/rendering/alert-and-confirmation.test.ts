import { describe, it, expect, beforeAll } from 'vitest';
import * as cheerio from 'cheerio';
import { renderAlertDigest } from '../../../functions/core/rendering/alert-email.ts';
import { renderConfirmationEmail } from '../../../functions/core/rendering/confirmation-email.ts';
import { RenderCounter } from '../../../functions/core/rendering/mjml-compiler.ts';
import { RenderError } from '../../../functions/core/errors.ts';
import { Token, type RenderedEdition } from '../../../functions/core/editions/types.ts';
import { EDITION_URL, makeArticle, makeBranding, replaceTokens } from '../../kit/fixtures/index.ts';
import { emailValidator, htmlProblems } from './html-validate.ts';

const options = { branding: makeBranding(), editionUrl: EDITION_URL };

describe('Function: renderAlertDigest', () => {
  const climate = makeArticle(1, { title: 'Glaciers retreat faster than expected', section: 'Science' });
  const border = makeArticle(2, { title: 'Border crossing reopens', section: 'News' });
  const evil = makeArticle(3, { title: '<script>alert(1)</script> in a title', url: 'javascript:alert(1)' });
  let rendered: RenderedEdition;
  let $: cheerio.CheerioAPI;
  let compiles: number;

  beforeAll(async () => {
    // Prepare
    const counter = new RenderCounter();
    // Act
    rendered = await renderAlertDigest(
      {
        id: 'alerts-2024-05-01',
        language: 'nl',
        matches: [
          { keyword: 'climate', article: climate },
          { keyword: 'border', article: border },
          { keyword: 'glacier', article: climate },
          { keyword: '<b>xss</b>', article: evil },
        ],
      },
      { ...options, observer: counter },
    );
    compiles = counter.compiles;
    $ = cheerio.load(rendered.html);
  });

  it('should list each matched article once with the keywords that matched it', () => {
    // Prepare
    const kickers = $('p')
      .filter((_i, el) => $(el).text().startsWith('Matched:'))
      .map((_i, el) => $(el).text().trim())
      .get();
    // Assess
    expect(kickers).toEqual(['Matched: climate, glacier · Science', 'Matched: border · News', 'Matched: <b>xss</b> · News']);
    expect($('h3')).toHaveLength(3);
    expect(rendered.shown).toBe(3);
    expect(rendered.omitted).toBe(0);
    expect(rendered.editionId).toBe('alerts-2024-05-01');
    expect(compiles).toBe(1);
  });

  it('should escape the text, drop unsafe links and keep the tokens', () => {
    // Assess
    expect($('script')).toHaveLength(0);
    expect($('b')).toHaveLength(0);
    expect(/javascript:/i.test(rendered.html)).toBe(false);
    expect(rendered.tokens).toEqual(expect.arrayContaining(Object.values(Token)));
    expect(replaceTokens(rendered.html, true)).not.toContain('%%{');
    expect(replaceTokens(rendered.text, false)).not.toContain('%%{');
  });

  it('should set lang, a subject and a plain-text part with the keywords', () => {
    // Assess
    expect($('html').attr('lang')).toBe('nl');
    expect(rendered.subject).toBe('CommonSpace Digest: Glaciers retreat faster than expected +2 more');
    expect(rendered.text).toContain('Matched: climate, glacier · Science');
    expect(rendered.text).toContain(`Read more: ${climate.url ?? ''}`);
    expect(rendered.text).toContain(`Unsubscribe:\n${Token.UNSUBSCRIBE_URL}`);
  });

  it('should pass html-validate (email ruleset)', async () => {
    // Act
    const problems = await htmlProblems(emailValidator, rendered.html);
    // Assess
    expect(problems).toEqual([]);
  });

  it('should leave out the least recent matches when over the budget', async () => {
    // Prepare
    const matches = Array.from({ length: 60 }, (_v, i) => ({ keyword: 'border', article: makeArticle(i + 1) }));
    // Act
    const result = await renderAlertDigest({ id: 'big', language: 'en', matches }, options);
    // Assess
    expect(Buffer.byteLength(result.html, 'utf8')).toBeLessThan(90 * 1024);
    expect(result.omitted).toBeGreaterThan(0);
    expect(result.shown + result.omitted).toBe(60);
    const $$ = cheerio.load(result.html);
    expect($$('a').filter((_i, el) => $$(el).text().trim() === 'More stories').attr('href')).toBe(EDITION_URL);
    // makeArticle(n) is published n minutes before 06:00: the first ones are the newest.
    expect($$.text()).toContain('Story 1:');
    expect($$.text()).not.toContain('Story 60:');
  });

  it('should throw a RenderError without matches', async () => {
    // Act
    const act = renderAlertDigest({ id: 'none', language: 'en', matches: [] }, options);
    // Assess
    await expect(act).rejects.toBeInstanceOf(RenderError);
  });
});

describe('Function: renderConfirmationEmail', () => {
  const confirmUrl = 'https://api.example.com/confirm?token=abc&list=daily';

  it('should greet nobody by name, show a Confirm subscription button and say nothing happens if ignored', async () => {
    // Act
    const mail = await renderConfirmationEmail({ branding: makeBranding(), confirmUrl, language: 'de' });
    const $ = cheerio.load(mail.html);
    // Assess
    expect(mail.subject).toBe('Confirm your subscription to CommonSpace Digest');
    expect($('html').attr('lang')).toBe('de');
    expect($.text()).toMatch(/Hello,/);
    expect($.text()).not.toMatch(/Hello [^,]/);
    const button = $('a').filter((_i, el) => $(el).text().trim() === 'Confirm subscription');
    expect(button).toHaveLength(1);
    expect(button.attr('href')).toBe(confirmUrl);
    expect(mail.html).toContain('confirm?token=abc&amp;list=daily');
    expect($.text()).toContain('nothing happens');
    expect(mail.text).toMatch(/^Hello,$/m);
    expect(mail.text).toContain(confirmUrl);
    expect(mail.text).toContain('nothing happens');
  });

  it('should carry no personalisation token and pass html-validate', async () => {
    // Act
    const mail = await renderConfirmationEmail({ branding: makeBranding(), confirmUrl });
    // Assess
    expect(mail.html).not.toContain('%%{');
    expect(mail.text).not.toContain('%%{');
    expect(cheerio.load(mail.html)('html').attr('lang')).toBe('en');
    expect(await htmlProblems(emailValidator, mail.html)).toEqual([]);
  });

  it('should refuse a confirm URL that is not http(s)', async () => {
    // Act
    const act = renderConfirmationEmail({ branding: makeBranding(), confirmUrl: 'javascript:alert(1)' });
    // Assess
    await expect(act).rejects.toBeInstanceOf(RenderError);
  });
});
