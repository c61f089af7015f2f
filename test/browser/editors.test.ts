/// <reference lib="dom" />
/**
 * The editors' console in headless Chromium (playwright-core, Debian's /usr/bin/chromium)
 * against serverless-offline and the local issuer, as `npm start` serves it: sign in as the
 * local editor, preview the next edition, move a pick to the top with the keyboard, send a
 * test (found in the local SES store with "[TEST]"), run the dry run, confirm, and watch the
 * edition reach `sent`. No Content-Security-Policy violation on the way; no horizontal
 * overflow at 375 px; screenshots at 375 and 1280 px in test/artifacts/.
 * Skipped when /usr/bin/chromium is missing.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { simpleParser } from 'mailparser';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importSubscribersFile, uploadContent } from '../../infra/local/local-run.ts';
import { pollUntil } from '../helpers/poll.ts';
import { startEditorsApi, type EditorsApi } from './editors-api.ts';

const CHROMIUM = '/usr/bin/chromium';
const SAMPLE = fileURLToPath(new URL('../../infra/local/sample/content', import.meta.url));
const ARTIFACTS = fileURLToPath(new URL('../artifacts/', import.meta.url));
const READERS = ['console-reader1@editors.example.org', 'console-reader2@editors.example.org', 'console-reader3@editors.example.org'];

describe.skipIf(!existsSync(CHROMIUM))('Browser: the editors\' console', () => {
  let api: EditorsApi;
  let browser: Browser;
  let worker: { stop(): Promise<void> };
  let work: string;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'editors-browser-'));
    api = await startEditorsApi();
    await writeFile(join(work, 'subscribers.csv'), `email,name,newsletter,alerts,keywords\n${READERS.map((e, i) => `${e},Reader ${i + 1},daily,none,`).join('\n')}\n`);
    await importSubscribersFile(join(work, 'subscribers.csv'));
    await uploadContent(api.stack, SAMPLE);
    worker = api.startSendWorker();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    await mkdir(ARTIFACTS, { recursive: true });
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await worker?.stop();
    await api?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  /**
   * A page that records every CSP violation, script error and failed call of the console's
   * own origin (the previewed email's remote images cannot load here: no network).
   */
  async function open(width: number): Promise<{ page: Page; problems: string[] }> {
    const page = await browser.newPage({ viewport: { width, height: 900 } });
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content.Security.Policy|Refused to/i.test(m.text())) problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(String(e)));
    page.on('response', (r) => {
      if (!r.url().startsWith(`${api.url}/editor`) || r.status() < 400) return;
      // The console asks for the next edition's preview as it opens; once every ingested story
      // has been sent, the API answers 404 "nothing new" and the console hides the preview.
      // Whether that happens here depends on how far ingestion got before the first test sent
      // its edition, so that one answer is not a problem; any other failed call is.
      if (r.status() === 404 && /\/editor\/api\/jobs\/[a-z]+\/preview$/.test(new URL(r.url()).pathname)) {
        void r.text().then((body) => {
          if (!/nothing new for the/.test(body)) problems.push(`${r.status()} ${r.url()}: ${body}`);
        }, () => problems.push(`${r.status()} ${r.url()}`));
        return;
      }
      problems.push(`${r.status()} ${r.url()}`);
    });
    return { page, problems };
  }

  it('signs in as the local editor, previews, moves a pick to the top, sends a test, sends the edition and watches it reach sent', async () => {
    // Prepare
    const { page, problems } = await open(1280);

    // Act 1: sign in, as on Cognito's hosted UI
    await page.goto(`${api.url}/editor`);
    await page.waitForURL(`${api.issuer.url}/oauth2/authorize?**`);
    await page.getByRole('button', { name: 'Sign in as local-editor (editor)' }).click();
    await expect(page.locator('#who').textContent({ timeout: 30_000 }).then(async () => page.waitForFunction(() => document.getElementById('who')?.textContent?.includes('local-editor')))).resolves.toBeTruthy();

    // Assess 1: back on the console, no code left in the address bar, the preview rendered in its frame
    expect(new URL(page.url()).search).toBe('');
    await page.waitForFunction(() => (document.getElementById('preview-subject')?.textContent ?? '') !== '', undefined, { timeout: 60_000 });
    const frame = page.frameLocator('#preview-frame');
    const firstPick = await page.locator('#picks li').first().locator('.story').evaluate((e) => e.firstChild?.textContent ?? '');
    await expect(frame.locator('body').textContent()).resolves.toContain(firstPick);

    // Act 2: move the last pick to the top, with the keyboard
    const picks = page.locator('#picks li');
    const count = await picks.count();
    expect(count).toBeGreaterThan(1);
    const lastId = await picks.nth(count - 1).getAttribute('data-id');
    await picks.nth(count - 1).getByRole('button', { name: /to the top$/ }).focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction((id) => document.querySelector('#picks li')?.getAttribute('data-id') === id, lastId, { timeout: 60_000 });

    // Assess 2: it leads, pinned, in the list and in the previewed email
    const leader = await page.locator('#picks li').first().locator('.story').evaluate((e) => e.firstChild?.textContent ?? '');
    await expect(page.locator('#picks li').first().locator('.pinned').textContent()).resolves.toBe('pinned');
    await expect(frame.locator('body').textContent()).resolves.toContain(leader);

    // The preview at desktop and phone widths (element screenshots: a full-page screenshot of
    // headless Chromium leaves a sandboxed frame below the fold blank)
    await page.getByLabel('Desktop (1280 px)').check();
    await page.locator('#preview-box').screenshot({ path: join(ARTIFACTS, 'editors-preview-1280.png') });
    await page.getByLabel('Phone (375 px)').check();
    await page.locator('#preview-box').screenshot({ path: join(ARTIFACTS, 'editors-preview-375.png') });
    await expect(page.locator('#preview-frame').getAttribute('width')).resolves.toBe('375');

    // Act 3: a test send
    await page.getByLabel(/Send a test to/).fill('desk@editors.example.org');
    await page.getByRole('button', { name: 'Send test' }).click();
    await page.waitForFunction(() => document.getElementById('status')?.textContent?.startsWith('Test sent to 1 address'), undefined, { timeout: 60_000 });

    // Assess 3: in the local SES store, with [TEST] before the subject
    const test = await pollUntil(async () => api.stack.ses.messages().find((m) => m.destinations.includes('desk@editors.example.org')), { message: 'the test send' });
    const subject = (await simpleParser(test.raw)).subject ?? '';
    expect(subject).toMatch(/^\[TEST\] /);

    // Act 4: the dry run, the confirmation, the send
    await page.getByRole('button', { name: 'Send now…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Confirm the send' });
    await dialog.waitFor();
    const question = await dialog.locator('#confirm-send-text').textContent();
    await page.screenshot({ path: join(ARTIFACTS, 'editors-console-confirm-1280.png') });
    await dialog.getByRole('button', { name: 'Send', exact: true }).click();
    await page.waitForFunction(() => document.getElementById('detail-state')?.textContent === 'sent', undefined, { timeout: 120_000, polling: 500 });

    // Assess 4: what the confirmation said, and that it is so
    expect(question).toBe(`Send “${subject.slice('[TEST] '.length)}” to 3 subscribers of CommonSpace Digest (daily)?`);
    const edition = await page.locator('#detail-id').textContent();
    const sent = api.stack.ses.messages().filter((m) => m.tags.edition === edition);
    expect(sent.map((m) => m.destinations[0]).sort()).toEqual([...READERS].sort());
    await expect(page.locator('#detail-counts').textContent()).resolves.toMatch(/^3 sent, 0 failed, 0 cancelled/);
    await page.waitForFunction(() => document.querySelector('#audit tbody tr td:nth-child(3)')?.textContent?.startsWith('send.confirmed'), undefined, { timeout: 30_000 });
    expect(problems).toEqual([]);

    // Screenshots at desktop and phone widths (the same tab: the sign-in lives in its sessionStorage)
    await page.screenshot({ path: join(ARTIFACTS, 'editors-console-1280.png'), fullPage: true });
    await page.setViewportSize({ width: 375, height: 800 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    await page.screenshot({ path: join(ARTIFACTS, 'editors-console-375.png'), fullPage: true });
    expect(overflow, 'no horizontal scrolling of the page at 375 px').toBeLessThanOrEqual(0);
    await page.close();
  });

  it('shows a viewer the console without the write controls', async () => {
    // Prepare
    const { page, problems } = await open(375);

    // Act
    await page.goto(`${api.url}/editor`);
    await page.getByRole('button', { name: 'Sign in as local-viewer (viewer)' }).click();
    await page.waitForFunction(() => document.getElementById('who')?.textContent?.includes('local-viewer (viewer)'), undefined, { timeout: 30_000 });

    // Assess
    await expect(page.getByRole('button', { name: 'Send now…' }).isVisible()).resolves.toBe(false);
    await expect(page.getByRole('button', { name: 'Send test' }).isVisible()).resolves.toBe(false);
    await page.waitForFunction(() => document.querySelectorAll('#editions tbody tr').length > 0, undefined, { timeout: 30_000 });
    expect(problems).toEqual([]);
    await page.close();
  });
});
