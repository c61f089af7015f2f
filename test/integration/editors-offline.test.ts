/**
 * The editors' API over HTTP on serverless-offline (its JWT authorizer checking the claims,
 * the handlers checking the signature), the local issuer for tokens, the local stack, and a
 * send worker in this process (as `npm start` runs it):
 * - every route refuses every bad kind of token (401/403), and tokens never cross between
 *   subscribers and editors;
 * - preview, picks, a test send (no ledger entry, not counted, the preview's bytes), the
 *   two-step send (wrong quote → 409 and nothing sent; a double confirm → one edition), the
 *   schedule firing after a manual send of its period (one edition), a special edition;
 * - a cancel in the middle of a send on the emulators, with the SES stand-in's latency:
 *   nothing reaches SES after the cancel is acknowledged, and the counts add up exactly.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signToken, TokenPurpose } from '../../functions/core/subscribers/tokens.ts';
import { subscriberIdFor } from '../../functions/core/subscribers/identity.ts';
import { handler as editionHandler } from '../../functions/edition.ts';
import { artefactStore, deliveryLedger, editionRepository } from '../../functions/wiring/common.ts';
import { importSubscribersFile, uploadContent } from '../../infra/local/local-run.ts';
import type { CapturedMessage } from '../../infra/local/stack.ts';
import { startEditorsApi, type EditorsApi } from '../browser/editors-api.ts';
import { digest, lastLine } from '../helpers/cli.ts';
import { pollUntil } from '../helpers/poll.ts';

const SAMPLE = fileURLToPath(new URL('../../infra/local/sample/content', import.meta.url));
const DAILY = ['ed-reader1@editors.example.org', 'ed-reader2@editors.example.org', 'ed-reader3@editors.example.org'];
const WEEKLY = 120;

/** Every route of the editors' API, with the scope it needs. */
const ROUTES = [
  ['GET', '/editor/api/me', 'viewer'],
  ['GET', '/editor/api/editions', 'viewer'],
  ['GET', '/editor/api/editions/daily-2026-01-01', 'viewer'],
  ['GET', '/editor/api/editions/daily-2026-01-01/preview', 'viewer'],
  ['GET', '/editor/api/editions/daily-2026-01-01/stats', 'viewer'],
  ['GET', '/editor/api/audit', 'viewer'],
  ['GET', '/editor/api/quarantine', 'viewer'],
  ['GET', '/editor/api/jobs/daily/preview', 'viewer'],
  ['POST', '/editor/api/jobs/daily/test', 'editor'],
  ['POST', '/editor/api/editions/daily-2026-01-01/test', 'editor'],
  ['POST', '/editor/api/jobs/daily/send', 'editor'],
  ['POST', '/editor/api/intents/abcdefgh/confirm', 'editor'],
  ['PUT', '/editor/api/jobs/daily/picks', 'editor'],
  ['POST', '/editor/api/editions/daily-2026-01-01/cancel', 'editor'],
  ['POST', '/editor/api/editions/daily-2026-01-01/resend-failed', 'editor'],
  ['POST', '/editor/api/editions/daily-2026-01-01/resume', 'editor'],
] as const;

/** Token values (signed links) aside: they carry an expiry. */
const withoutTokens = (html: string): string => html.replace(/token=[\w.%-]+/g, 'token=…').replace(/\r\n/g, '\n').trim();

