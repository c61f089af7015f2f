import { describe, expect, it } from 'vitest';
import { DeliveryAdmin } from '../../../functions/core/delivery/delivery-admin.ts';
import { FANOUT_HELD_REASON, FanOutService } from '../../../functions/core/delivery/fan-out-service.ts';
import { DeliveryRecovery } from '../../../functions/core/delivery/recovery.ts';
import { DeliveryState } from '../../../functions/core/delivery/types.ts';
import type { EditionRecord, EditionStartRequest, EditionStarter } from '../../../functions/core/editions/ports.ts';
import { EditionState } from '../../../functions/core/editions/types.ts';
import { makeEditionRecord, makeSubscriber } from '../../kit/fixtures/index.ts';
import { FixedQuota, InMemoryDeliveryLedger, InMemoryEditionRepository, InMemorySubscriberRepository, MemoryLogger, RecordingSendQueue } from '../../kit/memory/index.ts';

const EDITION = 'daily-2026-11-28';
const SETTLE_MS = 120_000;

function setup(editions: EditionRecord[], options: { now?: number; subscribers?: number; quota?: FixedQuota; starter?: EditionStarter } = {}) {
  let now = options.now ?? Date.now();
  const ledger = new InMemoryDeliveryLedger({ latencyMs: 0 });
  const repo = new InMemoryEditionRepository({ latencyMs: 0 });
  repo.seed(...editions);
  const queue = new RecordingSendQueue({ latencyMs: 0 });
  const subscribers = new InMemorySubscriberRepository();
  for (let i = 1; i <= (options.subscribers ?? 0); i++) subscribers.seed(makeSubscriber(i));
  const logger = new MemoryLogger();
  const admin = new DeliveryAdmin({ ledger, editions: repo, queue, now: () => now });
  const fanOut = new FanOutService({ subscribers, editions: repo, queue, logger, ...(options.quota ? { quota: options.quota } : {}) });
  const recovery = new DeliveryRecovery({
    editions: repo, ledger, admin, fanOut, logger, settleMs: SETTLE_MS, staleFanOutMs: 60_000, now: () => now,
    ...(options.quota ? { quota: options.quota } : {}),
    ...(options.starter ? { starter: options.starter, staleBuildMs: 600_000 } : {}),
  });
  return {
    ledger, repo, queue, recovery, logger,
    advance: (ms: number) => {
      now += ms;
    },
    /** Ledger entries written `agoMs` before now. */
    seed: (subscriberId: string, state: DeliveryState, agoMs: number, extra: { leaseUntil?: number } = {}) =>
      ledger.seed({ editionId: EDITION, subscriberId, state, updatedAt: new Date(now - agoMs).toISOString(), ...extra }),
    now: () => now,
  };
}

