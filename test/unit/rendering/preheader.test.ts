/**
 * The hidden preheader of every email (digest, alert digest, confirmation): hidden with
 * display:none only, and no text that SpamAssassin scores as low-contrast
 * (HTML_FONT_LOW_CONTRAST fired on mj-preview's white 1px text; see hidden-text.ts).
 */
import { describe, it, expect } from 'vitest';
import * as cheerio from 'cheerio';
import { renderEdition } from '../../../functions/core/rendering/edition-email.ts';
import { renderAlertDigest } from '../../../functions/core/rendering/alert-email.ts';
import { renderConfirmationEmail } from '../../../functions/core/rendering/confirmation-email.ts';
import { articleView } from '../../../functions/core/rendering/digest-model.ts';
import { EDITION_URL, makeArticle, makeBranding, makeContent } from '../../kit/fixtures/index.ts';
import { hiddenTextProblems, preheaderProblems } from './hidden-text.ts';

const branding = makeBranding();

const emails: [string, () => Promise<{ html: string; preheader: string }>][] = [
  ['the digest', async () => renderEdition(makeContent(5), { branding, editionUrl: EDITION_URL })],
  [
    'the alert digest',
    async () =>
      renderAlertDigest(
        { id: 'alerts-1', language: 'en', items: [1, 2].map((n) => ({ story: articleView(makeArticle(n), `a${n}`), keywords: ['border'] })), total: 2 },
        { branding },
      ),
  ],
  [
    'the confirmation',
    async () => ({
      ...(await renderConfirmationEmail({ branding, confirmUrl: 'https://api.example.com/confirm?token=abc' })),
      preheader: 'One click to confirm your subscription to CommonSpace Digest.',
    }),
  ],
];

describe('Templates: the hidden preheader', () => {
  it.each(emails)('should open %s, hidden by display:none only', async (_name, render) => {
    // Act
    const email = await render();
    const $ = cheerio.load(email.html);
    const first = $('[role="article"]').children().first();
    // Assess
    expect(first.text()).toBe(email.preheader);
    expect(preheaderProblems(first.attr('style'))).toEqual([]);
  });

  it.each(emails)('should leave no low-contrast or tiny text in %s', async (_name, render) => {
    // Act
    const email = await render();
    // Assess
    expect(hiddenTextProblems(cheerio.load(email.html))).toEqual([]);
    expect(email.html).not.toMatch(/font-size:\s*[01]px;\s*color:/);
  });

  it('should catch the mj-preview trick (the checker works)', () => {
    // Prepare: what mj-preview writes, on the page background of the emails.
    const html = `<body><div style="background-color:${branding.backgroundColor};"><div style="display:none;font-size:1px;color:#ffffff;line-height:1px;max-height:0px;max-width:0px;opacity:0;overflow:hidden;">Preview</div></div></body>`;
    const $ = cheerio.load(html);
    // Act
    const problems = hiddenTextProblems($);
    // Assess
    expect(problems).toEqual([expect.stringMatching(/^low contrast \(7\.\d\): Preview/), 'font-size 1px: Preview']);
    expect(preheaderProblems($('div div').attr('style'))).toEqual(['carries color', 'carries font-size', 'carries opacity', 'carries line-height']);
  });
});
