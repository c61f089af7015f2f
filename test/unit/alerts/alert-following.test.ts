import { describe, expect, it } from 'vitest';
import { AlertFollowingService, followerEntries } from '../../../functions/core/alerts/alert-following.ts';
import { silentLogger } from '../../../functions/core/logger.ts';
import { SubscriptionService } from '../../../functions/core/subscribers/subscription-service.ts';
import { Links } from '../../../functions/core/links.ts';
import { signToken, TokenPurpose } from '../../../functions/core/subscribers/tokens.ts';
import { importSubscribers } from '../../../functions/core/subscribers/import-subscribers.ts';
import { LogPseudonyms } from '../../../functions/core/subscribers/pseudonyms.ts';
import { FeedbackService } from '../../../functions/core/subscribers/feedback-service.ts';
import { parsePreferencesRequest } from '../../../functions/core/subscribers/input.ts';
import type { Subscriber } from '../../../functions/core/subscribers/types.ts';
import { InMemoryKeywordIndex, InMemoryOnceStore, InMemoryRateLimiter, InMemorySubscriberRepository } from '../../kit/memory/index.ts';

const SECRET = 's'.repeat(40);

function subscriber(overrides: Partial<Subscriber> = {}): Subscriber {
  return {
    id: 's_ann', email: 'ann@example.org', status: 'confirmed', newsletter: 'none', alerts: 'instant',
    keywords: ['Minsk', 'Nagorno-Karabakh'], createdAt: 't', updatedAt: 't', ...overrides,
  };
}

function setup() {
  const index = new InMemoryKeywordIndex();
  const following = new AlertFollowingService({ index, logger: silentLogger });
  const repo = new InMemorySubscriberRepository();
  const service = new SubscriptionService({
    subscribers: repo, once: new InMemoryOnceStore(), rateLimiter: new InMemoryRateLimiter(), logger: silentLogger, tokenSecrets: [SECRET], pseudonyms: new LogPseudonyms('p'.repeat(40)),
    mailer: { sendConfirmation: async () => undefined }, links: new Links({ publicBaseUrl: 'http://127.0.0.1:3000', archiveBaseUrl: 'http://127.0.0.1:3000/archive' }),
    limits: { perSource: { limit: 10, windowSeconds: 3600 }, mailsPerAddress: { limit: 3, windowSeconds: 86_400 } }, confirmTtlSeconds: 3600, following,
  });
  const token = (purpose: TokenPurpose) => signToken(SECRET, { subscriberId: 's_ann', purpose, expiresAt: Math.floor(Date.now() / 1000) + 3600 });
  return { index, following, repo, service, token };
}

describe('Function: followerEntries', () => {
  it('should give one entry per normalised phrase, with the delivery defaults', () => {
    // Act
    const entries = followerEntries(subscriber({ keywords: ['Minsk', 'MINSK', 'Nagorno-Karabakh'] }));
    // Assess
    expect(entries).toEqual([
      { phrase: 'minsk', subscriberId: 's_ann', label: 'Minsk', cadence: 'instant', timezone: 'UTC', alertHour: 7 },
      { phrase: 'nagorno karabakh', subscriberId: 's_ann', label: 'Nagorno-Karabakh', cadence: 'instant', timezone: 'UTC', alertHour: 7 },
    ]);
  });

  it.each([{ status: 'pending' as const }, { status: 'unsubscribed' as const }, { status: 'bounced' as const }, { alerts: 'none' as const }])(
    'should give none for %j',
    (overrides) => {
      // Act / Assess
      expect(followerEntries(subscriber(overrides))).toEqual([]);
    },
  );
});

describe('Class: AlertFollowingService', () => {
  describe('Method: sync', () => {
    it('should write only the difference between before and after', async () => {
      // Prepare
      const { index, following } = setup();
      await following.sync(undefined, subscriber());
      index.writes = 0;
      // Act
      await following.sync(subscriber(), subscriber({ keywords: ['Minsk', 'Iran'] }));
      // Assess
      expect([...index.of('s_ann').keys()].sort()).toEqual(['iran', 'minsk']);
      expect(index.writes).toBe(2); // iran followed, nagorno karabakh unfollowed
    });

    it('should rewrite every entry when the cadence, zone or hour changes', async () => {
      // Prepare
      const { index, following } = setup();
      await following.sync(undefined, subscriber());
      // Act
      await following.sync(subscriber(), subscriber({ alerts: 'daily', timezone: 'Asia/Yerevan', alertHour: 9 }));
      // Assess
      expect(index.of('s_ann').get('minsk')).toMatchObject({ cadence: 'daily', timezone: 'Asia/Yerevan', alertHour: 9 });
      expect(index.of('s_ann').get('nagorno karabakh')).toMatchObject({ cadence: 'daily' });
    });
  });
});

