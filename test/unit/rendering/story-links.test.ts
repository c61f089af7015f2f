/**
 * Every story of a digest links somewhere: to its own URL, else to its place on the
 * edition's web page (`<page>#<anchor>`), in the HTML (headline, "Read more", hero image)
 * and in the plain text; and the web page has that anchor. The alert email, which shares the
 * story helper, is unchanged: a story without a URL has no link there.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import * as cheerio from 'cheerio';
import { articleView, buildDigestView, storyLink, allStories } from '../../../functions/core/rendering/digest-model.ts';
import { renderEdition } from '../../../functions/core/rendering/edition-email.ts';
import { renderAlertDigest } from '../../../functions/core/rendering/alert-email.ts';
import { renderEditionPage } from '../../../functions/core/rendering/web-archive.ts';
import type { EditionContent, RenderedEdition } from '../../../functions/core/editions/types.ts';
import { ARCHIVE_URL, EDITION_URL, makeArticle, makeBranding, makeContent, makePick } from '../../kit/fixtures/index.ts';

const branding = makeBranding();

/** A page export's lead story: no URL, an image, picked by the editors; plus a URL-less article. */
function contentWithoutUrls(overrides: Partial<EditionContent> = {}): EditionContent {
  return makeContent(4, {
    picks: [
      makePick(1, {
        id: 'lead',
        headline: 'Blinken and Lavrov discuss growing tensions Ukraine-Russia',
        url: undefined,
        image: { url: 'https://www.commonspace.eu/img/lead.jpg', alt: 'Blinken and Lavrov in Stockholm' },
      }),
      makePick(2),
    ],
    sections: [
      { name: 'News', articles: [makeArticle(1, { id: 'no-url', title: 'Café talks resume', url: undefined }), makeArticle(2)] },
    ],
    ...overrides,
  });
}

describe('Function: buildDigestView (anchors)', () => {
  it('should give every story a readable anchor, unique, and the same for the same content', () => {
    // Prepare
    const content = makeContent(3, {
      picks: [makePick(1, { headline: 'Same headline' }), makePick(2, { headline: 'Same headline', url: 'https://x.example/2' })],
      sections: [{ name: 'News', articles: [makeArticle(1, { title: '日本語のニュース' }), makeArticle(2, { title: `Ünïcødé ${'word '.repeat(20)}` })] }],
    });
    // Act
    const anchors = allStories(buildDigestView(content)).map((s) => s.anchor);
    const again = allStories(buildDigestView(content)).map((s) => s.anchor);
    // Assess
    expect(anchors).toEqual(['story-same-headline', 'story-same-headline-2', 'story-a0', `story-unicode${'-word'.repeat(10)}`]);
    expect(again).toEqual(anchors);
  });

  it('should link a story without a URL to its place on the page, and only with a page URL', () => {
    // Prepare
    const content = contentWithoutUrls();
    // Act
    const linked = buildDigestView(content, { pageUrl: EDITION_URL });
    const plain = buildDigestView(content);
    // Assess
    const lead = linked.picks[0]!;
    expect(storyLink(lead)).toBe(`${EDITION_URL}#story-blinken-and-lavrov-discuss-growing-tensions-ukraine-russia`);
    expect(storyLink(linked.picks[1]!)).toBe(content.picks[1]!.url);
    expect(linked.picks[1]!.fallbackUrl).toBeUndefined();
    expect(storyLink(plain.picks[0]!)).toBeUndefined();
  });
});

describe('Function: renderEdition (every story links somewhere)', () => {
  const content = contentWithoutUrls();
  let rendered: RenderedEdition;
  let $: cheerio.CheerioAPI;
  let page: cheerio.CheerioAPI;

  beforeAll(async () => {
    // Act
    rendered = await renderEdition(content, { branding, editionUrl: EDITION_URL });
    $ = cheerio.load(rendered.html);
    page = cheerio.load(renderEditionPage(content, { branding, archiveIndexUrl: ARCHIVE_URL }));
  });

  it('should link every headline, and have a "Read more" for each story', () => {
    // Assess
    const headlines = $('h3');
    expect(headlines.length).toBe(4);
    headlines.each((_i, el) => expect($(el).find('a').attr('href')).toMatch(/^https:\/\//));
    expect($('a').filter((_i, el) => $(el).text().trim() === 'Read more')).toHaveLength(4);
  });

  it('should link a URL-less story (headline, "Read more", hero image) to its anchor on the web page', () => {
    // Prepare
    const anchor = 'story-blinken-and-lavrov-discuss-growing-tensions-ukraine-russia';
    const href = `${EDITION_URL}#${anchor}`;
    const card = $('h3.hero-headline').closest('td');
    // Assess
    expect($('h3.hero-headline a').attr('href')).toBe(href);
    expect(card.find('a').filter((_i, el) => $(el).text().trim() === 'Read more').attr('href')).toBe(href);
    expect($('img[alt="Blinken and Lavrov in Stockholm"]').closest('a').attr('href')).toBe(href);
    expect(page(`article#${anchor} h3`).text()).toBe('Blinken and Lavrov discuss growing tensions Ukraine-Russia');
    const article = $('h3').filter((_i, el) => $(el).text().trim() === 'Café talks resume').find('a');
    expect(article.attr('href')).toBe(`${EDITION_URL}#story-cafe-talks-resume`);
    expect(page('article#story-cafe-talks-resume h3').text()).toBe('Café talks resume');
  });

  it('should write the anchor links in the plain text too', () => {
    // Assess
    expect(rendered.text).toContain(`Read more:\n${EDITION_URL}#story-blinken-and-lavrov-discuss-growing-tensions-ukraine-russia`);
    expect(rendered.text).toContain(`Read more:\n${EDITION_URL}#story-cafe-talks-resume`);
  });

  it('should give every story on the web page an id, and every email link a target there', () => {
    // Prepare
    const ids = page('article[id]').map((_i, el) => page(el).attr('id')).get();
    const anchored = $('a[href^="' + EDITION_URL + '#"]').map((_i, el) => ($(el).attr('href') ?? '').split('#')[1]).get();
    // Assess
    expect(ids).toHaveLength(4);
    expect(new Set(ids).size).toBe(4);
    expect(anchored.length).toBeGreaterThan(0);
    for (const id of anchored) expect(ids).toContain(id);
  });

  it('should show the date in the edition\'s language', async () => {
    // Act
    const french = await renderEdition(contentWithoutUrls({ language: 'fr' }), { branding, editionUrl: EDITION_URL });
    // Assess
    expect(cheerio.load(french.html)('h1').parent().find('p').first().text()).toBe('1 mai 2024');
    expect(french.text).toContain('==================\n1 mai 2024\n');
  });
});

describe('Function: renderAlertDigest (shares the story helper)', () => {
  it('should still show a story without a URL unlinked', async () => {
    // Act
    const rendered = await renderAlertDigest(
      { id: 'alerts-1', language: 'en', items: [{ story: articleView(makeArticle(1, { title: 'No link here', url: undefined }), 'a1'), keywords: ['talks'] }], total: 1 },
      { branding },
    );
    const $ = cheerio.load(rendered.html);
    // Assess
    expect($('h3').text().trim()).toBe('No link here');
    expect($('h3 a')).toHaveLength(0);
    expect(rendered.text).not.toContain('Read more');
    expect($('h1').parent().find('p')).toHaveLength(0);
  });
});
