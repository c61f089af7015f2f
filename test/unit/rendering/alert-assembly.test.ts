/**
 * The alert digest assembled from pieces (shell compiled once per language, each card once,
 * no MJML per subscriber) equals, byte for byte, the direct MJML render of the same content;
 * the plain text too. Checked on digests of 1, 2, 10 and 14 articles (10 shown, "and 4
 * more"), several keywords, non-ASCII text and keywords with characters that need escaping.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as cheerio from 'cheerio';
import { compileAlertCards, compileAlertShell, renderAlertDigest } from '../../../functions/core/rendering/alert-email.ts';
import {
  alertValues,
  assembleAlert,
  MAX_SHOWN_ALERTS,
  prepareCard,
  prepareShell,
  runsToPieces,
  runsToString,
  type AlertDigestView,
  type AlertItem,
  type PreparedCard,
  type PreparedShell,
} from '../../../functions/core/rendering/alert-parts.ts';
import { articleView } from '../../../functions/core/rendering/digest-model.ts';
import { RenderCounter } from '../../../functions/core/rendering/mjml-compiler.ts';
import { messageFromPieces, personalize } from '../../../functions/core/rendering/personalizer.ts';
import { simpleParser } from 'mailparser';
import { makeArticle, makeBranding } from '../../kit/fixtures/index.ts';
import { emailValidator, htmlProblems } from './html-validate.ts';

const branding = makeBranding();
const MORE_URL = 'https://archive.example.com/archive/alerts/alerts-2026-12-01T10-05/Zx9_k.html';

/** 14 articles: non-ASCII titles, one without a link, one with characters to escape. */
const articles = Array.from({ length: 14 }, (_v, i) => {
  const n = i + 1;
  if (n === 2) return makeArticle(n, { title: 'Երևան և Թբილისი: Παρατηρητής στο Μινσκ', section: 'Ανάλυση', language: 'hy' });
  if (n === 3) return makeArticle(n, { title: 'No link & "quotes" <b>here</b>', url: undefined, summary: '' });
  if (n === 5) return makeArticle(n, { title: 'Минск: переговоры продолжаются', summary: 'Сводка: %%{name}%% не токен.' });
  return makeArticle(n);
});
const keywordSets: string[][] = [['Minsk'], ['Minsk', 'Iran', 'Nagorno-Karabakh'], ["l'Été & \"Co\""], ['Երևան'], ['Café']];

function itemsFor(count: number): AlertItem[] {
  return articles.slice(0, Math.min(count, MAX_SHOWN_ALERTS)).map((article, i) => ({
    story: articleView(article, `k${i + 1}`),
    keywords: keywordSets[i % keywordSets.length] as string[],
  }));
}

function viewOf(count: number, language = 'en'): AlertDigestView {
  return {
    id: 'alerts-2026-12-01T10-05',
    language,
    items: itemsFor(count),
    total: count,
    ...(count > MAX_SHOWN_ALERTS ? { moreUrl: MORE_URL } : {}),
  };
}

