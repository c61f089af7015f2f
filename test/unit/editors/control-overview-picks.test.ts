import { describe, expect, it } from 'vitest';
import { DeliveryState } from '../../../functions/core/delivery/types.ts';
import { STALLED_AFTER_MS } from '../../../functions/core/editors/edition-overview.ts';
import { parsePicksChange } from '../../../functions/core/editors/picks-editor.ts';
import { EditionState } from '../../../functions/core/editions/types.ts';
import { makeEditionRecord } from '../../kit/fixtures/index.ts';
import { ANN, setup, START } from './setup.ts';

const ID = 'daily-2026-11-28';

describe('Class: EditionControl', () => {
  describe('Method: cancel', () => {
    it('cancels a sending edition with a conditional write and answers only after the state period and the margin', async () => {
      // Prepare
      const t = await setup();
      t.editions.seed(makeEditionRecord({ id: ID, total: 3, sent: 1 }));

      // Act
      const result = await t.control.cancel(ID, ANN);
      const again = await t.control.cancel(ID, ANN);

      // Assess
      expect(result).toMatchObject({ edition: ID, state: 'cancelled', already: false });
      expect(again.already).toBe(true);
      expect(t.sleeps).toEqual([3000, 3000]); // 1 s state period + 2 s margin, each time
      expect(await t.editions.get(ID)).toMatchObject({ state: EditionState.CANCELLED, reason: expect.stringMatching(/^cancelled by ann at /) });
      expect(t.audit.records).toEqual([expect.objectContaining({ action: 'edition.cancelled', edition: ID, counts: { recipients: 3, sent: 1 } })]);
    });

    it('refuses to cancel an edition that is being built or was sent', async () => {
      // Prepare
      const t = await setup();
      t.editions.seed(makeEditionRecord({ id: ID, state: EditionState.BUILDING }), makeEditionRecord({ id: 'daily-2026-11-27', state: EditionState.SENT }));

      // Act & Assess
      await expect(t.control.cancel(ID, ANN)).rejects.toMatchObject({ statusCode: 409, message: `edition ${ID} is being built: cancel it once it is sending` });
      await expect(t.control.cancel('daily-2026-11-27', ANN)).rejects.toMatchObject({ statusCode: 409 });
      await expect(t.control.cancel('daily-1999-01-01', ANN)).rejects.toMatchObject({ statusCode: 404 });
      expect(t.sleeps).toEqual([]);
    });
  });

  describe('Method: resendFailed', () => {
    it('re-queues the failed recipients only, and refuses a cancelled edition', async () => {
      // Prepare
      const t = await setup();
      t.editions.seed(makeEditionRecord({ id: ID, state: EditionState.SENT, total: 2, sent: 1, failed: 1, fanoutDone: true }), makeEditionRecord({ id: 'daily-2026-11-27', state: EditionState.CANCELLED }));
      t.ledger.seed({ editionId: ID, subscriberId: 'a', state: DeliveryState.FAILED });
      t.ledger.seed({ editionId: ID, subscriberId: 'b', state: DeliveryState.SENT });

      // Act
      const result = await t.control.resendFailed(ID, ANN);

      // Assess
      expect(result).toEqual({ edition: ID, requeued: 1 });
      expect(t.queue.sent.map((s) => s.task)).toEqual([{ editionId: ID, subscriberId: 'a', retryFailed: true }]);
      expect((await t.editions.get(ID))?.state).toBe(EditionState.SENDING);
      await expect(t.control.resendFailed('daily-2026-11-27', ANN)).rejects.toMatchObject({ statusCode: 409 });
    });
  });

  describe('Method: resume', () => {
    it('starts the edition function again for an edition stuck in building or with an unfinished fan-out, and refuses a held one', async () => {
      // Prepare
      const t = await setup();
      t.editions.seed(
        makeEditionRecord({ id: ID, state: EditionState.BUILDING }),
        makeEditionRecord({ id: 'daily-2026-11-27', scheduledAt: '2026-11-27T06:00:00.000Z', fanoutDone: false }),
        makeEditionRecord({ id: 'daily-2026-11-26', state: EditionState.HELD }),
      );
      t.ledger.seed({ editionId: 'daily-2026-11-27', subscriberId: 'a', state: DeliveryState.SENDING, leaseUntil: START - 1 });

      // Act
      const building = await t.control.resume(ID, ANN);
      const sending = await t.control.resume('daily-2026-11-27', ANN);

      // Assess
      expect(building).toEqual({ edition: ID, state: 'building', requeued: 0, restarted: true });
      expect(sending).toEqual({ edition: 'daily-2026-11-27', state: 'sending', requeued: 1, restarted: true });
      expect(t.started.map((s) => s.editionId)).toEqual([ID, 'daily-2026-11-27']);
      await expect(t.control.resume('daily-2026-11-26', ANN)).rejects.toMatchObject({ statusCode: 409, message: expect.stringMatching(/held: send it with send now/) });
    });
  });
});

