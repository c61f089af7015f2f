/**
 * Renders real editions and looks at them in headless Chromium at phone (375 px) and
 * desktop-client (600 px) widths: no horizontal overflow, and PNGs in test/artifacts/ for a
 * human to look at. Network is blocked in the page (images are remote URLs).
 *
 * Needs /usr/bin/chromium (Debian: `apt-get install -y chromium`); skipped without it.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { renderEdition } from '../../functions/core/rendering/edition-email.ts';
import { renderAlertDigest } from '../../functions/core/rendering/alert-email.ts';
import { articleView } from '../../functions/core/rendering/digest-model.ts';
import { renderConfirmationEmail } from '../../functions/core/rendering/confirmation-email.ts';
import { renderEditionPage } from '../../functions/core/rendering/web-archive.ts';
import { ARCHIVE_URL, EDITION_URL, makeArticle, makeBranding, makeContent, replaceTokens } from '../kit/fixtures/index.ts';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
const ARTIFACTS = fileURLToPath(new URL('../artifacts/', import.meta.url));
const WIDTHS = [375, 600] as const;

if (!hasChromium) {
  console.warn(`[rendering-screenshots] skipped: ${CHROMIUM} not found (apt-get install -y chromium)`);
}

describe.skipIf(!hasChromium)('Rendering: screenshots in Chromium', () => {
  let browser: Browser;
  const pages: { name: string; html: () => Promise<string> }[] = [
    {
      name: 'digest-15',
      html: async () => replaceTokens((await renderEdition(makeContent(13), { branding: makeBranding(), editionUrl: EDITION_URL })).html, true),
    },
    {
      name: 'digest-40',
      html: async () => replaceTokens((await renderEdition(makeContent(38), { branding: makeBranding(), editionUrl: EDITION_URL })).html, true),
    },
    {
      name: 'alert-digest',
      html: async () =>
        replaceTokens(
          (
            await renderAlertDigest(
              {
                id: 'alerts',
                language: 'en',
                items: [1, 2, 3].map((n) => ({ story: articleView(makeArticle(n), `a${n}`), keywords: ['border', 'Minsk'] })),
                total: 14,
                moreUrl: EDITION_URL,
              },
              { branding: makeBranding() },
            )
          ).html,
          true,
        ),
    },
    {
      name: 'confirmation',
      html: async () =>
        (await renderConfirmationEmail({ branding: makeBranding(), confirmUrl: 'https://api.example.com/confirm?token=abc' }))
          .html,
    },
    {
      name: 'web-edition-page',
      html: async () => renderEditionPage(makeContent(13), { branding: makeBranding(), archiveIndexUrl: ARCHIVE_URL }),
    },
  ];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });

  afterAll(async () => {
    await browser?.close();
  });

  for (const entry of pages) {
    for (const width of WIDTHS) {
      it(`should fit ${entry.name} in ${width} px without horizontal overflow`, async () => {
        // Prepare
        const html = await entry.html();
        const context = await browser.newContext({ viewport: { width, height: 900 }, javaScriptEnabled: false });
        const blocked: string[] = [];
        await context.route('**/*', async (route) => {
          const url = new URL(route.request().url());
          const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
          if (url.protocol === 'data:' || url.protocol === 'about:' || loopback) return route.continue();
          blocked.push(url.href);
          return route.abort('blockedbyclient');
        });
        const page = await context.newPage();
        try {
          // Act
          await page.setContent(html, { waitUntil: 'load' });
          // A string expression: the project's TypeScript has no DOM lib.
          const sizes = await page.evaluate<{ scrollWidth: number; innerWidth: number }>(
            '({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth })',
          );
          await page.screenshot({ path: path.join(ARTIFACTS, `${entry.name}-${width}.png`), fullPage: true });
          // Assess
          expect(sizes.scrollWidth).toBeLessThanOrEqual(sizes.innerWidth);
          expect(blocked.every((url) => /^https?:/.test(url))).toBe(true);
        } finally {
          await context.close();
        }
      });
    }
  }
});
