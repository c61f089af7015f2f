import { beforeEach, describe, expect, it } from 'vitest';
import { LogPseudonyms } from '../../../functions/core/subscribers/pseudonyms.ts';
import { silentLogger } from '../../../functions/core/logger.ts';
import { FeedbackService, withSoftBounce } from '../../../functions/core/subscribers/feedback-service.ts';
import { subscriberIdFor } from '../../../functions/core/subscribers/identity.ts';
import type { Subscriber, SubscriberStatus } from '../../../functions/core/subscribers/types.ts';
import { InMemoryOnceStore, InMemorySubscriberRepository } from '../../kit/memory/index.ts';

const NOW = new Date('2030-05-31T00:00:00.000Z');
const ANN = 'ann@example.org';
const ANN_ID = subscriberIdFor(ANN);

function subscriber(status: SubscriberStatus = 'confirmed'): Subscriber {
  return { id: ANN_ID, email: ANN, status, newsletter: 'daily', alerts: 'none', keywords: [], createdAt: 't', updatedAt: 't' };
}

function bounce(type: 'Permanent' | 'Transient' | 'Undetermined', feedbackId: string, timestamp = NOW.toISOString(), to = ANN): string {
  return JSON.stringify({
    notificationType: 'Bounce',
    bounce: { bounceType: type, bounceSubType: 'General', bouncedRecipients: [{ emailAddress: to }], timestamp, feedbackId },
    mail: { messageId: 'm1', timestamp, destination: [to] },
  });
}

function complaint(feedbackId: string, to = ANN): string {
  return JSON.stringify({
    eventType: 'Complaint',
    complaint: { complainedRecipients: [{ emailAddress: to }], timestamp: NOW.toISOString(), feedbackId },
    mail: { messageId: 'm1' },
  });
}

describe('Function: FeedbackService', () => {
  let repo: InMemorySubscriberRepository;
  let service: FeedbackService;

  beforeEach(async () => {
    repo = new InMemorySubscriberRepository();
    service = new FeedbackService({ subscribers: repo, once: new InMemoryOnceStore(), logger: silentLogger, pseudonyms: new LogPseudonyms('test-log-pseudonym-key'), now: () => NOW });
    await repo.put(subscriber());
  });

  it('marks a permanent bounce bounced', async () => {
    // Prepare & Act
    const result = await service.handle(bounce('Permanent', 'f1'));

    // Assess
    expect(result).toEqual({ kind: 'bounce', outcomes: ['bounced'] });
    expect((await repo.get(ANN_ID))?.status).toBe('bounced');
  });

  it('marks a complaint complained (event publishing format, display-name address)', async () => {
    // Prepare & Act
    const result = await service.handle(complaint('f2', `"Ann" <${ANN.toUpperCase()}>`));

    // Assess
    expect(result.outcomes).toEqual(['complained']);
    expect((await repo.get(ANN_ID))?.status).toBe('complained');
  });

  it('suppresses after three soft bounces within 30 days, not before', async () => {
    // Prepare
    const day = 86_400_000;
    await service.handle(bounce('Transient', 's1', new Date(NOW.getTime() - 20 * day).toISOString()));
    await service.handle(bounce('Undetermined', 's2', new Date(NOW.getTime() - 10 * day).toISOString()));
    const afterTwo = (await repo.get(ANN_ID))?.status;

    // Act
    const third = await service.handle(bounce('Transient', 's3', NOW.toISOString()));

    // Assess
    expect(afterTwo).toBe('confirmed');
    expect(third.outcomes).toEqual(['bounced']);
    expect((await repo.get(ANN_ID))?.softBounces).toHaveLength(3);
  });

  it('does not count soft bounces older than 30 days', async () => {
    // Prepare
    const day = 86_400_000;
    await service.handle(bounce('Transient', 'o1', new Date(NOW.getTime() - 45 * day).toISOString()));
    await service.handle(bounce('Transient', 'o2', new Date(NOW.getTime() - 35 * day).toISOString()));

    // Act
    await service.handle(bounce('Transient', 'o3', NOW.toISOString()));

    // Assess
    expect((await repo.get(ANN_ID))?.status).toBe('confirmed');
    expect((await repo.get(ANN_ID))?.softBounces).toHaveLength(1);
  });

  it('ignores a duplicate notification', async () => {
    // Prepare
    await service.handle(bounce('Transient', 'd1'));

    // Act
    const again = await service.handle(bounce('Transient', 'd1'));
    await service.handle(bounce('Transient', 'd1'));

    // Assess
    expect(again.outcomes).toEqual(['duplicate']);
    expect((await repo.get(ANN_ID))?.softBounces).toHaveLength(1);
    expect((await repo.get(ANN_ID))?.status).toBe('confirmed');
  });

  it('keeps a complaint when a bounce arrives after it (out of order)', async () => {
    // Prepare
    await service.handle(complaint('c1'));

    // Act
    const result = await service.handle(bounce('Permanent', 'b-late'));

    // Assess
    expect(result.outcomes).toEqual(['unchanged']);
    expect((await repo.get(ANN_ID))?.status).toBe('complained');
  });

  it('lets a complaint override a bounce', async () => {
    // Prepare
    await service.handle(bounce('Permanent', 'b1'));

    // Act
    await service.handle(complaint('c2'));

    // Assess
    expect((await repo.get(ANN_ID))?.status).toBe('complained');
  });

  it('ignores unknown recipients, deliveries and unusable addresses', async () => {
    // Prepare & Act
    const unknown = await service.handle(bounce('Permanent', 'u1', NOW.toISOString(), 'nobody@example.org'));
    const delivery = await service.handle(JSON.stringify({ notificationType: 'Delivery', delivery: {} }));
    const garbage = await service.handle(bounce('Permanent', 'u2', NOW.toISOString(), 'not an address\r\n'));

    // Assess
    expect(unknown.outcomes).toEqual(['unknown-recipient']);
    expect(delivery).toEqual({ kind: 'other', outcomes: ['ignored'] });
    expect(garbage.outcomes).toEqual(['unknown-recipient']);
    expect((await repo.get(ANN_ID))?.status).toBe('confirmed');
  });

  it('refuses a message that is not JSON', async () => {
    // Prepare & Act
    const act = service.handle('not json');

    // Assess
    await expect(act).rejects.toMatchObject({ name: 'ValidationError' });
  });

  it('releases the claim when handling fails, so a retry works', async () => {
    // Prepare
    const once = new InMemoryOnceStore();
    repo.failNext('setStatus', new Error('throttled'));
    const flakyService = new FeedbackService({ subscribers: repo, once, logger: silentLogger, pseudonyms: new LogPseudonyms('test-log-pseudonym-key'), now: () => NOW });

    // Act
    await expect(flakyService.handle(bounce('Permanent', 'r1'))).rejects.toThrow('throttled');
    const retry = await flakyService.handle(bounce('Permanent', 'r1'));

    // Assess
    expect(retry.outcomes).toEqual(['bounced']);
  });
});

describe('Function: withSoftBounce', () => {
  it('treats the same time twice as one bounce', () => {
    // Prepare
    const at = new Date('2030-05-30T00:00:00.000Z');
    const once = withSoftBounce(subscriber(), at, NOW).next;

    // Act
    const twice = withSoftBounce(once, at, NOW);

    // Assess
    expect(twice.next.softBounces).toEqual([at.toISOString()]);
    expect(twice.suppress).toBe(false);
  });
});
