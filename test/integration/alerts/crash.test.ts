/**
 * An alert flush killed in the middle (SIGKILL, in a process of its own, on the emulators):
 * the flushes that run after it send no window twice and lose none. Every follower gets
 * exactly one alert digest listing both matched stories, whichever flush froze it.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { QueryCommand } from '../../../functions/adapters/aws-commands.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DUE_SHARDS, flushIdFor } from '../../../functions/core/alerts/types.ts';
import { getConfig } from '../../../functions/core/config.ts';
import { subscriberIdFor } from '../../../functions/core/subscribers/identity.ts';
import { ddb, editionRepository } from '../../../functions/wiring/common.ts';
import { alertFlushService } from '../../../functions/wiring/alerts.ts';
import { alertStore } from '../../../functions/wiring/keyword-alerts.ts';
import { deliveryAdmin } from '../../../functions/wiring/delivery.ts';
import { ALERT_FLUSH_SCRIPT } from '../../helpers/alert-flush-process.ts';
import { pollUntil } from '../../helpers/poll.ts';
import { drainEdition, ledgerSettled } from '../delivery/harness.ts';
import { alertMails, importFollowers, startAlertsStack, timesListed, upload, type DeliveryStack } from './harness.ts';

const FOLLOWERS = Array.from({ length: 160 }, (_v, i) => `reader${String(i + 1).padStart(3, '0')}@crash.example.org`);
const STORIES = [
  { key: 'crash/sevan-1.md', title: 'Lake Sevan water level rises', body: 'Lake Sevan is higher this year.' },
  { key: 'crash/sevan-2.md', title: 'Sevan trout returns', body: 'Trout is back in Sevan.' },
];
/** A claim is stale after this: short, so the test does not wait long for the takeover. */
const CLAIM_SECONDS = 2;

/** How many items of a kind the alerts table holds, through the due index (no scan). */
async function dueIndexSize(): Promise<number> {
  let n = 0;
  for (let shard = 0; shard < DUE_SHARDS; shard += 1) {
    const out = await ddb().send(new QueryCommand({ TableName: getConfig().ALERTS_TABLE, IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :pk', ExpressionAttributeValues: { ':pk': `DUE#${shard}` }, Select: 'COUNT' }));
    n += out.Count ?? 0;
  }
  return n;
}

describe('an alert flush killed mid-flush', () => {
  let h: DeliveryStack;

  beforeAll(async () => {
    h = await startAlertsStack({ ALERT_CLAIM_SECONDS: String(CLAIM_SECONDS) });
    await importFollowers(h, FOLLOWERS.map((email) => ({ email, alerts: 'instant' as const, keywords: 'Sevan' })));
    await upload(h, STORIES);
  });

  afterAll(async () => {
    await h?.stop();
  });

  it('sends every window exactly once after the restart, none twice, none lost', async () => {
    // Prepare
    const dueBy = new Date(Date.now() + 10 * 60_000).toISOString();
    const time = new Date();
    const killed = flushIdFor(time);
    const child = spawn(process.execPath, ['--import', 'tsx', ALERT_FLUSH_SCRIPT, time.toISOString(), dueBy], {
      env: { ...process.env, ...h.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = once(child, 'exit');
    const before = await dueIndexSize();

    // Act 1: kill the flush once it has frozen some digests and not all of them
    await pollUntil(
      async () => {
        const record = await editionRepository().get(killed);
        return record !== undefined && (await dueIndexSize()) < before - 20;
      },
      { timeoutMs: 60_000, intervalMs: 20, message: `the flush to freeze some digests (stderr: ${stderr})` },
    );
    child.kill('SIGKILL');
    await exited;
    const left = await dueIndexSize();

    // Act 2: later flushes (claims go stale after 2 s) take over until nothing is left
    const flushes = new Set<string>([killed]);
    let minute = 0;
    await pollUntil(
      async () => {
        minute += 1;
        const result = await alertFlushService().run({ scheduledAt: new Date(time.getTime() + minute * 60_000), now: new Date(), dueBy: new Date(dueBy) });
        if (result.state) flushes.add(result.flush);
        // Done once nothing is due and the killed flush was finished by a later one.
        return (await dueIndexSize()) === 0 && (await editionRepository().get(killed))?.fanoutDone === true;
      },
      { timeoutMs: 30_000, intervalMs: 250, message: 'the later flushes to take every window over' },
    );
    for (const flushId of flushes) await drainEdition(h, flushId, { timeoutMs: 60_000, done: () => ledgerSettled(flushId) });

    // Assess: the kill happened mid-flush…
    expect(before).toBe(FOLLOWERS.length * STORIES.length);
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThan(before);
    // …every digest is in the ledger once, sent…
    const statuses = await Promise.all([...flushes].map((f) => deliveryAdmin().status(f)));
    expect(statuses.reduce((n, st) => n + st.sent, 0)).toBe(FOLLOWERS.length);
    expect(statuses.every((st) => st.failed === 0 && st.skipped === 0 && st.sending === 0)).toBe(true);
    // …and every follower has exactly one digest with both stories
    for (const email of FOLLOWERS) {
      const mails = alertMails(h, email);
      expect(mails, email).toHaveLength(1);
      for (const story of STORIES) expect(await timesListed(mails[0]!, story.title), email).toBe(1);
      expect(await alertStore().pending(subscriberIdFor(email))).toEqual([]);
    }
  }, 180_000);
});
