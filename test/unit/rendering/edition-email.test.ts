import { describe, it, expect, beforeAll } from 'vitest';
import * as cheerio from 'cheerio';
import { renderEdition } from '../../../functions/core/rendering/edition-email.ts';
import { RenderCounter } from '../../../functions/core/rendering/mjml-compiler.ts';
import { RenderError } from '../../../functions/core/errors.ts';
import { Token, type RenderedEdition } from '../../../functions/core/editions/types.ts';
import type { EditionContent } from '../../../functions/core/editions/types.ts';
import { DigestError } from '../../../functions/core/errors.ts';
import {
  EDITION_URL,
  TOKEN_VALUES,
  headlinesOf,
  makeArticle,
  makeBranding,
  makeContent,
  makePick,
  replaceTokens,
} from '../../kit/fixtures/index.ts';
import { emailValidator, htmlProblems } from './html-validate.ts';
import { hiddenTextProblems, preheaderProblems } from './hidden-text.ts';

const options = { branding: makeBranding(), editionUrl: EDITION_URL };
/** The anchor of the fixture's story whose `javascript:` URL is dropped. */
const EVIL_ANCHOR = 'story-evil-script-alert-1-script-quotes';

function countHeadline($: cheerio.CheerioAPI, headline: string): number {
  return $('h3').filter((_i, el) => $(el).text().trim() === headline).length;
}