describe('Subscribers use cases keep the index in step', () => {
  it('should index on confirm, re-index on preferences, and drop on unsubscribe', async () => {
    // Prepare
    const { index, repo, service, token } = setup();
    await repo.put(subscriber({ status: 'pending' }));
    const confirm = signToken(SECRET, { subscriberId: 's_ann', purpose: TokenPurpose.CONFIRM, expiresAt: Math.floor(Date.now() / 1000) + 3600, nonce: 'n1' });

    // Act 1: confirm
    await service.confirm(confirm);
    // Assess 1
    expect([...index.of('s_ann').keys()].sort()).toEqual(['minsk', 'nagorno karabakh']);

    // Act 2: preferences
    await service.savePreferences(token(TokenPurpose.PREFERENCES), parsePreferencesRequest({ newsletter: 'none', alerts: 'weekly', keywords: 'Iran', alertHour: '9', timezone: 'Europe/Amsterdam' }));
    // Assess 2
    expect([...index.of('s_ann').values()]).toEqual([{ phrase: 'iran', subscriberId: 's_ann', label: 'Iran', cadence: 'weekly', timezone: 'Europe/Amsterdam', alertHour: 9 }]);

    // Act 3: the one-click link of an alert digest stops alerts only
    await service.unsubscribe(token(TokenPurpose.UNSUBSCRIBE_ALERTS));
    // Assess 3
    expect(index.of('s_ann').size).toBe(0);
    expect(await repo.get('s_ann')).toMatchObject({ status: 'confirmed', alerts: 'none', keywords: ['Iran'] });
  });

  it('should drop a subscriber who unsubscribes from everything', async () => {
    // Prepare
    const { index, repo, service, token, following } = setup();
    await repo.put(subscriber());
    await following.sync(undefined, subscriber());
    // Act
    await service.unsubscribe(token(TokenPurpose.UNSUBSCRIBE));
    // Assess
    expect(index.of('s_ann').size).toBe(0);
    expect((await repo.get('s_ann'))?.status).toBe('unsubscribed');
  });

  it('should index imported rows and drop a complained address', async () => {
    // Prepare
    const { index, repo, following } = setup();
    const csv = 'email,name,newsletter,alerts,keywords,timezone,alert_hour\nann@example.org,Ann,none,daily,Minsk;Iran,Asia/Yerevan,8\n';
    // Act 1
    const result = await importSubscribers(repo, csv, { now: new Date(), following });
    // Assess 1
    expect(result.errors).toEqual([]);
    const [stored] = [...repo.items.values()];
    expect(stored).toMatchObject({ timezone: 'Asia/Yerevan', alertHour: 8 });
    expect([...index.of(stored?.id ?? '').values()].map((e) => [e.phrase, e.cadence, e.timezone, e.alertHour])).toEqual([
      ['minsk', 'daily', 'Asia/Yerevan', 8],
      ['iran', 'daily', 'Asia/Yerevan', 8],
    ]);
    // Act 2
    const feedback = new FeedbackService({ subscribers: repo, once: new InMemoryOnceStore(), logger: silentLogger, pseudonyms: new LogPseudonyms('p'.repeat(40)), following });
    await feedback.handle(JSON.stringify({ notificationType: 'Complaint', complaint: { complainedRecipients: [{ emailAddress: 'ann@example.org' }], feedbackId: 'f1' } }));
    // Assess 2
    expect(index.of(stored?.id ?? '').size).toBe(0);
  });
});

describe('Function: SubscriptionService.checkUnsubscribeToken', () => {
  it('should say an alert digest link stops alerts only, and give a token to stop everything', () => {
    // Prepare
    const { service, token } = setup();
    // Act
    const alerts = service.checkUnsubscribeToken(token(TokenPurpose.UNSUBSCRIBE_ALERTS));
    const all = service.checkUnsubscribeToken(token(TokenPurpose.UNSUBSCRIBE));
    // Assess
    expect(all).toEqual({ scope: 'all' });
    expect(alerts.scope).toBe('alerts');
    if (alerts.scope !== 'alerts') throw new Error('scope');
    expect(service.checkUnsubscribeToken(alerts.everythingToken)).toEqual({ scope: 'all' });
  });

  it('should refuse a preferences token for unsubscribing', () => {
    // Prepare
    const { service, token } = setup();
    // Act / Assess
    expect(() => service.checkUnsubscribeToken(token(TokenPurpose.PREFERENCES))).toThrow('token: wrong purpose');
  });
});
