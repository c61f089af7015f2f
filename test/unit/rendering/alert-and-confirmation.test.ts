import { describe, it, expect, beforeAll } from 'vitest';
import * as cheerio from 'cheerio';
import { renderAlertDigest } from '../../../functions/core/rendering/alert-email.ts';
import { renderConfirmationEmail } from '../../../functions/core/rendering/confirmation-email.ts';
import { RenderCounter } from '../../../functions/core/rendering/mjml-compiler.ts';
import { RenderError } from '../../../functions/core/errors.ts';
import { Token, type RenderedEdition } from '../../../functions/core/editions/types.ts';
import { articleView } from '../../../functions/core/rendering/digest-model.ts';
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
        id: 'alerts-2024-05-01T06-00',
        language: 'nl',
        items: [
          { story: articleView(climate, 'a1'), keywords: ['climate', 'glacier'] },
          { story: articleView(border, 'a2'), keywords: ['border'] },
          { story: articleView(evil, 'a3'), keywords: ['<b>xss</b>'] },
        ],
        total: 3,
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
    expect($('h2').text()).toBe('3 new articles for your alerts');
    expect(rendered.shown).toBe(3);
    expect(rendered.omitted).toBe(0);
    expect(rendered.editionId).toBe('alerts-2024-05-01T06-00');
    expect(compiles).toBe(1);
  });

  it('should escape the text, drop unsafe links and keep the alert footer tokens', () => {
    // Assess
    expect($('script')).toHaveLength(0);
    expect($('b')).toHaveLength(0);
    expect(/javascript:/i.test(rendered.html)).toBe(false);
    expect(rendered.tokens).toEqual([Token.NAME, Token.UNSUBSCRIBE_URL, Token.PREFERENCES_URL]);
    expect($('a').filter((_i, el) => $(el).text() === 'Stop these alerts').attr('href')).toBe(Token.UNSUBSCRIBE_URL);
    expect(replaceTokens(rendered.html, true)).not.toContain('%%{');
    expect(replaceTokens(rendered.text, false)).not.toContain('%%{');
  });

  it('should set lang, a subject and a plain-text part with the keywords', () => {
    // Assess
    expect($('html').attr('lang')).toBe('nl');
    expect(rendered.subject).toBe('CommonSpace Digest: Glaciers retreat faster than expected +2 more');
    expect(rendered.text).toContain('Matched: climate, glacier · Science');
    expect(rendered.text).toContain(`Read more: ${climate.url ?? ''}`);
    expect(rendered.text).toContain(`Stop these alerts:\n${Token.UNSUBSCRIBE_URL}`);
  });

  it('should pass html-validate (email ruleset)', async () => {
    // Act
    const problems = await htmlProblems(emailValidator, rendered.html);
    // Assess
    expect(problems).toEqual([]);
  });

  it('should throw a RenderError without articles, or when it leaves some out without a page', async () => {
    // Act
    const none = renderAlertDigest({ id: 'none', language: 'en', items: [], total: 0 }, options);
    const noPage = renderAlertDigest({ id: 'more', language: 'en', items: [{ story: articleView(border, 'a'), keywords: ['x'] }], total: 2 }, options);
    // Assess
    await expect(none).rejects.toBeInstanceOf(RenderError);
    await expect(noPage).rejects.toBeInstanceOf(RenderError);
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