describe('Function: renderEdition', () => {
  let content: EditionContent;
  let rendered: RenderedEdition;
  let $: cheerio.CheerioAPI;
  let compiles: number;
  const counter = new RenderCounter();

  beforeAll(async () => {
    // Prepare
    content = makeContent(13);
    // Act
    rendered = await renderEdition(content, { ...options, observer: counter });
    compiles = counter.compiles;
    $ = cheerio.load(rendered.html);
  });

  it('should compile MJML exactly once for an edition that fits', () => {
    // Assess
    expect(compiles).toBe(1);
    expect(counter.last?.compiles).toBe(1);
  });

  it('should put the Editor\'s choice block first, with the first pick as the hero', () => {
    // Prepare
    const headings = $('h2')
      .map((_i, el) => $(el).text().trim())
      .get();
    const firstPick = content.picks[0];
    // Assess
    expect(headings[0]).toBe("Editor's choice");
    expect(headings.slice(1)).toEqual(content.sections.map((s) => s.name));
    const hero = $('h3').first();
    expect(hero.hasClass('hero-headline')).toBe(true);
    expect(hero.text().trim()).toBe(firstPick?.headline);
    // The hero image comes before the hero headline and is linked to the story.
    const heroImage = $('img[alt="Signing ceremony in Zürich"]');
    expect(heroImage).toHaveLength(1);
    expect(heroImage.attr('src')).toBe(firstPick?.image?.url);
    expect(heroImage.closest('a').attr('href')).toBe(firstPick?.url);
    expect(rendered.html.indexOf('Signing ceremony')).toBeLessThan(rendered.html.indexOf('class="hero-headline"'));
    // The second pick is compact: same size as the cards, no image.
    expect($('h3').eq(1).text().trim()).toBe(content.picks[1]?.headline);
    expect($('h3').eq(1).hasClass('hero-headline')).toBe(false);
  });

  it('should show each story exactly once', () => {
    // Assess
    for (const headline of headlinesOf(content)) expect(countHeadline($, headline)).toBe(1);
    expect(rendered.shown).toBe(content.picks.length + content.sections.flatMap((s) => s.articles).length);
    expect(rendered.omitted).toBe(0);
    expect($('a:contains("More stories")')).toHaveLength(0);
  });

  it('should show an article that is also a pick only once (in Editor\'s choice)', async () => {
    // Prepare
    const article = makeArticle(50, { id: 'dup', title: 'Duplicated story', url: 'https://www.commonspace.eu/dup' });
    const dup: EditionContent = {
      ...content,
      picks: [makePick(9, { id: 'dup', headline: 'Duplicated story', url: 'https://www.commonspace.eu/dup' })],
      sections: [{ name: 'News', articles: [article, makeArticle(51)] }],
    };
    // Act
    const result = await renderEdition(dup, options);
    // Assess
    expect(countHeadline(cheerio.load(result.html), 'Duplicated story')).toBe(1);
    expect(result.shown).toBe(2);
  });

  it('should escape article text and drop non-http(s) links', () => {
    // Prepare
    const html = rendered.html;
    // Assess
    expect($('script')).toHaveLength(0);
    expect(/javascript:/i.test(html)).toBe(false);
    expect($('[onerror]')).toHaveLength(0);
    expect($.text()).toContain('An <img src=x onerror=alert(1)> summary that must be escaped.');
    expect(countHeadline($, 'Evil <script>alert(1)</script> & "quotes"')).toBe(1);
    // The evil story's unsafe URL is dropped: it links to its place on the web page instead.
    const evil = $('h3').filter((_i, el) => $(el).text().includes('Evil'));
    expect(evil.find('a').attr('href')).toBe(`${EDITION_URL}#${EVIL_ANCHOR}`);
  });

  it('should keep non-ASCII text intact', () => {
    // Assess
    expect(countHeadline($, 'Ünïcødé: Грузия и Армения — 日本語のニュース 🎉')).toBe(1);
    expect($.text()).toContain('Naïve café résumé: «quotes», “curly” and emoji 🚀');
  });

  it('should use only absolute http(s) links and images once tokens are replaced', () => {
    // Prepare
    const $$ = cheerio.load(replaceTokens(rendered.html, true));
    const hrefs = $$('a[href]').map((_i, el) => $$(el).attr('href') ?? '').get();
    const srcs = $$('img').map((_i, el) => $$(el).attr('src') ?? '').get();
    // Assess
    expect(hrefs.length).toBeGreaterThan(10);
    for (const href of [...hrefs, ...srcs]) expect(href).toMatch(/^https?:\/\/[^\s]+$/);
    expect($$('a:not([href])')).toHaveLength(0);
  });

  it('should leave the tokens in the artefact, and only where they belong', () => {
    // Assess
    for (const token of [Token.UNSUBSCRIBE_URL, Token.PREFERENCES_URL, Token.WEB_VIEW_URL]) {
      expect($(`a[href="${token}"]`)).toHaveLength(1);
      expect(rendered.text.split(token)).toHaveLength(2);
    }
    expect($.text()).toContain(`Hello ${Token.NAME},`);
    expect(rendered.tokens).toEqual(expect.arrayContaining(Object.values(Token)));
    expect(rendered.tokens).toHaveLength(4);
    // The article that tries to look like a token is shown, but is not a token.
    expect($.text()).toContain('Summary mentioning %%{unsubscribe_url}%% and %%{name}%% as plain text.');
    expect(rendered.html.split(Token.UNSUBSCRIBE_URL)).toHaveLength(2);
    expect(rendered.html.split(Token.NAME)).toHaveLength(2);
  });

  it('should have no token left after a simple replace of every token', () => {
    // Act
    const html = replaceTokens(rendered.html, true);
    const text = replaceTokens(rendered.text, false);
    // Assess
    expect(html).not.toContain('%%{');
    expect(text).not.toContain('%%{');
    expect(cheerio.load(html).text()).toContain(`Hello ${TOKEN_VALUES[Token.NAME]},`);
  });

  it('should set lang from the content language', async () => {
    // Prepare
    const fr = makeContent(3, { language: 'fr-BE' });
    // Act
    const result = await renderEdition(fr, options);
    // Assess
    expect($('html').attr('lang')).toBe('en');
    expect(cheerio.load(result.html)('html').attr('lang')).toBe('fr-BE');
    expect(result.language).toBe('fr-BE');
  });

  it('should give every image a non-empty alt', () => {
    // Assess
    const images = $('img');
    expect(images.length).toBeGreaterThanOrEqual(2);
    images.each((_i, el) => {
      expect(($(el).attr('alt') ?? '').trim()).not.toBe('');
    });
    expect($(`img[alt="${options.branding.siteName}"]`)).toHaveLength(1);
  });

  it('should show the branding from the Branding object', async () => {
    // Prepare
    const branding = makeBranding({
      siteName: 'Le Quotidien',
      siteUrl: 'https://quotidien.example.fr/',
      logoUrl: undefined,
      primaryColor: '#aa0000',
      postalAddress: '1 rue de la Paix\n75002 Paris',
    });
    // Act
    const result = await renderEdition(content, { ...options, branding });
    const $$ = cheerio.load(result.html);
    // Assess
    expect($$('h1').text().trim()).toBe('Le Quotidien');
    expect($$('h1 a').attr('href')).toBe('https://quotidien.example.fr/');
    expect($$('img[alt="Le Quotidien"]')).toHaveLength(0);
    expect(result.html).toContain('#aa0000');
    expect(result.html).not.toContain('CommonSpace Digest');
    expect($$.text()).toContain('1 rue de la Paix');
    expect(result.text).toContain('1 rue de la Paix\n75002 Paris');
  });

  it('should have a footer with the reason, view-in-browser, preferences, unsubscribe and postal address', () => {
    // Prepare
    const footer = $(`a[href="${Token.UNSUBSCRIBE_URL}"]`).closest('div');
    // Assess
    expect(footer.text()).toContain('You receive this email because you subscribed to the daily digest');
    expect(footer.find(`a[href="${Token.WEB_VIEW_URL}"]`).text()).toBe('View in browser');
    expect(footer.find(`a[href="${Token.PREFERENCES_URL}"]`).text()).toBe('Manage preferences');
    expect(footer.find(`a[href="${Token.UNSUBSCRIBE_URL}"]`).text()).toBe('Unsubscribe');
    expect(footer.text()).toContain(options.branding.postalAddress);
  });

  it('should hide the preheader without a colour or tiny-font trick, and keep it short', () => {
    // Prepare
    const preheader = $('[role="article"]').children().first();
    // Assess
    expect(rendered.preheader).toBe(content.picks[0]?.summary);
    expect(rendered.preheader.length).toBeLessThanOrEqual(150);
    // The first element of the email holds the preheader, hidden by display:none only.
    expect(preheader.text()).toBe(rendered.preheader);
    expect(preheaderProblems(preheader.attr('style'))).toEqual([]);
    // No text anywhere that SpamAssassin would score as low-contrast (HTML_FONT_LOW_CONTRAST).
    expect(hiddenTextProblems($)).toEqual([]);
  });

  it('should show the edition\'s date under the site name, in the HTML and the text', () => {
    // Prepare
    const masthead = $('h1').parent();
    // Assess
    expect(masthead.find('p').first().text()).toBe('May 1, 2024');
    expect(rendered.text.startsWith('CommonSpace Digest\n==================\nMay 1, 2024\n\nHello')).toBe(true);
  });

  it('should pass html-validate (email ruleset)', async () => {
    // Act
    const problems = await htmlProblems(emailValidator, rendered.html);
    // Assess
    expect(problems).toEqual([]);
  });
});

