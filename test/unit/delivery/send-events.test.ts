import { describe, expect, it } from 'vitest';
import { SendEventOutcome, SendEventRecorder } from '../../../functions/core/delivery/send-events.ts';
import { DeliveryState } from '../../../functions/core/delivery/types.ts';
import { ValidationError } from '../../../functions/core/errors.ts';
import { InMemoryDeliveryLedger, MemoryLogger } from '../../kit/memory/index.ts';

const EDITION = 'daily-2026-11-28';
const task = { editionId: EDITION, subscriberId: 's_001' };

/** A Send event as SES publishes it to SNS (configuration-set event publishing). */
function sendEvent(messageId: string, tags: Record<string, string[]> = { edition: [EDITION], subscriber: ['s_001'] }) {
  return {
    eventType: 'Send',
    mail: {
      timestamp: '2026-11-28T06:00:01.000Z',
      source: 'digest@example.org',
      messageId,
      destination: ['reader1@example.org'],
      tags: { 'ses:configuration-set': ['digest'], 'ses:from-domain': ['example.org'], ...tags },
    },
    send: {},
  };
}

function setup() {
  const ledger = new InMemoryDeliveryLedger();
  const logger = new MemoryLogger();
  return { ledger, logger, recorder: new SendEventRecorder({ ledger, logger }) };
}

describe('Class: SendEventRecorder', () => {
  describe('Method: record', () => {
    it('records the Send event on the ledger entry named by the edition and subscriber tags, leaving its state alone', async () => {
      // Prepare: the worker is still waiting for SES's answer
      const t = setup();
      t.ledger.seed({ ...task, state: DeliveryState.SENDING, leaseUntil: 1 });

      // Act
      const outcome = await t.recorder.record(sendEvent('ses-1'));

      // Assess
      expect(outcome).toBe(SendEventOutcome.RECORDED);
      expect(await t.ledger.get(task)).toMatchObject({ state: DeliveryState.SENDING, leaseUntil: 1, sendEvent: { messageId: 'ses-1', at: '2026-11-28T06:00:01.000Z' } });
    });

    it('is idempotent: the same event delivered again changes nothing', async () => {
      // Prepare
      const t = setup();
      t.ledger.seed({ ...task, state: DeliveryState.SENT, messageId: 'ses-1' });
      await t.recorder.record(sendEvent('ses-1'));

      // Act
      const again = await t.recorder.record(sendEvent('ses-1'));

      // Assess
      expect(again).toBe(SendEventOutcome.ALREADY_RECORDED);
      expect(t.logger.lines.filter((l) => l.level === 'error')).toEqual([]);
    });

    it('keeps the first message id and reports a second message for the same recipient', async () => {
      // Prepare
      const t = setup();
      t.ledger.seed({ ...task, state: DeliveryState.SENT, messageId: 'ses-1' });
      const first = await t.recorder.record(sendEvent('ses-1'));

      // Act
      const second = await t.recorder.record(sendEvent('ses-2'));

      // Assess: nothing is written to a sent entry (it is final); its message id tells the second message
      expect(first).toBe(SendEventOutcome.ALREADY_RECORDED);
      expect(second).toBe(SendEventOutcome.SECOND_MESSAGE);
      expect((await t.ledger.get(task))?.sendEvent).toBeUndefined();
      expect(t.logger.lines).toContainEqual(expect.objectContaining({ level: 'error', extra: expect.objectContaining({ messageId: 'ses-2', first: 'ses-1' }) }));
    });

    it('ignores mail without edition tags and events without an entry, and rejects an event without a message id', async () => {
      // Prepare
      const t = setup();

      // Act
      const confirmation = await t.recorder.record(sendEvent('ses-3', {}));
      const unknownEntry = await t.recorder.record(sendEvent('ses-4'));
      const malformed = await t.recorder.record({ eventType: 'Send', mail: {} }).catch((e: unknown) => e);

      // Assess
      expect(confirmation).toBe(SendEventOutcome.IGNORED);
      expect(unknownEntry).toBe(SendEventOutcome.NO_ENTRY);
      expect(malformed).toBeInstanceOf(ValidationError);
      expect(t.ledger.entries.size).toBe(0);
    });
  });
});
