/// <reference lib="dom" />
/**
 * Edition analytics in the editors' console (headless Chromium, as in editors.test.ts) and in
 * `digest edition stats`, on serverless-offline over the local stack: an edition is sent to
 * four readers, one at the local SES's bounce domain, with click tracking on; one tracked link
 * is followed. The console's stats view shows the funnel, the top link and the chart, and the
 * bounce-rate warning on the edition and in the list; the CLI prints the same numbers.
 * Screenshots at 375 and 1280 px in test/artifacts/. Skipped when /usr/bin/chromium is missing.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as feedbackHandler } from '../../functions/feedback.ts';
import { forwardSesEvents } from '../../infra/local/lambda-driver.ts';
import { importSubscribersFile, runJob, uploadContent } from '../../infra/local/local-run.ts';
import { LOCAL_BOUNCE_DOMAIN } from '../../infra/local/ses-protocol.ts';
import { digest, lastLine } from '../helpers/cli.ts';
import { startEditorsApi, type EditorsApi } from './editors-api.ts';

const CHROMIUM = '/usr/bin/chromium';
const SAMPLE = fileURLToPath(new URL('../../infra/local/sample/content', import.meta.url));
const ARTIFACTS = fileURLToPath(new URL('../artifacts/', import.meta.url));
const READERS = ['stats-reader1@editors.example.org', 'stats-reader2@editors.example.org', 'stats-reader3@editors.example.org', `stats-gone@${LOCAL_BOUNCE_DOMAIN}`];

describe.skipIf(!existsSync(CHROMIUM))('Browser: edition analytics in the console and the CLI', () => {
  let api: EditorsApi;
  let browser: Browser;
  let work: string;
  let edition: string;
  let link: string;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'edition-stats-'));
    api = await startEditorsApi({ CLICK_TRACKING: 'daily' });
    await writeFile(join(work, 'subscribers.csv'), `email,name,newsletter,alerts,keywords\n${READERS.map((e, i) => `${e},Reader ${i + 1},daily,none,`).join('\n')}\n`);
    await importSubscribersFile(join(work, 'subscribers.csv'));
    await uploadContent(api.stack, SAMPLE);
    // The edition, with the local SES's events handed to feedback as on AWS; then one click.
    edition = (await runJob(api.stack, { job: 'daily', now: new Date(), quarantined: 0 })).edition;
    const message = api.stack.ses.messages().find((m) => m.tags.edition === edition && m.destinations[0] === READERS[0]);
    const [first] = api.stack.ses.clickUrls(message?.messageId ?? '');
    if (!first) throw new Error('no tracked link in the edition');
    link = first.link;
    const events = forwardSesEvents(api.stack, feedbackHandler);
    expect((await fetch(first.url, { redirect: 'manual' })).status).toBe(302);
    await events.flush();
    events.stop();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    await mkdir(ARTIFACTS, { recursive: true });
  }, 400_000);

  afterAll(async () => {
    await browser?.close();
    await api?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('shows the funnel, the top links, the chart and the bounce warning, at 1280 and 375 px', async () => {
    // Prepare
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content.Security.Policy|Refused to/i.test(m.text())) problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(String(e)));

    // Act: sign in as a viewer (the stats are a read), open the edition
    await page.goto(`${api.url}/editor`);
    await page.getByRole('button', { name: 'Sign in as local-viewer (viewer)' }).click();
    await page.waitForFunction(() => document.querySelectorAll('#editions tbody tr').length > 0, undefined, { timeout: 60_000 });
    const row = page.locator('#editions tbody tr', { hasText: edition });
    await expect(row.locator('.warn').first().textContent()).resolves.toMatch(/bounce rate 25\.0%/);
    await page.getByRole('button', { name: `Show edition ${edition}` }).click();
    await page.waitForFunction(() => document.querySelectorAll('#funnel tbody tr').length === 4, undefined, { timeout: 60_000 });

    // Assess
    const funnel = await page.locator('#funnel tbody tr').evaluateAll((rows) => rows.map((r) => Array.from(r.querySelectorAll('th, td')).slice(0, 3).map((c) => c.textContent)));
    expect(funnel).toEqual([['sent', '4', '100.0%'], ['delivered', '3', '75.0%'], ['opened', '0', '0.0%'], ['clicked', '1', '25.0%']]);
    await expect(page.locator('#stats-problems').textContent()).resolves.toMatch(/^Bounced 1 \(1 permanent, 0 transient\) · complaints 0/);
    await expect(page.locator('#stats-warnings').textContent()).resolves.toMatch(/^Warning: bounce rate 25\.0% is at or over 5%/);
    await expect(page.locator('#top-links tbody tr').evaluateAll((rows) => rows.map((r) => Array.from(r.querySelectorAll('td')).map((c) => c.textContent)))).resolves.toEqual([[link, '1']]);
    await expect(page.locator('#stats-chart svg polyline').count()).resolves.toBe(2);
    await expect(page.locator('#stats-chart svg').getAttribute('aria-label')).resolves.toBe('Sends and deliveries over time: 4 sent, 3 delivered');
    expect(problems).toEqual([]);

    await page.locator('#detail').screenshot({ path: join(ARTIFACTS, 'edition-stats-1280.png') });
    await page.setViewportSize({ width: 375, height: 800 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    await page.locator('#detail').screenshot({ path: join(ARTIFACTS, 'edition-stats-375.png') });
    expect(overflow, 'no horizontal scrolling of the page at 375 px').toBeLessThanOrEqual(0);
    await page.close();
  });

  it('prints the same with digest edition stats, as a report and as JSON; a bad id is refused', async () => {
    // Prepare
    const token = api.issuer.mint({ user: 'viewer', scopes: ['viewer'] });
    const cli = (args: string[]) => digest(['edition', 'stats', ...args, '--endpoint', api.url, '--token', token], { timeoutMs: 120_000 });

    // Act
    const json = await cli([edition, '--json']);
    const report = await cli([edition]);
    const bad = await cli(['not-an-edition']);
    const missing = await cli(['daily-1999-01-01']);

    // Assess
    expect(json.code).toBe(0);
    const stats = JSON.parse(lastLine(json.stdout)) as { funnel: Array<{ step: string; count: number }>; links: unknown[]; warnings: string[]; counters: Record<string, number> };
    expect(stats.funnel.map((f) => [f.step, f.count])).toEqual([['sent', 4], ['delivered', 3], ['opened', 0], ['clicked', 1]]);
    expect(stats.counters).toMatchObject({ bouncedPermanent: 1, complained: 0, clicks: 1, uniqueClicks: 1 });
    expect(stats.links).toEqual([{ url: link, clicks: 1 }]);
    expect(stats.warnings).toEqual([expect.stringMatching(/^bounce rate 25\.0%/)]);
    expect(report.code).toBe(0);
    expect(report.stdout).toContain(`Edition ${edition} (sent)`);
    expect(report.stdout).toMatch(/WARNING: bounce rate 25\.0%/);
    expect(report.stdout).toMatch(/ {2}delivered +3 +75\.0%/);
    expect(report.stdout).toContain(`     1  ${link}`);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/expected an edition id/);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/no edition "daily-1999-01-01"/);
  }, 300_000);
});
