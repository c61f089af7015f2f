/**
 * The editors' use cases over the in-memory kit: an edition service with the fake renderer,
 * three articles in the last day, confirmed daily subscribers, and every editors' port.
 */
import { DeliveryAdmin } from '../../../functions/core/delivery/delivery-admin.ts';
import { EditionControl } from '../../../functions/core/editors/edition-control.ts';
import { EditionOverview } from '../../../functions/core/editors/edition-overview.ts';
import { EditionPreviewer } from '../../../functions/core/editors/edition-preview.ts';
import { PicksEditor } from '../../../functions/core/editors/picks-editor.ts';
import { SendNow } from '../../../functions/core/editors/send-now.ts';
import { TestSender } from '../../../functions/core/editors/test-send.ts';
import type { EditorIdentity } from '../../../functions/core/editors/types.ts';
import { EditionService } from '../../../functions/core/editions/edition-service.ts';
import type { EditionRecord, EditionStartRequest, FanOut } from '../../../functions/core/editions/ports.ts';
import { Links } from '../../../functions/core/links.ts';
import { subscriberIdFor } from '../../../functions/core/subscribers/identity.ts';
import { makeArticle, makeSubscriber } from '../../kit/fixtures/index.ts';
import {
  FakeEditionRenderer, FakeMailSender, InMemoryArtefactStore, InMemoryArticleStore, InMemoryAuditLog, InMemoryDeliveryLedger, InMemoryEditionRepository,
  InMemoryIntentStore, InMemoryPickOverrideStore, InMemorySubscriberRepository, MemoryLogger, RecordingSendQueue,
} from '../../kit/memory/index.ts';

export const SECRET = 'x'.repeat(40);
export const START = Date.parse('2026-11-28T09:00:00.000Z');
export const ANN: EditorIdentity = { username: 'ann', sub: 'u-ann', scopes: ['editor', 'viewer'] };

/** Everything, with a clock that only moves when told. */
export async function setup(options: { readers?: number } = {}) {
  let clock = START;
  const now = () => clock;
  const articles = new InMemoryArticleStore();
  for (const n of [1, 2, 3]) await articles.putArticle(makeArticle(n, { ingestedAt: new Date(START - n * 3600_000).toISOString(), editorsChoice: n === 1 }));
  const editions = new InMemoryEditionRepository();
  const ledger = new InMemoryDeliveryLedger();
  const artefacts = new InMemoryArtefactStore();
  const subscribers = new InMemorySubscriberRepository();
  for (let i = 1; i <= (options.readers ?? 3); i++) {
    const email = `reader${i}@example.org`;
    subscribers.seed(makeSubscriber(i, { id: subscriberIdFor(email), email }));
  }
  const picks = new InMemoryPickOverrideStore();
  const audit = new InMemoryAuditLog();
  const intents = new InMemoryIntentStore();
  const queue = new RecordingSendQueue();
  const mail = new FakeMailSender();
  const renderer = new FakeEditionRenderer();
  const links = new Links({ publicBaseUrl: 'https://api.example.org', archiveBaseUrl: 'https://archive.example.org' });
  const fanOut: FanOut = {
    fanOut: async (edition: EditionRecord) => {
      await editions.update(edition.id, { fanoutDone: true });
      return { ...edition, fanoutDone: true };
    },
  };
  const editionService = new EditionService({ articles, editions, artefacts, renderer, fanOut, picks, logger: new MemoryLogger(), defaultLanguage: 'en', maxDelayMs: 6 * 3600_000 });
  const started: EditionStartRequest[] = [];
  const starter = { start: async (request: EditionStartRequest) => void started.push(request) };
  const previewer = new EditionPreviewer({
    artefacts, editions, subscribers, picks, links, tokenSecret: [SECRET], now,
    renderNext: (job, at, o) => editionService.preview(job, at, o),
  });
  const headers = { fromName: 'Digest', fromAddress: 'digest@example.org', listId: 'digest.example.org', messageIdDomain: 'example.org' };
  const admin = new DeliveryAdmin({ ledger, editions, queue, now });
  const sleeps: number[] = [];
  return {
    articles, editions, ledger, artefacts, subscribers, picks, audit, intents, queue, mail, renderer, links, editionService, started, starter, previewer, admin, sleeps,
    now,
    advance: (ms: number) => {
      clock += ms;
    },
    tests: new TestSender({ previewer, mail, audit, headers, now }),
    sendNow: new SendNow({ previewer, editions, subscribers, intents, audit, starter, newsletterName: (job) => `Digest (${job})`, now }),
    control: new EditionControl({ editions, admin, audit, starter, stateCheckMs: 1000, cancelMarginMs: 2000, now, sleep: async (ms) => void sleeps.push(ms) }),
    overview: new EditionOverview({ editions, ledger, now }),
    picksEditor: new PicksEditor({ picks, audit, now }),
    /** The id of article n of the fixtures. */
    story: (n: number) => makeArticle(n).id,
  };
}