describe('Function: renderEdition (size budget)', () => {
  it('should keep a 40-story edition under 90 KB with one compile, leaving out the least recent', async () => {
    // Prepare
    const content = makeContent(38); // 38 articles + 2 picks
    const counter = new RenderCounter();
    // Act
    const result = await renderEdition(content, { ...options, observer: counter });
    const compiles = counter.compiles;
    // Assess
    const $ = cheerio.load(result.html);
    expect(Buffer.byteLength(result.html, 'utf8')).toBeLessThan(90 * 1024);
    expect(result.omitted).toBeGreaterThan(0);
    expect(result.shown + result.omitted).toBe(40);
    expect(compiles).toBe(1);
    const more = $('a').filter((_i, el) => $(el).text().trim() === 'More stories');
    expect(more).toHaveLength(1);
    expect(more.attr('href')).toBe(EDITION_URL);
    expect(result.text).toContain(`More stories: ${EDITION_URL}`);
    // Picks are all kept; every shown article is more recent than every omitted one.
    for (const pick of content.picks) expect(countHeadline($, pick.headline)).toBe(1);
    const articles = content.sections.flatMap((s) => s.articles);
    const shown = articles.filter((a) => countHeadline($, a.title) === 1);
    const omitted = articles.filter((a) => countHeadline($, a.title) === 0);
    expect(omitted).toHaveLength(result.omitted);
    const oldestShown = Math.min(...shown.map((a) => Date.parse(a.publishedAt)));
    const newestOmitted = Math.max(...omitted.map((a) => Date.parse(a.publishedAt)));
    expect(newestOmitted).toBeLessThanOrEqual(oldestShown);
    // The subject counts what is shown, not what was left out.
    expect(result.subject).toContain(`+${result.shown - 1} more`);
  });

  it('should estimate the size it compiles within 5%', async () => {
    // Act
    const counter = new RenderCounter();
    await renderEdition(makeContent(20), { ...options, observer: counter });
    const stats = counter.last;
    // Assess
    expect(stats).toBeDefined();
    const error = Math.abs((stats?.estimatedBytes ?? 0) - (stats?.htmlBytes ?? 0)) / (stats?.htmlBytes ?? 1);
    expect(error).toBeLessThan(0.05);
  });

  it('should keep the picks and drop every article before dropping a pick', async () => {
    // Prepare
    const picksOnly = await renderEdition(makeContent(0, { sections: [] }), options);
    const budget = Buffer.byteLength(picksOnly.html, 'utf8') + 3000;
    const content = makeContent(10);
    // Act
    const result = await renderEdition(content, { ...options, maxHtmlBytes: budget });
    // Assess
    expect(Buffer.byteLength(result.html, 'utf8')).toBeLessThanOrEqual(budget);
    expect(result.shown).toBe(2);
    expect(result.omitted).toBe(10);
    const $ = cheerio.load(result.html);
    for (const pick of content.picks) expect(countHeadline($, pick.headline)).toBe(1);
    expect($('a').filter((_i, el) => $(el).text().trim() === 'More stories').attr('href')).toBe(EDITION_URL);
  });

  it('should throw a RenderError when not even one story fits', async () => {
    // Act
    const act = renderEdition(makeContent(5), { ...options, maxHtmlBytes: 2000 });
    // Assess
    await expect(act).rejects.toBeInstanceOf(RenderError);
    await expect(act).rejects.toBeInstanceOf(DigestError);
  });

  it('should throw a RenderError for an edition without stories', async () => {
    // Act
    const act = renderEdition(makeContent(0, { picks: [], sections: [] }), options);
    // Assess
    await expect(act).rejects.toThrow(/no story/);
  });

  it('should refuse a non-http(s) editionUrl', async () => {
    // Act
    const act = renderEdition(makeContent(3), { ...options, editionUrl: 'javascript:alert(1)' });
    // Assess
    await expect(act).rejects.toBeInstanceOf(RenderError);
  });
});

