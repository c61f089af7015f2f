/**
 * Keyword alerts end to end on the local emulators (dynalite, s3rver, local SQS, the SES
 * front): stories go through the S3 events into `ingest`, which matches them through the
 * keyword index; alert flushes run with a chosen clock; the send queue is drained into the
 * real `send` handler; every assertion reads what the local SES accepted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertMatcher } from '../../../functions/core/alerts/alert-matcher.ts';
import { getConfig } from '../../../functions/core/config.ts';
import { subscriberIdFor } from '../../../functions/core/subscribers/identity.ts';
import { signToken, TokenPurpose } from '../../../functions/core/subscribers/tokens.ts';
import { silentLogger } from '../../../functions/core/logger.ts';
import { handler as ingestHandler } from '../../../functions/ingest.ts';
import { articleStore, deliveryLedger } from '../../../functions/wiring/common.ts';
import { alertStore, keywordIndex } from '../../../functions/wiring/keyword-alerts.ts';
import { subscriptionService } from '../../../functions/wiring/subscribers.ts';
import { alertMails, flush, importFollowers, partsOf, startAlertsStack, storyUrl, timesListed, upload, type DeliveryStack, type Story } from './harness.ts';

const MINUTE = 60_000;
const later = (minutes: number): Date => new Date(Date.now() + minutes * MINUTE);

describe('keyword alerts on the emulators', () => {
  let h: DeliveryStack;

  beforeAll(async () => {
    h = await startAlertsStack({ ALERT_MAX_PER_DAY: '2' });
  });

  afterAll(async () => {
    await h?.stop();
  });

  it('lists an article once after a duplicate S3 event, a re-upload and an edit, and never alerts it again', async () => {
    // Prepare
    await importFollowers(h, [{ email: 'dup@example.org', alerts: 'instant', keywords: 'Tbilisi metro' }]);
    const story: Story = { key: 'dup/metro.md', title: 'Tbilisi metro extension opens', body: 'The new Tbilisi\nmetro line opens today.' };
    await upload(h, [story]);
    const pending = await alertStore().pending(subscriberIdFor('dup@example.org'));

    // Act 1: the same S3 event again, the same bytes again, then an edit of the article
    await ingestHandler({ Records: [{ eventName: 'ObjectCreated:Put', s3: { object: { key: story.key, size: 10 } } }] } as never);
    await upload(h, [story]);
    await upload(h, [{ ...story, body: 'The new Tbilisi metro line opens today, a year late.' }]);
    await flush(h, { dueBy: later(6) });

    // Assess 1
    expect(pending).toHaveLength(1);
    const mails = alertMails(h, 'dup@example.org');
    expect(mails).toHaveLength(1);
    expect(await timesListed(mails[0]!, story.title)).toBe(1);

    // Act 2: edited again after it was sent
    await upload(h, [{ ...story, body: 'Tbilisi metro: the first week in numbers.' }]);
    const again = await flush(h, { dueBy: later(6) });

    // Assess 2: nothing pending, nothing sent
    expect(await alertStore().pending(subscriberIdFor('dup@example.org'))).toEqual([]);
    expect(again.digests).toBe(0);
    expect(alertMails(h, 'dup@example.org')).toHaveLength(1);
  });

  it('sends nothing to a subscriber who unsubscribed, or turned alerts off, between the match and the flush', async () => {
    // Prepare
    await importFollowers(h, [
      { email: 'stay@example.org', alerts: 'instant', keywords: 'Gyumri' },
      { email: 'leave@example.org', alerts: 'instant', keywords: 'Gyumri' },
      { email: 'quiet@example.org', alerts: 'instant', keywords: 'Gyumri' },
    ]);
    await upload(h, [{ key: 'unsub/gyumri.md', title: 'Gyumri hosts a film festival', body: 'Films in Gyumri all week.' }]);
    const secret = getConfig().TOKEN_SECRET ?? '';
    const token = (email: string, purpose: TokenPurpose) => signToken(secret, { subscriberId: subscriberIdFor(email), purpose, expiresAt: Math.floor(Date.now() / 1000) + 3600 });

    // Act
    await (await subscriptionService()).unsubscribe(token('leave@example.org', TokenPurpose.UNSUBSCRIBE));
    await (await subscriptionService()).unsubscribe(token('quiet@example.org', TokenPurpose.UNSUBSCRIBE_ALERTS));
    const result = await flush(h, { dueBy: later(6) });

    // Assess
    expect(alertMails(h, 'stay@example.org')).toHaveLength(1);
    expect(alertMails(h, 'leave@example.org')).toEqual([]);
    expect(alertMails(h, 'quiet@example.org')).toEqual([]);
    const entry = (email: string) => deliveryLedger().get({ editionId: result.flush, subscriberId: subscriberIdFor(email) });
    expect(await entry('leave@example.org')).toMatchObject({ state: 'skipped', reason: 'subscriber is unsubscribed' });
    expect(await entry('quiet@example.org')).toMatchObject({ state: 'skipped', reason: 'alerts turned off since the match' });
    // …and neither follows anything any more.
    expect((await keywordIndex().followers('gyumri', { limit: 10 })).followers.map((f) => f.subscriberId)).toEqual([subscriberIdFor('stay@example.org')]);
  });

  it('sends a breaking article to instant followers at once, and no earlier to hourly ones', async () => {
    // Prepare: the hourly follower's zone is one whose next full hour is more than 10 minutes
    // away (UTC, or India's half-hour offset), so that it is not due within the test's flushes
    const minute = new Date().getUTCMinutes();
    const timezone = minute < 50 && minute >= 20 ? 'UTC' : 'Asia/Kolkata';
    await importFollowers(h, [
      { email: 'breaking@example.org', alerts: 'instant', keywords: 'Batumi' },
      { email: 'hourly@example.org', alerts: 'hourly', keywords: 'Batumi', timezone },
    ]);

    // Act 1: a breaking story, flushed right away
    await upload(h, [{ key: 'breaking/batumi.md', title: 'Storm closes Batumi port', body: 'Batumi port is closed.', breaking: true }]);
    await flush(h, { dueBy: new Date() });

    // Assess 1
    expect(alertMails(h, 'breaking@example.org')).toHaveLength(1);
    expect(alertMails(h, 'hourly@example.org')).toHaveLength(0);

    // Act 2: an ordinary story waits for the instant window
    await upload(h, [{ key: 'breaking/batumi-2.md', title: 'Batumi port reopens', body: 'Batumi port is open again.' }]);
    const early = await flush(h, { dueBy: new Date() });
    const onTime = await flush(h, { dueBy: later(6) });

    // Assess 2
    expect(early.digests).toBe(0);
    expect(onTime.digests).toBe(1);
    expect(alertMails(h, 'breaking@example.org')).toHaveLength(2);

    // Act 3: the hourly window, on the hour: both stories in one digest
    await flush(h, { dueBy: later(61) });
    const [hourly] = alertMails(h, 'hourly@example.org');
    expect(alertMails(h, 'hourly@example.org')).toHaveLength(1);
    expect((await partsOf(hourly!)).subject).toContain('+1 more');
  });

  it('holds a window back over the daily cap, keeps its matches, and sends them the next day', async () => {
    // Prepare: the cap is 2 (ALERT_MAX_PER_DAY); three instant windows on one local day
    await importFollowers(h, [{ email: 'cap@example.org', alerts: 'instant', keywords: 'Kutaisi' }]);
    const day = new Date(Date.UTC(2031, 5, 1, 12));
    const id = subscriberIdFor('cap@example.org');

    // Act 1
    for (const n of [1, 2, 3]) {
      await upload(h, [{ key: `cap/kutaisi-${n}.md`, title: `Kutaisi story ${n}`, body: 'News from Kutaisi.' }]);
      await flush(h, { now: new Date(day.getTime() + n * 10 * MINUTE), dueBy: later(6) });
    }
    await upload(h, [{ key: 'cap/kutaisi-4.md', title: 'Kutaisi story 4', body: 'More news from Kutaisi.' }]);
    await flush(h, { now: new Date(day.getTime() + 40 * MINUTE), dueBy: later(6) });

    // Assess 1: two digests that day; stories 3 and 4 wait for the next local day
    expect(alertMails(h, 'cap@example.org')).toHaveLength(2);
    const held = await alertStore().pending(id);
    expect(held.map((p) => p.articleId).sort()).toEqual([storyUrl({ key: 'cap/kutaisi-3.md' } as Story), storyUrl({ key: 'cap/kutaisi-4.md' } as Story)]);

    // Act 2: the next day
    const midnight = new Date(Date.UTC(2031, 5, 2));
    const next = await flush(h, { now: midnight, dueBy: held[0] ? new Date(Math.max(Date.parse(held[0].dueAt), midnight.getTime())) : midnight });

    // Assess 2: one digest with both, none dropped
    expect(next.digests).toBe(1);
    const mails = alertMails(h, 'cap@example.org');
    expect(mails).toHaveLength(3);
    expect(await timesListed(mails[2]!, 'Kutaisi story 3')).toBe(1);
    expect(await timesListed(mails[2]!, 'Kutaisi story 4')).toBe(1);
    expect(await alertStore().pending(id)).toEqual([]);
  });

  it.each([
    // zone, match time (the day before the change), due (07:00 local on the day of the change)
    ['Europe/Amsterdam', 'dst-ams@example.org', '2026-03-28T12:00:00Z', '2026-03-29T05:00:00.000Z'],
    ['America/New_York', 'dst-nyc@example.org', '2026-10-31T17:00:00Z', '2026-11-01T12:00:00.000Z'],
  ])('sends a daily follower in %s their digest at 07:00 local across a DST change', async (timezone, email, matchedAt, due) => {
    // Prepare: the story is in the store before the follower exists, then matched with the clock
    // set to the day before the change
    const story: Story = { key: `dst/${timezone.replace('/', '-').toLowerCase()}.md`, title: `Zvartnots news for ${timezone}`, body: 'Zvartnots airport expands.' };
    await upload(h, [story]);
    await importFollowers(h, [{ email, alerts: 'daily', keywords: 'Zvartnots', timezone, alertHour: 7 }]);
    const article = await articleStore().getArticle(storyUrl(story));
    const matcher = new AlertMatcher({ index: keywordIndex(), store: alertStore(), logger: silentLogger, instantWindowMs: 5 * MINUTE, now: () => new Date(matchedAt) });
    await matcher.match(article!);
    const pending = await alertStore().pending(subscriberIdFor(email));

    // Act: a minute before 07:00 local, then at 07:00
    const before = await flush(h, { now: new Date(Date.parse(due) - MINUTE) });
    const at = await flush(h, { now: new Date(due) });

    // Assess
    expect(pending.find((p) => p.articleId === storyUrl(story))?.dueAt).toBe(due);
    expect(before.digests).toBe(0);
    expect(at.digests).toBe(1);
    expect(alertMails(h, email)).toHaveLength(1);
  });
});
