/**
 * Subscribers end to end on the local stack, through the same handlers AWS invokes (in
 * process, with API Gateway v2 events): double opt-in, one-click unsubscribe from an
 * edition's List-Unsubscribe header, bounce and complaint feedback, and every bad input of
 * the point 3 (status, reason, nothing changed).
 */
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyStructuredResultV2, SNSEvent } from 'aws-lambda';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getConfig } from '../../functions/core/config.ts';
import { subscriberIdFor } from '../../functions/core/subscribers/identity.ts';
import { importSubscribers } from '../../functions/core/subscribers/import-subscribers.ts';
import { parseSubscribersCsv, toSubscribersCsv } from '../../functions/core/subscribers/subscriber-csv.ts';
import { signToken, TokenPurpose } from '../../functions/core/subscribers/tokens.ts';
import type { Subscriber } from '../../functions/core/subscribers/types.ts';
import { handler as feedbackHandler } from '../../functions/feedback.ts';
import { handler as confirmHandler } from '../../functions/http/confirm.ts';
import { handler as healthHandler } from '../../functions/http/health.ts';
import { handler as preferencesHandler } from '../../functions/http/preferences.ts';
import { handler as subscribeHandler } from '../../functions/http/subscribe.ts';
import { handler as unsubscribeHandler } from '../../functions/http/unsubscribe.ts';
import { subscriberRepository } from '../../functions/wiring/common.ts';
import { localAppEnv } from '../../infra/local/app-env.ts';
import { runJob, uploadContent, useStack } from '../../infra/local/local-run.ts';
import { startLocalStack, type LocalStack } from '../../infra/local/stack.ts';
import { httpEvent, type EventOptions } from '../helpers/http-events.ts';

const SAMPLE = join(dirname(fileURLToPath(import.meta.url)), '../../infra/local/sample/content');
const BASE = 'http://127.0.0.1:3000';

type Handler = (event: ReturnType<typeof httpEvent>) => Promise<APIGatewayProxyStructuredResultV2>;

interface Answer {
  status: number;
  body: string;
  headers: Record<string, unknown>;
}

async function call(handler: Handler, method: string, path: string, options: EventOptions = {}): Promise<Answer> {
  const res = await handler(httpEvent(method, path, options));
  return { status: res.statusCode ?? 0, body: res.body ?? '', headers: res.headers ?? {} };
}

/** The token of a link. */
function tokenOf(url: string): string {
  return new URL(url).searchParams.get('token') ?? '';
}

