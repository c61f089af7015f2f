import { describe, expect, it } from 'vitest';
import { FANOUT_HELD_REASON, FanOutService, isComplete, segmentFor } from '../../../functions/core/delivery/fan-out-service.ts';
import { EditionState } from '../../../functions/core/editions/types.ts';
import { makeEditionRecord, makeSubscriber } from '../../kit/fixtures/index.ts';
import { FixedQuota, InMemoryEditionRepository, InMemorySubscriberRepository, MemoryLogger, RecordingSendQueue } from '../../kit/memory/index.ts';

const EDITION = 'daily-2026-11-28';

function setup(n: number, options: { pageSize?: number; quota?: FixedQuota; shouldYield?: () => boolean } = {}) {
  const subscribers = new InMemorySubscriberRepository();
  for (let i = 1; i <= n; i++) subscribers.seed(makeSubscriber(i));
  const editions = new InMemoryEditionRepository({ latencyMs: 0 });
  editions.seed(makeEditionRecord({ id: EDITION }));
  const queue = new RecordingSendQueue({ latencyMs: 0 });
  const logger = new MemoryLogger();
  const fanOut = new FanOutService({
    subscribers, editions, queue, logger, pageSize: options.pageSize ?? 4,
    ...(options.quota ? { quota: options.quota } : {}),
    ...(options.shouldYield ? { shouldYield: options.shouldYield } : {}),
  });
  const edition = async () => {
    const e = await editions.get(EDITION);
    if (!e) throw new Error('edition vanished');
    return e;
  };
  return { subscribers, editions, queue, logger, fanOut, edition };
}

