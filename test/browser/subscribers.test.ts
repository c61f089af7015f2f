/**
 * Browser tests in headless Chromium (playwright-core, Debian's /usr/bin/chromium) against
 * serverless-offline: a reader opens the preferences page from an edition's link, changes the
 * keywords and sees them saved; and unsubscribes with the button of the unsubscribe page.
 * Skipped when /usr/bin/chromium is missing.
 */
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load } from 'cheerio';
import { simpleParser } from 'mailparser';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subscriberIdFor } from '../../functions/core/subscribers/identity.ts';
import { importSubscribers } from '../../functions/core/subscribers/import-subscribers.ts';
import { subscriberRepository } from '../../functions/wiring/common.ts';
import { runJob, uploadContent } from '../../infra/local/local-run.ts';
import { startSubscribersApi, type SubscribersApi } from './subscribers-api.ts';

const CHROMIUM = '/usr/bin/chromium';
const SAMPLE = join(dirname(fileURLToPath(import.meta.url)), '../../infra/local/sample/content/news');
const PREFS_READER = 'browser-prefs@example.org';
const UNSUB_READER = 'browser-unsub@example.org';

describe.skipIf(!existsSync(CHROMIUM))('Browser: subscriber pages', () => {
  let api: SubscribersApi;
  let browser: Browser;
  let work: string;
  /** Links of the edition mail per reader. */
  const links = new Map<string, { preferences: string; unsubscribe: string }>();

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'subscribers-browser-'));
    api = await startSubscribersApi();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    await importSubscribers(
      subscriberRepository(),
      `email,name,newsletter,alerts,keywords\n${PREFS_READER},Pat,daily,daily,energy\n${UNSUB_READER},Uma,daily,none,\n`,
      { now: new Date() },
    );
    await mkdir(join(work, 'content', 'news'), { recursive: true });
    await copyFile(join(SAMPLE, '000_c5efd77b2ca7bb98.txt'), join(work, 'content', 'news', '000_c5efd77b2ca7bb98.txt'));
    await uploadContent(api.stack, join(work, 'content'));
    await runJob(api.stack, { job: 'daily', now: new Date(), quarantined: 0 });
    for (const reader of [PREFS_READER, UNSUB_READER]) {
      const mail = api.stack.ses.messages().find((m) => m.destinations.includes(reader));
      if (!mail) throw new Error(`no edition mail to ${reader}`);
      const $ = load(String((await simpleParser(mail.raw)).html));
      const hrefs = $('a[href]').map((_, a) => $(a).attr('href') ?? '').get();
      const preferences = hrefs.find((h) => h.startsWith(`${api.url}/preferences?token=`));
      const unsubscribe = hrefs.find((h) => h.startsWith(`${api.url}/unsubscribe?token=`));
      if (!preferences || !unsubscribe) throw new Error(`the edition mail lacks a preferences or unsubscribe link: ${hrefs.join(' ')}`);
      links.set(reader, { preferences, unsubscribe });
    }
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await api?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('changes the keywords on the preferences page opened from the mail', async () => {
    // Prepare
    const page = await browser.newPage({ javaScriptEnabled: false });
    await page.goto(links.get(PREFS_READER)!.preferences);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Your preferences');
    expect(await page.getByLabel('Keywords').inputValue()).toBe('energy');

    // Act
    await page.getByLabel('Keywords').fill('Armenia, elections');
    await page.getByLabel('At most once an hour').check();
    await Promise.all([page.waitForURL('**/preferences'), page.getByRole('button', { name: 'Save preferences' }).click()]);

    // Assess
    await expect(page.getByRole('status').first().textContent()).resolves.toContain('Your preferences are saved.');
    expect(await page.getByLabel('Keywords').inputValue()).toBe('Armenia, elections');
    expect(await page.getByLabel('At most once an hour').isChecked()).toBe(true);
    expect(await subscriberRepository().get(subscriberIdFor(PREFS_READER))).toMatchObject({
      keywords: ['Armenia', 'elections'], alerts: 'hourly', status: 'confirmed',
    });
    await page.goto(links.get(PREFS_READER)!.preferences);
    expect(await page.getByLabel('Keywords').inputValue()).toBe('Armenia, elections');
    await page.close();
  });

  it('unsubscribes with the button, not by opening the link', async () => {
    // Prepare
    const page = await browser.newPage({ javaScriptEnabled: false });
    await page.goto(links.get(UNSUB_READER)!.unsubscribe);
    expect((await subscriberRepository().get(subscriberIdFor(UNSUB_READER)))?.status).toBe('confirmed');

    // Act
    await Promise.all([page.waitForURL('**/unsubscribe?token=*'), page.getByRole('button', { name: 'Unsubscribe' }).click()]);

    // Assess
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('You are unsubscribed');
    expect((await subscriberRepository().get(subscriberIdFor(UNSUB_READER)))?.status).toBe('unsubscribed');
    await page.close();
  });
});