describe('Integration: subscribers on the local stack', () => {
  let stack: LocalStack;
  let work: string;
  let ddb: DynamoDBDocumentClient;

  const mailTo = (address: string) => stack.ses.messages().filter((m) => m.destinations.includes(address));

  async function confirmationLink(address: string): Promise<string> {
    const mails = mailTo(address);
    const raw = mails.at(-1)?.raw;
    if (!raw) throw new Error(`no mail to ${address}`);
    const parsed = await simpleParser(raw);
    const link = /http:\/\/127\.0\.0\.1:3000\/confirm\?token=[\w.%-]+/.exec(parsed.text ?? '')?.[0];
    if (!link) throw new Error('no confirmation link in the mail');
    // The HTML part carries the same link.
    expect(String(parsed.html)).toContain(link.replace(/&/g, '&amp;'));
    return link;
  }

  async function subscribeAndConfirm(address: string, ip: string): Promise<void> {
    const res = await call(subscribeHandler, 'POST', '/subscribe', { body: { email: address, newsletter: 'daily' }, sourceIp: ip });
    expect(res.status).toBe(202);
    const link = await confirmationLink(address);
    const confirmed = await call(confirmHandler, 'GET', '/confirm', { query: { token: tokenOf(link) } });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toContain('Subscription confirmed');
  }

  /** Every item of SubscribersTable, for "nothing changed" checks. */
  async function tableState(): Promise<string> {
    const out = await ddb.send(new ScanCommand({ TableName: getConfig().SUBSCRIBERS_TABLE, ConsistentRead: true }));
    return JSON.stringify((out.Items ?? []).map((i) => `${String(i.pk)}|${String(i.sk)}|${JSON.stringify(i)}`).sort());
  }

  async function contentDir(name: string, files: string[]): Promise<string> {
    const dir = join(work, name);
    await mkdir(join(dir, 'news'), { recursive: true });
    for (const f of files) await copyFile(join(SAMPLE, 'news', f), join(dir, 'news', f));
    return dir;
  }

  function snsEvent(message: unknown, id: string): SNSEvent {
    return {
      Records: [{
        EventSource: 'aws:sns', EventVersion: '1.0', EventSubscriptionArn: 'arn:aws:sns:us-east-1:000000000000:feedback:1',
        Sns: {
          Type: 'Notification', MessageId: id, TopicArn: 'arn:aws:sns:us-east-1:000000000000:feedback', Subject: '',
          Message: JSON.stringify(message), Timestamp: new Date().toISOString(), SignatureVersion: '1', Signature: '',
          SigningCertUrl: '', UnsubscribeUrl: '', MessageAttributes: {},
        },
      }],
    };
  }

  beforeAll(async () => {
    stack = await startLocalStack({ forwardToMailbox: false });
    useStack({ ...localAppEnv(stack, { httpPort: 3000, logLevel: 'SILENT' }), SUBSCRIBE_LIMIT_PER_IP: '50' });
    work = await mkdtemp(join(tmpdir(), 'subscribers-it-'));
    ddb = DynamoDBDocumentClient.from(new DynamoDBClient({ region: getConfig().AWS_REGION, endpoint: stack.endpoints.dynamodb }));
  });

  afterAll(async () => {
    ddb?.destroy();
    await stack?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('answers GET /health with 200', async () => {
    // Prepare & Act
    const res = await call(healthHandler, 'GET', '/health');

    // Assess
    expect(res.status).toBe(200);
  });

  it('answers subscribe the same for a new and a known address', async () => {
    // Prepare
    const first = await call(subscribeHandler, 'POST', '/subscribe', { body: { email: 'same@example.org' }, sourceIp: '192.0.2.10' });

    // Act
    const second = await call(subscribeHandler, 'POST', '/subscribe', { body: { email: 'same@example.org' }, sourceIp: '192.0.2.10' });
    const other = await call(subscribeHandler, 'POST', '/subscribe', { body: { email: 'other@example.org' }, sourceIp: '192.0.2.10' });

    // Assess
    expect([first.status, second.status, other.status]).toEqual([202, 202, 202]);
    expect(second.body).toBe(first.body);
    expect(other.body).toBe(first.body);
  });

  it('double opt-in, edition, one-click unsubscribe, bounce and complaint: the next edition skips them', async () => {
    // Prepare: four readers confirm by following their mail's link; a control reader is imported.
    const readers = { oneClick: 'one-click@example.org', bounce: 'bouncer@example.org', complaint: 'complainer@example.org' };
    let ip = 20;
    for (const address of Object.values(readers)) await subscribeAndConfirm(address, `192.0.2.${ip++}`);
    await importSubscribers(subscriberRepository(), 'email,name,newsletter,alerts,keywords\ncontrol@example.org,Control,daily,none,\n', { now: new Date() });
    await uploadContent(stack, await contentDir('first', ['000_c5efd77b2ca7bb98.txt']));
    const before = stack.ses.messages().length;

    // Act 1: the first edition reaches everybody.
    const first = await runJob(stack, { job: 'daily', now: new Date(), quarantined: 0 });
    const firstMail = stack.ses.messages().slice(before);

    // Assess 1
    expect(first.sent).toBeGreaterThanOrEqual(4);
    for (const address of [...Object.values(readers), 'control@example.org']) {
      expect(firstMail.some((m) => m.destinations.includes(address)), address).toBe(true);
    }

    // Act 2: one-click POST with the token of the edition's List-Unsubscribe header; SES feedback for the others.
    const edition = firstMail.find((m) => m.destinations.includes(readers.oneClick))!;
    const header = /^List-Unsubscribe: <([^>]+)>\r?$/m.exec(edition.raw.toString('utf8'))?.[1] ?? '';
    expect(header.startsWith(`${BASE}/unsubscribe?token=`)).toBe(true);
    const oneClick = await call(unsubscribeHandler, 'POST', '/unsubscribe', {
      query: { token: tokenOf(header) }, body: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    const again = await call(unsubscribeHandler, 'POST', '/unsubscribe', {
      query: { token: tokenOf(header) }, body: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    const bounce = {
      notificationType: 'Bounce',
      bounce: { bounceType: 'Permanent', bounceSubType: 'General', bouncedRecipients: [{ emailAddress: readers.bounce }], timestamp: new Date().toISOString(), feedbackId: 'fb-bounce-1' },
      mail: { messageId: 'm-1', destination: [readers.bounce] },
    };
    const complaint = {
      notificationType: 'Complaint',
      complaint: { complainedRecipients: [{ emailAddress: readers.complaint }], timestamp: new Date().toISOString(), feedbackId: 'fb-complaint-1' },
      mail: { messageId: 'm-2', destination: [readers.complaint] },
    };
    await feedbackHandler(snsEvent(bounce, 'sns-1'));
    await feedbackHandler(snsEvent(bounce, 'sns-1'));
    await feedbackHandler(snsEvent(complaint, 'sns-2'));

    // Assess 2
    expect([oneClick.status, again.status]).toEqual([200, 200]);
    const status = async (address: string) => (await subscriberRepository().get(subscriberIdFor(address)))?.status;
    expect(await status(readers.oneClick)).toBe('unsubscribed');
    expect(await status(readers.bounce)).toBe('bounced');
    expect(await status(readers.complaint)).toBe('complained');

    // Act 3: the next edition (tomorrow's, with a new story).
    await uploadContent(stack, await contentDir('second', ['georgia-tbilisi-metro.md']));
    const mark = stack.ses.messages().length;
    const tomorrow = new Date(Date.now() + 86_400_000);
    const second = await runJob(stack, { job: 'daily', now: tomorrow, quarantined: 0 });
    const secondMail = stack.ses.messages().slice(mark);

    // Assess 3: it reaches the control reader and skips the three.
    expect(second.edition).not.toBe(first.edition);
    expect(secondMail.some((m) => m.destinations.includes('control@example.org'))).toBe(true);
    for (const address of Object.values(readers)) {
      expect(secondMail.some((m) => m.destinations.includes(address)), address).toBe(false);
    }
  });

  it('the confirmation mail carries no text of the request: no name in the body or the headers', async () => {
    // Prepare
    const address = 'greeted@example.org';
    const name = 'Dear customer, your account is suspended, call support';

    // Act
    const res = await call(subscribeHandler, 'POST', '/subscribe', { body: { email: address, name, keywords: 'energy' }, sourceIp: '192.0.2.43' });

    // Assess
    expect(res.status).toBe(202);
    const raw = mailTo(address).at(-1)?.raw;
    expect(raw).toBeDefined();
    const mail = await simpleParser(raw!);
    expect(mail.text).toMatch(/^Hello,$/m);
    for (const text of [raw!.toString('utf8'), mail.text ?? '', String(mail.html), mail.subject ?? '']) {
      expect(text).not.toContain('suspended');
      expect(text).not.toContain('customer');
    }
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.value[0] : undefined).toEqual({ address, name: '' });
  });

  it('limits cannot be turned against a user: the address cap answers 202 and sends nothing, the first link still confirms; the source limit answers 429 with Retry-After', async () => {
    // Prepare: three requests from three places reach the cap of confirmation mails.
    const address = 'targeted@example.org';
    const ask = (ip: string) => call(subscribeHandler, 'POST', '/subscribe', { body: { email: address }, sourceIp: ip });
    for (const ip of ['198.51.100.1', '198.51.100.2', '198.51.100.3']) expect((await ask(ip)).status).toBe(202);
    const firstLink = mailTo(address)[0]?.raw;
    const link = /http:\/\/127\.0\.0\.1:3000\/confirm\?token=[\w.%-]+/.exec((await simpleParser(firstLink!)).text ?? '')?.[0];

    // Act 1: the attacker goes on from many sources.
    const more = [];
    for (let i = 10; i < 20; i += 1) more.push(await ask(`198.51.100.${i}`));

    // Assess 1: the same answer, no mail, and the owner's first link still confirms.
    expect(more.map((r) => r.status)).toEqual(Array(10).fill(202));
    expect(mailTo(address)).toHaveLength(3);
    const confirmed = await call(confirmHandler, 'GET', '/confirm', { query: { token: tokenOf(link!) } });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toContain('Subscription confirmed');

    // Act 2: one source past its limit (50 here).
    const answers = [];
    for (let i = 0; i < 51; i += 1) answers.push(await ask('198.51.100.99'));

    // Assess 2
    expect(answers.slice(0, 50).every((r) => r.status === 202)).toBe(true);
    expect(answers[50]?.status).toBe(429);
    expect(Number(answers[50]?.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('a reused or expired confirmation link shows a clear page', async () => {
    // Prepare
    await call(subscribeHandler, 'POST', '/subscribe', { body: { email: 'reuse@example.org' }, sourceIp: '192.0.2.40' });
    const token = tokenOf(await confirmationLink('reuse@example.org'));
    await call(confirmHandler, 'GET', '/confirm', { query: { token } });
    const expired = signToken(getConfig().TOKEN_SECRET!, { subscriberId: subscriberIdFor('reuse@example.org'), purpose: TokenPurpose.CONFIRM, expiresAt: Math.floor(Date.now() / 1000) - 1, nonce: 'n' });

    // Act
    const reused = await call(confirmHandler, 'GET', '/confirm', { query: { token } });
    const late = await call(confirmHandler, 'GET', '/confirm', { query: { token: expired } });

    // Assess
    expect(reused.status).toBe(200);
    expect(reused.body).toContain('You are already subscribed');
    expect(late.status).toBe(400);
    expect(late.headers['content-type']).toMatch(/^text\/html/);
    expect(late.body).toContain('This link has expired');
  });

  it('shows and saves preferences through the preferences link', async () => {
    // Prepare
    await subscribeAndConfirm('prefs@example.org', '192.0.2.41');
    const token = signToken(getConfig().TOKEN_SECRET!, { subscriberId: subscriberIdFor('prefs@example.org'), purpose: TokenPurpose.PREFERENCES, expiresAt: Math.floor(Date.now() / 1000) + 600 });

    // Act
    const page = await call(preferencesHandler, 'GET', '/preferences', { query: { token } });
    const saved = await call(preferencesHandler, 'POST', '/preferences', { form: { token, name: 'Pat', newsletter: 'weekly', alerts: 'daily', keywords: 'energy, Armenia' } });

    // Assess
    expect(page.status).toBe(200);
    expect(page.body).toContain('p***@example.org');
    expect(page.body).not.toContain('prefs@example.org');
    expect(saved.status).toBe(200);
    expect(saved.body).toContain('Your preferences are saved.');
    expect(await subscriberRepository().get(subscriberIdFor('prefs@example.org'))).toMatchObject({
      name: 'Pat', newsletter: 'weekly', alerts: 'daily', keywords: ['energy', 'Armenia'], status: 'confirmed',
    });
  });

  it('GET /unsubscribe only shows a button', async () => {
    // Prepare
    await subscribeAndConfirm('scanner@example.org', '192.0.2.42');
    const token = signToken(getConfig().TOKEN_SECRET!, { subscriberId: subscriberIdFor('scanner@example.org'), purpose: TokenPurpose.UNSUBSCRIBE, expiresAt: Math.floor(Date.now() / 1000) + 600 });

    // Act
    const page = await call(unsubscribeHandler, 'GET', '/unsubscribe', { query: { token } });

    // Assess
    expect(page.status).toBe(200);
    expect(page.body).toContain('<button type="submit">Unsubscribe</button>');
    expect((await subscriberRepository().get(subscriberIdFor('scanner@example.org')))?.status).toBe('confirmed');
  });

  describe('bad input: 4xx with a reason, and nothing changes', () => {
    const now = () => Math.floor(Date.now() / 1000);
    const victim = 'victim@example.org';
    const json = (body: unknown) => ({ body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': 'application/json' } });
    const form = (body: string) => ({ body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    const sign = (purpose: TokenPurpose, expiresAt = now() + 600) => signToken(getConfig().TOKEN_SECRET!, { subscriberId: subscriberIdFor(victim), purpose, expiresAt });
    const tamper = (token: string) => `${token.slice(0, 5)}${token[5] === 'A' ? 'B' : 'A'}${token.slice(6)}`;

    beforeAll(async () => {
      await subscribeAndConfirm(victim, '192.0.2.50');
    });

    const cases: Array<[string, () => Promise<Answer>, number, string]> = [
      ['malformed JSON', () => call(subscribeHandler, 'POST', '/subscribe', json('{"email":')), 400, 'body: malformed JSON'],
      ['a JSON array', () => call(subscribeHandler, 'POST', '/subscribe', json([victim])), 400, 'body: JSON must be an object'],
      ['malformed form', () => call(subscribeHandler, 'POST', '/subscribe', form('email=%E0%A4%A')), 400, 'body: malformed form data'],
      ['an oversized body', () => call(subscribeHandler, 'POST', '/subscribe', json({ email: 'big@example.org', name: 'x'.repeat(20_000) })), 413, 'body: larger than 16384 bytes'],
      ['no body', () => call(subscribeHandler, 'POST', '/subscribe'), 400, 'body: is required'],
      ['another content type', () => call(subscribeHandler, 'POST', '/subscribe', { body: '<a/>', headers: { 'content-type': 'text/xml' } }), 415, 'body: unsupported content type'],
      ['an invalid address', () => call(subscribeHandler, 'POST', '/subscribe', json({ email: 'not-an-address' })), 400, 'email: not a valid address'],
      ['CR/LF in the address', () => call(subscribeHandler, 'POST', '/subscribe', json({ email: `${victim}\r\nBcc: x@example.org` })), 400, 'email: contains a control character'],
      ['CR/LF in the name', () => call(subscribeHandler, 'POST', '/subscribe', json({ email: 'new1@example.org', name: 'A\r\nB' })), 400, 'name: contains a control character'],
      ['a web address in the name', () => call(subscribeHandler, 'POST', '/subscribe', json({ email: victim, name: 'customer. Your account at http://evil.example/login is suspended' })), 400, 'name: looks like a web address'],
      ['a right-to-left override in the name', () => call(subscribeHandler, 'POST', '/subscribe', json({ email: victim, name: 'Ann \u202eevil' })), 400, 'name: contains a bidirectional control character'],
      ['a formula as a keyword', () => call(subscribeHandler, 'POST', '/subscribe', json({ email: victim, keywords: '=1+1;@SUM(1)' })), 400, 'keywords: a keyword holds a character it may not hold'],
      ['a control character in keywords', () => call(subscribeHandler, 'POST', '/subscribe', form('email=new2%40example.org&keywords=a%07b')), 400, 'keywords: contains a control character'],
      ['an unknown newsletter', () => call(subscribeHandler, 'POST', '/subscribe', json({ email: 'new3@example.org', newsletter: 'monthly' })), 400, 'newsletter: unknown value'],
      ['an unknown alerts cadence', () => call(subscribeHandler, 'POST', '/subscribe', json({ email: 'new4@example.org', alerts: 'often' })), 400, 'alerts: unknown value'],
      ['an unknown field', () => call(subscribeHandler, 'POST', '/subscribe', json({ email: 'new5@example.org', status: 'confirmed' })), 400, 'status: unknown field'],
      ['a wrong method', () => call(subscribeHandler, 'GET', '/subscribe'), 405, 'method not allowed'],
      ['a forged confirm token', () => call(confirmHandler, 'GET', '/confirm', { query: { token: `${Buffer.from('{"s":"x","p":"confirm","e":9999999999}').toString('base64url')}.${'A'.repeat(43)}` } }), 400, 'token: bad signature'],
      ['a missing token', () => call(confirmHandler, 'GET', '/confirm'), 400, 'token: is required'],
      ['a malformed token', () => call(unsubscribeHandler, 'GET', '/unsubscribe', { query: { token: 'garbage' } }), 400, 'token: malformed'],
      ['a tampered unsubscribe token', () => call(unsubscribeHandler, 'POST', '/unsubscribe', { query: { token: tamper(sign(TokenPurpose.UNSUBSCRIBE)) }, ...form('List-Unsubscribe=One-Click') }), 400, 'token: bad signature'],
      ['a preferences token used to unsubscribe', () => call(unsubscribeHandler, 'POST', '/unsubscribe', { query: { token: sign(TokenPurpose.PREFERENCES) }, ...form('List-Unsubscribe=One-Click') }), 400, 'token: wrong purpose'],
      ['an unsubscribe token used for preferences', () => call(preferencesHandler, 'POST', '/preferences', form(`token=${sign(TokenPurpose.UNSUBSCRIBE)}&newsletter=none&alerts=none`)), 400, 'token: wrong purpose'],
      ['an expired unsubscribe token', () => call(unsubscribeHandler, 'POST', '/unsubscribe', { query: { token: sign(TokenPurpose.UNSUBSCRIBE, now() - 1) }, ...form('List-Unsubscribe=One-Click') }), 400, 'token: expired'],
      ['an unsubscribe POST without the one-click body', () => call(unsubscribeHandler, 'POST', '/unsubscribe', { query: { token: sign(TokenPurpose.UNSUBSCRIBE) }, ...form('List-Unsubscribe=Yes') }), 400, 'body: expected List-Unsubscribe=One-Click'],
      ['preferences with an unknown value', () => call(preferencesHandler, 'POST', '/preferences', form(`token=${sign(TokenPurpose.PREFERENCES)}&newsletter=hourly&alerts=none`)), 400, 'newsletter: unknown value'],
      ['preferences with LF in keywords', () => call(preferencesHandler, 'POST', '/preferences', form(`token=${sign(TokenPurpose.PREFERENCES)}&newsletter=none&alerts=daily&keywords=a%0Ab`)), 400, 'keywords: contains a control character'],
      ['preferences with CR in the name', () => call(preferencesHandler, 'POST', '/preferences', form(`token=${sign(TokenPurpose.PREFERENCES)}&name=a%0Db&newsletter=none&alerts=daily`)), 400, 'name: contains a control character'],
      ['preferences with malformed form data', () => call(preferencesHandler, 'POST', '/preferences', form(`token=${sign(TokenPurpose.PREFERENCES)}&newsletter=%ZZ`)), 400, 'body: malformed form data'],
    ];

    it.each(cases)('refuses %s', async (_name, act, status, reason) => {
      // Prepare
      const state = await tableState();
      const mails = stack.ses.messages().length;

      // Act
      const res = await act();

      // Assess
      expect(res.status).toBe(status);
      const shown = String(res.headers['content-type']).startsWith('application/json')
        ? (JSON.parse(res.body) as { error: string }).error
        : res.body;
      expect(shown).toContain(reason);
      expect(await tableState()).toBe(state);
      expect(stack.ses.messages().length).toBe(mails);
      expect((await subscriberRepository().get(subscriberIdFor(victim)))?.status).toBe('confirmed');
    });
  });

  it('rotating the token secret keeps the links already sent working until the old secret is dropped', async () => {
    // Prepare: a reader with an unsubscribe link signed with today's secret.
    await subscribeAndConfirm('rotation@example.org', '192.0.2.44');
    const env: Record<string, string> = { ...localAppEnv(stack, { httpPort: 3000, logLevel: 'SILENT' }), SUBSCRIBE_LIMIT_PER_IP: '50' };
    const old = getConfig().TOKEN_SECRET!;
    const key = getConfig().LOG_PSEUDONYM_KEY!;
    const link = signToken(old, { subscriberId: subscriberIdFor('rotation@example.org'), purpose: TokenPurpose.UNSUBSCRIBE, expiresAt: Math.floor(Date.now() / 1000) + 600 });
    const oneClick = () => call(unsubscribeHandler, 'POST', '/unsubscribe', {
      query: { token: link }, body: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });

    try {
      // Act 1: the old secret is dropped altogether (wrong: the link dies).
      useStack({ ...env, LOG_PSEUDONYM_KEY: key });
      const dropped = await oneClick();

      // Act 2: a new current secret, the old one kept as previous.
      useStack({ ...env, LOG_PSEUDONYM_KEY: key, TOKEN_SECRETS_PREVIOUS: old });
      const rotated = await oneClick();

      // Assess
      expect(env.TOKEN_SECRET).not.toBe(old);
      expect(dropped.status).toBe(400);
      expect(rotated.status).toBe(200);
      expect((await subscriberRepository().get(subscriberIdFor('rotation@example.org')))?.status).toBe('unsubscribed');
    } finally {
      useStack({ ...env, TOKEN_SECRET: old, LOG_PSEUDONYM_KEY: key, TOKEN_SECRETS_PREVIOUS: '' });
    }
  });

  it('import and export through DynamoDB: suppressions survive, segments page without a scan', async () => {
    // Prepare
    const csv = 'email,name,newsletter,alerts,keywords\n' + Array.from({ length: 7 }, (_, i) => `w${i}@example.org,W ${String.fromCharCode(65 + i)},weekly,hourly,k${i}`).join('\n') + '\nbad,,weekly,none,\n';
    await subscriberRepository().put({ id: subscriberIdFor('w0@example.org'), email: 'w0@example.org', status: 'unsubscribed', newsletter: 'weekly', alerts: 'none', keywords: [], createdAt: 't', updatedAt: 't' });

    // Act
    const result = await importSubscribers(subscriberRepository(), csv, { now: new Date() });
    const weekly: Subscriber[] = [];
    let cursor: string | undefined;
    do {
      const page = await subscriberRepository().pageSegment({ kind: 'newsletter', newsletter: 'weekly' }, { limit: 2, ...(cursor ? { cursor } : {}) });
      weekly.push(...page.subscribers);
      cursor = page.cursor;
    } while (cursor);
    const hourly = await subscriberRepository().pageSegment({ kind: 'alerts', cadence: 'hourly' }, { limit: 100 });
    const all: Subscriber[] = [];
    cursor = undefined;
    do {
      const page = await subscriberRepository().pageAll({ limit: 5, ...(cursor ? { cursor } : {}) });
      all.push(...page.subscribers);
      cursor = page.cursor;
    } while (cursor);
    const exported = await parseSubscribersCsv(toSubscribersCsv(all));

    // Assess
    expect(result).toEqual({ imported: 7, skipped: 1, errors: [{ line: 9, reason: 'email: not a valid address' }], warnings: [] });
    expect(weekly.map((s) => s.email).sort()).toEqual(['w1@example.org', 'w2@example.org', 'w3@example.org', 'w4@example.org', 'w5@example.org', 'w6@example.org', 'prefs@example.org'].sort());
    expect(hourly.subscribers.map((s) => s.email)).not.toContain('w0@example.org');
    expect(exported.errors).toEqual([]);
    expect(exported.rows.find((r) => r.email === 'w0@example.org')).toMatchObject({ status: 'unsubscribed', newsletter: 'weekly', alerts: 'hourly' });
    expect(exported.rows.find((r) => r.email === 'complainer@example.org')?.status).toBe('complained');
  });
});
