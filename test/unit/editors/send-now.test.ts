import { describe, expect, it } from 'vitest';
import { confirmationText, parseConfirmCode } from '../../../functions/core/editors/send-now.ts';
import { newEditionRecord } from '../../../functions/core/editions/edition-service.ts';
import { EditionState } from '../../../functions/core/editions/types.ts';
import { ANN, setup, START } from './setup.ts';

describe('Class: SendNow', () => {
  describe('Method: dryRun', () => {
    it('makes an intent for the period\'s edition the schedule has not made yet, and stores and audits it', async () => {
      // Prepare
      const t = await setup();

      // Act
      const intent = await t.sendNow.dryRun('daily', ANN);

      // Assess
      expect(intent).toMatchObject({
        job: 'daily', kind: 'period', editionId: 'daily-2026-11-28', total: 3, recipients: { 'newsletter:daily': 3 },
        to: new Date(START).toISOString(), createdBy: 'ann', expiresAt: new Date(START + 15 * 60_000).toISOString(),
      });
      expect(intent.contentHash).toMatch(/^[0-9a-f]{16}$/);
      expect(intent.code).toBe(`${intent.id}.3.${intent.contentHash}`);
      expect(intent.confirmation).toBe(`Send “${intent.subject}” to 3 subscribers of Digest (daily)`);
      expect(await t.intents.get(intent.id)).toMatchObject({ id: intent.id, total: 3 });
      expect(await t.editions.get('daily-2026-11-28')).toBeUndefined();
      expect(t.audit.records).toEqual([expect.objectContaining({ action: 'send.dry-run', actor: 'ann', edition: 'daily-2026-11-28', counts: { recipients: 3 } })]);
    });

    it('makes a special edition with its own id once the period\'s edition was sent', async () => {
      // Prepare
      const t = await setup();
      const first = await t.sendNow.dryRun('daily', ANN);
      await t.sendNow.confirm(first.id, { count: first.total, hash: first.contentHash }, ANN);
      await t.editions.update('daily-2026-11-28', { state: EditionState.SENT });
      await t.editions.createIfAbsent({ ...(await t.editions.get('daily-2026-11-28'))!, id: 'daily-2026-11-28-s2', state: EditionState.CANCELLED });
      await t.articles.putArticle({ ...(await t.articles.getArticle(t.story(2)))!, id: 'https://example.org/late', ingestedAt: new Date(START + 60_000).toISOString() });
      t.advance(10 * 60_000);

      // Act
      const special = await t.sendNow.dryRun('daily', ANN);

      // Assess: the preview and the test send show that very edition
      expect(special).toMatchObject({ kind: 'special', editionId: 'daily-2026-11-28-s3' });
      expect((await t.previewer.next('daily')).editionId).toBe('daily-2026-11-28-s3');
    });

    it('refuses to send to nobody, and when the period\'s edition is being sent', async () => {
      // Prepare
      const empty = await setup({ readers: 0 });
      const busy = await setup();
      await busy.editions.createIfAbsent({ ...newEditionRecord({ id: 'daily-2026-11-28', job: 'daily', scheduledAt: new Date(START), now: new Date(START) }), state: EditionState.SENDING });

      // Act & Assess
      await expect(empty.sendNow.dryRun('daily', ANN)).rejects.toMatchObject({ statusCode: 409, message: expect.stringMatching(/no confirmed subscribers/) });
      await expect(busy.sendNow.dryRun('daily', ANN)).rejects.toMatchObject({ statusCode: 409, message: 'edition daily-2026-11-28 is sending: watch it, or cancel it' });
      expect(empty.intents.items.size + busy.intents.items.size).toBe(0);
    });
  });

  describe('Method: confirm', () => {
    it('refuses a wrong count or hash with 409, and starts nothing', async () => {
      // Prepare
      const t = await setup();
      const intent = await t.sendNow.dryRun('daily', ANN);

      // Act
      const wrongCount = t.sendNow.confirm(intent.id, { count: 4, hash: intent.contentHash }, ANN);
      const wrongHash = t.sendNow.confirm(intent.id, { count: 3, hash: '0000000000000000' }, ANN);

      // Assess
      await expect(wrongCount).rejects.toMatchObject({ statusCode: 409, message: expect.stringMatching(/does not match .*nothing was sent/) });
      await expect(wrongHash).rejects.toMatchObject({ statusCode: 409 });
      expect(t.started).toEqual([]);
      expect(await t.editions.get('daily-2026-11-28')).toBeUndefined();
      expect((await t.intents.get(intent.id))?.confirmedAt).toBeUndefined();
      expect(t.audit.records.filter((r) => r.action === 'send.refused')).toHaveLength(2);
    });

    it('creates the edition with the period of the dry run and starts it once, however often and however fast it is confirmed', async () => {
      // Prepare
      const t = await setup();
      const intent = await t.sendNow.dryRun('daily', ANN);
      const quote = { count: intent.total, hash: intent.contentHash };

      // Act
      const results = await Promise.all([t.sendNow.confirm(intent.id, quote, ANN), t.sendNow.confirm(intent.id, quote, { ...ANN, username: 'bob' })]);
      const again = await t.sendNow.confirm(intent.id, quote, ANN);

      // Assess
      expect(results.filter((r) => r.started)).toHaveLength(1);
      expect(again).toMatchObject({ started: false, edition: 'daily-2026-11-28', message: expect.stringMatching(/confirmed already .*nothing new was started/) });
      expect(t.started).toEqual([{ job: 'daily', editionId: 'daily-2026-11-28', scheduledAt: intent.createdAt, from: intent.from, to: intent.to }]);
      expect(await t.editions.get('daily-2026-11-28')).toMatchObject({ state: EditionState.BUILDING, from: intent.from, to: intent.to });
      expect(t.audit.records.filter((r) => r.action === 'send.confirmed')).toHaveLength(1);
    });

    it('leaves one edition when the schedule fires after the manual send of its period, built with the dry run\'s content', async () => {
      // Prepare
      const t = await setup();
      const intent = await t.sendNow.dryRun('daily', ANN);
      await t.sendNow.confirm(intent.id, { count: intent.total, hash: intent.contentHash }, ANN);
      await t.editionService.run({ job: 'daily', scheduledAt: new Date(intent.createdAt), now: new Date(START), force: true, editionId: intent.editionId });

      // Act: the schedule of the same day
      const scheduled = await t.editionService.run({ job: 'daily', scheduledAt: new Date('2026-11-28T06:00:00.000Z'), now: new Date(START + 60_000) });

      // Assess
      expect(scheduled).toMatchObject({ edition: 'daily-2026-11-28', created: false });
      expect(await t.editions.listRecent('daily', 10)).toHaveLength(1);
      expect(t.renderer.renders).toBe(3); // dry run, confirm's re-check, the build: the schedule rendered nothing
    });

    it('refuses an expired intent, content that changed since the dry run, and an edition made in the meantime', async () => {
      // Prepare
      const expired = await setup();
      const a = await expired.sendNow.dryRun('daily', ANN);
      expired.advance(16 * 60_000);
      const changed = await setup();
      const b = await changed.sendNow.dryRun('daily', ANN);
      await changed.picks.put('daily', { pinned: [changed.story(3)], unpinned: [], updatedBy: 'bob' }, 0);
      const raced = await setup();
      const c = await raced.sendNow.dryRun('daily', ANN);
      await raced.editions.createIfAbsent(newEditionRecord({ id: 'daily-2026-11-28', job: 'daily', scheduledAt: new Date(START), now: new Date(START) })); // the schedule, just now

      // Act & Assess
      await expect(expired.sendNow.confirm(a.id, { count: a.total, hash: a.contentHash }, ANN)).rejects.toMatchObject({ statusCode: 409, message: expect.stringMatching(/expired/) });
      await expect(changed.sendNow.confirm(b.id, { count: b.total, hash: b.contentHash }, ANN)).rejects.toMatchObject({ statusCode: 409, message: expect.stringMatching(/content changed since the dry run/) });
      await expect(raced.sendNow.confirm(c.id, { count: c.total, hash: c.contentHash }, ANN)).rejects.toMatchObject({ statusCode: 409, message: expect.stringMatching(/made in the meantime.*nothing new was started/) });
      await expect(raced.sendNow.confirm(c.id, { count: c.total, hash: c.contentHash }, ANN)).rejects.toMatchObject({ statusCode: 409 });
      expect([...expired.started, ...changed.started, ...raced.started]).toEqual([]);
    });

    it('sends a held edition of the period: it fixes its period and moves it to building', async () => {
      // Prepare
      const t = await setup();
      await t.editionService.run({ job: 'daily', scheduledAt: new Date(START - 8 * 3600_000), now: new Date(START) });
      const intent = await t.sendNow.dryRun('daily', ANN);

      // Act
      const result = await t.sendNow.confirm(intent.id, { count: 3, hash: intent.contentHash }, ANN);

      // Assess
      expect(intent.kind).toBe('held');
      expect(result.started).toBe(true);
      expect(await t.editions.get('daily-2026-11-28')).toMatchObject({ state: EditionState.BUILDING, to: intent.to });
    });
  });

  describe('Function: parseConfirmCode', () => {
    it('reads the code the dry run printed, and refuses anything else', () => {
      // Act & Assess
      expect(parseConfirmCode(' k3j9x2m1qa.3.a3f1c09b5e2d7781 ')).toEqual({ intent: 'k3j9x2m1qa', count: 3, hash: 'a3f1c09b5e2d7781' });
      expect(() => parseConfirmCode('k3j9x2m1qa.3')).toThrow(/expected <intent>.<count>.<hash>/);
      expect(confirmationText({ subject: 'S', total: 1, newsletter: 'N' })).toBe('Send “S” to 1 subscriber of N');
    });
  });
});
