import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { normaliseHeadline, parseSourceObject, pickIdFor } from '../../../functions/core/articles/parsing/index.ts';
import type { ParsedArticle, ParseResult } from '../../../functions/core/articles/types.ts';
import { fixtureObject, OPTIONS, SEED_PATH, sourceObject } from './fixtures.ts';

/** The article of a result, failing the test when there is none. */
function articleOf(result: ParseResult): ParsedArticle {
  expect(result.article).toBeDefined();
  return result.article as ParsedArticle;
}

/** Body paragraphs of a plain-text body. */
function paragraphsOf(article: ParsedArticle): string[] {
  return article.bodyText.split('\n\n');
}

describe('Function: parseSourceObject', () => {
  describe('Format: page export (the commonspace.eu seed)', () => {
    // Prepare
    const body = readFileSync(SEED_PATH);

    it('reads the headline, source, photo and body of the seed page', () => {
      // Act
      const result = parseSourceObject(sourceObject('pages/000_c5efd77b2ca7bb98.txt', body), OPTIONS);

      // Assess
      const article = articleOf(result);
      expect(result.format).toBe('page-export');
      expect(article.title).toBe('Blinken and Lavrov discuss growing tensions Ukraine-Russia');
      expect(article.id).toBe('pages-000-c5efd77b2ca7bb98');
      expect(article.section).toBe('News');
      expect(article.source).toBe('commonspace.eu with agencies');
      expect(article.photo?.startsWith('The US Secretary of State')).toBe(true);
      expect(article.photo).toBe(
        'The US Secretary of State, Antony Blinken and his Russian colleague, Sergei Lavrov, at the start of their meeting in Stockholm. Getty Images',
      );
      expect(article.bodyHtml).toBeUndefined();
      expect(article.publishedAt).toBeUndefined();
      expect(article.language).toBe('en');
      expect(article.tags).toEqual([]);
      expect(article.editorsChoice).toBe(false);
      expect(article.breaking).toBe(false);
    });

    it('keeps the body paragraphs and nothing of the teasers, metadata or block markers', () => {
      // Act
      const article = articleOf(parseSourceObject(sourceObject('pages/seed.txt', body), OPTIONS));

      // Assess
      const paragraphs = paragraphsOf(article);
      expect(paragraphs).toHaveLength(9);
      expect(paragraphs[0]).toBe(
        'US Secretary of State, Anthony Blinken, and Russian Foreign Minister Sergei Lavrov met on the margins of the annual Ministerial Council of the Organization for Security and Cooperation in Europe (OSCE) in Stockholm, Sweden, on Thursday (2 December). The situation around Ukraine and the continued tensions with Russia were high on the agenda.',
      );
      expect(paragraphs[1]).toBe("The OSCE is holding its annual Ministerial Council meeting in the capital of this year's Chairmanship country, Sweden.");
      expect(article.bodyText).toContain('Paul Whelan');
      expect(article.bodyText).not.toContain('Thirty-four countries');
      expect(article.bodyText).not.toMatch(/source:|photo:|Related articles|Editor's choice|Popular/);
      // NBSP is normalised to a plain space; curly apostrophes are kept exactly.
      expect(article.bodyText).not.toContain('\u00a0');
      expect(article.bodyText).toContain('Secretary Blinken addressed Russia’s aggression towards Ukraine');
      expect(article.bodyText).toContain('as the president of Russia, Vladimir Putin has said", he reiterated. Earlier, Putin warned');
    });

    it('defaults the summary to the first paragraph cut at a word boundary with an ellipsis', () => {
      // Act
      const article = articleOf(parseSourceObject(sourceObject('pages/seed.txt', body), OPTIONS));

      // Assess
      expect(article.summary.length).toBeLessThanOrEqual(300);
      expect(article.summary.endsWith('…')).toBe(true);
      expect(article.summary).toBe(
        'US Secretary of State, Anthony Blinken, and Russian Foreign Minister Sergei Lavrov met on the margins of the annual Ministerial Council of the Organization for Security and Cooperation in Europe (OSCE) in Stockholm, Sweden, on Thursday (2 December). The situation around Ukraine and the continued…',
      );
    });

    it('yields exactly one editor’s-choice item although the block appears twice', () => {
      // Act
      const result = parseSourceObject(sourceObject('pages/seed.txt', body), OPTIONS);

      // Assess
      expect(result.picks).toHaveLength(1);
      const [pick] = result.picks;
      expect(pick?.headline).toBe('Council of Europe launches new International Claims Commission for Ukraine');
      expect(pick?.section).toBe('News');
      expect(pick?.id).toBe(pickIdFor('Council of Europe launches new International Claims Commission for Ukraine'));
      expect(pick?.id).toMatch(/^pick-[0-9a-f]{16}$/);
      expect(pick?.url).toBeUndefined();
      expect(pick?.teaser.startsWith('Thirty-four countries and the European Union have signed a new convention')).toBe(true);
      expect(pick?.teaser.length).toBeLessThanOrEqual(300);
      expect(pick?.teaser.endsWith('…')).toBe(true);
      expect(pick?.teaser).not.toContain('\u00a0');
    });

    it('reads the committed copy of the seed like the original', () => {
      // Act
      const original = parseSourceObject(sourceObject('content/page-seed-commonspace.txt', body), OPTIONS);
      const copy = parseSourceObject(fixtureObject('page-seed-commonspace.txt'), OPTIONS);

      // Assess
      expect(copy).toEqual(original);
    });
  });

  describe('Format: page export (other pages)', () => {
    it('reads two different editor’s-choice blocks (curly apostrophe) with their sections', () => {
      // Act
      const result = parseSourceObject(fixtureObject('page-two-editors-choice.txt'), OPTIONS);

      // Assess
      const article = articleOf(result);
      expect(article.title).toBe('Georgia’s parliament passes new media law');
      expect(article.source).toBe('commonspace.eu');
      expect(article.photo).toBe('Protesters outside the parliament in Tbilisi, 12 March 2026');
      expect(paragraphsOf(article)).toEqual([
        'Georgia’s parliament passed the new media law on Wednesday after a third reading.',
        'The opposition boycotted the vote. Journalists protested outside the building in Tbilisi.',
      ]);
      expect(result.picks.map((pick) => [pick.section, pick.headline])).toEqual([
        ['Monday Commentary', 'Armenia and Azerbaijan: the long road to a peace treaty'],
        ['Opinion', 'Europe must not forget the Black Sea'],
      ]);
      expect(result.picks[1]?.teaser).toBe('Trade routes across the Black Sea matter more than ever for the EU’s eastern neighbours.');
    });

    it('cuts a long teaser to at most 300 characters at a word boundary', () => {
      // Act
      const result = parseSourceObject(fixtureObject('page-two-editors-choice.txt'), OPTIONS);

      // Assess
      const teaser = result.picks[0]?.teaser ?? '';
      expect(teaser).toBe(
        'For three decades the negotiations have moved in circles: proposals, counter-proposals and summits that ended without a signature. This week’s meeting in Washington was different, our commentator argues, because both leaders arrived with a draft that their own parliaments had already seen — and…',
      );
      expect(Array.from(teaser).length).toBeLessThanOrEqual(300);
    });

    it('de-duplicates a repeated teaser whose headline differs only in punctuation', () => {
      // Prepare
      const first = 'Armenia and Azerbaijan: the long road to a peace treaty';
      const repeat = 'Armenia and Azerbaijan – the long road to a peace treaty…';

      // Act
      const result = parseSourceObject(fixtureObject('page-two-editors-choice.txt'), OPTIONS);

      // Assess
      expect(normaliseHeadline(first)).toBe(normaliseHeadline(repeat));
      expect(result.picks.filter((pick) => pick.section === 'Monday Commentary')).toHaveLength(1);
      expect(result.picks[0]?.id).toBe(pickIdFor(repeat));
    });

    it('reads a capitalised "Source:" line when there is no photo', () => {
      // Act
      const article = articleOf(parseSourceObject(fixtureObject('page-source-capitalised.txt'), OPTIONS));

      // Assess
      expect(article.title).toBe('Wildfires contained in Armenia’s Syunik region');
      expect(article.source).toBe('Armenpress');
      expect(article.photo).toBeUndefined();
      expect(article.bodyText).toBe(
        'Firefighters contained the last of the wildfires in Syunik on Sunday night.\n\nNobody was hurt, the emergencies ministry said.',
      );
      expect(article.summary).toBe('Firefighters contained the last of the wildfires in Syunik on Sunday night.');
    });

    it('accepts CRLF line endings', () => {
      // Act
      const result = parseSourceObject(fixtureObject('page-crlf.txt'), OPTIONS);

      // Assess
      const article = articleOf(result);
      expect(article.title).toBe('Heavy rain closes mountain pass');
      expect(article.bodyText).toBe(
        'The Jvari pass was closed on Monday because of heavy rain.\n\nThe road is expected to reopen on Wednesday.',
      );
      expect(article.bodyText).not.toContain('\r');
      expect(article.source).toBe('Interpressnews');
      expect(article.photo).toBe('The Jvari pass in winter');
    });

    it('reads an object without extension as a page export and keeps Armenian text exactly', () => {
      // Act
      const result = parseSourceObject(fixtureObject('page-armenian'), { defaultLanguage: 'hy' });

      // Assess
      const article = articleOf(result);
      expect(result.format).toBe('page-export');
      expect(article.id).toBe('content-page-armenian');
      expect(article.title).toBe('Երևանում բացվեց նոր գրադարան');
      expect(paragraphsOf(article)).toEqual([
        'Քաղաքապետարանը այսօր բացեց նոր հանրային գրադարան Կենտրոն վարչական շրջանում։',
        'Գրադարանը աշխատելու է ամեն օր։',
      ]);
      expect(article.language).toBe('hy');
      expect(article.source).toBe('commonspace.eu');
    });

    it('returns a listing page (teasers, no article) when the file starts with "Editor\'s choice"', () => {
      // Act
      const result = parseSourceObject(fixtureObject('page-listing-teasers-only.txt'), OPTIONS);

      // Assess
      expect(result.format).toBe('page-export');
      expect(result.article).toBeUndefined();
      expect(result.picks).toEqual([
        {
          id: pickIdFor('Why the South Caucasus needs a regional energy market'),
          headline: 'Why the South Caucasus needs a regional energy market',
          section: 'Opinion',
          teaser:
            'Cross-border electricity trade could lower prices for households in all three countries, argues our columnist.',
        },
        {
          id: pickIdFor('“We are not afraid of the future” – a conversation with a Georgian winemaker'),
          headline: '“We are not afraid of the future” – a conversation with a Georgian winemaker',
          section: 'Interview',
          teaser: 'The family has made wine in Kakheti for five generations.',
        },
      ]);
    });

    it('returns a listing page when the headline is followed directly by the blocks', () => {
      // Act
      const result = parseSourceObject(fixtureObject('page-listing-headline-then-blocks.txt'), OPTIONS);

      // Assess
      expect(result.article).toBeUndefined();
      expect(result.picks).toHaveLength(1);
      expect(result.picks[0]?.headline).toBe('Armenia and Azerbaijan agree on border commission');
      expect(result.picks[0]?.section).toBe('News');
      expect(result.picks[0]?.teaser).toBe('The commission will meet monthly, alternating between Yerevan and Baku.');
    });

    it('gives the same pick id for the same teaser found on two pages', () => {
      // Prepare
      const pageA = 'Page A\n\nBody of A.\n\nEditor\'s choice\nNews\nShared teaser headline\n\nShared teaser text.';
      const pageB = 'Editor’s choice\nNews\nSHARED TEASER HEADLINE\n\nShared teaser text.';

      // Act
      const a = parseSourceObject(sourceObject('a.txt', pageA), OPTIONS);
      const b = parseSourceObject(sourceObject('b.txt', pageB), OPTIONS);

      // Assess
      expect(a.picks[0]?.id).toBe(b.picks[0]?.id);
    });

    it('takes a teaser without a section label as a "News" teaser', () => {
      // Prepare
      const page = 'Editor\'s choice\nA headline of a teaser without any label\n\nThe teaser text.';

      // Act
      const result = parseSourceObject(sourceObject('c.txt', page), OPTIONS);

      // Assess
      expect(result.picks).toEqual([
        {
          id: pickIdFor('A headline of a teaser without any label'),
          headline: 'A headline of a teaser without any label',
          section: 'News',
          teaser: 'The teaser text.',
        },
      ]);
    });
  });

  describe('Format: JSON', () => {
    it('sanitises an HTML body: no script, style, iframe, on* attributes or javascript:/data: URLs', () => {
      // Act
      const result = parseSourceObject(fixtureObject('json-html-body.json'), OPTIONS);

      // Assess
      const article = articleOf(result);
      expect(result.format).toBe('json');
      expect(article.bodyHtml).toBe(
        '<h2>Talks resume</h2>' +
          // &nbsp; stays a no-break space in HTML; only the plain text turns it into a space.
          '<p>The ministers met on Monday\u00a0in Vienna. Read the statement or <a href="https://news.example.org/statement" title="Statement">the full text</a>.</p>' +
          '<p>They agreed to meet again in <strong>April</strong>.</p>' +
          '<figure><img src="https://cdn.example.org/vienna.jpg" alt="The ministers" /><figcaption>The ministers in Vienna</figcaption></figure>' +
          'Advertisement',
      );
      expect(article.bodyHtml).not.toMatch(/script|style|iframe|onclick|onerror|onmouseover|javascript:|data:|target=|evil/i);
      expect(article.bodyText).toBe(
        'Talks resume\n\nThe ministers met on Monday in Vienna. Read the statement or the full text.\n\nThey agreed to meet again in April.\n\nThe ministers in Vienna\n\nAdvertisement',
      );
    });

    it('takes the id from the URL without its fragment and the summary from the first paragraph', () => {
      // Act
      const article = articleOf(parseSourceObject(fixtureObject('json-html-body.json'), OPTIONS));

      // Assess
      expect(article.id).toBe('https://news.example.org/2026/03/ministers-vienna');
      expect(article.url).toBe('https://news.example.org/2026/03/ministers-vienna#comments');
      expect(article.summary).toBe('The ministers met on Monday in Vienna. Read the statement or the full text.');
      expect(article.section).toBe('Diplomacy');
      expect(article.publishedAt).toBe('2026-03-02T08:30:00.000Z');
    });

    it('reads a plain-text body without producing HTML', () => {
      // Act
      const article = articleOf(parseSourceObject(fixtureObject('json-text-body.json'), OPTIONS));

      // Assess
      expect(article.bodyHtml).toBeUndefined();
      expect(paragraphsOf(article)).toEqual([
        'The city council approved the eastern tram extension on Tuesday evening.',
        'Construction is due to start in the autumn and to last two years.',
        'Opponents said the “green corridor” would cost too much — the mayor disagreed.',
      ]);
      expect(article.summary).toBe('The council voted 31 to 12 for the eastern extension.');
      expect(article.tags).toEqual(['transport', 'city council']);
      expect(article.source).toBe('Municipal press office');
      expect(article.id).toBe('content-json-text-body');
      expect(article.section).toBe('News');
      expect(article.language).toBe('en');
    });

    it('keeps Armenian, Georgian and Cyrillic text exactly', () => {
      // Act
      const article = articleOf(parseSourceObject(fixtureObject('json-multilingual.json'), OPTIONS));

      // Assess
      expect(article.title).toBe('Երևան, Թբილისი და Москва: three capitals, one summit');
      expect(article.language).toBe('hy');
      expect(paragraphsOf(article)).toEqual([
        'Հայաստանի վարչապետը այսօր ժամանեց Երևան։',
        'საქართველოს მთავრობამ განცხადება გაავრცელა.',
        'Министр иностранных дел России прокомментировал встречу в Йошкар-Оле.',
      ]);
      expect(article.summary).toBe('Հայաստանի վարչապետը այսօր ժամանեց Երևան։');
      expect(article.tags).toEqual(['Երևան', 'თბილისი', 'Москва']);
      // "й" stays one precomposed letter (NFC), not и + combining breve.
      expect(article.bodyText).toContain('Йошкар-Оле');
      expect(article.bodyText.normalize('NFC')).toBe(article.bodyText);
    });

    it('applies every field, ignores unknown ones, cuts a long summary and defaults the image alt to the title', () => {
      // Act
      const article = articleOf(parseSourceObject(fixtureObject('json-full-fields.json'), OPTIONS));

      // Assess
      expect(article).toEqual({
        id: 'story-2026-0042',
        title: 'Breaking: parliament dissolved',
        url: 'https://news.example.org/parliament-dissolved',
        publishedAt: '2026-03-01T00:00:00.000Z',
        section: 'Politics',
        summary:
          'This explicit summary is deliberately far too long for the digest, because the editor pasted the whole introduction into the summary field instead of one or two sentences, and the parser must cut it at a word boundary so that the email stays readable, adding an ellipsis at the end to show that the…',
        bodyText: 'The president dissolved parliament on Sunday.',
        image: {
          url: 'https://cdn.example.org/parliament.jpg',
          alt: 'Breaking: parliament dissolved',
          caption: 'The parliament building',
        },
        tags: ['politics', 'elections'],
        editorsChoice: true,
        breaking: true,
        source: 'Agencies',
        language: 'en-GB',
      });
      expect(article.summary.length).toBeLessThanOrEqual(300);
    });

    it('reads a .txt object whose content is a JSON object as JSON', () => {
      // Act
      const result = parseSourceObject(fixtureObject('json-in-txt.txt'), OPTIONS);

      // Assess
      expect(result.format).toBe('json');
      expect(articleOf(result).title).toBe('Ferry service to resume in May');
    });

    it('strips a UTF-8 BOM and accepts CRLF in JSON', () => {
      // Act
      const article = articleOf(parseSourceObject(fixtureObject('json-bom-crlf.json'), OPTIONS));

      // Assess
      expect(article.title).toBe('Café owners protest rent rises');
      expect(article.bodyText).toBe('Owners of cafés closed for an hour.\n\nThey want a rent cap.');
    });

    it('returns no picks for JSON articles, even when flagged editorsChoice', () => {
      // Act
      const result = parseSourceObject(fixtureObject('json-full-fields.json'), OPTIONS);

      // Assess
      expect(result.picks).toEqual([]);
      expect(articleOf(result).editorsChoice).toBe(true);
    });
  });

  describe('Format: Markdown', () => {
    it('reads the front matter and renders a sanitised body', () => {
      // Act
      const result = parseSourceObject(fixtureObject('markdown-front-matter.md'), OPTIONS);

      // Assess
      const article = articleOf(result);
      expect(result.format).toBe('markdown');
      expect(article.title).toBe('Energy ministers agree on gas storage targets');
      expect(article.id).toBe('https://news.example.org/energy/gas-storage');
      expect(article.section).toBe('Economy');
      expect(article.publishedAt).toBe('2026-02-27T16:45:00.000Z');
      expect(article.tags).toEqual(['energy', 'gas']);
      expect(article.editorsChoice).toBe(true);
      expect(article.image).toEqual({ url: 'https://cdn.example.org/gas.jpg', alt: 'A gas storage facility' });
      expect(article.bodyHtml).toContain(
        '<p>Energy ministers agreed on <strong>binding</strong> targets for gas storage, a move welcomed by <a href="https://industry.example.org/statement">industry groups</a>.</p>',
      );
      expect(article.bodyHtml).toContain('<h2>What changes</h2>');
      expect(article.bodyHtml).toContain('<li>Storage must be 90% full by 1 November.</li>');
      expect(article.bodyHtml).toContain('<blockquote>');
      expect(article.bodyHtml).toContain('<p>Inline HTML paragraph.</p>');
      expect(article.bodyHtml).toContain('<p>bad link</p>');
      expect(article.bodyHtml).not.toMatch(/script|onclick|javascript:|alert/);
      expect(article.summary).toBe('Energy ministers agreed on binding targets for gas storage, a move welcomed by industry groups.');
      expect(article.bodyText).toContain('* Storage must be 90% full by 1 November.');
    });

    it('takes the title from the first # heading and removes it from the body', () => {
      // Act
      const article = articleOf(parseSourceObject(fixtureObject('markdown-heading-title.md'), OPTIONS));

      // Assess
      expect(article.title).toBe('Old Tbilisi baths reopen after restoration');
      expect(article.section).toBe('Culture');
      expect(article.publishedAt).toBe('2026-03-03T00:00:00.000Z');
      expect(article.bodyHtml).toBe(
        '<p>The sulphur baths of Abanotubani reopened on Saturday after two years of work.</p>\n<p>Visitors queued from early morning.</p>',
      );
      expect(article.bodyText).not.toContain('Old Tbilisi');
      expect(article.id).toBe('content-markdown-heading-title');
    });

    it('reads a .markdown file without front matter; later # headings stay as h2', () => {
      // Act
      const article = articleOf(parseSourceObject(fixtureObject('markdown-no-front-matter.markdown'), OPTIONS));

      // Assess
      expect(article.title).toBe('Weather warning for the weekend');
      expect(article.bodyHtml).toBe(
        '<p>Heavy snow is expected in the mountains from Friday night.</p>\n<h2>Travel advice</h2>\n<p>Drivers should carry chains.</p>',
      );
    });

    it('reads a .txt object that starts with front matter as Markdown', () => {
      // Act
      const result = parseSourceObject(fixtureObject('markdown-in-txt.txt'), OPTIONS);

      // Assess
      expect(result.format).toBe('markdown');
      expect(articleOf(result).title).toBe('Border crossing reopens');
      expect(articleOf(result).section).toBe('Region');
      expect(articleOf(result).bodyText).toBe('The border crossing reopened at 08:00 local time.');
    });
  });
});
