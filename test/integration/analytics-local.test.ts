/**
 * Edition analytics on the local stack, end to end: the local SES publishes Send, then
 * Delivery (or a Bounce for an address at bounce.example.net), and a Click when a tracked
 * link is followed through its click redirect; the feedback function counts them against the
 * edition, once each.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbEngagementStore } from '../../functions/adapters/dynamodb-engagement-store.ts';
import { getConfig } from '../../functions/core/config.ts';
import { ddb } from '../../functions/wiring/common.ts';
import { handler as feedbackHandler } from '../../functions/feedback.ts';
import { localAppEnv } from '../../infra/local/app-env.ts';
import { forwardSesEvents } from '../../infra/local/lambda-driver.ts';
import { importSubscribersFile, runJob, uploadContent, useStack } from '../../infra/local/local-run.ts';
import { LOCAL_BOUNCE_DOMAIN } from '../../infra/local/ses-protocol.ts';
import { startLocalStack, type LocalStack } from '../../infra/local/stack.ts';
import { subscriberRepository } from '../../functions/wiring/common.ts';
import { subscriberIdFor } from '../../functions/core/subscribers/identity.ts';

const SAMPLE = new URL('../../infra/local/sample/', import.meta.url).pathname;

describe('Local stack: edition analytics', () => {
  let stack: LocalStack;
  let edition: string;
  let recipients: number;

  beforeAll(async () => {
    stack = await startLocalStack({ forwardToMailbox: true });
    useStack({ ...localAppEnv(stack, { httpPort: 3000, logLevel: 'SILENT' }), CLICK_TRACKING: 'daily' });
    await importSubscribersFile(`${SAMPLE}subscribers.csv`);
    await uploadContent(stack, `${SAMPLE}content`);
    const summary = await runJob(stack, { job: 'daily', now: new Date(), quarantined: 0 });
    edition = summary.edition;
    recipients = summary.recipients;
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
  });

  const totals = () => new DynamoDbEngagementStore({ client: ddb(), tableName: getConfig().DELIVERIES_TABLE }).totals(edition);

  it('counts a Send for every recipient, a Delivery for each but the one at the bounce domain, and its permanent bounce (which suppresses it)', async () => {
    // Assess
    expect(recipients).toBe(4);
    const { counters, timeline } = await totals();
    expect(counters).toMatchObject({ sent: 4, delivered: 3, bouncedPermanent: 1, bouncedTransient: 0, clicks: 0, opens: 0 });
    expect(timeline.reduce((n, p) => n + p.sent, 0)).toBe(4);
    expect(timeline.reduce((n, p) => n + p.delivered, 0)).toBe(3);
    const bounced = await subscriberRepository().get(subscriberIdFor(`erik@${LOCAL_BOUNCE_DOMAIN}`));
    expect(bounced?.status).toBe('bounced');
  });

  it('counts a tracked link followed once as one click, and redirects to it; the unsubscribe link is not tracked', async () => {
    // Prepare
    const message = stack.ses.messages().find((m) => m.tags.edition === edition && !m.destinations[0]?.endsWith(LOCAL_BOUNCE_DOMAIN));
    const links = stack.ses.clickUrls(message?.messageId ?? '');
    expect(links.length).toBeGreaterThan(0);
    expect(links.some((l) => /unsubscribe|preferences/.test(l.link))).toBe(false);
    const events = forwardSesEvents(stack, feedbackHandler);

    // Act
    const response = await fetch(links[0]?.url ?? '', { redirect: 'manual' });
    await events.flush();
    events.stop();

    // Assess
    expect([response.status, response.headers.get('location')]).toEqual([302, links[0]?.link]);
    const { counters, links: perLink } = await totals();
    expect(counters).toMatchObject({ clicks: 1, uniqueClicks: 1 });
    expect(perLink).toEqual([{ url: links[0]?.link, clicks: 1 }]);
  });

  it('sends the mailbox copy\'s tracked links through the click redirect, and keeps the captured message as sent', async () => {
    const message = stack.ses.messages().find((m) => m.tags.edition === edition);
    expect(message?.raw.toString('latin1')).not.toContain('/click/');
    const store = await (await fetch(`${stack.endpoints.ses}/store`)).json() as { emails?: Array<{ body?: { html?: string } }> };
    expect(store.emails?.some((e) => (e.body?.html ?? '').includes(`${stack.endpoints.ses}/click/`))).toBe(true);
  });
});
