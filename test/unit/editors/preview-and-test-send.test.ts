import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { contentHash, PREVIEW_TOKEN, SAMPLE_RECIPIENT } from '../../../functions/core/editors/edition-preview.ts';
import { testAddresses } from '../../../functions/core/editors/test-send.ts';
import { subscriberIdFor } from '../../../functions/core/subscribers/identity.ts';
import { TokenPurpose, verifyToken } from '../../../functions/core/subscribers/tokens.ts';
import { InvalidTokenError } from '../../../functions/core/errors.ts';
import { ANN, SECRET, setup, START } from './setup.ts';

/** Token values (signed links) aside: they carry an expiry. */
const withoutTokens = (html: string): string => html.replace(/token=[\w.-]+/g, 'token=…').replace(/\r\n/g, '\n');

describe('Class: EditionPreviewer', () => {
  describe('Method: next', () => {
    it('renders the next edition with the pick override, for the sample reader, with the picks and the articles that could be pinned', async () => {
      // Prepare
      const t = await setup();
      await t.picks.put('daily', { pinned: [t.story(2)], unpinned: [], updatedBy: 'ann' }, 0);

      // Act
      const preview = await t.previewer.next('daily');

      // Assess
      expect(preview).toMatchObject({ editionId: 'daily-2026-11-28', job: 'daily', next: true, recipient: { ...SAMPLE_RECIPIENT, sample: true } });
      expect(preview.picks?.map((p) => [p.id, p.pinned])).toEqual([[t.story(2), true], [t.story(1), false]]);
      expect(preview.candidates?.map((c) => c.id)).toEqual([t.story(3)]);
      expect(preview.override?.version).toBe(1);
      expect(preview.html).toContain('Hello Sample Reader');
      expect(preview.html).not.toMatch(/%%\{/);
      expect(preview.contentHash).toBe(contentHash(preview.rendered));
      expect(t.artefacts.editions.size + t.editions.items.size).toBe(0); // nothing stored
    });

    it('personalises for a subscriber with their name, and links that work for nobody (a viewer gets no subscriber\'s links)', async () => {
      // Prepare
      const t = await setup();

      // Act
      const preview = await t.previewer.next('daily', { recipient: 'Reader2@Example.org' });
      const live = await t.previewer.recipientFor('Reader2@Example.org', preview.editionId);

      // Assess
      expect(preview.recipient).toEqual({ email: 'reader2@example.org', name: 'Reader 2', sample: false });
      const tokens = [...preview.html.matchAll(/(?:unsubscribe|preferences)\?token=([\w.-]+)/g)].map((m) => m[1]);
      expect(tokens.length).toBeGreaterThan(0);
      expect(new Set(tokens)).toEqual(new Set([PREVIEW_TOKEN]));
      expect(() => verifyToken(SECRET, PREVIEW_TOKEN, TokenPurpose.UNSUBSCRIBE, Math.floor(START / 1000))).toThrow(InvalidTokenError);
      // The test send's links (recipientFor's default) do work, for that subscriber.
      const token = /unsubscribe\?token=([\w.-]+)/.exec(live.unsubscribeUrl)?.[1] ?? '';
      expect(verifyToken(SECRET, token, TokenPurpose.UNSUBSCRIBE, Math.floor(START / 1000)).subscriberId).toBe(subscriberIdFor('reader2@example.org'));
    });
  });

  describe('Method: existing', () => {
    it('shows a built edition from its artefact, and says so when there is none', async () => {
      // Prepare
      const t = await setup();
      await t.editionService.run({ job: 'daily', scheduledAt: new Date(START), now: new Date(START) });
      await t.editions.createIfAbsent({ ...(await t.editions.get('daily-2026-11-28'))!, id: 'weekly-2026-W48', job: 'weekly', state: 'held' });

      // Act
      const preview = await t.previewer.existing('daily-2026-11-28');

      // Assess
      expect(preview).toMatchObject({ next: false, state: 'sending', editionId: 'daily-2026-11-28', subject: `Digest: ${(await t.articles.getArticle(t.story(1)))?.title}` });
      await expect(t.previewer.existing('weekly-2026-W48')).rejects.toMatchObject({ statusCode: 404, message: 'edition "weekly-2026-W48" has not been rendered (it is held)' });
      await expect(t.previewer.existing('daily-1999-01-01')).rejects.toMatchObject({ statusCode: 404 });
    });
  });
});

describe('Class: TestSender', () => {
  describe('Method: send', () => {
    it('sends the preview\'s bytes (tokens aside) with [TEST] before the subject, and leaves no ledger entry, count or archive file', async () => {
      // Prepare
      const t = await setup();
      const preview = await t.previewer.next('daily', { recipient: 'reader1@example.org' });

      // Act
      const result = await t.tests.send({ job: 'daily', to: preview.to! }, ['reader1@example.org', 'editor@example.net'], ANN);

      // Assess
      expect(result).toMatchObject({ editionId: 'daily-2026-11-28', subject: `[TEST] ${preview.subject}` });
      expect(t.mail.accepted.map((m) => [m.to, m.tags])).toEqual([
        ['reader1@example.org', { test: 'true', preview_of: 'daily-2026-11-28' }],
        ['editor@example.net', { test: 'true', preview_of: 'daily-2026-11-28' }],
      ]);
      const mail = await simpleParser(t.mail.accepted[0]!.raw);
      expect(mail.subject).toBe(`[TEST] ${preview.subject}`);
      expect(withoutTokens(String(mail.html))).toBe(withoutTokens(preview.html));
      expect(withoutTokens(String(mail.text).trim())).toBe(withoutTokens(preview.text).trim());
      expect(t.ledger.entries.size + t.editions.items.size + t.artefacts.archive.size + t.queue.sent.length).toBe(0);
      expect(t.audit.records).toEqual([expect.objectContaining({ action: 'test.sent', counts: { addresses: 2, refused: 0 }, edition: 'daily-2026-11-28' })]);
      expect(JSON.stringify(t.audit.records)).not.toContain('@');
    });

    it('sends an existing edition from its artefact', async () => {
      // Prepare
      const t = await setup();
      await t.editionService.run({ job: 'daily', scheduledAt: new Date(START), now: new Date(START) });
      const sent = (await t.editions.get('daily-2026-11-28'))?.sent;

      // Act
      const result = await t.tests.send({ edition: 'daily-2026-11-28' }, ['editor@example.net'], ANN);

      // Assess
      expect(result.sent).toEqual([{ to: 'editor@example.net', messageId: 'ses-1' }]);
      expect((await t.editions.get('daily-2026-11-28'))?.sent).toBe(sent);
    });
  });

  describe('Function: testAddresses', () => {
    it('takes one to five valid addresses, once each', () => {
      // Act & Assess
      expect(testAddresses(['Ann@Example.org, ann@example.org', 'bob@example.org'])).toEqual(['ann@example.org', 'bob@example.org']);
      expect(() => testAddresses([])).toThrow('to: at least one address is required');
      expect(() => testAddresses(['a@x.org', 'b@x.org', 'c@x.org', 'd@x.org', 'e@x.org', 'f@x.org'])).toThrow('to: at most 5 addresses');
      expect(() => testAddresses(['not-an-address'])).toThrow('email: not a valid address');
    });
  });
});
