import { describe, expect, it } from 'vitest';
import { DeliveryAdmin } from '../../../functions/core/delivery/delivery-admin.ts';
import { DeliveryState } from '../../../functions/core/delivery/types.ts';
import { EditionState } from '../../../functions/core/editions/types.ts';
import { NotFoundError } from '../../../functions/core/errors.ts';
import { makeEditionRecord } from '../../kit/fixtures/index.ts';
import { InMemoryDeliveryLedger, InMemoryEditionRepository, RecordingSendQueue } from '../../kit/memory/index.ts';

const EDITION = 'daily-2026-11-28';
const NOW = Date.parse('2026-11-28T07:00:00.000Z');

function setup(edition = makeEditionRecord({ id: EDITION, total: 6, fanoutDone: true })) {
  const ledger = new InMemoryDeliveryLedger({ latencyMs: 0 });
  const editions = new InMemoryEditionRepository({ latencyMs: 0 });
  editions.seed(edition);
  const queue = new RecordingSendQueue({ latencyMs: 0 });
  const admin = new DeliveryAdmin({ ledger, editions, queue, now: () => NOW });
  const seed = (subscriberId: string, state: DeliveryState, extra: { leaseUntil?: number; attempts?: number } = {}) =>
    ledger.seed({ editionId: EDITION, subscriberId, state, ...extra });
  return { ledger, editions, queue, admin, seed };
}

describe('Class: DeliveryAdmin', () => {
  describe('Method: status', () => {
    it('counts the ledger by state, pending being what no worker has finished', async () => {
      // Prepare
      const t = setup();
      t.seed('a', DeliveryState.SENT);
      t.seed('b', DeliveryState.SENT);
      t.seed('c', DeliveryState.FAILED);
      t.seed('d', DeliveryState.SKIPPED);
      t.seed('e', DeliveryState.SENDING, { leaseUntil: NOW + 1000 });

      // Act
      const status = await t.admin.status(EDITION);

      // Assess
      expect(status).toMatchObject({ edition: EDITION, state: EditionState.SENDING, total: 6, pending: 1, sending: 1, sent: 2, failed: 1, skipped: 1 });
    });

    it('says so when the edition does not exist', async () => {
      const t = setup();
      await expect(t.admin.status('daily-1999-01-01')).rejects.toBeInstanceOf(NotFoundError);
    });
  });

  describe('Method: resendFailed', () => {
    it('re-queues only the failed entries, marked retryFailed, and reopens the edition', async () => {
      // Prepare
      const t = setup(makeEditionRecord({ id: EDITION, total: 3, sent: 2, failed: 1, fanoutDone: true, state: EditionState.SENT }));
      t.seed('a', DeliveryState.SENT);
      t.seed('b', DeliveryState.SENT);
      t.seed('c', DeliveryState.FAILED);

      // Act
      const n = await t.admin.resendFailed(EDITION);

      // Assess
      expect(n).toBe(1);
      expect(t.queue.sent.map((s) => s.task)).toEqual([{ editionId: EDITION, subscriberId: 'c', retryFailed: true }]);
      expect(await t.editions.get(EDITION)).toMatchObject({ state: EditionState.SENDING, failed: 0, sent: 2 });
    });
  });

  describe('Method: requeueExpiredLeases', () => {
    it('re-queues entries whose lease expired and leaves live leases alone', async () => {
      // Prepare
      const t = setup();
      t.seed('dead', DeliveryState.SENDING, { leaseUntil: NOW - 1 });
      t.seed('live', DeliveryState.SENDING, { leaseUntil: NOW + 60_000 });
      t.seed('done', DeliveryState.SENT);

      // Act
      const result = await t.admin.requeueExpiredLeases(EDITION);

      // Assess
      expect(result).toEqual({ requeued: 1, abandoned: 0 });
      expect(t.queue.sent.map((s) => s.task)).toEqual([{ editionId: EDITION, subscriberId: 'dead' }]);
    });

    it('marks an entry failed after too many attempts instead of re-queuing it for ever', async () => {
      // Prepare
      const t = setup();
      t.seed('poison', DeliveryState.SENDING, { leaseUntil: NOW - 1, attempts: 3 });

      // Act
      const result = await t.admin.requeueExpiredLeases(EDITION, { maxAttempts: 3 });

      // Assess
      expect(result).toEqual({ requeued: 0, abandoned: 1 });
      expect(t.queue.sent).toHaveLength(0);
      expect(await t.ledger.get({ editionId: EDITION, subscriberId: 'poison' })).toMatchObject({ state: DeliveryState.FAILED, reason: 'gave up after 3 attempts whose workers died mid-send' });
    });

    it('re-queues, rather than gives up on, an entry with a Send event however often it was tried', async () => {
      // Prepare: SES accepted a message for it; the worker that takes it will mark it sent
      const t = setup();
      t.ledger.seed({ editionId: EDITION, subscriberId: 'accepted', state: DeliveryState.SENDING, leaseUntil: NOW - 1, attempts: 3, sendEvent: { messageId: 'ses-1', at: 'x' } });

      // Act
      const result = await t.admin.requeueExpiredLeases(EDITION, { maxAttempts: 3 });

      // Assess
      expect(result).toEqual({ requeued: 1, abandoned: 0 });
      expect(t.ledger.stateOf({ editionId: EDITION, subscriberId: 'accepted' })).toBe(DeliveryState.SENDING);
    });
  });
});
