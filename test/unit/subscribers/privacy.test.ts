import { createHash } from 'node:crypto';
import { Links } from '../../../functions/core/links.ts';
import { describe, expect, it } from 'vitest';
import { FeedbackService } from '../../../functions/core/subscribers/feedback-service.ts';
import { subscriberIdFor } from '../../../functions/core/subscribers/identity.ts';
import { parseSubscribeRequest } from '../../../functions/core/subscribers/input.ts';
import { LogPseudonyms } from '../../../functions/core/subscribers/pseudonyms.ts';
import { SubscriptionService } from '../../../functions/core/subscribers/subscription-service.ts';
import { signToken, TokenPurpose } from '../../../functions/core/subscribers/tokens.ts';
import { http, json } from '../../../functions/http/middleware.ts';
import { httpEvent } from '../../helpers/http-events.ts';
import { InMemoryOnceStore, InMemoryRateLimiter, InMemorySubscriberRepository, MemoryLogger, RecordingConfirmationMailer } from '../../kit/memory/index.ts';

const SECRET = 'k'.repeat(40);

describe('Function: logging (privacy)', () => {
  it('never writes a plain address or IP in any log line of the subscription and feedback flows', async () => {
    // Prepare
    const logger = new MemoryLogger();
    const repo = new InMemorySubscriberRepository();
    const once = new InMemoryOnceStore();
    const mailer = new RecordingConfirmationMailer();
    const service = new SubscriptionService({
      subscribers: repo, once, rateLimiter: new InMemoryRateLimiter(), logger, tokenSecrets: [SECRET], pseudonyms: new LogPseudonyms('k'.repeat(40)), links: new Links({ publicBaseUrl: 'http://x', archiveBaseUrl: 'http://x/archive' }),
      mailer,
      limits: { perSource: { limit: 100, windowSeconds: 60 }, mailsPerAddress: { limit: 1, windowSeconds: 60 } }, confirmTtlSeconds: 60,
    });
    const feedback = new FeedbackService({ subscribers: repo, once, logger, pseudonyms: new LogPseudonyms('k'.repeat(40)) });
    const email = 'private.person@example.org';
    const id = subscriberIdFor(email);
    const exp = Math.floor(Date.now() / 1000) + 60;

    // Act
    await service.subscribe(parseSubscribeRequest({ email }), { sourceIp: '198.51.100.77' });
    await service.subscribe(parseSubscribeRequest({ email }), { sourceIp: '198.51.100.77' }).catch(() => undefined);
    await service.subscribe(parseSubscribeRequest({ email, website: 'bot' }), { sourceIp: '198.51.100.77' });
    await service.confirm(new URL(mailer.sent[0]!.url).searchParams.get('token')!);
    await service.savePreferences(signToken(SECRET, { subscriberId: id, purpose: TokenPurpose.PREFERENCES, expiresAt: exp }), { newsletter: 'weekly', alerts: 'none', keywords: [] });
    await service.unsubscribe(signToken(SECRET, { subscriberId: id, purpose: TokenPurpose.UNSUBSCRIBE, expiresAt: exp }));
    await feedback.handle(JSON.stringify({ notificationType: 'Bounce', bounce: { bounceType: 'Transient', bouncedRecipients: [{ emailAddress: email }], feedbackId: 'f1' } }));
    await feedback.handle(JSON.stringify({ notificationType: 'Complaint', complaint: { complainedRecipients: [{ emailAddress: 'Unknown.Person@Example.org' }], feedbackId: 'f2' } }));
    await feedback.handle(JSON.stringify({ notificationType: 'Bounce', bounce: { bounceType: 'Permanent', bouncedRecipients: [{ emailAddress: 'broken address@example.org' }], feedbackId: 'f3' } }));
    const handler = http(async () => { throw new Error(`boom for ${email}`); }, { logger });
    await handler(httpEvent('POST', '/subscribe', { body: { email } }));

    // Assess
    const lines = logger.text();
    expect(lines.length).toBeGreaterThan(8);
    // Nothing a dictionary of candidate addresses could match without the key.
    const unkeyed = [email, email.toUpperCase()].flatMap((e) => [
      createHash('sha256').update(`email:${e.toLowerCase()}`).digest('hex').slice(0, 12),
      createHash('sha256').update(e.toLowerCase()).digest('hex').slice(0, 12),
    ]);
    expect(lines.join('\n')).toMatch(/e_[0-9a-f]{16}/);
    expect(lines.join('\n')).not.toContain(id);
    for (const line of lines) {
      for (const hash of unkeyed) expect(line).not.toContain(hash);
      expect(line).not.toMatch(/[\w.+-]+@[\w-]+\.[\w.]+/);
      expect(line.toLowerCase()).not.toContain('private.person');
      expect(line).not.toContain('198.51.100.77');
    }
  });
});
