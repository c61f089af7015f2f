/**
 * The behaviour every AlertPieceStore must have (functions/core/alerts/ports.ts), run against
 * each implementation by test/contract/alert-pieces.test.ts.
 */
import { describe, expect } from 'vitest';
import type { AlertPieceStore } from '../../functions/core/alerts/ports.ts';
import type { AlertCard, AlertShell } from '../../functions/core/rendering/alert-parts.ts';
import { contractTest } from './contract-test.ts';

const FLUSH = 'alerts-2026-12-01T10-05';
const OTHER_FLUSH = 'alerts-2026-12-01T10-10';

function shell(language: string, overrides: Partial<AlertShell> = {}): AlertShell {
  return {
    language, head: ['<html lang="', language, '">', { slot: 'heading' }], glue: '<hr>', tail: ['</html>'], tailMore: [{ slot: 'more_text' }, '</html>'],
    textHead: 'Твои оповещения\n', textFooter: 'footer\n', ...overrides,
  } as AlertShell;
}

function card(key: string, headline = `Headline ${key}`): AlertCard {
  return { key, before: `<p>${headline} `, after: '</p>', text: headline, section: 'Politics', headline };
}

/**
 * Declares the AlertPieceStore contract for one implementation.
 *
 * @example
 * ```ts
 * describeAlertPiecesContract('in memory', async () => new InMemoryAlertPieceStore());
 * ```
 */
export function describeAlertPiecesContract(name: string, setup: () => Promise<AlertPieceStore>): void {
  const it = contractTest(setup);
  describe(`Contract: AlertPieceStore (${name})`, () => {
    describe('Methods: putShell and getShell', () => {
      it("stores a flush's shell per language; another flush or language has none", async ({ subject: pieces }) => {
        // Act
        await pieces.putShell(FLUSH, shell('en'));
        await pieces.putShell(FLUSH, shell('ru'));

        // Assess
        expect(await pieces.getShell(FLUSH, 'en')).toEqual(shell('en'));
        expect(await pieces.getShell(FLUSH, 'ru')).toEqual(shell('ru'));
        expect(await pieces.getShell(FLUSH, 'de')).toBeUndefined();
        expect(await pieces.getShell(OTHER_FLUSH, 'en')).toBeUndefined();
      });

      it('replaces a shell put again, and what a caller does with a copy never changes it', async ({ subject: pieces }) => {
        // Prepare
        await pieces.putShell(FLUSH, shell('en'));

        // Act
        await pieces.putShell(FLUSH, shell('en', { glue: '<hr class="new">' }));
        const read = await pieces.getShell(FLUSH, 'en');
        read?.head.push('changed by the caller');

        // Assess
        expect(await pieces.getShell(FLUSH, 'en')).toEqual(shell('en', { glue: '<hr class="new">' }));
      });
    });

    describe('Methods: putCards and getCards', () => {
      it("answers the cards found among the keys asked (of this flush only); absent keys are missing", async ({ subject: pieces }) => {
        // Prepare
        await pieces.putCards(FLUSH, [card('k1'), card('k2'), card('k3')]);
        await pieces.putCards(OTHER_FLUSH, [card('k4')]);

        // Act
        const found = await pieces.getCards(FLUSH, ['k3', 'k1', 'k4', 'k9', 'k1']);

        // Assess
        expect(Object.fromEntries(found)).toEqual({ k1: card('k1'), k3: card('k3') });
        expect(await pieces.getCards(FLUSH, [])).toEqual(new Map());
        expect(await pieces.getCards(OTHER_FLUSH, ['k1', 'k4'])).toEqual(new Map([['k4', card('k4')]]));
      });

      it('replaces a card put again, and puts no card for an empty list', async ({ subject: pieces }) => {
        // Prepare
        await pieces.putCards(FLUSH, [card('k1')]);

        // Act
        await pieces.putCards(FLUSH, [card('k1', 'Updated headline')]);
        await pieces.putCards(FLUSH, []);
        const read = await pieces.getCards(FLUSH, ['k1']);
        if (read.get('k1')) (read.get('k1') as AlertCard).headline = 'changed by the caller';

        // Assess
        expect(await pieces.getCards(FLUSH, ['k1'])).toEqual(new Map([['k1', card('k1', 'Updated headline')]]));
      });
    });
  });
}
