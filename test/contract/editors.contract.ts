/**
 * The behaviour every AuditLog and IntentStore must have (functions/core/editors/ports.ts),
 * run against each implementation by test/contract/editors.test.ts.
 */
import { describe, expect } from 'vitest';
import type { AuditLog, IntentStore } from '../../functions/core/editors/ports.ts';
import type { AuditRecord, SendIntent } from '../../functions/core/editors/types.ts';
import { contractTest } from './contract-test.ts';

const AT = Date.parse('2026-11-28T06:00:00.000Z');

function entry(n: number, fields: Partial<AuditRecord> = {}): Omit<AuditRecord, 'id'> {
  return { at: new Date(AT + n * 1000).toISOString(), actor: 'ann', actorSub: 'u-1', action: 'edition.cancelled', edition: 'daily-2026-11-28', job: 'daily', counts: { recipients: n }, ...fields };
}

function intent(id: string): SendIntent {
  return {
    id, job: 'daily', kind: 'period', editionId: 'daily-2026-11-28', from: '2026-11-27T06:00:00.000Z', to: '2026-11-28T06:00:00.000Z',
    subject: 'Digest', newsletter: 'CommonSpace Digest (daily)', recipients: { 'newsletter:daily': 3 }, total: 3, contentHash: '0123456789abcdef',
    createdAt: '2026-11-28T06:00:00.000Z', createdBy: 'ann', expiresAt: '2026-11-28T06:15:00.000Z',
  };
}

/**
 * Declares the AuditLog contract for one implementation.
 *
 * @example
 * ```ts
 * describeAuditLogContract('InMemoryAuditLog', async () => new InMemoryAuditLog());
 * ```
 */
export function describeAuditLogContract(name: string, setup: () => Promise<AuditLog>): void {
  const it = contractTest(setup);
  describe(`Contract: AuditLog (${name})`, () => {
    describe('Method: record', () => {
      it('keeps what it is given, with an id of its own, and two records of the same moment apart', async ({ subject: audit }) => {
        // Act
        const [a, b] = await Promise.all([audit.record(entry(1)), audit.record(entry(1))]);

        // Assess
        expect(a).toEqual({ ...entry(1), id: expect.any(String) });
        expect(a.id).not.toBe(b.id);
        expect((await audit.list({ limit: 10 })).records).toHaveLength(2);
      });
    });

    describe('Method: list', () => {
      it('lists the newest first, page by page, each once; or one edition\'s only', async ({ subject: audit }) => {
        // Prepare
        for (const n of [3, 1, 5, 2, 4]) await audit.record(entry(n));
        await audit.record(entry(6, { edition: 'weekly-2026-W48', job: 'weekly' }));
        await audit.record(entry(7, { edition: undefined, action: 'picks.changed' }));

        // Act
        const pages: AuditRecord[][] = [];
        let cursor: string | undefined;
        do {
          const page = await audit.list({ limit: 3, ...(cursor ? { cursor } : {}) });
          pages.push(page.records);
          cursor = page.cursor;
        } while (cursor);
        const daily = await audit.list({ limit: 10, edition: 'daily-2026-11-28' });

        // Assess
        expect(pages.flat().map((r) => r.counts?.recipients)).toEqual([7, 6, 5, 4, 3, 2, 1]);
        expect(pages.every((p) => p.length <= 3)).toBe(true);
        expect(daily.records.map((r) => r.counts?.recipients)).toEqual([5, 4, 3, 2, 1]);
        expect(daily.cursor).toBeUndefined();
      });

      it('refuses a cursor it did not make', async ({ subject: audit }) => {
        // Act & Assess
        await expect(audit.list({ limit: 10, cursor: 'not a cursor!' })).rejects.toThrow();
      });
    });
  });
}

/**
 * Declares the IntentStore contract for one implementation.
 *
 * @example
 * ```ts
 * describeIntentStoreContract('InMemoryIntentStore', async () => new InMemoryIntentStore());
 * ```
 */
export function describeIntentStoreContract(name: string, setup: () => Promise<IntentStore>): void {
  const it = contractTest(setup);
  describe(`Contract: IntentStore (${name})`, () => {
    describe('Method: put', () => {
      it('keeps an intent as given, and refuses a second with the same id', async ({ subject: intents }) => {
        // Act
        await intents.put(intent('k3j9x2m1qa'));

        // Assess
        expect(await intents.get('k3j9x2m1qa')).toEqual(intent('k3j9x2m1qa'));
        expect(await intents.get('nope')).toBeUndefined();
        await expect(intents.put({ ...intent('k3j9x2m1qa'), total: 9 })).rejects.toThrow();
        expect((await intents.get('k3j9x2m1qa'))?.total).toBe(3);
      });
    });

    describe('Method: confirm', () => {
      it('confirms once: of two confirms at the same time exactly one gets true', async ({ subject: intents }) => {
        // Prepare
        await intents.put(intent('k3j9x2m1qa'));

        // Act
        const results = await Promise.all([
          intents.confirm('k3j9x2m1qa', 'ann', '2026-11-28T06:01:00.000Z'),
          intents.confirm('k3j9x2m1qa', 'bob', '2026-11-28T06:01:00.001Z'),
        ]);
        const later = await intents.confirm('k3j9x2m1qa', 'cy', '2026-11-28T06:02:00.000Z');
        const unknown = await intents.confirm('nope', 'cy', '2026-11-28T06:02:00.000Z');

        // Assess
        expect(results.filter(Boolean)).toHaveLength(1);
        expect([later, unknown]).toEqual([false, false]);
        expect(['ann', 'bob']).toContain((await intents.get('k3j9x2m1qa'))?.confirmedBy);
        expect(await intents.get('nope')).toBeUndefined();
      });
    });

    describe('Method: setOutcome', () => {
      it('notes the outcome on the intent, and does nothing for an unknown one', async ({ subject: intents }) => {
        // Prepare
        await intents.put(intent('k3j9x2m1qa'));

        // Act
        await intents.setOutcome('k3j9x2m1qa', 'started');
        await intents.setOutcome('nope', 'started');

        // Assess
        expect((await intents.get('k3j9x2m1qa'))?.outcome).toBe('started');
        expect(await intents.get('nope')).toBeUndefined();
      });
    });
  });
}
