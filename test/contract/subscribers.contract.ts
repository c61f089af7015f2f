/**
 * The behaviour every SubscriberRepository and OnceStore must have
 * (functions/core/subscribers/subscriber-repository.ts), run against each implementation by
 * test/contract/subscribers.test.ts.
 */
import { describe, expect } from 'vitest';
import type { OnceStore, SubscriberRepository } from '../../functions/core/subscribers/ports.ts';
import type { Segment, Subscriber } from '../../functions/core/subscribers/types.ts';
import { makeSubscriber } from '../kit/fixtures/index.ts';
import { contractTest } from './contract-test.ts';

/** A repository and a once store to test, fresh and empty, sharing one store (as on DynamoDB, one table). */
export interface SubscribersSubject {
  subscribers: SubscriberRepository;
  once: OnceStore;
}

/** The clock the once store reads (epoch seconds), moved by the tests. */
export interface ContractClock {
  nowSeconds: () => number;
}

const DAILY: Segment = { kind: 'newsletter', newsletter: 'daily' };
const START_S = Date.parse('2030-01-01T00:00:00.000Z') / 1000;

/** Every subscriber of a segment (or of the whole store), page by page; also returns the page sizes. */
async function collect(page: (cursor: string | undefined) => Promise<{ subscribers: Subscriber[]; cursor?: string }>): Promise<{ ids: string[]; sizes: number[] }> {
  const ids: string[] = [];
  const sizes: number[] = [];
  let cursor: string | undefined;
  do {
    const result = await page(cursor);
    ids.push(...result.subscribers.map((s) => s.id));
    sizes.push(result.subscribers.length);
    cursor = result.cursor;
  } while (cursor);
  return { ids, sizes };
}

const withCursor = (limit: number, cursor: string | undefined) => ({ limit, ...(cursor ? { cursor } : {}) });

/**
 * Declares the SubscriberRepository and OnceStore contract for one implementation.
 *
 * @example
 * ```ts
 * describeSubscribersContract('in memory', async (clock) => ({ subscribers: new InMemorySubscriberRepository(), once: new InMemoryOnceStore(clock) }));
 * ```
 */