describe('Function: assembleAlert', () => {
  let shells: Map<string, PreparedShell>;
  let cards: Map<string, PreparedCard>;
  let compiles: number;

  beforeAll(async () => {
    // Prepare: what a flush compiles, once: the shell per language and every card
    const counter = new RenderCounter();
    shells = new Map();
    for (const language of ['en', 'hy']) shells.set(language, prepareShell(await compileAlertShell(language, { branding, observer: counter })));
    const compiled = await compileAlertCards(itemsFor(MAX_SHOWN_ALERTS).map((i) => i.story), { branding, observer: counter });
    cards = new Map(compiled.map((c) => [c.key, prepareCard(c)]));
    compiles = counter.compiles;
  });

  function assemble(view: AlertDigestView) {
    const shell = shells.get(view.language) as PreparedShell;
    const values = alertValues(view, { siteName: branding.siteName });
    return assembleAlert(shell, view.items.map((i) => ({ card: cards.get(i.story.key) as PreparedCard, keywords: i.keywords })), values);
  }

  it('should compile the shell twice per language and all the cards in one document (plus its edges)', () => {
    // Assess
    expect(compiles).toBe(2 * 2 + 2);
  });

  it.each([1, 2, 10, 14])('should give the HTML and text of a direct MJML render for %i article(s)', async (count) => {
    // Prepare
    const view = viewOf(count);
    // Act
    const direct = await renderAlertDigest(view, { branding });
    const assembled = assemble(view);
    // Assess
    expect(runsToString(assembled.html)).toBe(direct.html);
    expect(runsToString(assembled.text)).toBe(direct.text);
    expect(assembled.subject).toBe(direct.subject);
    expect(assembled.preheader).toBe(direct.preheader);
  });

  it('should give the direct render in another language (its own shell)', async () => {
    // Prepare
    const view = viewOf(3, 'hy');
    // Act
    const direct = await renderAlertDigest(view, { branding });
    // Assess
    expect(runsToString(assemble(view).html)).toBe(direct.html);
    expect(cheerio.load(direct.html)('html').attr('lang')).toBe('hy');
  });

  it('should show at most 10 articles, then "and N more" with the exact count and the page link', async () => {
    // Act
    const html = runsToString(assemble(viewOf(14)).html);
    // Assess
    const $ = cheerio.load(html);
    expect($('h3')).toHaveLength(10);
    expect($('h2').text()).toBe('14 new articles for your alerts');
    const more = $('a').filter((_i, el) => $(el).text().startsWith('And 4 more articles'));
    expect(more.attr('href')).toBe(MORE_URL);
    expect(more.text()).toBe('And 4 more articles: see all 14');
  });

  it('should list each article with its keywords, escaped, and keep the tokens', () => {
    // Act
    const html = runsToString(assemble(viewOf(5)).html);
    // Assess
    const $ = cheerio.load(html);
    const kickers = $('p').filter((_i, el) => $(el).text().startsWith('Matched:')).map((_i, el) => $(el).text()).get();
    expect(kickers[1]).toBe('Matched: Minsk, Iran, Nagorno-Karabakh · Ανάλυση');
    expect(kickers[2]).toBe('Matched: l\'Été & "Co" · News');
    expect($('b')).toHaveLength(0);
    expect(html).toContain('%%{unsubscribe_url}%%');
    expect(html).toContain('%%{preferences_url}%%');
    expect(html).not.toContain('%%{web_view_url}%%');
    expect(html).not.toMatch(/XQ[0-9a-f]{16}/);
  });

  it('should say "A new article" for one article', () => {
    // Act
    const assembled = assemble(viewOf(1));
    // Assess
    expect(cheerio.load(runsToString(assembled.html))('h2').text()).toBe('A new article for your alerts');
    expect(assembled.subject).toBe(`CommonSpace Digest: ${articles[0]?.title}`);
  });

  it('should pass html-validate (email ruleset)', async () => {
    // Act
    const problems = await htmlProblems(emailValidator, runsToString(assemble(viewOf(14)).html));
    // Assess
    expect(problems).toEqual([]);
  });

  it('should make MIME whose decoded parts are the assembled HTML and text', async () => {
    // Prepare
    const assembled = assemble(viewOf(14));
    const template = messageFromPieces('alerts-2026-12-01T10-05', assembled.subject, runsToPieces(assembled.html), runsToPieces(assembled.text), {
      fromName: 'Digest', fromAddress: 'digest@example.com', listId: 'digest.example.com', messageIdDomain: 'example.com',
    });
    const recipient = { email: 'ann@example.org', name: 'Ann', unsubscribeUrl: 'https://api.example.com/unsubscribe?token=u', preferencesUrl: 'https://api.example.com/preferences?token=p', webViewUrl: 'https://api.example.com/preferences?token=p' };
    // Act
    const raw = personalize(template, recipient, { subscriberId: 's_1', date: new Date('2026-12-01T10:05:00Z'), messageIdDomain: 'example.com' });
    const parsed = await simpleParser(raw);
    // Assess
    const fill = (s: string) =>
      s.replaceAll('%%{name}%%', 'Ann').replaceAll('%%{unsubscribe_url}%%', recipient.unsubscribeUrl).replaceAll('%%{preferences_url}%%', recipient.preferencesUrl);
    expect(parsed.html).toBe(fill(runsToString(assembled.html)));
    expect(parsed.text).toBe(fill(runsToString(assembled.text)));
    expect(parsed.subject).toBe(assembled.subject);
    expect(raw).toContain('\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n');
    expect(raw).toContain(`\r\nList-Unsubscribe: <${recipient.unsubscribeUrl}>\r\n`);
  });
});