describe('Integration: the editors\' API on serverless-offline', () => {
  let api: EditorsApi;
  let work: string;
  let worker: { stop(): Promise<void> };
  let editor: string;

  const call = async (method: string, path: string, options: { token?: string | null; body?: unknown } = {}) => {
    const token = options.token === undefined ? editor : options.token;
    const res = await fetch(`${api.url}${path}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(options.body ? { 'content-type': 'application/json' } : {}) },
      ...(options.body ? { body: JSON.stringify(options.body) } : {}),
    });
    const text = await res.text();
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      // not JSON (a page)
    }
    return { status: res.status, json, text, headers: res.headers };
  };
  const ofEdition = (id: string): CapturedMessage[] => api.stack.ses.messages().filter((m) => m.tags.edition === id);
  type Counts = { pending: number; sending: number; sent: number; failed: number; skipped: number; cancelled: number };
  const status = async (id: string) => (await call('GET', `/editor/api/editions/${id}`)).json as { state: string; total: number; counts: Counts };

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'editors-offline-'));
    api = await startEditorsApi();
    api.stack.ses.setFaults({ maxSendRate: 10 });
    editor = api.issuer.mint({ user: 'editor' });
    const rows = [
      'email,name,newsletter,alerts,keywords,status',
      ...DAILY.map((email, i) => `${email},Reader ${i + 1},daily,none,,confirmed`),
      ...Array.from({ length: WEEKLY }, (_, i) => `weekly${String(i).padStart(3, '0')}@editors.example.org,Weekly ${i},weekly,none,,confirmed`),
    ];
    await writeFile(join(work, 'subscribers.csv'), `${rows.join('\n')}\n`);
    await importSubscribersFile(join(work, 'subscribers.csv'));
    await uploadContent(api.stack, SAMPLE);
    worker = api.startSendWorker();
  }, 300_000);

  afterAll(async () => {
    await worker?.stop();
    await api?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('refuses every bad kind of token on every route: 401 without a valid token, 403 without the scope; nothing is done', async () => {
    // Prepare
    const kinds: Array<[string, string | null, (scope: 'viewer' | 'editor') => number, boolean]> = [
      ['no token', null, () => 401, false],
      ['expired', api.issuer.mint({ expiresInSeconds: -60 }), () => 401, false],
      ['from another issuer', api.issuer.mint({ issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123' }), () => 401, false],
      ['for another audience', api.issuer.mint({ clientId: 'another-client' }), () => 401, false],
      ['without the editors\' scopes', api.issuer.mint({ scopes: [] }), () => 403, false],
      ['right claims, forged signature', api.issuer.mint({ forged: true }), () => 401, true],
      ['a viewer\'s', api.issuer.mint({ user: 'viewer' }), (scope) => (scope === 'editor' ? 403 : 0), false],
      ['a subscriber\'s link token', signToken(api.env.TOKEN_SECRET!, { subscriberId: subscriberIdFor(DAILY[0]!), purpose: TokenPurpose.PREFERENCES, expiresAt: Math.floor(Date.now() / 1000) + 3600 }), () => 401, false],
    ];
    const seen: string[] = [];

    // Act
    for (const [kind, token, expected, byHandler] of kinds) {
      for (const [method, path, scope] of ROUTES) {
        const want = expected(scope);
        if (want === 0) continue;
        const res = await call(method, path, { token, ...(method === 'GET' ? {} : { body: { to: 'nobody@example.org', version: '0', count: '1', hash: '0123456789abcdef' } }) });
        seen.push(`${kind} ${method} ${path} → ${res.status}${byHandler ? ` ${res.headers.get('www-authenticate')}` : ''}`);
        // Assess
        expect(res.status, `${kind}: ${method} ${path}`).toBe(want);
        if (byHandler) expect(res.headers.get('www-authenticate'), `${kind}: ${method} ${path}`).toBe('Bearer realm="editors", error="invalid_token"');
      }
    }

    // Assess: nothing was sent, started or recorded
    expect(seen.length).toBe(8 * ROUTES.length - ROUTES.filter(([, , s]) => s === 'viewer').length);
    expect(api.stack.ses.messages()).toEqual([]);
    expect((await call('GET', '/editor/api/audit')).json).toEqual({ records: [] });
    expect(await editionRepository().listRecent('daily', 5)).toEqual([]);
  });

  it('never takes an editor\'s token on a subscriber route', async () => {
    // Act
    const preferences = await fetch(`${api.url}/preferences?token=${editor}`);
    const unsubscribe = await fetch(`${api.url}/unsubscribe?token=${editor}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Bearer ${editor}` }, body: 'List-Unsubscribe=One-Click' });
    const confirm = await fetch(`${api.url}/confirm?token=${editor}`, { headers: { authorization: `Bearer ${editor}` } });

    // Assess
    expect([preferences.status, unsubscribe.status, confirm.status]).toEqual([400, 400, 400]);
    expect(await preferences.text()).toContain('This link is not valid');
  });

  it('serves the console page with its script as a file under a strict CSP', async () => {
    // Act
    const page = await fetch(`${api.url}/editor`);
    const script = await fetch(`${api.url}/editor/app.js`);
    const html = await page.text();

    // Assess
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toBe(
      `default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src https: http: data:; connect-src 'self' ${api.issuer.url}; frame-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
    );
    expect(html).toContain('<script src="/editor/app.js" defer></script>');
    expect(html).not.toMatch(/<script>|\son[a-z]+=/);
    expect([script.status, script.headers.get('content-type')]).toEqual([200, 'text/javascript; charset=utf-8']);
  });

  it('previews the next edition, moves a pick to the top, and refuses a change made from a stale version', async () => {
    // Prepare
    const before = (await call('GET', '/editor/api/jobs/daily/preview')).json as { picks: Array<{ id: string; headline: string }>; candidates: Array<{ id: string }>; subject: string; html: string };
    const last = before.candidates.at(-1)!;

    // Act
    const changed = await call('PUT', '/editor/api/jobs/daily/picks', { body: { pinned: [last.id, ...before.picks.map((p) => p.id)], unpinned: [], version: '0' } });
    const stale = await call('PUT', '/editor/api/jobs/daily/picks', { body: { pinned: [], unpinned: [], version: '0' } });
    const after = (await call('GET', '/editor/api/jobs/daily/preview')).json as { picks: Array<{ id: string; pinned: boolean }>; override: { version: number } };

    // Assess
    expect(before.picks.length).toBeGreaterThan(0);
    expect(before.html).toContain('Sample Reader');
    expect(changed.status).toBe(200);
    expect(stale.status).toBe(409);
    expect(after.picks[0]).toEqual(expect.objectContaining({ id: last.id, pinned: true }));
    expect(after.override.version).toBe(1);
  });

  it('test-sends the preview\'s bytes with [TEST] before the subject: no ledger entry, no count, no archive file', async () => {
    // Prepare
    const to = DAILY[0]!;
    const preview = (await call('GET', `/editor/api/jobs/daily/preview?recipient=${encodeURIComponent(to)}`)).json as { editionId: string; subject: string; html: string; to: string };

    // Act
    const sent = await call('POST', '/editor/api/jobs/daily/test', { body: { to: `${to}, desk@editors.example.org`, periodEnd: preview.to } });

    // Assess
    expect(sent.status).toBe(200);
    const tests = api.stack.ses.messages().filter((m) => m.tags.test === 'true');
    expect(tests.map((m) => m.destinations)).toEqual([[to], ['desk@editors.example.org']]);
    const mail = await simpleParser(tests[0]!.raw);
    expect(mail.subject).toBe(`[TEST] ${preview.subject}`);
    expect(withoutTokens(String(mail.html))).toBe(withoutTokens(preview.html));
    expect(tests.every((m) => m.tags.edition === undefined && m.tags.subscriber === undefined)).toBe(true);
    expect(await deliveryLedger().countByState(preview.editionId)).toEqual({ sending: 0, sent: 0, failed: 0, skipped: 0, cancelled: 0 });
    expect(await editionRepository().get(preview.editionId)).toBeUndefined();
    expect(await artefactStore().getArchiveFile(`editions/${preview.editionId}.html`)).toBeUndefined();
    expect(((await call('GET', '/editor/api/audit')).json.records as Array<{ action: string; counts: unknown }>)[0]).toMatchObject({ action: 'test.sent', counts: { addresses: 2, refused: 0 } });
  });

  it('sends now in two steps: a wrong count or hash is refused with 409 and sends nothing; a double confirm makes one edition', async () => {
    // Prepare
    const dry = await call('POST', '/editor/api/jobs/daily/send');
    const intent = dry.json as { id: string; editionId: string; total: number; contentHash: string; confirmation: string; code: string };

    // Act: wrong quotes
    const wrongCount = await call('POST', `/editor/api/intents/${intent.id}/confirm`, { body: { count: String(intent.total + 1), hash: intent.contentHash } });
    const wrongHash = await call('POST', `/editor/api/intents/${intent.id}/confirm`, { body: { count: String(intent.total), hash: 'ffffffffffffffff' } });

    // Assess: nothing sent, no edition
    expect(dry.status).toBe(201);
    expect(intent).toMatchObject({ total: DAILY.length, confirmation: expect.stringMatching(/^Send “.+” to 3 subscribers of CommonSpace Digest \(daily\)$/) });
    expect([wrongCount.status, wrongHash.status]).toEqual([409, 409]);
    expect(wrongCount.json.error).toMatch(/does not match .*nothing was sent/);
    expect(await editionRepository().get(intent.editionId)).toBeUndefined();
    expect(ofEdition(intent.editionId)).toEqual([]);

    // Act: two confirms at once, then the edition goes out, then a third
    const confirms = await Promise.all([
      call('POST', `/editor/api/intents/${intent.id}/confirm`, { body: { count: String(intent.total), hash: intent.contentHash } }),
      call('POST', `/editor/api/intents/${intent.id}/confirm`, { body: { code: intent.code } }),
    ]);
    await pollUntil(async () => (await status(intent.editionId)).state === 'sent', { timeoutMs: 90_000, intervalMs: 500, message: `${intent.editionId} to be sent` });
    const third = await call('POST', `/editor/api/intents/${intent.id}/confirm`, { body: { code: intent.code } });

    // Assess
    expect(confirms.map((c) => c.status).sort()).toEqual([200, 202]);
    expect(new Set(confirms.map((c) => c.json.edition))).toEqual(new Set([intent.editionId]));
    expect(third).toMatchObject({ status: 200, json: { started: false, edition: intent.editionId } });
    const mails = ofEdition(intent.editionId);
    expect(mails.map((m) => m.destinations[0]).sort()).toEqual([...DAILY].sort());
    expect(await status(intent.editionId)).toMatchObject({ state: 'sent', total: 3, counts: { sent: 3, failed: 0, cancelled: 0, pending: 0 } });
  });

  it('leaves one edition when the schedule fires after the manual send of its period, and makes a special edition for the next send-now', async () => {
    // Prepare
    const [sent] = (await editionRepository().listRecent('daily', 5)).filter((e) => e.state === 'sent');
    const period = sent!.id;
    const before = api.stack.ses.messages().length;

    // Act: the day's schedule
    const scheduled = await editionHandler({ job: 'daily', time: `${period.slice('daily-'.length)}T06:00:00.000Z` });

    // Assess
    expect(scheduled).toMatchObject({ edition: period, created: false, state: 'sent' });
    expect((await editionRepository().listRecent('daily', 10)).filter((e) => e.id.startsWith(period))).toHaveLength(1);
    expect(api.stack.ses.messages()).toHaveLength(before);

    // Act: something new, and send now again
    const dir = join(work, 'more');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'late.md'), '---\ntitle: A late story for the special edition\nurl: https://news.example.org/late\nsection: News\n---\nIt came in after the edition. It is long enough for a summary, in two sentences.\n');
    await uploadContent(api.stack, dir);
    const special = (await call('POST', '/editor/api/jobs/daily/send')).json as { kind: string; editionId: string; total: number; contentHash: string; id: string };

    // Assess
    expect(special).toMatchObject({ kind: 'special', editionId: `${period}-s2`, total: 3 });
  });

  it('drives the same API from the command line: preview, test, send with a wrong code (nothing sent), then the right one, status --watch', async () => {
    // Prepare
    // `null`: no --token at all (an explicit `undefined` would take the default, the editor's token).
    const cli = (args: string[], token: string | null = editor) => digest(['edition', ...args, '--endpoint', api.url, ...(token ? ['--token', token] : [])], { timeoutMs: 120_000 });

    // Act
    const preview = await cli(['preview', 'daily', '--to', DAILY[1]!]);
    const test = await cli(['test', 'daily', '--to', 'cli-desk@editors.example.org']);
    const dry = await cli(['send', 'daily']);
    const intent = JSON.parse(dry.stdout.trim()) as { intent: string; edition: string; total: number; code: string };
    const wrong = await cli(['send', 'daily', '--confirm', intent.code.replace(/\.(\d+)\./, (_m, n: string) => `.${Number(n) + 1}.`)]);
    const asViewer = await cli(['send', 'daily', '--confirm', intent.code], api.issuer.mint({ user: 'viewer' }));
    const noToken = await cli(['status', intent.edition], null);
    const nothingYet = ofEdition(intent.edition).length;
    const sent = await cli(['send', 'daily', '--confirm', intent.code]);
    const watched = await cli(['status', intent.edition, '--watch']);
    const cancelSent = await cli(['cancel', intent.edition]);

    // Assess
    expect([preview.code, test.code, dry.code]).toEqual([0, 0, 0]);
    expect(JSON.parse(lastLine(preview.stdout))).toMatchObject({ edition: intent.edition, next: true, recipient: { email: DAILY[1], sample: false } });
    expect(intent).toMatchObject({ edition: expect.stringMatching(/-s2$/), total: 3 });
    expect(dry.stderr).toContain(`digest edition send daily --confirm ${intent.code}`);
    expect([wrong.code, asViewer.code, noToken.code]).toEqual([1, 1, 2]);
    expect(wrong.stderr).toMatch(/does not match .*nothing was sent/);
    expect(asViewer.stderr).toMatch(/needs the editor role \(403/);
    expect(noToken.stderr).toMatch(/--token TOKEN \(or DIGEST_TOKEN\) is required/);
    expect(nothingYet).toBe(0);
    expect([sent.code, JSON.parse(lastLine(sent.stdout)).started]).toEqual([0, true]);
    expect(JSON.parse(lastLine(watched.stdout))).toMatchObject({ id: intent.edition, state: 'sent', counts: { sent: 3 } });
    expect([cancelSent.code, cancelSent.stderr]).toEqual([1, expect.stringMatching(/was sent already: nothing to cancel \(HTTP 409/)]);
    expect(api.stack.ses.messages().filter((m) => m.destinations.includes('cli-desk@editors.example.org'))).toHaveLength(1);
    // Ten CLI processes (Node with tsx, 3 to 7 s each on a shared 2-core machine) and a send.
  }, 240_000);

  it('cancels an edition in the middle of its send: nothing reaches SES after the acknowledgement, and the counts add up exactly', async () => {
    // Prepare: the weekly edition to 120 readers, SES answering in 200 ms at 10 per second
    api.stack.ses.setFaults({ maxSendRate: 10, latencyMs: 200 });
    const intent = (await call('POST', '/editor/api/jobs/weekly/send')).json as { id: string; editionId: string; total: number; code: string };
    expect(intent.total).toBe(WEEKLY);
    expect((await call('POST', `/editor/api/intents/${intent.id}/confirm`, { body: { code: intent.code } })).status).toBe(202);
    await pollUntil(async () => ofEdition(intent.editionId).length >= 10, { timeoutMs: 90_000, intervalMs: 100, message: 'the first ten messages' });

    // Act
    const cancel = await call('POST', `/editor/api/editions/${intent.editionId}/cancel`);
    const acknowledgedAt = Date.parse(String(cancel.json.acknowledgedAt));
    const settled = await pollUntil(
      async () => {
        const s = await status(intent.editionId);
        return s.counts.pending === 0 && s.counts.sending === 0 ? s : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 500, message: 'every recipient of the cancelled edition to be final' },
    );

    // Assess
    expect(cancel.status).toBe(200);
    // The answer waited the workers' state period (1 s) and the margin (2 s) after the write.
    expect(acknowledgedAt - Date.parse(String(cancel.json.cancelledAt))).toBeGreaterThanOrEqual(3_000);
    const mails = ofEdition(intent.editionId);
    const late = mails.filter((m) => m.receivedAt > acknowledgedAt);
    expect(late, 'messages that reached SES after the cancel was acknowledged').toEqual([]);
    expect(new Set(mails.map((m) => m.destinations[0])).size).toBe(mails.length);
    const c = settled.counts;
    expect(settled.state).toBe('cancelled');
    expect(c.sent).toBe(mails.length);
    expect(c.failed).toBe(0);
    expect(c.cancelled).toBeGreaterThan(0);
    expect(c.sent + c.failed + c.cancelled + c.skipped).toBe(settled.total);
    expect(settled.total).toBe(WEEKLY);
    // The edition's counters follow the ledger (each worker adds its batch's counts when the batch ends).
    await pollUntil(async () => {
      const record = await editionRepository().get(intent.editionId);
      return record !== undefined && record.sent === c.sent && (record.cancelled ?? 0) === c.cancelled;
    }, { timeoutMs: 30_000, message: 'the counters to match the ledger' });
    const audit = (await call('GET', `/editor/api/audit?edition=${intent.editionId}`)).json.records as Array<{ action: string }>;
    expect(audit.map((r) => r.action)).toEqual(['edition.cancelled', 'send.confirmed', 'send.dry-run']);
  });
});