describe('Class: DeliveryRecovery', () => {
  describe('Method: run', () => {
    it('re-queues the expired leases of editions that are still sending, and only theirs', async () => {
      // Prepare
      const t = setup([
        makeEditionRecord({ id: EDITION, total: 2, fanoutDone: true }),
        makeEditionRecord({ id: 'daily-2026-11-27', scheduledAt: '2026-11-27T06:00:00.000Z', state: EditionState.SENT, total: 1, sent: 1, fanoutDone: true }),
      ]);
      t.seed('a', DeliveryState.SENDING, 200_000, { leaseUntil: t.now() - 1 });
      t.seed('b', DeliveryState.SENT, 200_000);
      t.ledger.seed({ editionId: 'daily-2026-11-27', subscriberId: 'x', state: DeliveryState.SENDING, leaseUntil: t.now() - 1 });

      // Act
      const report = await t.recovery.run();

      // Assess
      expect(report).toEqual([expect.objectContaining({ edition: EDITION, requeued: 1, closed: false })]);
      expect(t.queue.sent.map((s) => s.task)).toEqual([{ editionId: EDITION, subscriberId: 'a' }]);
    });

    it('starts the edition function again for an edition stuck in building, once per period, and leaves a recent build alone', async () => {
      // Prepare
      const now = Date.now();
      const started: EditionStartRequest[] = [];
      const starter: EditionStarter = { start: async (request) => void started.push(request) };
      const t = setup(
        [
          makeEditionRecord({ id: EDITION, state: EditionState.BUILDING, updatedAt: new Date(now - 700_000).toISOString() }),
          makeEditionRecord({ id: 'weekly-2026-W48', job: 'weekly', state: EditionState.BUILDING, updatedAt: new Date(now - 60_000).toISOString() }),
        ],
        { now, starter },
      );

      // Act
      const first = await t.recovery.run();
      const second = await t.recovery.run();

      // Assess
      expect(first).toEqual([expect.objectContaining({ edition: EDITION, restarted: true })]);
      expect(second).toEqual([]);
      expect(started).toEqual([{ job: 'daily', editionId: EDITION, scheduledAt: '2026-11-28T06:00:00.000Z' }]);
      expect((await t.repo.get(EDITION))?.reason).toMatch(/^build restarted by the reconciler at /);
    });

    it('leaves a stuck build alone when it has no way to start the edition function', async () => {
      // Prepare
      const t = setup([makeEditionRecord({ id: EDITION, state: EditionState.BUILDING, updatedAt: '2026-11-28T06:00:00.000Z' })]);

      // Act
      const report = await t.recovery.run();

      // Assess
      expect(report).toEqual([]);
      expect((await t.repo.get(EDITION))?.state).toBe(EditionState.BUILDING);
    });

    it('re-queues the expired leases of a cancelled edition, so that its workers record them as cancelled', async () => {
      // Prepare
      const t = setup([makeEditionRecord({ id: EDITION, state: EditionState.CANCELLED, total: 3, fanoutDone: true })]);
      t.seed('a', DeliveryState.SENDING, 200_000, { leaseUntil: t.now() - 1 });
      t.seed('b', DeliveryState.SENDING, 1_000, { leaseUntil: t.now() + 60_000 });
      t.seed('c', DeliveryState.CANCELLED, 200_000);

      // Act
      const report = await t.recovery.run();

      // Assess
      expect(report).toEqual([expect.objectContaining({ edition: EDITION, requeued: 1, closed: false })]);
      expect(t.queue.sent.map((s) => s.task)).toEqual([{ editionId: EDITION, subscriberId: 'a' }]);
      expect((await t.repo.get(EDITION))?.state).toBe(EditionState.CANCELLED);
    });

    it('resumes a fan-out nobody moved for a while, and leaves a busy one alone', async () => {
      // Prepare
      const now = Date.parse('2026-11-28T07:00:00.000Z');
      const t = setup(
        [
          makeEditionRecord({ id: EDITION, updatedAt: new Date(now - 120_000).toISOString() }),
          makeEditionRecord({ id: 'weekly-2026-W48', job: 'weekly', updatedAt: new Date(now - 1_000).toISOString() }),
        ],
        { now, subscribers: 3 },
      );

      // Act
      const report = await t.recovery.run();

      // Assess
      expect(report.find((r) => r.edition === EDITION)).toMatchObject({ resumed: true, fanoutDone: true });
      expect(report.find((r) => r.edition === 'weekly-2026-W48')).toMatchObject({ resumed: false, fanoutDone: false });
      expect(await t.repo.get(EDITION)).toMatchObject({ total: 3, fanoutDone: true });
    });

    it('sets drifted counters from the ledger once it settled, and closes the edition', async () => {
      // Prepare: a worker died after its ledger writes, before adding its counts
      const t = setup([makeEditionRecord({ id: EDITION, total: 3, sent: 1, fanoutDone: true })]);
      t.seed('a', DeliveryState.SENT, SETTLE_MS + 1);
      t.seed('b', DeliveryState.SENT, SETTLE_MS + 1);
      t.seed('c', DeliveryState.SKIPPED, SETTLE_MS + 1);

      // Act
      const [result] = await t.recovery.run();

      // Assess
      expect(result).toMatchObject({ recounted: true, closed: true });
      expect(await t.repo.get(EDITION)).toMatchObject({ state: EditionState.SENT, sent: 2, skipped: 1, failed: 0 });
    });

    it('waits for the ledger to settle before it overwrites the counters', async () => {
      // Prepare: the last ledger write is recent: its worker may still add its counts
      const t = setup([makeEditionRecord({ id: EDITION, total: 2, sent: 1, fanoutDone: true })]);
      t.seed('a', DeliveryState.SENT, SETTLE_MS + 1);
      t.seed('b', DeliveryState.SENT, 1_000);

      // Act
      const [early] = await t.recovery.run();
      t.advance(SETTLE_MS);
      const [later] = await t.recovery.run();

      // Assess
      expect(early).toMatchObject({ recounted: false, closed: false });
      expect(later).toMatchObject({ recounted: true, closed: true });
    });

    it('neither recounts nor closes while recipients are still being sent', async () => {
      // Prepare
      const t = setup([makeEditionRecord({ id: EDITION, total: 2, sent: 0, fanoutDone: true })]);
      t.seed('a', DeliveryState.SENT, SETTLE_MS + 1);
      t.seed('b', DeliveryState.SENDING, SETTLE_MS + 1, { leaseUntil: t.now() + 60_000 });

      // Act
      const [result] = await t.recovery.run();

      // Assess
      expect(result).toMatchObject({ recounted: false, closed: false });
      expect(await t.repo.get(EDITION)).toMatchObject({ state: EditionState.SENDING, sent: 0 });
    });

    it('closes a finished edition whose counters are right but whose close was missed', async () => {
      // Prepare
      const t = setup([makeEditionRecord({ id: EDITION, total: 1, sent: 1, fanoutDone: true })]);
      t.seed('a', DeliveryState.SENT, 1);

      // Act
      const [result] = await t.recovery.run();

      // Assess
      expect(result).toMatchObject({ recounted: false, closed: true });
    });

    it('resumes a quota-held fan-out once the quota is back', async () => {
      // Prepare (the repository stamps updates with the real clock)
      const now = Date.now();
      const quota = new FixedQuota(0);
      const t = setup([makeEditionRecord({ id: EDITION, updatedAt: new Date(now - 120_000).toISOString() })], { now, subscribers: 2, quota });
      const [held] = await t.recovery.run();
      quota.left = 100;
      t.advance(120_000);

      // Act
      const [resumed] = await t.recovery.run();

      // Assess
      expect(held).toMatchObject({ resumed: true, fanoutDone: false });
      expect(resumed).toMatchObject({ resumed: true, fanoutDone: true });
      const edition = await t.repo.get(EDITION);
      expect(edition).toMatchObject({ total: 2, fanoutDone: true });
      expect(edition?.reason).toBeUndefined();
      expect(t.logger.lines.some((l) => l.message === 'fan-out held: daily quota exhausted')).toBe(true);
      expect(FANOUT_HELD_REASON).toMatch(/^daily sending quota exhausted/);
    });

    it('carries on with the other editions when one fails', async () => {
      // Prepare
      const t = setup([
        makeEditionRecord({ id: EDITION, total: 1, sent: 1, fanoutDone: true }),
        makeEditionRecord({ id: 'weekly-2026-W48', job: 'weekly', total: 1, sent: 1, fanoutDone: true }),
      ]);
      const count = t.ledger.countByState.bind(t.ledger);
      t.ledger.countByState = async (id) => {
        if (id === EDITION) throw new Error('boom');
        return count(id);
      };
      t.ledger.seed({ editionId: 'weekly-2026-W48', subscriberId: 'a', state: DeliveryState.SENT });

      // Act
      const report = await t.recovery.run();

      // Assess
      expect(report).toEqual([expect.objectContaining({ edition: 'weekly-2026-W48', closed: true })]);
      expect(t.logger.lines.some((l) => l.level === 'error' && l.message === 'edition recovery failed')).toBe(true);
    });
  });
});
