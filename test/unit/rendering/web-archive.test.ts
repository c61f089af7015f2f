import { describe, it, expect } from 'vitest';
import * as cheerio from 'cheerio';
import { renderArchiveIndex, renderEditionPage, renderFeed } from '../../../functions/core/rendering/web-archive.ts';
import { ARCHIVE_URL, headlinesOf, makeBranding, makeContent } from '../../kit/fixtures/index.ts';
import { htmlProblems, pageValidator } from './html-validate.ts';

/**
 * A small strict well-formedness check (cheerio's XML mode is lenient): one XML declaration,
 * tags balanced and properly nested, attribute values quoted, every `&` an entity, no `<`
 * in text. Returns the problems found.
 */
function xmlProblems(xml: string): string[] {
  const problems: string[] = [];
  if (!xml.startsWith('<?xml version="1.0" encoding="utf-8"?>\n')) problems.push('missing XML declaration');
  const body = xml.replace(/^<\?xml[^?]*\?>\s*/, '');
  const stack: string[] = [];
  const tag = /<(\/?)([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>/g;
  let last = 0;
  for (const match of body.matchAll(tag)) {
    const text = body.slice(last, match.index);
    if (text.includes('<') || text.includes('>')) problems.push(`stray markup: ${text.slice(0, 40)}`);
    last = match.index + match[0].length;
    const [, closing, name = '', , selfClosing] = match;
    if (closing) {
      if (stack.pop() !== name) problems.push(`misnested </${name}>`);
    } else if (!selfClosing) stack.push(name);
  }
  if (body.slice(last).trim() !== '') problems.push('text after the root element');
  if (stack.length > 0) problems.push(`unclosed: ${stack.join(', ')}`);
  for (const amp of xml.matchAll(/&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/g)) {
    problems.push(`bare & at ${amp.index}`);
  }
  return problems;
}

const editions = [
  { id: 'e1', title: 'Daily digest, April 30, 2024', url: 'https://archive.example.com/e1.html', publishedAt: '2024-04-30T06:00:00Z' },
  { id: 'e2', title: 'Daily <b>digest</b> & "friends"\u0007', url: 'https://archive.example.com/e2.html', publishedAt: '2024-05-01T06:00:00Z' },
  { id: 'e3', title: 'Evil', url: 'javascript:alert(1)', publishedAt: 'not a date' },
];

describe('Function: renderEditionPage', () => {
  const content = makeContent(38);
  const html = renderEditionPage(content, { branding: makeBranding(), archiveIndexUrl: ARCHIVE_URL });
  const $ = cheerio.load(html);

  it('should show every story once, Editor\'s choice first (no size limit on the web)', () => {
    // Assess
    expect($('h2').first().text()).toBe("Editor's choice");
    expect($('article').first().hasClass('hero')).toBe(true);
    for (const headline of headlinesOf(content)) {
      expect($('h3').filter((_i, el) => $(el).text() === headline)).toHaveLength(1);
    }
  });

  it('should be a valid, accessible HTML5 page', async () => {
    // Assess
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect($('html').attr('lang')).toBe('en');
    expect($('meta[name="viewport"]').attr('content')).toContain('width=device-width');
    expect($('main')).toHaveLength(1);
    expect($('h1')).toHaveLength(1);
    $('img').each((_i, el) => {
      expect(($(el).attr('alt') ?? '').trim()).not.toBe('');
    });
    expect(await htmlProblems(pageValidator, html)).toEqual([]);
  });

  it('should carry no token, no personal data and only http(s) links', () => {
    // Assess
    expect(html).not.toContain('%%{');
    expect($.text()).not.toMatch(/Hello|Unsubscribe|Manage preferences|View in browser/);
    expect($('script')).toHaveLength(0);
    $('a[href]').each((_i, el) => {
      const href = $(el).attr('href') ?? '';
      if (!href.startsWith('#')) expect(href).toMatch(/^https?:\/\//);
    });
    expect($('a').filter((_i, el) => $(el).text() === 'All editions').attr('href')).toBe(ARCHIVE_URL);
  });
});

describe('Function: renderArchiveIndex', () => {
  it('should list the editions newest first, escaped, without unsafe links', async () => {
    // Act
    const html = renderArchiveIndex(editions, makeBranding());
    const $ = cheerio.load(html);
    // Assess
    const items = $('ol.editions li');
    expect(items).toHaveLength(3);
    expect(items.first().find('a').text()).toBe('Daily <b>digest</b> & "friends"');
    expect(items.first().find('time').attr('datetime')).toBe('2024-05-01T06:00:00.000Z');
    expect($('b')).toHaveLength(0);
    expect(html).not.toMatch(/javascript:/i);
    expect(await htmlProblems(pageValidator, html)).toEqual([]);
  });
});

describe('The web archive: links to the subscribe page', () => {
  const subscribeUrl = 'https://api.example.com/subscribe';

  it('should link the index to the subscribe page, under the heading and in the footer', async () => {
    // Act
    const html = renderArchiveIndex(editions, makeBranding(), { subscribeUrl });
    const $ = cheerio.load(html);
    // Assess
    const links = $('a').filter((_i, el) => $(el).text() === 'Subscribe');
    expect(links).toHaveLength(2);
    expect(links.map((_i, el) => $(el).attr('href')).get()).toEqual([subscribeUrl, subscribeUrl]);
    expect($('h1').next('p').text()).toBe('Subscribe to get every edition by email.');
    expect(await htmlProblems(pageValidator, html)).toEqual([]);
  });

  it('should link an edition page to the subscribe page in its footer', () => {
    // Act
    const $ = cheerio.load(renderEditionPage(makeContent(3), { branding: makeBranding(), archiveIndexUrl: ARCHIVE_URL, subscribeUrl }));
    // Assess
    expect($('footer a').filter((_i, el) => $(el).text() === 'Subscribe').attr('href')).toBe(subscribeUrl);
  });

  it('should have no subscribe link without a URL, and refuse an unsafe one', () => {
    // Act
    const html = renderArchiveIndex(editions, makeBranding());
    const act = (): string => renderArchiveIndex(editions, makeBranding(), { subscribeUrl: 'javascript:alert(1)' });
    // Assess
    expect(html).not.toContain('Subscribe');
    expect(act).toThrow(/subscribeUrl/);
  });
});

describe('Function: renderFeed', () => {
  const xml = renderFeed(editions, {
    branding: makeBranding({ siteName: 'News & <Views>' }),
    feedUrl: 'https://archive.example.com/feed.xml',
    archiveUrl: ARCHIVE_URL,
  });

  it('should be well-formed Atom 1.0', () => {
    // Act
    const problems = xmlProblems(xml);
    const $ = cheerio.load(xml, { xml: true });
    // Assess
    expect(problems).toEqual([]);
    expect($('feed').attr('xmlns')).toBe('http://www.w3.org/2005/Atom');
    expect($('feed > id').text()).toBe('https://archive.example.com/feed.xml');
    expect($('feed > link[rel="self"]').attr('href')).toBe('https://archive.example.com/feed.xml');
    expect($('feed > updated').text()).toBe('2024-05-01T06:00:00.000Z');
    expect($('feed > author > name').text()).toBe('CommonSpace Digest');
    expect($('entry')).toHaveLength(3);
  });

  it('should detect a malformed document (the checker works)', () => {
    // Act / Assess
    expect(xmlProblems('<?xml version="1.0" encoding="utf-8"?>\n<a><b></a></b>')).not.toEqual([]);
    expect(xmlProblems('<?xml version="1.0" encoding="utf-8"?>\n<a>x & y</a>')).not.toEqual([]);
  });

  it('should escape titles and drop characters XML forbids', () => {
    // Act
    const $ = cheerio.load(xml, { xml: true });
    // Assess
    expect($('feed > title').text()).toBe('News & <Views>');
    expect($('entry').first().find('title').text()).toBe('Daily <b>digest</b> & "friends"');
    expect(xml).not.toContain('\u0007');
    expect(xml).not.toMatch(/javascript:/i);
    expect($('entry').last().find('id').text()).toBe('urn:news-digest:edition:e3');
    expect($('entry').last().find('link')).toHaveLength(0);
  });
});