export function describeSubscribersContract(name: string, setup: (clock: ContractClock) => Promise<SubscribersSubject>): void {
  const it = contractTest(async () => {
    const clock = { now: START_S };
    const { subscribers: repo, once } = await setup({ nowSeconds: () => clock.now });
    return { repo, once, clock };
  });
  describe(`Contract: SubscriberRepository (${name})`, () => {
    describe('Method: put', () => {
      it('stores a subscriber that get reads back, and replaces it whole', async ({ subject: { repo } }) => {
        // Prepare
        const ann = makeSubscriber(1, { keywords: ['climate'], consent: { at: '2026-01-01T00:00:00.000Z', method: 'import' }, timezone: 'Europe/Tbilisi' });

        // Act
        await repo.put(ann);
        const first = await repo.get(ann.id);
        const { timezone: _tz, name: _name, ...rest } = ann;
        await repo.put({ ...rest, newsletter: 'weekly' });

        // Assess
        expect(first).toStrictEqual(ann);
        expect(await repo.get(ann.id)).toStrictEqual({ ...rest, newsletter: 'weekly' });
        expect(await repo.get('s_unknown')).toBeUndefined();
      });

      it('keeps no undefined attribute, at any depth', async ({ subject: { repo } }) => {
        // Prepare
        const ann = makeSubscriber(1, { name: undefined, consent: { at: '2026-01-01T00:00:00.000Z', method: 'import', ipHash: undefined } });

        // Act
        await repo.put(ann);

        // Assess
        const stored = await repo.get(ann.id);
        expect(stored).toBeDefined();
        expect(Object.keys(stored ?? {})).not.toContain('name');
        expect(Object.keys(stored?.consent ?? {})).toEqual(expect.arrayContaining(['at', 'method']));
        expect(Object.keys(stored?.consent ?? {})).not.toContain('ipHash');
      });

      it('hands out copies: changing what get returned changes nothing stored', async ({ subject: { repo } }) => {
        // Prepare
        await repo.put(makeSubscriber(1, { keywords: ['climate'] }));
        const got = await repo.get('s_001');

        // Act
        got?.keywords.push('energy');
        if (got) got.status = 'bounced';

        // Assess
        expect(await repo.get('s_001')).toMatchObject({ keywords: ['climate'], status: 'confirmed' });
      });
    });

    describe('Method: getMany', () => {
      it('reads the subscribers there are, by id, however many ids are asked', async ({ subject: { repo } }) => {
        // Prepare: more ids than one DynamoDB batch read takes
        const all = Array.from({ length: 105 }, (_, i) => makeSubscriber(i + 1));
        for (const s of all) await repo.put(s);

        // Act
        const found = await repo.getMany([...all.map((s) => s.id), 's_unknown', 's_001']);
        const none = await repo.getMany([]);

        // Assess
        expect(found.size).toBe(105);
        expect(found.get('s_042')).toStrictEqual(all[41]);
        expect(found.has('s_unknown')).toBe(false);
        expect(none.size).toBe(0);
      });
    });

    describe('Method: setStatus', () => {
      it('changes the status and the time of the change, and says so', async ({ subject: { repo } }) => {
        // Prepare
        await repo.put(makeSubscriber(1));

        // Act
        const changed = await repo.setStatus('s_001', 'unsubscribed');

        // Assess
        expect(changed).toBe(true);
        const stored = await repo.get('s_001');
        expect(stored?.status).toBe('unsubscribed');
        expect(stored?.updatedAt).not.toBe(makeSubscriber(1).updatedAt);
      });

      it('changes nothing for an unknown subscriber, the same status, or a status in unlessIn', async ({ subject: { repo } }) => {
        // Prepare
        await repo.put(makeSubscriber(1, { status: 'complained' }));

        // Act
        const unknown = await repo.setStatus('s_unknown', 'bounced');
        const same = await repo.setStatus('s_001', 'complained');
        const suppressed = await repo.setStatus('s_001', 'confirmed', { unlessIn: ['bounced', 'complained'] });

        // Assess
        expect([unknown, same, suppressed]).toEqual([false, false, false]);
        expect(await repo.get('s_001')).toStrictEqual(makeSubscriber(1, { status: 'complained' }));
        expect(await repo.get('s_unknown')).toBeUndefined();
      });

      it('moves the subscriber out of the segment of its old status', async ({ subject: { repo } }) => {
        // Prepare
        await repo.put(makeSubscriber(1));
        await repo.put(makeSubscriber(2));

        // Act
        await repo.setStatus('s_001', 'unsubscribed');

        // Assess
        expect((await collect((c) => repo.pageSegment(DAILY, withCursor(10, c)))).ids).toEqual(['s_002']);
      });
    });

    describe('Method: update', () => {
      it('gives mutate the current subscriber and stores and returns what it answers', async ({ subject: { repo } }) => {
        // Prepare
        await repo.put(makeSubscriber(1));
        let seen: Subscriber | undefined;

        // Act
        const result = await repo.update('s_001', (current) => {
          seen = current;
          return current ? { ...current, keywords: ['energy'] } : undefined;
        });

        // Assess
        expect(seen).toStrictEqual(makeSubscriber(1));
        expect(result).toStrictEqual(makeSubscriber(1, { keywords: ['energy'] }));
        expect(await repo.get('s_001')).toStrictEqual(makeSubscriber(1, { keywords: ['energy'] }));
      });

      it('creates a subscriber that does not exist when mutate answers one', async ({ subject: { repo } }) => {
        // Act
        const result = await repo.update('s_001', (current) => current ?? makeSubscriber(1, { status: 'pending' }));

        // Assess
        expect(result).toStrictEqual(makeSubscriber(1, { status: 'pending' }));
        expect(await repo.get('s_001')).toStrictEqual(makeSubscriber(1, { status: 'pending' }));
      });

      it('writes nothing when mutate answers undefined, and returns what is stored', async ({ subject: { repo } }) => {
        // Prepare
        await repo.put(makeSubscriber(1));

        // Act
        const kept = await repo.update('s_001', () => undefined);
        const absent = await repo.update('s_002', () => undefined);

        // Assess
        expect(kept).toStrictEqual(makeSubscriber(1));
        expect(absent).toBeUndefined();
        expect(await repo.get('s_002')).toBeUndefined();
      });

      it('refuses to change the id of a subscriber', async ({ subject: { repo } }) => {
        // Prepare
        await repo.put(makeSubscriber(1));

        // Act
        const act = repo.update('s_001', (current) => (current ? { ...current, id: 's_002' } : undefined));

        // Assess
        await expect(act).rejects.toMatchObject({ name: 'ValidationError' });
        expect(await repo.get('s_002')).toBeUndefined();
        expect(await repo.get('s_001')).toStrictEqual(makeSubscriber(1));
      });

      it('loses no change when updates of one subscriber run at the same time', async ({ subject: { repo } }) => {
        // Prepare
        await repo.put(makeSubscriber(1));
        const words = ['a', 'b', 'c', 'd', 'e'];

        // Act
        await Promise.all(words.map((w) => repo.update('s_001', (current) => (current ? { ...current, keywords: [...current.keywords, w] } : undefined))));

        // Assess
        expect([...((await repo.get('s_001'))?.keywords ?? [])].sort()).toEqual(words);
      });
    });

    describe('Method: pageSegment', () => {
      it('pages through the confirmed subscribers of a newsletter, in id order, each once', async ({ subject: { repo } }) => {
        // Prepare
        for (const n of [7, 3, 5, 1, 6, 2]) await repo.put(makeSubscriber(n));
        await repo.put(makeSubscriber(4, { newsletter: 'weekly' }));
        await repo.put(makeSubscriber(8, { status: 'pending' }));
        await repo.put(makeSubscriber(9, { status: 'bounced' }));

        // Act
        const daily = await collect((c) => repo.pageSegment(DAILY, withCursor(2, c)));
        const weekly = await collect((c) => repo.pageSegment({ kind: 'newsletter', newsletter: 'weekly' }, withCursor(2, c)));

        // Assess
        expect(daily.ids).toEqual(['s_001', 's_002', 's_003', 's_005', 's_006', 's_007']);
        expect(daily.sizes.every((n) => n <= 2)).toBe(true);
        expect(weekly.ids).toEqual(['s_004']);
      });

      it('pages through the confirmed subscribers of an alerts cadence', async ({ subject: { repo } }) => {
        // Prepare
        await repo.put(makeSubscriber(1, { alerts: 'hourly' }));
        await repo.put(makeSubscriber(2, { alerts: 'instant' }));
        await repo.put(makeSubscriber(3, { alerts: 'hourly', status: 'unsubscribed' }));
        await repo.put(makeSubscriber(4, { alerts: 'hourly', newsletter: 'none' }));

        // Act
        const hourly = await collect((c) => repo.pageSegment({ kind: 'alerts', cadence: 'hourly' }, withCursor(1, c)));

        // Assess
        expect(hourly.ids).toEqual(['s_001', 's_004']);
      });

      it('skips nobody when subscribers of the pages already read leave the segment', async ({ subject: { repo } }) => {
        // Prepare
        for (let n = 1; n <= 6; n++) await repo.put(makeSubscriber(n));
        const first = await repo.pageSegment(DAILY, { limit: 2 });
        for (const s of first.subscribers) await repo.setStatus(s.id, 'unsubscribed');

        // Act
        const rest = await collect((c) => repo.pageSegment(DAILY, withCursor(2, c ?? first.cursor)));

        // Assess
        expect(first.subscribers.map((s) => s.id)).toEqual(['s_001', 's_002']);
        expect(rest.ids).toEqual(['s_003', 's_004', 's_005', 's_006']);
      });

      it('refuses a cursor it did not make and a limit below 1', async ({ subject: { repo } }) => {
        // Act & Assess
        await expect(repo.pageSegment(DAILY, { limit: 10, cursor: 'not-a-cursor!' })).rejects.toMatchObject({ name: 'ValidationError' });
        await expect(repo.pageSegment(DAILY, { limit: 0 })).rejects.toMatchObject({ name: 'ValidationError' });
        await expect(repo.pageAll({ limit: 1.5 })).rejects.toMatchObject({ name: 'ValidationError' });
      });
    });

    describe('Method: countSegment', () => {
      it('counts the confirmed subscribers of a segment, and follows status changes', async ({ subject: { repo } }) => {
        // Prepare
        for (const n of [1, 2, 3, 5]) await repo.put(makeSubscriber(n));
        await repo.put(makeSubscriber(4, { newsletter: 'weekly', alerts: 'hourly' }));
        await repo.put(makeSubscriber(6, { status: 'pending' }));
        await repo.put(makeSubscriber(7, { status: 'complained' }));

        // Act
        const before = await repo.countSegment(DAILY);
        await repo.setStatus('s_002', 'unsubscribed');
        const after = await repo.countSegment(DAILY);

        // Assess
        expect([before, after]).toEqual([4, 3]);
        expect(await repo.countSegment({ kind: 'newsletter', newsletter: 'weekly' })).toBe(1);
        expect(await repo.countSegment({ kind: 'alerts', cadence: 'hourly' })).toBe(1);
        expect(await repo.countSegment({ kind: 'alerts', cadence: 'instant' })).toBe(0);
      });
    });

    describe('Method: pageAll', () => {
      it('pages through every subscriber of any status, each once, and nothing else the store keeps', async ({ subject: { repo, once } }) => {
        // Prepare
        for (let n = 1; n <= 5; n++) await repo.put(makeSubscriber(n, n % 2 === 0 ? { status: 'unsubscribed' } : {}));
        await once.claim('confirm#n1', START_S + 60);

        // Act
        const all = await collect((c) => repo.pageAll(withCursor(2, c)));

        // Assess
        expect([...all.ids].sort()).toEqual(['s_001', 's_002', 's_003', 's_004', 's_005']);
        expect(all.sizes.every((n) => n <= 2)).toBe(true);
      });
    });
  });

  describe(`Contract: OnceStore (${name})`, () => {
    describe('Method: claim', () => {
      it('grants a key once', async ({ subject: { once } }) => {
        // Act
        const first = await once.claim('confirm#n1', START_S + 60);
        const second = await once.claim('confirm#n1', START_S + 60);
        const other = await once.claim('confirm#n2', START_S + 60);

        // Assess
        expect([first, second, other]).toEqual([true, false, true]);
      });

      it('grants a key again once its claim has expired, not before', async ({ subject: { once, clock } }) => {
        // Prepare
        await once.claim('feedback#f1', START_S + 60);

        // Act
        clock.now = START_S + 60;
        const atExpiry = await once.claim('feedback#f1', START_S + 120);
        clock.now = START_S + 61;
        const after = await once.claim('feedback#f1', START_S + 120);
        const again = await once.claim('feedback#f1', START_S + 180);

        // Assess
        expect([atExpiry, after, again]).toEqual([false, true, false]);
      });
    });

    describe('Method: release', () => {
      it('gives a claim up so that the key may be claimed again, and accepts a key never claimed', async ({ subject: { once } }) => {
        // Prepare
        await once.claim('confirm#n1', START_S + 60);

        // Act
        await once.release('confirm#n1');
        await once.release('confirm#never');

        // Assess
        expect(await once.claim('confirm#n1', START_S + 60)).toBe(true);
      });
    });
  });
}
