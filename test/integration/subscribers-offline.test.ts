/**
 * The subscription API over HTTP on serverless-offline (API Gateway HTTP API emulation, no
 * stage prefix): subscribe → the confirmation mail arrives in the local SES store → following
 * its link confirms → the next edition reaches the address → a one-click POST to its
 * List-Unsubscribe URL unsubscribes → the next edition skips it.
 */
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subscriberIdFor } from '../../functions/core/subscribers/identity.ts';
import { subscriberRepository } from '../../functions/wiring/common.ts';
import { runJob, uploadContent } from '../../infra/local/local-run.ts';
import { startSubscribersApi, type SubscribersApi } from '../browser/subscribers-api.ts';
import { pollUntil } from '../helpers/poll.ts';

const SAMPLE = join(dirname(fileURLToPath(import.meta.url)), '../../infra/local/sample/content/news');
const READER = 'offline-reader@example.org';
const CONTROL = 'offline-control@example.org';

describe('Integration: subscription API on serverless-offline', () => {
  let api: SubscribersApi;
  let work: string;

  const content = async (name: string, file: string): Promise<string> => {
    const dir = join(work, name, 'news');
    await mkdir(dir, { recursive: true });
    await copyFile(join(SAMPLE, file), join(dir, file));
    return join(work, name);
  };

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'subscribers-offline-'));
    api = await startSubscribersApi();
  }, 180_000);

  afterAll(async () => {
    await api?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('answers GET /health with 200 without a stage prefix', async () => {
    // Prepare & Act
    const res = await fetch(`${api.url}/health`);

    // Assess
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('serves the subscribe page, and shows it again with the reason for a refused form post', async () => {
    // Act
    const page = await fetch(`${api.url}/subscribe`);
    const refused = await fetch(`${api.url}/subscribe`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
      body: new URLSearchParams({ email: 'refused@example.org', name: 'Ann', newsletter: 'none', alerts: 'none', keywords: 'energy', website: '' }),
    });
    const json = await fetch(`${api.url}/subscribe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'refused@example.org', newsletter: 'none', alerts: 'none' }),
    });

    // Assess
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toContain("form-action 'self'");
    const html = await page.text();
    expect(html).toContain('<form method="post" action="subscribe">');
    expect(html).not.toMatch(/<script/i);
    expect(refused.status).toBe(400);
    const again = await refused.text();
    expect(again).toContain('<a href="#newsletter-daily">Newsletter</a>: choose a newsletter or alerts.');
    expect(again).toContain('value="refused@example.org"');
    expect(again).toContain('<input type="radio" id="newsletter-none" name="newsletter" value="none" checked>');
    expect([json.status, await json.json()]).toEqual([400, { error: 'newsletter: choose a newsletter or alerts', requestId: expect.any(String) }]);
    expect(api.stack.ses.messages().some((m) => m.destinations.includes('refused@example.org'))).toBe(false);
  });

  it('subscribe, confirm by link, edition, one-click unsubscribe, next edition skips', async () => {
    // Prepare: a control reader who stays subscribed.
    for (const email of [READER, CONTROL]) {
      // Act 1: a form post, as from the publisher's site.
      const res = await fetch(`${api.url}/subscribe`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
        body: new URLSearchParams({ email, name: 'Reader', newsletter: 'daily' }),
      });
      expect(res.status).toBe(202);
      expect(await res.text()).toContain('Check your inbox');
      const mail = await pollUntil(async () => api.stack.ses.messages().find((m) => m.destinations.includes(email)), { message: `the confirmation mail to ${email}` });
      const parsed = await simpleParser(mail.raw);
      const link = new RegExp(`${api.url.replace(/[.]/g, '\\.')}/confirm\\?token=[\\w.-]+`).exec(parsed.text ?? '')?.[0];
      expect(link, 'the confirmation link uses the public base URL').toBeDefined();

      // Act 2: follow the link.
      const confirmed = await fetch(link!);

      // Assess 2
      expect(confirmed.status).toBe(200);
      expect(await confirmed.text()).toContain('Subscription confirmed');
    }
    expect((await subscriberRepository().get(subscriberIdFor(READER)))?.status).toBe('confirmed');

    // Act 3: an edition.
    await uploadContent(api.stack, await content('first', '000_c5efd77b2ca7bb98.txt'));
    const mark = api.stack.ses.messages().length;
    await runJob(api.stack, { job: 'daily', now: new Date(), quarantined: 0 });
    const edition = api.stack.ses.messages().slice(mark).find((m) => m.destinations.includes(READER));

    // Assess 3
    expect(edition).toBeDefined();
    const raw = edition!.raw.toString('utf8');
    expect(raw).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r$/m);
    const unsubscribeUrl = /^List-Unsubscribe: <([^>]+)>\r$/m.exec(raw)?.[1] ?? '';
    expect(unsubscribeUrl.startsWith(`${api.url}/unsubscribe?token=`)).toBe(true);

    // Act 4: what a mailbox provider does (RFC 8058), twice.
    const oneClick = () => fetch(unsubscribeUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
    const first = await oneClick();
    const second = await oneClick();

    // Assess 4
    expect([first.status, second.status]).toEqual([200, 200]);
    expect((await subscriberRepository().get(subscriberIdFor(READER)))?.status).toBe('unsubscribed');

    // Act 5: the next edition.
    await uploadContent(api.stack, await content('second', 'georgia-tbilisi-metro.md'));
    const mark2 = api.stack.ses.messages().length;
    await runJob(api.stack, { job: 'daily', now: new Date(Date.now() + 86_400_000), quarantined: 0 });
    const next = api.stack.ses.messages().slice(mark2);

    // Assess 5
    expect(next.some((m) => m.destinations.includes(CONTROL))).toBe(true);
    expect(next.some((m) => m.destinations.includes(READER))).toBe(false);
  });

  it('refuses bad input over HTTP with a 4xx and a reason', async () => {
    // Prepare
    const post = (body: string, type: string) => fetch(`${api.url}/subscribe`, { method: 'POST', headers: { 'content-type': type }, body });

    // Act
    const malformed = await post('{"email":', 'application/json');
    const oversized = await post(JSON.stringify({ email: 'x@example.org', name: 'x'.repeat(20_000) }), 'application/json');
    const crlf = await post(JSON.stringify({ email: 'x@example.org', name: 'a\r\nb' }), 'application/json');
    const forged = await fetch(`${api.url}/unsubscribe?token=abc.def`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });

    // Assess
    const requestId = expect.any(String) as unknown as string;
    expect([malformed.status, await malformed.json()]).toEqual([400, { error: 'body: malformed JSON', requestId }]);
    expect([oversized.status, await oversized.json()]).toEqual([413, { error: 'body: larger than 16384 bytes', requestId }]);
    expect([crlf.status, await crlf.json()]).toEqual([400, { error: 'name: contains a control character', requestId }]);
    expect(forged.status).toBe(400);
    expect(await forged.text()).toContain('This link is not valid');
  });

  it('answers every error with a request id, never a stack trace or a file path, and over-long archive paths with 404', async () => {
    // Prepare: paths just past the old failure (236 characters), past S3's 1,024-byte keys, and far past both.
    const archive = (path: string) => fetch(`${api.url}/archive/${path}`, { headers: { accept: 'text/html' } });
    const leaks = /\bat .+:\d+:\d+|\/work\/|\/var\/task|node_modules|\.(?:ts|mjs|js)\b|Error:|stack/i;

    // Act
    const archivePaths = await Promise.all([`${'a'.repeat(236)}.html`, `editions/${'b'.repeat(1100)}.html`, `editions/${'c'.repeat(9000)}.html`, 'editions/none.html'].map(archive));
    const pages = await Promise.all([
      fetch(`${api.url}/confirm`),
      fetch(`${api.url}/preferences?token=x.y`),
      fetch(`${api.url}/unsubscribe?token=x.y`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' }),
    ]);
    const subscribe = await fetch(`${api.url}/subscribe`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' });

    // Assess
    expect(archivePaths.map((r) => r.status)).toEqual([404, 404, 404, 404]);
    expect(pages.map((r) => r.status)).toEqual([400, 400, 400]);
    for (const res of [...archivePaths, ...pages]) {
      const body = await res.text();
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(body).toMatch(/Request id: <code>[\w-]+<\/code>/);
      expect(body).not.toMatch(leaks);
      if (archivePaths.includes(res)) expect(body).toContain('<h1>Page not found</h1>');
    }
    const json = (await subscribe.json()) as { error: string; requestId: string };
    expect([subscribe.status, json.error]).toEqual([415, 'body: unsupported content type "text/plain" (use application/json or a form)']);
    expect(json.requestId).toMatch(/^[\w-]+$/);
  });
});