describe('Function: renderEdition (subject)', () => {
  it('should be site name, top pick headline and "+N more"', async () => {
    // Prepare
    const content = makeContent(3, { picks: [makePick(1, { headline: 'Big news' })] });
    // Act
    const result = await renderEdition(content, options);
    // Assess
    expect(result.subject).toBe('CommonSpace Digest: Big news +3 more');
  });

  it('should use the top article when there is no pick, and no "more" for a single story', async () => {
    // Prepare
    const content = makeContent(0, {
      picks: [],
      sections: [{ name: 'News', articles: [makeArticle(1, { title: 'Only story' })] }],
    });
    // Act
    const result = await renderEdition(content, options);
    // Assess
    expect(result.subject).toBe('CommonSpace Digest: Only story');
    expect(cheerio.load(result.html)('h2').first().text().trim()).toBe('News');
    expect(result.text).not.toContain("Editor's choice");
  });

  it('should strip control characters and cut at 120 characters on a word boundary', async () => {
    // Prepare
    const headline = `Breaking:\u0007 a\r\nvery ${'long headline about the ceasefire talks '.repeat(6)}end`;
    const content = makeContent(3, { picks: [makePick(1, { headline })] });
    // Act
    const result = await renderEdition(content, options);
    // Assess
    expect(result.subject.length).toBeLessThanOrEqual(120);
    expect(result.subject).not.toMatch(/[\u0000-\u001f\u007f]/);
    expect(result.subject).toMatch(/^CommonSpace Digest: Breaking: a very long headline/);
    expect(result.subject).toMatch(/\w… \+3 more$/);
  });

  it('should follow a custom pattern with {date}', async () => {
    // Prepare
    const content = makeContent(1);
    // Act
    const result = await renderEdition(content, { ...options, subjectPattern: '{site} – {date}{more}' });
    // Assess
    expect(result.subject).toBe('CommonSpace Digest – May 1, 2024 +4 more');
  });
});

