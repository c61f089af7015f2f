import { describe, expect, it } from 'vitest';
import { subscriberIdFor } from '../../../functions/core/subscribers/identity.ts';
import { importSubscribers } from '../../../functions/core/subscribers/import-subscribers.ts';
import type { Subscriber } from '../../../functions/core/subscribers/types.ts';
import { InMemorySubscriberRepository } from '../../kit/memory/index.ts';

const NOW = new Date('2030-01-02T03:04:05.000Z');
const HEADER = 'email,name,newsletter,alerts,keywords';

function existing(email: string, status: Subscriber['status']): Subscriber {
  return {
    id: subscriberIdFor(email), email, status, newsletter: 'weekly', alerts: 'none', keywords: [],
    consent: { at: '2029-01-01T00:00:00.000Z', method: 'double-opt-in' }, createdAt: '2029-01-01T00:00:00.000Z',
    updatedAt: '2029-01-01T00:00:00.000Z',
  };
}

describe('Function: importSubscribers', () => {
  it('imports valid rows as confirmed with import consent and reports invalid ones', async () => {
    // Prepare
    const repo = new InMemorySubscriberRepository();
    const csv = `${HEADER}\nann@example.org,Ann,daily,instant,climate\nbad,,daily,none,\nbob@example.org,,none,daily,\n`;

    // Act
    const result = await importSubscribers(repo, csv, { now: NOW });

    // Assess
    expect(result).toEqual({ imported: 2, skipped: 1, errors: [{ line: 3, reason: 'email: not a valid address' }], warnings: [] });
    expect(await repo.get(subscriberIdFor('ann@example.org'))).toEqual({
      id: subscriberIdFor('ann@example.org'), email: 'ann@example.org', name: 'Ann', status: 'confirmed',
      newsletter: 'daily', alerts: 'instant', keywords: ['climate'], consent: { at: NOW.toISOString(), method: 'import' },
      createdAt: NOW.toISOString(), updatedAt: NOW.toISOString(),
    });
    expect(repo.items.size).toBe(2);
  });

  it.each(['unsubscribed', 'bounced', 'complained'] as const)('updates preferences but never re-confirms a %s address', async (status) => {
    // Prepare
    const repo = new InMemorySubscriberRepository();
    await repo.put(existing('ann@example.org', status));

    // Act
    await importSubscribers(repo, `${HEADER}\nann@example.org,Ann New,daily,hourly,x\n`, { now: NOW });

    // Assess
    const stored = await repo.get(subscriberIdFor('ann@example.org'));
    expect(stored).toMatchObject({ status, name: 'Ann New', newsletter: 'daily', alerts: 'hourly', keywords: ['x'] });
    expect(stored?.consent?.method).toBe('double-opt-in');
    expect(stored?.createdAt).toBe('2029-01-01T00:00:00.000Z');
  });

  it('confirms a pending address and keeps the consent of a confirmed one', async () => {
    // Prepare
    const repo = new InMemorySubscriberRepository();
    await repo.put(existing('pending@example.org', 'pending'));
    await repo.put(existing('confirmed@example.org', 'confirmed'));

    // Act
    await importSubscribers(repo, `${HEADER}\npending@example.org,,daily,none,\nconfirmed@example.org,,daily,none,\n`, { now: NOW });

    // Assess
    expect(await repo.get(subscriberIdFor('pending@example.org'))).toMatchObject({ status: 'confirmed', consent: { method: 'import' } });
    expect(await repo.get(subscriberIdFor('confirmed@example.org'))).toMatchObject({ status: 'confirmed', consent: { method: 'double-opt-in' } });
  });

  it('carries a suppression over from an export', async () => {
    // Prepare
    const repo = new InMemorySubscriberRepository();
    await repo.put(existing('ann@example.org', 'confirmed'));

    // Act
    await importSubscribers(repo, `${HEADER},status\nann@example.org,,daily,none,,complained\nnew@example.org,,daily,none,,bounced\n`, { now: NOW });

    // Assess
    expect((await repo.get(subscriberIdFor('ann@example.org')))?.status).toBe('complained');
    expect((await repo.get(subscriberIdFor('new@example.org')))?.status).toBe('bounced');
  });

  it('writes nothing when the header is wrong', async () => {
    // Prepare
    const repo = new InMemorySubscriberRepository({ counters: true });

    // Act
    const result = await importSubscribers(repo, 'mail,name\nann@example.org,Ann\n', { now: NOW });

    // Assess
    expect(result.imported).toBe(0);
    expect(result.errors[0]?.line).toBe(1);
    expect(repo.calls.put + repo.calls.setStatus + repo.calls.update).toBe(0);
  });

  it('imports an address that appears twice from its first line and reports the others, within and across batches', async () => {
    // Prepare: 250 rows (three batches); ann on lines 2, 3 and 200.
    const repo = new InMemorySubscriberRepository();
    const rows = Array.from({ length: 247 }, (_, i) => `u${i}@example.org,,daily,none,`);
    rows.splice(0, 0, 'ann@example.org,First,daily,none,', 'ANN@example.org,Second,daily,none,');
    rows.splice(198, 0, 'ann@example.org,Third,daily,none,');
    const issues: unknown[] = [];

    // Act
    const result = await importSubscribers(repo, `${HEADER}\n${rows.join('\n')}\n`, { now: NOW, onIssue: (i) => issues.push(i) });

    // Assess
    expect(result.imported).toBe(248);
    expect(result.errors).toEqual([
      { line: 3, reason: 'email: duplicate of line 2' },
      { line: 200, reason: 'email: duplicate of line 2' },
    ]);
    expect(issues).toEqual([
      { line: 3, reason: 'email: duplicate of line 2', skipped: true },
      { line: 200, reason: 'email: duplicate of line 2', skipped: true },
    ]);
    expect((await repo.get(subscriberIdFor('ann@example.org')))?.name).toBe('First');
  });

  it('re-imports the same file in a later run without calling anything a duplicate', async () => {
    // Prepare
    const repo = new InMemorySubscriberRepository();
    const csv = `${HEADER}\nann@example.org,Ann,daily,none,\n`;
    await importSubscribers(repo, csv, { now: NOW });

    // Act
    const again = await importSubscribers(repo, csv, { now: new Date(NOW.getTime() + 1000) });

    // Assess
    expect(again).toMatchObject({ imported: 1, skipped: 0 });
  });

  it('imports a row whose name breaks the rules without the name, with a warning', async () => {
    // Prepare
    const repo = new InMemorySubscriberRepository();

    // Act
    const result = await importSubscribers(repo, `${HEADER}\nann@example.org,Ann \u202eLee,daily,none,\n`, { now: NOW });

    // Assess
    expect(result).toMatchObject({ imported: 1, skipped: 0, warnings: [{ line: 2, reason: expect.stringContaining('name: contains a bidirectional control character') }] });
    expect((await repo.get(subscriberIdFor('ann@example.org')))?.name).toBeUndefined();
  });

  it('never lifts a suppression from a Mailchimp file, and takes the unsubscribed file as unsubscribed', async () => {
    // Prepare
    const repo = new InMemorySubscriberRepository();
    await repo.put(existing('ann@example.org', 'bounced'));
    const subscribed = '"Email Address","First Name","Last Name","LEID"\n"ann@example.org","Ann","Lee",1\n"new@example.org","New","",2\n';
    const unsubscribed = '"Email Address","First Name","Last Name","UNSUB_TIME"\n"gone@example.org","Gone","","2024-01-01 00:00:00"\n';

    // Act
    await importSubscribers(repo, subscribed, { now: NOW, defaults: { newsletter: 'weekly' } });
    await importSubscribers(repo, unsubscribed, { now: NOW });

    // Assess
    expect(await repo.get(subscriberIdFor('ann@example.org'))).toMatchObject({ status: 'bounced', name: 'Ann Lee', newsletter: 'weekly' });
    expect(await repo.get(subscriberIdFor('new@example.org'))).toMatchObject({ status: 'confirmed', consent: { method: 'import' } });
    expect((await repo.get(subscriberIdFor('gone@example.org')))?.status).toBe('unsubscribed');
  });

  it('reports progress after every batch, with the bytes read', async () => {
    // Prepare
    const repo = new InMemorySubscriberRepository();
    const csv = `${HEADER}\n${Array.from({ length: 150 }, (_, i) => `p${i}@example.org,,daily,none,`).join('\n')}\n`;
    const seen: Array<{ rows: number; imported: number; bytes: number }> = [];

    // Act
    await importSubscribers(repo, [Buffer.from(csv)], { now: NOW, onProgress: (p) => seen.push(p) });

    // Assess
    expect(seen.map((p) => [p.rows, p.imported])).toEqual([[100, 100], [150, 150]]);
    expect(seen.at(-1)?.bytes).toBe(Buffer.byteLength(csv));
  });
});
