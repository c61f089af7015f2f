/**
 * Browser tests in headless Chromium (playwright-core, Debian's /usr/bin/chromium) against
 * serverless-offline: a reader opens the preferences page from an edition's link, changes the
 * keywords and sees them saved; and unsubscribes with the button of the unsubscribe page.
 * A new reader finds "Subscribe" on the archive index, fills in the subscribe page (GET
 * /subscribe), submits it, finds the confirmation mail in the local SES store, follows its
 * link and sees the confirmed page; a refused form comes back with the reason and what was
 * typed. Those pages are screenshotted at 375 and 1280 px into test/artifacts/ (not tracked),
 * with only loopback requests let through. One serverless-offline for all: each instance
 * bundles every handler. Skipped when /usr/bin/chromium is missing.
 */
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load } from 'cheerio';
import { simpleParser } from 'mailparser';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subscriberIdFor } from '../../functions/core/subscribers/identity.ts';
import { importSubscribers } from '../../functions/core/subscribers/import-subscribers.ts';
import { subscriberRepository } from '../../functions/wiring/common.ts';
import { runJob, uploadContent } from '../../infra/local/local-run.ts';
import { pollUntil } from '../helpers/poll.ts';
import { startSubscribersApi, type SubscribersApi } from './subscribers-api.ts';

const CHROMIUM = '/usr/bin/chromium';
const SAMPLE = join(dirname(fileURLToPath(import.meta.url)), '../../infra/local/sample/content/news');
const PREFS_READER = 'browser-prefs@example.org';
const UNSUB_READER = 'browser-unsub@example.org';
const ARTIFACTS = fileURLToPath(new URL('../artifacts/', import.meta.url));
const NEW_READER = 'browser-subscribe@example.org';
const REFUSED = 'browser-refused@example.org';

describe.skipIf(!existsSync(CHROMIUM))('Browser: subscriber pages', () => {
  let api: SubscribersApi;
  let browser: Browser;
  let work: string;
  /** Links of the edition mail per reader. */
  const links = new Map<string, { preferences: string; unsubscribe: string }>();

  /** A page with JavaScript off whose requests may only go to loopback. */
  async function newPage(width: number): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ viewport: { width, height: 900 }, javaScriptEnabled: false });
    await context.route('**/*', async (route) => {
      const { protocol, hostname } = new URL(route.request().url());
      if (protocol === 'data:' || ['127.0.0.1', 'localhost', '[::1]'].includes(hostname)) return route.continue();
      return route.abort('blockedbyclient');
    });
    return { context, page: await context.newPage() };
  }

  /** A full-page screenshot in test/artifacts/, after checking nothing overflows sideways. */
  async function shoot(page: Page, name: string, width: number): Promise<void> {
    await page.setViewportSize({ width, height: 900 });
    // A string expression: the project's TypeScript has no DOM lib.
    const overflow = await page.evaluate<boolean>('document.documentElement.scrollWidth > window.innerWidth');
    expect(overflow, `${name} overflows at ${width} px`).toBe(false);
    await page.screenshot({ path: join(ARTIFACTS, `${name}-${width}.png`), fullPage: true });
  }

  beforeAll(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
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

  it('subscribes from the archive index: form, confirmation mail, link, confirmed', async () => {
    // Prepare: the archive index links to the subscribe page.
    const { context, page } = await newPage(1280);
    await page.goto(`${api.url}/archive/daily/index.html`);
    await Promise.all([page.waitForURL(`${api.url}/subscribe`), page.getByRole('link', { name: 'Subscribe' }).first().click()]);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toMatch(/^Subscribe to /);
    await shoot(page, 'subscribe-page', 1280);
    await shoot(page, 'subscribe-page', 375);
    // The honeypot is off-screen and out of the accessibility tree.
    await expect(page.getByRole('textbox', { name: 'Leave this field empty' }).count()).resolves.toBe(0);
    const honeypot = await page.locator('input[name="website"]').boundingBox();
    expect((honeypot?.x ?? 0) + (honeypot?.width ?? 0)).toBeLessThanOrEqual(0);

    // Act 1: fill in and submit the form.
    await page.getByLabel('Email address').fill(NEW_READER);
    await page.getByLabel('Name').fill('Nora');
    await page.getByLabel('Weekly newsletter').check();
    await page.getByLabel('Once a day').check();
    await page.getByLabel('Keywords').fill('energy, Armenia');
    await page.getByLabel('Delivery hour of daily and weekly alerts').selectOption('21');
    await page.getByLabel('Time zone').fill('Asia/Yerevan');
    await page.getByRole('button', { name: 'Subscribe' }).click();

    // Assess 1
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Check your inbox');
    expect((await subscriberRepository().get(subscriberIdFor(NEW_READER)))?.status).toBe('pending');

    // Act 2: the confirmation mail, and its link.
    const mail = await pollUntil(async () => api.stack.ses.messages().find((m) => m.destinations.includes(NEW_READER)), {
      message: `the confirmation mail to ${NEW_READER}`,
    });
    const text = (await simpleParser(mail.raw)).text ?? '';
    const link = new RegExp(`${api.url.replace(/[.]/g, '\\.')}/confirm\\?token=[\\w.-]+`).exec(text)?.[0];
    expect(link, 'the confirmation mail has a link to the API').toBeDefined();
    await page.goto(link!);

    // Assess 2
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Subscription confirmed');
    await shoot(page, 'subscribe-confirmed', 375);
    expect(await subscriberRepository().get(subscriberIdFor(NEW_READER))).toMatchObject({
      status: 'confirmed', name: 'Nora', newsletter: 'weekly', alerts: 'daily', keywords: ['energy', 'Armenia'], alertHour: 21, timezone: 'Asia/Yerevan',
    });
    await context.close();
  });

  it('shows the form again with the reason and what was typed when it is refused', async () => {
    // Prepare
    const { context, page } = await newPage(375);
    await page.goto(`${api.url}/subscribe`);
    await page.getByLabel('Email address').fill(REFUSED);
    await page.getByLabel('Keywords').fill('elections');
    await page.getByLabel('No newsletter').check();

    // Act: no newsletter and no alerts.
    await page.getByRole('button', { name: 'Subscribe' }).click();

    // Assess
    await expect(page.getByRole('alert').textContent()).resolves.toContain('Newsletter: choose a newsletter or alerts.');
    expect(await page.getByLabel('Email address').inputValue()).toBe(REFUSED);
    expect(await page.getByLabel('Keywords').inputValue()).toBe('elections');
    expect(await page.getByLabel('No newsletter').isChecked()).toBe(true);
    await shoot(page, 'subscribe-refused', 375);
    expect(await subscriberRepository().get(subscriberIdFor(REFUSED))).toBeUndefined();
    expect(api.stack.ses.messages().some((m) => m.destinations.includes(REFUSED))).toBe(false);
    await context.close();
  });
});
