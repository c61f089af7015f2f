import { Links } from '../../../functions/core/links.ts';
import { beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../functions/core/logger.ts';
import { subscriberIdFor } from '../../../functions/core/subscribers/identity.ts';
import { parsePreferencesRequest, parseSubscribeRequest } from '../../../functions/core/subscribers/input.ts';
import { LogPseudonyms } from '../../../functions/core/subscribers/pseudonyms.ts';
import { ConfirmOutcome, maskEmail, SubscriptionService } from '../../../functions/core/subscribers/subscription-service.ts';
import { TooManyRequestsError } from '../../../functions/core/errors.ts';
import { signToken, TokenPurpose, verifyToken } from '../../../functions/core/subscribers/tokens.ts';
import { InvalidTokenError } from '../../../functions/core/errors.ts';
import type { Subscriber } from '../../../functions/core/subscribers/types.ts';
import { InMemoryOnceStore, InMemoryRateLimiter, InMemorySubscriberRepository, RecordingConfirmationMailer } from '../../kit/memory/index.ts';

const SECRET = 's'.repeat(40);
const PREVIOUS = 'r'.repeat(40);
const NOW = new Date('2030-05-01T10:00:00.000Z');
const NOW_S = Math.floor(NOW.getTime() / 1000);
const ANN = 'ann@example.org';
const ANN_ID = subscriberIdFor(ANN);

function tokenOf(url: string): string {
  return new URL(url).searchParams.get('token') ?? '';
}

describe('Function: SubscriptionService', () => {
  let repo: InMemorySubscriberRepository;
  let once: InMemoryOnceStore;
  let mailer: RecordingConfirmationMailer;
  let service: SubscriptionService;
  let now: Date;

  beforeEach(() => {
    repo = new InMemorySubscriberRepository();
    once = new InMemoryOnceStore();
    mailer = new RecordingConfirmationMailer();
    now = NOW;
    service = new SubscriptionService({
      subscribers: repo, once, rateLimiter: new InMemoryRateLimiter(), mailer, logger: silentLogger, tokenSecrets: [SECRET, PREVIOUS], pseudonyms: new LogPseudonyms('p'.repeat(40)),
      links: new Links({ publicBaseUrl: 'http://127.0.0.1:3000/', archiveBaseUrl: 'http://127.0.0.1:3000/archive' }), limits: { perSource: { limit: 10, windowSeconds: 3600 }, mailsPerAddress: { limit: 3, windowSeconds: 86_400 } },
      confirmTtlSeconds: 3600, now: () => now,
    });
  });

  const subscribeAnn = (extra: Record<string, string> = {}, ip = '203.0.113.7'): Promise<void> =>
    service.subscribe(parseSubscribeRequest({ email: 'Ann@Example.org', name: 'Ann', newsletter: 'weekly', alerts: 'hourly', keywords: 'energy, climate', ...extra }), { sourceIp: ip });

  it('stores a pending subscriber and mails a confirmation link under the public base URL', async () => {
    // Prepare & Act
    await subscribeAnn();

    // Assess
    const stored = await repo.get(ANN_ID);
    expect(stored).toMatchObject({
      id: ANN_ID, email: ANN, name: 'Ann', status: 'pending', newsletter: 'weekly', alerts: 'hourly', keywords: ['energy', 'climate'],
      consent: { method: 'subscribe-request', at: NOW.toISOString() },
    });
    expect(stored?.consent?.ipHash).toMatch(/^[0-9a-f]{32}$/);
    expect(JSON.stringify(stored)).not.toContain('203.0.113.7');
    expect(mailer.sent).toHaveLength(1);
    expect(mailer.sent[0]?.to).toBe(ANN);
    expect(mailer.sent[0]?.url).toMatch(/^http:\/\/127\.0\.0\.1:3000\/confirm\?token=[\w.-]+$/);
  });

  it('never passes a name given in the request to the confirmation mail', async () => {
    // Prepare
    const name = 'customer. Your account is suspended, call us';

    // Act
    await subscribeAnn({ name });

    // Assess
    expect(mailer.sent).toHaveLength(1);
    expect(mailer.sent[0]?.args).toBe(2);
    expect(JSON.stringify(mailer.sent)).not.toContain('suspended');
    expect((await repo.get(ANN_ID))?.name).toBe(name);
  });

  it('confirms once, records consent, and refuses the reused link', async () => {
    // Prepare
    await subscribeAnn();
    const token = tokenOf(mailer.sent[0]!.url);

    // Act
    const first = await service.confirm(token, { sourceIp: '198.51.100.1' });
    await repo.setStatus(ANN_ID, 'pending');
    const reuse = service.confirm(token);

    // Assess
    expect(first).toBe(ConfirmOutcome.CONFIRMED);
    await expect(reuse).rejects.toMatchObject({ reason: 'already used', statusCode: 400 });
    expect((await repo.get(ANN_ID))?.consent?.method).toBe('double-opt-in');
  });

  it('says already confirmed for a second click on a confirmed subscription', async () => {
    // Prepare
    await subscribeAnn();
    const token = tokenOf(mailer.sent[0]!.url);
    await service.confirm(token);

    // Act
    const second = await service.confirm(token);

    // Assess
    expect(second).toBe(ConfirmOutcome.ALREADY_CONFIRMED);
  });

  it('refuses an expired confirmation link and changes nothing', async () => {
    // Prepare
    await subscribeAnn();
    const token = tokenOf(mailer.sent[0]!.url);
    now = new Date(NOW.getTime() + 3601_000);

    // Act
    const act = service.confirm(token);

    // Assess
    await expect(act).rejects.toMatchObject({ reason: 'expired' });
    expect((await repo.get(ANN_ID))?.status).toBe('pending');
  });

  it('does not let a stranger change a confirmed subscriber, but answers the same', async () => {
    // Prepare
    await subscribeAnn();
    await service.confirm(tokenOf(mailer.sent[0]!.url));
    const before = await repo.get(ANN_ID);

    // Act
    await subscribeAnn({ newsletter: 'none', alerts: 'instant', keywords: 'spam' }, '192.0.2.9');

    // Assess
    expect(await repo.get(ANN_ID)).toEqual(before);
    expect(mailer.sent).toHaveLength(2);
  });

  it.each(['bounced', 'complained'] as const)('does not mail a %s address and changes nothing', async (status) => {
    // Prepare
    await subscribeAnn();
    await repo.setStatus(ANN_ID, status);
    const before = await repo.get(ANN_ID);

    // Act
    await subscribeAnn();

    // Assess
    expect(mailer.sent).toHaveLength(1);
    expect(await repo.get(ANN_ID)).toEqual(before);
  });

  it('lets an unsubscribed address opt in again', async () => {
    // Prepare
    await subscribeAnn();
    await repo.setStatus(ANN_ID, 'unsubscribed');

    // Act
    await subscribeAnn();
    const outcome = await service.confirm(tokenOf(mailer.sent[1]!.url));

    // Assess
    expect(outcome).toBe(ConfirmOutcome.CONFIRMED);
    expect((await repo.get(ANN_ID))?.status).toBe('confirmed');
  });

  it('ignores a filled honeypot', async () => {
    // Prepare & Act
    await subscribeAnn({ website: 'http://spam.example' });

    // Assess
    expect(repo.items.size).toBe(0);
    expect(mailer.sent).toHaveLength(0);
  });

  it('caps confirmation mails per address without refusing anyone, and the links already sent stay valid', async () => {
    // Prepare
    for (let i = 0; i < 3; i += 1) await subscribeAnn({}, `192.0.2.${i}`);
    const before = await repo.get(ANN_ID);

    // Act
    const fourth = subscribeAnn({ newsletter: 'daily', keywords: 'spam' }, '192.0.2.99');

    // Assess
    await expect(fourth).resolves.toBeUndefined();
    expect(mailer.sent).toHaveLength(3);
    expect(await repo.get(ANN_ID)).toEqual(before);
    for (const sent of mailer.sent) expect(() => service.checkUnsubscribeToken(tokenOf(sent.url))).toThrow('wrong purpose');
    await expect(service.confirm(tokenOf(mailer.sent[0]!.url))).resolves.toBe(ConfirmOutcome.CONFIRMED);
  });

  it('mails the address again in the next window', async () => {
    // Prepare
    for (let i = 0; i < 4; i += 1) await subscribeAnn({}, `192.0.2.${i}`);
    now = new Date(NOW.getTime() + 86_400_000);

    // Act
    await subscribeAnn({}, '192.0.2.99');

    // Assess
    expect(mailer.sent).toHaveLength(4);
  });

  it('counts an IPv6 source by its /64, so changing the host part does not escape the limit', async () => {
    // Prepare
    for (let i = 0; i < 10; i += 1) {
      await service.subscribe(parseSubscribeRequest({ email: `v${i}@example.org` }), { sourceIp: `2001:db8:1:2::${i + 1}` });
    }

    // Act
    const sameNetwork = service.subscribe(parseSubscribeRequest({ email: 'v10@example.org' }), { sourceIp: '2001:db8:1:2:ffff::1' });
    const otherNetwork = service.subscribe(parseSubscribeRequest({ email: 'v11@example.org' }), { sourceIp: '2001:db8:1:3::1' });

    // Assess
    await expect(sameNetwork).rejects.toBeInstanceOf(TooManyRequestsError);
    await expect(otherNetwork).resolves.toBeUndefined();
  });

  it('limits requests per source IP', async () => {
    // Prepare
    for (let i = 0; i < 10; i += 1) {
      await service.subscribe(parseSubscribeRequest({ email: `u${i}@example.org` }), { sourceIp: '192.0.2.1' });
    }

    // Act
    const eleventh = service.subscribe(parseSubscribeRequest({ email: 'u10@example.org' }), { sourceIp: '192.0.2.1' });

    // Assess
    await expect(eleventh).rejects.toMatchObject({ statusCode: 429, retryAfterSeconds: 3600 });
    expect(repo.items.has(subscriberIdFor('u10@example.org'))).toBe(false);
  });

  it('shows and saves preferences for the owner of the token', async () => {
    // Prepare
    await subscribeAnn();
    const token = signToken(SECRET, { subscriberId: ANN_ID, purpose: TokenPurpose.PREFERENCES, expiresAt: NOW_S + 60 });

    // Act
    const view = await service.getPreferences(token);
    const saved = await service.savePreferences(token, parsePreferencesRequest({ token, name: '', newsletter: 'daily', alerts: 'none', keywords: 'Armenia; Georgia' }));

    // Assess
    expect(view).toMatchObject({ maskedEmail: 'a***@example.org', name: 'Ann', newsletter: 'weekly', status: 'pending' });
    expect(JSON.stringify(view)).not.toContain(ANN);
    expect(saved).toMatchObject({ newsletter: 'daily', alerts: 'none', keywords: ['Armenia', 'Georgia'] });
    expect(saved.name).toBeUndefined();
    expect((await repo.get(ANN_ID))?.status).toBe('pending');
  });

  it('refuses a token of another purpose for preferences and changes nothing', async () => {
    // Prepare
    await subscribeAnn();
    const before = await repo.get(ANN_ID);
    const token = signToken(SECRET, { subscriberId: ANN_ID, purpose: TokenPurpose.UNSUBSCRIBE, expiresAt: NOW_S + 60 });

    // Act
    const act = service.savePreferences(token, parsePreferencesRequest({ newsletter: 'none', alerts: 'none' }));

    // Assess
    await expect(act).rejects.toBeInstanceOf(InvalidTokenError);
    expect(await repo.get(ANN_ID)).toEqual(before);
  });

  it('unsubscribes idempotently and never lifts a bounce', async () => {
    // Prepare
    await subscribeAnn();
    await service.confirm(tokenOf(mailer.sent[0]!.url));
    const token = signToken(SECRET, { subscriberId: ANN_ID, purpose: TokenPurpose.UNSUBSCRIBE, expiresAt: NOW_S + 60 });
    const bob = subscriberIdFor('bob@example.org');
    await repo.put({ ...(await repo.get(ANN_ID))!, id: bob, email: 'bob@example.org', status: 'bounced' } as Subscriber);
    const bobToken = signToken(SECRET, { subscriberId: bob, purpose: TokenPurpose.UNSUBSCRIBE, expiresAt: NOW_S + 60 });

    // Act
    await service.unsubscribe(token);
    await service.unsubscribe(token);
    await service.unsubscribe(bobToken);
    await service.unsubscribe(signToken(SECRET, { subscriberId: 's_gone', purpose: TokenPurpose.UNSUBSCRIBE, expiresAt: NOW_S + 60 }));

    // Assess
    expect((await repo.get(ANN_ID))?.status).toBe('unsubscribed');
    expect((await repo.get(bob))?.status).toBe('bounced');
  });

  it('accepts links signed with a previous secret and signs new ones with the current one (rotation)', async () => {
    // Prepare
    await subscribeAnn();
    const old = signToken(PREVIOUS, { subscriberId: ANN_ID, purpose: TokenPurpose.PREFERENCES, expiresAt: NOW_S + 60 });
    const forged = signToken('f'.repeat(40), { subscriberId: ANN_ID, purpose: TokenPurpose.PREFERENCES, expiresAt: NOW_S + 60 });

    // Act
    const view = await service.getPreferences(old);

    // Assess
    expect(view.maskedEmail).toBe('a***@example.org');
    expect(() => service.checkUnsubscribeToken(view.unsubscribeToken)).not.toThrow();
    expect(() => verifyToken(SECRET, view.unsubscribeToken, TokenPurpose.UNSUBSCRIBE, NOW_S)).not.toThrow();
    expect(() => verifyToken(SECRET, tokenOf(mailer.sent[0]!.url), TokenPurpose.CONFIRM, NOW_S)).not.toThrow();
    await expect(service.getPreferences(forged)).rejects.toMatchObject({ reason: 'bad signature' });
  });

  it('checks an unsubscribe token without acting', async () => {
    // Prepare
    await subscribeAnn();
    const token = signToken(SECRET, { subscriberId: ANN_ID, purpose: TokenPurpose.UNSUBSCRIBE, expiresAt: NOW_S + 60 });

    // Act
    service.checkUnsubscribeToken(token);

    // Assess
    expect((await repo.get(ANN_ID))?.status).toBe('pending');
    expect(() => service.checkUnsubscribeToken(`${token}x`)).toThrow(InvalidTokenError);
  });
});

describe('Function: maskEmail', () => {
  it('keeps the first character and the domain', () => {
    // Prepare & Act
    const masked = maskEmail('ann@example.org');

    // Assess
    expect(masked).toBe('a***@example.org');
  });
});
