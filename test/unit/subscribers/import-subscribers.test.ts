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
    const result = await importSubscribers(repo, csv, NOW);

    // Assess
    expect(result).toEqual({ imported: 2, errors: [{ line: 3, reason: 'email: not a valid address' }] });
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
    await importSubscribers(repo, `${HEADER}\nann@example.org,Ann New,daily,hourly,x\n`, NOW);

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
    await importSubscribers(repo, `${HEADER}\npending@example.org,,daily,none,\nconfirmed@example.org,,daily,none,\n`, NOW);

    // Assess
    expect(await repo.get(subscriberIdFor('pending@example.org'))).toMatchObject({ status: 'confirmed', consent: { method: 'import' } });
    expect(await repo.get(subscriberIdFor('confirmed@example.org'))).toMatchObject({ status: 'confirmed', consent: { method: 'double-opt-in' } });
  });

  it('carries a suppression over from an export', async () => {
    // Prepare
    const repo = new InMemorySubscriberRepository();
    await repo.put(existing('ann@example.org', 'confirmed'));

    // Act
    await importSubscribers(repo, `${HEADER},status\nann@example.org,,daily,none,,complained\nnew@example.org,,daily,none,,bounced\n`, NOW);

    // Assess
    expect((await repo.get(subscriberIdFor('ann@example.org')))?.status).toBe('complained');
    expect((await repo.get(subscriberIdFor('new@example.org')))?.status).toBe('bounced');
  });

  it('writes nothing when the header is wrong', async () => {
    // Prepare
    const repo = new InMemorySubscriberRepository({ counters: true });

    // Act
    const result = await importSubscribers(repo, 'mail,name\nann@example.org,Ann\n', NOW);

    // Assess
    expect(result.imported).toBe(0);
    expect(result.errors[0]?.line).toBe(1);
    expect(repo.calls.put + repo.calls.setStatus + repo.calls.update).toBe(0);
  });
});