describe('Function: renderEdition (plain text)', () => {
  let content: EditionContent;
  let rendered: RenderedEdition;

  beforeAll(async () => {
    // Prepare
    content = makeContent(13);
    // Act
    rendered = await renderEdition(content, options);
  });

  it('should start with the site name and show Editor\'s choice before the first section', () => {
    // Prepare
    const text = rendered.text;
    const firstPick = content.picks[0]?.headline ?? '';
    const firstSection = content.sections[0]?.name ?? '';
    // Assess
    expect(text.startsWith('CommonSpace Digest\n')).toBe(true);
    expect(text.split("Editor's choice")).toHaveLength(2);
    expect(text.split(firstPick)).toHaveLength(2);
    expect(text.indexOf("Editor's choice")).toBeLessThan(text.indexOf(firstPick));
    expect(text.indexOf(firstPick)).toBeLessThan(text.indexOf(`\n${firstSection}\n---`));
  });

  it('should write out every link', () => {
    // Prepare
    const urls = [
      ...content.picks.map((p) => p.url),
      ...content.sections.flatMap((s) => s.articles.map((a) => a.url)),
    ].filter((u): u is string => typeof u === 'string' && u.startsWith('https://') && !u.includes('%%'));
    // Assess
    for (const url of urls) expect(rendered.text).toContain(`Read more: ${url}`);
    expect(rendered.text).not.toMatch(/javascript:/i);
    expect(rendered.text).toContain(`View in browser:\n${Token.WEB_VIEW_URL}`);
    expect(rendered.text).toContain(`Manage preferences:\n${Token.PREFERENCES_URL}`);
    expect(rendered.text).toContain(`Unsubscribe:\n${Token.UNSUBSCRIBE_URL}`);
    expect(rendered.text).toContain(options.branding.postalAddress);
  });

  it('should wrap lines at 78 characters without breaking URLs', () => {
    // Prepare
    const lines = rendered.text.split('\n');
    // Assess
    for (const line of lines) {
      if (line.length > 78) expect(line).toMatch(/^(Read more: )?\S+$/);
    }
    // Only a URL longer than a line: the evil story's link to its place on the web page.
    expect(lines.filter((l) => l.length > 78)).toEqual([`${EDITION_URL}#${EVIL_ANCHOR}`]);
  });

  it('should hold the plain text of the evil story, not HTML', () => {
    // Assess
    expect(rendered.text).toContain('Evil <script>alert(1)</script> & "quotes"');
    expect(rendered.text).not.toContain('&lt;');
    expect(rendered.text).not.toContain('&amp;');
  });
});