describe('Class: FanOutService', () => {
  describe('Method: fanOut', () => {
    it('pages through the segment, enqueues one task per confirmed subscriber and records the total', async () => {
      // Prepare
      const t = setup(10);
      await t.subscribers.setStatus('s_004', 'unsubscribed');
      t.subscribers.seed(makeSubscriber(99, { newsletter: 'weekly' }));

      // Act
      const result = await t.fanOut.fanOut(await t.edition());

      // Assess
      expect(t.queue.subscriberIds()).toEqual(['s_001', 's_002', 's_003', 's_005', 's_006', 's_007', 's_008', 's_009', 's_010']);
      expect(result).toMatchObject({ total: 9, pages: 3, fanoutDone: true });
      expect(await t.edition()).toMatchObject({ total: 9, pages: 3, fanoutDone: true });
      expect((await t.edition()).cursor).toBeUndefined();
    });

    it('stops before the next page once the edition is cancelled', async () => {
      // Prepare: an editor cancels while the second page is being enqueued
      const t = setup(10);
      const enqueue = t.queue.enqueue.bind(t.queue);
      let pages = 0;
      t.queue.enqueue = async (...args) => {
        pages += 1;
        if (pages === 2) await t.editions.update(EDITION, { state: EditionState.CANCELLED });
        return enqueue(...args);
      };

      // Act
      const result = await t.fanOut.fanOut(await t.edition());

      // Assess: two pages were in; none after the cancel
      expect(t.queue.subscriberIds()).toHaveLength(8);
      expect(result).toMatchObject({ state: EditionState.CANCELLED, total: 8, pages: 2, fanoutDone: false });
    });

    it('resumes after a crash between enqueuing a page and moving the cursor without skipping or double-counting', async () => {
      // Prepare: the second page is enqueued, then the process dies before the cursor moves
      const t = setup(10);
      let advances = 0;
      const advance = t.editions.advanceCursor.bind(t.editions);
      t.editions.advanceCursor = async (...args) => {
        advances += 1;
        if (advances === 2) throw new Error('killed');
        return advance(...args);
      };
      await expect(t.fanOut.fanOut(await t.edition())).rejects.toThrow('killed');

      // Act
      await t.fanOut.fanOut(await t.edition());

      // Assess
      const ids = t.queue.subscriberIds();
      expect(new Set(ids).size).toBe(10); // nobody skipped
      expect(ids.filter((id) => id === 's_005')).toHaveLength(2); // the page was enqueued again: harmless
      expect(await t.edition()).toMatchObject({ total: 10, pages: 3, fanoutDone: true });
    });

    it('reads the next page while the current one is enqueued, and moves the cursor only after each enqueue', async () => {
      // Prepare
      const t = setup(10);
      const events: string[] = [];
      const pageSegment = t.subscribers.pageSegment.bind(t.subscribers);
      t.subscribers.pageSegment = async (segment, options) => {
        events.push(`read ${options.cursor ?? 'start'}`);
        return pageSegment(segment, options);
      };
      const enqueue = t.queue.enqueue.bind(t.queue);
      t.queue.enqueue = async (tasks, options) => {
        events.push(`enqueue ${tasks[0]?.subscriberId ?? ''} (cursor ${(await t.edition()).cursor ?? 'none'})`);
        await new Promise((resolve) => setImmediate(resolve));
        return enqueue(tasks, options);
      };

      // Act
      await t.fanOut.fanOut(await t.edition());

      // Assess
      const reads = events.filter((e) => e.startsWith('read'));
      expect(reads).toHaveLength(3);
      // The second page was asked for before the first page's enqueue.
      expect(events.indexOf(reads[1] as string)).toBeLessThan(events.findIndex((e) => e.startsWith('enqueue s_001')));
      // Each page was enqueued while the cursor still pointed at it (moved only afterwards).
      expect(events.filter((e) => e.startsWith('enqueue'))).toEqual(['enqueue s_001 (cursor none)', `enqueue s_005 (cursor ${reads[1]?.slice(5)})`, `enqueue s_009 (cursor ${reads[2]?.slice(5)})`]);
      expect(t.queue.subscriberIds()).toHaveLength(10);
    });

    it('does not move the cursor when a page could not be enqueued', async () => {
      // Prepare
      const t = setup(6);
      t.queue.failNext('enqueue', new Error('SQS is down'));

      // Act
      await expect(t.fanOut.fanOut(await t.edition())).rejects.toThrow('SQS is down');

      // Assess
      expect(await t.edition()).toMatchObject({ total: 0, pages: 0, fanoutDone: false });
      expect((await t.edition()).cursor).toBeUndefined();
    });

    it('yields before its deadline and carries on from the cursor next time', async () => {
      // Prepare: yield after the first page
      let calls = 0;
      const t = setup(10, { shouldYield: () => ++calls === 2 });

      // Act
      const first = await t.fanOut.fanOut(await t.edition());
      const second = await t.fanOut.fanOut(await t.edition());

      // Assess
      expect(first).toMatchObject({ total: 4, fanoutDone: false });
      expect(second).toMatchObject({ total: 10, fanoutDone: true });
      expect(t.queue.subscriberIds()).toHaveLength(10);
    });

    it('holds while the daily quota is exhausted and resumes when it frees', async () => {
      // Prepare
      const quota = new FixedQuota(0);
      const t = setup(6, { quota });

      // Act
      const held = await t.fanOut.fanOut(await t.edition());
      quota.left = 1_000;
      const resumed = await t.fanOut.fanOut(await t.edition());

      // Assess
      expect(held).toMatchObject({ state: EditionState.SENDING, fanoutDone: false, total: 0, reason: FANOUT_HELD_REASON });
      expect(resumed).toMatchObject({ fanoutDone: true, total: 6 });
      expect(resumed.reason).toBeUndefined();
      expect((await t.edition()).reason).toBeUndefined();
      expect(t.queue.subscriberIds()).toHaveLength(6);
    });

    it('counts each page once when two fan-outs of one edition run at the same time', async () => {
      // Prepare
      const t = setup(12);
      const start = await t.edition();

      // Act
      await Promise.all([t.fanOut.fanOut(start), t.fanOut.fanOut(start)]);

      // Assess
      expect(await t.edition()).toMatchObject({ total: 12, pages: 3, fanoutDone: true });
      expect(new Set(t.queue.subscriberIds()).size).toBe(12);
    });

    it('closes the edition when the workers finished before the fan-out said it was done', async () => {
      // Prepare: the workers count all 3 while the fan-out is on its last write
      const t = setup(3);
      const advance = t.editions.advanceCursor.bind(t.editions);
      t.editions.advanceCursor = async (...args) => {
        const moved = await advance(...args);
        await t.editions.addCounts(EDITION, { sent: 3 });
        return moved;
      };

      // Act
      const result = await t.fanOut.fanOut(await t.edition());

      // Assess
      expect(result.state).toBe(EditionState.SENT);
      expect((await t.edition()).state).toBe(EditionState.SENT);
    });
  });

  describe('Function: segmentFor', () => {
    it('maps each job to its segment', () => {
      expect(segmentFor('daily')).toEqual({ kind: 'newsletter', newsletter: 'daily' });
      expect(segmentFor('weekly')).toEqual({ kind: 'newsletter', newsletter: 'weekly' });
      expect(segmentFor('alerts')).toEqual({ kind: 'alerts', cadence: 'hourly' });
    });
  });

  describe('Function: isComplete', () => {
    it('is true only once the fan-out is done and every task is final', () => {
      expect(isComplete(makeEditionRecord({ total: 3, sent: 3, fanoutDone: false }))).toBe(false);
      expect(isComplete(makeEditionRecord({ total: 3, sent: 2, fanoutDone: true }))).toBe(false);
      expect(isComplete(makeEditionRecord({ total: 3, sent: 1, failed: 1, skipped: 1, fanoutDone: true }))).toBe(true);
    });
  });
});