describe('Class: EditionOverview', () => {
  describe('Method: list', () => {
    it('shows a sending edition\'s counts from the ledger with its rate and ETA, a finished one\'s from its counters', async () => {
      // Prepare
      const t = await setup();
      t.editions.seed(
        makeEditionRecord({ id: ID, total: 10, fanoutDone: true, createdAt: '2026-11-28T08:00:00.000Z', updatedAt: new Date(START - 60_000).toISOString(), sendingAt: new Date(START - 20_000).toISOString() }),
        makeEditionRecord({ id: 'daily-2026-11-27', state: EditionState.SENT, total: 2, sent: 2, fanoutDone: true, createdAt: '2026-11-27T06:00:00.000Z' }),
      );
      for (const [id, state] of [['a', 'sent'], ['b', 'sent'], ['c', 'sent'], ['d', 'failed'], ['e', 'sending']] as const) {
        t.ledger.seed({ editionId: ID, subscriberId: id, state, updatedAt: new Date(START - 1_000).toISOString() });
      }

      // Act
      const [sending, sent] = await t.overview.list();

      // Assess
      expect(sending).toMatchObject({
        id: ID, state: 'sending', countsFrom: 'ledger', stalled: false, rate: 0.2, etaSeconds: 30,
        counts: { pending: 5, sending: 1, sent: 3, failed: 1, skipped: 0, cancelled: 0 },
      });
      expect(sent).toMatchObject({ id: 'daily-2026-11-27', countsFrom: 'counters', stalled: false, counts: { pending: 0, sent: 2 } });
      expect(sent?.rate).toBeUndefined();
    });

    it('flags an edition that is sending with nothing moved for ten minutes', async () => {
      // Prepare
      const t = await setup();
      t.editions.seed(makeEditionRecord({ id: ID, total: 2, updatedAt: new Date(START - STALLED_AFTER_MS).toISOString() }));
      t.ledger.seed({ editionId: ID, subscriberId: 'a', state: DeliveryState.SENT, updatedAt: new Date(START - STALLED_AFTER_MS - 1).toISOString() });

      // Act
      const before = await t.overview.get(ID);
      t.ledger.seed({ editionId: ID, subscriberId: 'b', state: DeliveryState.SENT, updatedAt: new Date(START - 1_000).toISOString() });
      const after = await t.overview.get(ID);

      // Assess
      expect(before).toMatchObject({ stalled: true, lastMoveAt: new Date(START - STALLED_AFTER_MS).toISOString() });
      expect(after.stalled).toBe(false);
    });
  });
});

describe('Class: PicksEditor', () => {
  describe('Method: change', () => {
    it('replaces the override from the version it was made from, audits it, and refuses a stale version', async () => {
      // Prepare
      const t = await setup();

      // Act
      const first = await t.picksEditor.change('daily', { pinned: [t.story(3)], unpinned: [], version: 0 }, ANN);
      const stale = t.picksEditor.change('daily', { pinned: [], unpinned: [], version: 0 }, ANN);

      // Assess
      expect(first).toMatchObject({ version: 1, pinned: [t.story(3)], updatedBy: 'ann' });
      await expect(stale).rejects.toMatchObject({ statusCode: 409, message: expect.stringMatching(/changed by someone else/) });
      expect(t.audit.records).toEqual([expect.objectContaining({ action: 'picks.changed', job: 'daily', counts: { pinned: 1, unpinned: 0, version: 1 } })]);
      await expect(t.picksEditor.change('alerts', { pinned: [], unpinned: [], version: 1 }, ANN)).rejects.toMatchObject({ statusCode: 400 });
    });
  });

  describe('Function: parsePicksChange', () => {
    it('reads lists of ids and the version, and refuses the rest', () => {
      // Act & Assess
      expect(parsePicksChange({ pinned: ['b', 'a', 'b'], unpinned: 'c', version: '2' })).toEqual({ pinned: ['b', 'a'], unpinned: ['c'], version: 2 });
      expect(parsePicksChange({ pinned: [], version: '0' })).toEqual({ pinned: [], unpinned: [], version: 0 });
      expect(() => parsePicksChange({ pinned: [] })).toThrow(/^version: /);
      expect(() => parsePicksChange({ pinned: ['a\nb'], version: '1' })).toThrow('pinned: not a story id');
      expect(() => parsePicksChange({ order: [], version: '1' })).toThrow('order: unknown field');
    });
  });
});
