import { Links } from '../../../functions/core/links.ts';
import { describe, expect, it } from 'vitest';
import { SendService, TaskOutcome, type SendServiceDeps } from '../../../functions/core/delivery/send-service.ts';
import { DeliveryState, type SendTask } from '../../../functions/core/delivery/types.ts';
import { EditionState } from '../../../functions/core/editions/types.ts';
import { PermanentSendError, QuotaExhaustedError, SendOutcomeUnknownError, SendSlotMissedError, TransientSendError } from '../../../functions/core/errors.ts';
import { verifyToken } from '../../../functions/core/subscribers/tokens.ts';
import { makeEditionRecord, makeRendered, makeSubscriber } from '../../kit/fixtures/index.ts';
import {
  FakeMailSender, FixedQuota, InMemoryArtefactStore, InMemoryDeliveryLedger, InMemoryEditionRepository, InMemorySubscriberRepository,
  MemoryLogger, NoWaitRateLimiter, RecordingSendQueue,
} from '../../kit/memory/index.ts';

const EDITION = 'daily-2026-11-28';
const SECRET = 'x'.repeat(40);
const LEASE_MS = 120_000;

/** A send service over fakes: `n` confirmed subscribers and one fanned-out edition of `n`. */
function setup(n = 3, overrides: Partial<SendServiceDeps> = {}) {
  const ledger = new InMemoryDeliveryLedger({ latencyMs: 0, counters: true });
  const subscribers = new InMemorySubscriberRepository({ counters: 'args' });
  for (let i = 1; i <= n; i++) subscribers.seed(makeSubscriber(i));
  const editions = new InMemoryEditionRepository();
  editions.seed(makeEditionRecord({ id: EDITION, total: n, pages: 1, fanoutDone: true }));
  const artefacts = new InMemoryArtefactStore();
  artefacts.editions.set(EDITION, makeRendered(EDITION));
  const mail = new FakeMailSender({ latencyMs: 0, counters: true });
  const queue = new RecordingSendQueue({ latencyMs: 0 });
  const rate = new NoWaitRateLimiter({ counters: true });
  const logger = new MemoryLogger();
  const quota = new FixedQuota();
  const sleeps: number[] = [];
  let clock = Date.parse('2026-11-28T06:00:00.000Z');
  const deps: SendServiceDeps = {
    ledger, subscribers, editions, artefacts, mail, rate, queue, logger, quota,
    headers: { fromName: 'Digest', fromAddress: 'digest@example.org', listId: 'digest.example.org', messageIdDomain: 'example.org' },
    links: new Links({ publicBaseUrl: 'https://api.example.org', archiveBaseUrl: 'https://archive.example.org' }),
    tokenSecret: SECRET,
    concurrency: 8,
    leaseMs: LEASE_MS,
    now: () => clock,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    ...overrides,
  };
  const service = new SendService(deps);
  const tasks = (ids: number[] = Array.from({ length: n }, (_, i) => i + 1)): SendTask[] =>
    ids.map((i) => ({ editionId: EDITION, subscriberId: makeSubscriber(i).id }));
  return {
    service, ledger, subscribers, editions, artefacts, mail, queue, rate, logger, quota, sleeps, tasks,
    advance: (ms: number) => {
      clock += ms;
    },
    now: () => clock,
  };
}

describe('Class: SendService', () => {
  describe('Method: processBatch', () => {
    it('sends each recipient once, records the SES message id and closes the finished edition', async () => {
      // Prepare
      const t = setup(3);

      // Act
      const outcomes = await t.service.processBatch(t.tasks());

      // Assess
      expect(outcomes).toEqual([TaskOutcome.SENT, TaskOutcome.SENT, TaskOutcome.SENT]);
      expect(t.mail.recipients().sort()).toEqual(['reader1@example.org', 'reader2@example.org', 'reader3@example.org']);
      const entry = await t.ledger.get(t.tasks([1])[0] as SendTask);
      expect(entry).toMatchObject({ state: DeliveryState.SENT, attempts: 1 });
      expect(entry?.messageId).toMatch(/^ses-\d$/);
      expect(entry?.leaseUntil).toBeUndefined();
      const edition = await t.editions.get(EDITION);
      expect(edition).toMatchObject({ sent: 3, failed: 0, skipped: 0, state: EditionState.SENT });
    });

    it('tags each message with the edition and subscriber and personalises its links', async () => {
      // Prepare
      const t = setup(1);

      // Act
      await t.service.processBatch(t.tasks());

      // Assess
      const [message] = t.mail.accepted;
      expect(message?.tags).toEqual({ edition: EDITION, subscriber: 's_001' });
      expect(message?.raw).toContain('To: "Reader 1" <reader1@example.org>');
      expect(message?.raw).toContain(`Message-ID: <${EDITION}.s_001@example.org>`);
      const token = /unsubscribe\?token=([A-Za-z0-9_.-]+)/.exec(message?.raw ?? '')?.[1];
      expect(token).toBeDefined();
      expect(verifyToken(SECRET, token as string, 'unsubscribe', Math.floor(t.now() / 1000))).toMatchObject({ subscriberId: 's_001' });
    });

    it('never sends twice when the same task is delivered again after it was sent', async () => {
      // Prepare
      const t = setup(2);
      await t.service.processBatch(t.tasks());

      // Act
      const again = await t.service.processBatch(t.tasks());

      // Assess
      expect(again).toEqual([TaskOutcome.DUPLICATE, TaskOutcome.DUPLICATE]);
      expect(t.mail.calls.send).toBe(2);
      expect(await t.editions.get(EDITION)).toMatchObject({ sent: 2 });
    });

    it('sends once when the same message is delivered to two workers at the same time', async () => {
      // Prepare: two services (two Lambda invocations) on one ledger; SES answers slowly
      const t = setup(5);
      let release: () => void = () => undefined;
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      t.mail.script(async (_m, call) => {
        await gate;
        return `ses-${call}`;
      });
      const other = new SendService({
        ledger: t.ledger, subscribers: t.subscribers, editions: t.editions, artefacts: t.artefacts, mail: t.mail, rate: t.rate,
        queue: t.queue, logger: t.logger, quota: t.quota, concurrency: 8, leaseMs: LEASE_MS, now: t.now,
        headers: { fromName: 'Digest', fromAddress: 'digest@example.org', listId: 'digest.example.org', messageIdDomain: 'example.org' },
        links: new Links({ publicBaseUrl: 'https://api.example.org', archiveBaseUrl: 'https://archive.example.org' }),
    tokenSecret: SECRET,
      });

      // Act
      const both = Promise.all([t.service.processBatch(t.tasks()), other.processBatch(t.tasks())]);
      setTimeout(release, 10);
      const [first, second] = await both;

      // Assess
      const all = [...first, ...second];
      expect(all.filter((o) => o === TaskOutcome.SENT)).toHaveLength(5);
      expect(all.filter((o) => o === TaskOutcome.DUPLICATE)).toHaveLength(5);
      expect(t.mail.recipients()).toHaveLength(5);
      expect(new Set(t.mail.recipients()).size).toBe(5);
      expect(await t.editions.get(EDITION)).toMatchObject({ sent: 5, state: EditionState.SENT });
    });

    it('reads the subscribers of tasks that fall due together in one batched read, each once', async () => {
      // Prepare
      const t = setup(10);

      // Act
      const outcomes = await t.service.processBatch(t.tasks());

      // Assess
      expect(outcomes.every((o) => o === TaskOutcome.SENT)).toBe(true);
      expect(t.subscribers.calls.getMany).toBeLessThan(10);
      expect(t.subscribers.argsOf('getMany').flatMap(([ids]) => ids).sort()).toEqual(t.tasks().map((task) => task.subscriberId).sort());
    });

    it('reads each subscriber when its send is due, so a change made during the batch counts', async () => {
      // Prepare: the second task waits for its send slot; the subscriber unsubscribes meanwhile.
      const t = setup(2, { concurrency: 1 });
      const send = t.mail.send.bind(t.mail);
      t.mail.send = async (message) => {
        const id = await send(message);
        await t.subscribers.setStatus('s_002', 'unsubscribed');
        return id;
      };

      // Act
      const outcomes = await t.service.processBatch(t.tasks());

      // Assess
      expect(outcomes).toEqual([TaskOutcome.SENT, TaskOutcome.SKIPPED]);
      expect(t.mail.recipients()).toEqual(['reader1@example.org']);
    });

    it('skips subscribers who unsubscribed, bounced or complained after the fan-out', async () => {
      // Prepare
      const t = setup(4);
      await t.subscribers.setStatus('s_001', 'unsubscribed');
      await t.subscribers.setStatus('s_002', 'bounced');
      await t.subscribers.setStatus('s_003', 'complained');

      // Act
      const outcomes = await t.service.processBatch(t.tasks());

      // Assess
      expect(outcomes).toEqual([TaskOutcome.SKIPPED, TaskOutcome.SKIPPED, TaskOutcome.SKIPPED, TaskOutcome.SENT]);
      expect(t.mail.recipients()).toEqual(['reader4@example.org']);
      expect(await t.ledger.get({ editionId: EDITION, subscriberId: 's_002' })).toMatchObject({ state: DeliveryState.SKIPPED, reason: 'subscriber is bounced' });
      expect(await t.editions.get(EDITION)).toMatchObject({ sent: 1, skipped: 3, state: EditionState.SENT });
    });

    it('tells the rate limiter, with each send slot it asks for, how many of the batch\'s tasks are still to start', async () => {
      // Prepare: 12 tasks, 8 at a time
      const rate = new NoWaitRateLimiter({ counters: 'args' });
      const t = setup(12, { rate });

      // Act
      await t.service.processBatch(t.tasks());

      // Assess: the first eight start together and ask with 4 still to come; then one starts
      // as another ends, and the last asks with none to come
      const more = rate.argsOf('acquire').map(([, options]) => options?.more);
      expect(more).toHaveLength(12);
      expect(more.slice(0, 8)).toEqual([4, 4, 4, 4, 4, 4, 4, 4]);
      for (const m of more.slice(8)) expect(m).toBeLessThanOrEqual(3);
      expect(more.at(-1)).toBe(0);
    });

    it('records every recipient of a cancelled edition as cancelled, without a send slot, and counts them', async () => {
      // Prepare
      const t = setup(2);
      await t.editions.update(EDITION, { state: EditionState.CANCELLED });

      // Act
      const outcomes = await t.service.processBatch(t.tasks());

      // Assess
      expect(outcomes).toEqual([TaskOutcome.CANCELLED, TaskOutcome.CANCELLED]);
      expect(t.mail.calls.send).toBe(0);
      expect(t.rate.calls.acquire).toBe(0);
      expect(await t.ledger.get(t.tasks([1])[0] as SendTask)).toMatchObject({ state: DeliveryState.CANCELLED, reason: 'edition cancelled' });
      expect(await t.editions.get(EDITION)).toMatchObject({ sent: 0, skipped: 0, cancelled: 2, state: EditionState.CANCELLED });
    });

    it('checks the edition state in memory right before each SES call, read again once the period has passed', async () => {
      // Prepare: the batch read says sending; the cancel lands while the first message is with SES
      const t = setup(3, { concurrency: 1, stateCheckMs: 1_000 });
      t.mail.script(async (_m, call) => {
        if (call === 1) await t.editions.update(EDITION, { state: EditionState.CANCELLED });
        t.advance(600);
        return `ses-${call}`;
      });

      // Act
      const outcomes = await t.service.processBatch(t.tasks());

      // Assess: the second task still saw the state read 600 ms before (within the period); the third read it again
      expect(outcomes).toEqual([TaskOutcome.SENT, TaskOutcome.SENT, TaskOutcome.CANCELLED]);
      expect(t.mail.calls.send).toBe(2);
      expect(await t.ledger.get(t.tasks([3])[0] as SendTask)).toMatchObject({ state: DeliveryState.CANCELLED });
      expect(await t.editions.get(EDITION)).toMatchObject({ sent: 2, cancelled: 1 });
    });

    it('gives a task back, sending nothing, when every state read takes longer than the period', async () => {
      // Prepare: each read of the edition takes 1.5 s of the clock (a store slower than the 1 s period)
      const t = setup(1, { stateCheckMs: 1_000 });
      const get = t.editions.get.bind(t.editions);
      let reads = 0;
      t.editions.get = async (id) => {
        reads += 1;
        const edition = await get(id);
        t.advance(1_500);
        return edition;
      };

      // Act
      const outcomes = await t.service.processBatch(t.tasks());

      // Assess: retried, not sent, after a bounded number of reads
      expect(outcomes).toEqual([TaskOutcome.RETRY]);
      expect(t.mail.calls.send).toBe(0);
      expect(reads).toBeLessThanOrEqual(4);
    });

    it('reads the state again when the wait for a shared read outlasted the period', async () => {
      // Prepare: the state read takes 1.5 s of the clock, longer than the period
      const t = setup(1, { stateCheckMs: 1_000 });
      const get = t.editions.get.bind(t.editions);
      let reads = 0;
      t.editions.get = async (id) => {
        reads += 1;
        const edition = await get(id);
        if (reads === 1) t.advance(1_500);
        return edition;
      };

      // Act
      const outcomes = await t.service.processBatch(t.tasks());

      // Assess: the batch's read of the edition (1.5 s, also its state) is read again before the slot; the look before SES is fresh
      expect(outcomes).toEqual([TaskOutcome.SENT]);
      expect(reads).toBe(2);
    });

    it('starts the next state read ahead of the period, so the look before SES does not wait for it, and a cancel it brings stops the next send', async () => {
      // Prepare: the second read of the edition is held until the second message is with SES;
      // the clock moves 800 ms with the first message and 400 ms with the second
      const t = setup(3, { concurrency: 1, stateCheckMs: 1_000 });
      const get = t.editions.get.bind(t.editions);
      let reads = 0;
      let releaseRead: (() => void) | undefined;
      t.editions.get = async (id) => {
        reads += 1;
        if (reads === 2) await new Promise<void>((resolve) => (releaseRead = resolve));
        return get(id);
      };
      const readAheadStarted: boolean[] = [];
      t.mail.script(async (_m, call) => {
        readAheadStarted.push(releaseRead !== undefined);
        if (call === 2) {
          await t.editions.update(EDITION, { state: EditionState.CANCELLED });
          releaseRead?.();
        }
        t.advance(call === 1 ? 800 : 400);
        return `ses-${call}`;
      });

      // Act
      const outcomes = await t.service.processBatch(t.tasks());

      // Assess: the second message went to SES while the read started ahead (at 800 ms, 3/4 of
      // the period) was still out; that read, back with the cancel, stopped the third (at 1,200
      // ms) without a read of its own
      expect(readAheadStarted).toEqual([false, true]);
      expect(outcomes).toEqual([TaskOutcome.SENT, TaskOutcome.SENT, TaskOutcome.CANCELLED]);
      expect(reads).toBe(2);
      expect(await t.editions.get(EDITION)).toMatchObject({ sent: 2, cancelled: 1 });
    });

    it('retries throttled sends with jittered backoff inside the invocation', async () => {
      // Prepare: the first two calls are throttled
      const t = setup(1);
      t.mail.script((_m, call) => (call <= 2 ? new TransientSendError('Throttling: Maximum sending rate exceeded.') : `ses-${call}`));

      // Act
      const outcomes = await t.service.processBatch(t.tasks());

      // Assess
      expect(outcomes).toEqual([TaskOutcome.SENT]);
      expect(t.mail.calls.send).toBe(3);
      expect(t.sleeps).toEqual([100, 200]); // random 0.5 × 200 ms, × 400 ms
      expect(t.rate.calls.acquire).toBe(3); // every attempt waits for a send slot
    });

    it('gives each send its slot\'s start-by time, and sends on a new slot, as the same attempt, when the request could not be written by then', async () => {
      // Prepare: slots at the (fixed) clock; the first request misses its start-by time
      const slots: number[] = [];
      const t = setup(1, {
        rate: {
          acquire: async () => {
            if (slots.length > 0) t.advance(100); // as if the worker waited for the next slot
            slots.push(t.now());
            return t.now();
          },
        },
      });
      t.mail.script((_m, call) => (call === 1 ? new SendSlotMissedError('not sent: its start-by time passed 3 ms ago') : `ses-${call}`));

      // Act
      const outcomes = await t.service.processBatch(t.tasks());

      // Assess
      expect(outcomes).toEqual([TaskOutcome.SENT]);
      expect(t.mail.accepted).toHaveLength(1);
      expect(slots).toHaveLength(2); // the first slot, then a new one for the unwritten request
      expect(t.mail.startBys).toEqual([(slots[0] as number) + 8, (slots[1] as number) + 8]);
      expect(slots[1]).toBe((slots[0] as number) + 100);
      expect(t.sleeps).toEqual([]); // no backoff
      expect(await t.ledger.get(t.tasks()[0] as SendTask)).toMatchObject({ state: DeliveryState.SENT, attempts: 1, messageId: 'ses-2' });
    });

    it('gives the lease back and reports a retry when throttling outlasts the attempts', async () => {
      // Prepare
      const t = setup(1, { maxAttempts: 3 });
      t.mail.script(() => new TransientSendError('ServiceUnavailable: Service is unavailable.'));

      // Act
      const outcomes = await t.service.processBatch(t.tasks());

      // Assess
      expect(outcomes).toEqual([TaskOutcome.RETRY]);
      expect(t.mail.calls.send).toBe(3);
      expect(await t.ledger.get(t.tasks()[0] as SendTask)).toMatchObject({ state: DeliveryState.PENDING, reason: 'ServiceUnavailable: Service is unavailable.' });
      expect(await t.editions.get(EDITION)).toMatchObject({ sent: 0, failed: 0, state: EditionState.SENDING });
    });

    it('marks a permanently rejected address failed without retrying, and sends the others', async () => {
      // Prepare
      const t = setup(3);
      t.mail.script((m, call) => (m.to === 'reader2@example.org' ? new PermanentSendError('MessageRejected: Address blacklisted.') : `ses-${call}`));

      // Act
      const outcomes = await t.service.processBatch(t.tasks());

      // Assess
      expect(outcomes).toEqual([TaskOutcome.SENT, TaskOutcome.FAILED, TaskOutcome.SENT]);
      expect(t.mail.calls.send).toBe(3);
      expect(await t.ledger.get({ editionId: EDITION, subscriberId: 's_002' })).toMatchObject({ state: DeliveryState.FAILED, reason: 'MessageRejected: Address blacklisted.' });
      expect(await t.editions.get(EDITION)).toMatchObject({ sent: 2, failed: 1, state: EditionState.SENT });
    });

    it('stops the batch when SES says the daily quota is exhausted and re-queues the rest with a delay', async () => {
      // Prepare: the second send hits the quota
      const t = setup(4, { concurrency: 1 });
      t.mail.script((_m, call) => (call === 2 ? new QuotaExhaustedError('Throttling: Daily message quota exceeded.') : `ses-${call}`));

      // Act
      const outcomes = await t.service.processBatch(t.tasks());

      // Assess
      expect(outcomes).toEqual([TaskOutcome.SENT, TaskOutcome.REQUEUED, TaskOutcome.REQUEUED, TaskOutcome.REQUEUED]);
      expect(outcomes).not.toContain(TaskOutcome.RETRY); // nothing counts towards the dead-letter queue
      expect(t.mail.calls.send).toBe(2);
      expect(t.queue.sent.map((s) => [s.task.subscriberId, s.delaySeconds])).toEqual([['s_002', 900], ['s_003', 900], ['s_004', 900]]);
      expect(await t.ledger.get({ editionId: EDITION, subscriberId: 's_002' })).toMatchObject({ state: DeliveryState.PENDING });
      const edition = await t.editions.get(EDITION);
      expect(edition).toMatchObject({ sent: 1, total: 4, state: EditionState.SENDING });
      expect(edition?.reason).toMatch(/^daily sending quota exhausted/);
    });

    it('checks the remaining daily quota before sending and takes no lease when it is gone', async () => {
      // Prepare
      const t = setup(3);
      t.quota.left = 0;

      // Act
      const outcomes = await t.service.processBatch(t.tasks());

      // Assess
      expect(outcomes).toEqual([TaskOutcome.REQUEUED, TaskOutcome.REQUEUED, TaskOutcome.REQUEUED]);
      expect(t.mail.calls.send).toBe(0);
      expect(t.ledger.calls.acquire).toBe(0);
      expect(t.queue.sent).toHaveLength(3);
    });

    it('counts its own sends against the cached quota and stops when they use it up', async () => {
      // Prepare
      const t = setup(5, { concurrency: 1 });
      t.quota.left = 2;

      // Act
      const outcomes = await t.service.processBatch(t.tasks());

      // Assess
      expect(outcomes.filter((o) => o === TaskOutcome.SENT)).toHaveLength(2);
      expect(outcomes.filter((o) => o === TaskOutcome.REQUEUED)).toHaveLength(3);
      expect(t.mail.calls.send).toBe(2);
    });

    it('does not add re-queued tasks to the edition total', async () => {
      // Prepare
      const t = setup(3);
      t.quota.left = 0;

      // Act
      await t.service.processBatch(t.tasks());
      await t.service.processBatch(t.queue.sent.map((s) => s.task));

      // Assess
      expect(await t.editions.get(EDITION)).toMatchObject({ total: 3, sent: 0 });
    });

    it('takes over the expired lease of a worker that died, but not a live one', async () => {
      // Prepare
      const t = setup(2);
      t.ledger.seed({ editionId: EDITION, subscriberId: 's_001', state: DeliveryState.SENDING, leaseUntil: t.now() - 1 });
      t.ledger.seed({ editionId: EDITION, subscriberId: 's_002', state: DeliveryState.SENDING, leaseUntil: t.now() + 60_000 });

      // Act
      const outcomes = await t.service.processBatch(t.tasks());

      // Assess
      expect(outcomes).toEqual([TaskOutcome.SENT, TaskOutcome.DUPLICATE]);
      expect(t.mail.recipients()).toEqual(['reader1@example.org']);
      expect(await t.ledger.get({ editionId: EDITION, subscriberId: 's_001' })).toMatchObject({ attempts: 2, state: DeliveryState.SENT });
    });

    it('waits for its send slot before it takes the lease, so the lease covers only the send', async () => {
      // Prepare: the rate limiter "waits" 10 minutes, far longer than the lease
      const t = setup(1);
      const order: string[] = [];
      t.rate.onAcquire = () => {
        order.push('slot');
        t.advance(600_000);
      };
      const acquire = t.ledger.acquire.bind(t.ledger);
      t.ledger.acquire = async (...args) => {
        order.push('lease');
        return acquire(...args);
      };

      // Act
      const outcomes = await t.service.processBatch(t.tasks());

      // Assess
      expect(outcomes).toEqual([TaskOutcome.SENT]);
      expect(order).toEqual(['slot', 'lease']);
    });

    it('renews the lease when a retry waited long for its send slot', async () => {
      // Prepare: throttled once; the retry's slot comes 118 s into a 120 s lease
      const t = setup(1);
      t.mail.script((_m, call) => (call === 1 ? new TransientSendError('Throttling: Maximum sending rate exceeded.') : `ses-${call}`));
      let slots = 0;
      t.rate.onAcquire = () => {
        if (++slots === 2) t.advance(118_000);
      };

      // Act
      const outcomes = await t.service.processBatch(t.tasks());

      // Assess
      expect(outcomes).toEqual([TaskOutcome.SENT]);
      expect(t.mail.calls.send).toBe(2);
      expect(await t.ledger.get(t.tasks()[0] as SendTask)).toMatchObject({ state: DeliveryState.SENT });
    });

    it('does not send when its lease expired and another attempt took it over while it waited', async () => {
      // Prepare: throttled once; while the retry waits for a slot, its lease expires and another worker takes it
      const t = setup(1);
      const task = t.tasks()[0] as SendTask;
      t.mail.script((_m, call) => (call === 1 ? new TransientSendError('Throttling: Maximum sending rate exceeded.') : `ses-${call}`));
      let slots = 0;
      t.rate.onAcquire = () => {
        if (++slots !== 2) return;
        t.advance(LEASE_MS + 1);
        t.ledger.seed({ ...task, state: DeliveryState.SENDING, leaseUntil: t.now() + LEASE_MS, attempts: 2 });
      };

      // Act
      const outcomes = await t.service.processBatch([task]);

      // Assess
      expect(outcomes).toEqual([TaskOutcome.DUPLICATE]);
      expect(t.mail.calls.send).toBe(1); // the throttled first attempt only
      expect(await t.editions.get(EDITION)).toMatchObject({ sent: 0 });
    });

    it('re-queues at once, without failing them, the tasks it cannot start before the invocation deadline', async () => {
      // Prepare: the second send slot comes after the deadline
      const t = setup(3, { concurrency: 1 });
      const deadline = t.now() + 1_000;
      let slots = 0;
      t.rate.onAcquire = () => {
        if (++slots === 2) t.advance(2_000);
      };

      // Act
      const outcomes = await t.service.processBatch(t.tasks(), { deadline });

      // Assess
      expect(outcomes).toEqual([TaskOutcome.SENT, TaskOutcome.REQUEUED, TaskOutcome.REQUEUED]);
      expect(t.queue.sent.map((q) => [q.task.subscriberId, q.delaySeconds])).toEqual([['s_002', undefined], ['s_003', undefined]]);
      expect(t.ledger.stateOf({ editionId: EDITION, subscriberId: 's_002' })).toBeUndefined(); // no lease was taken
      expect(await t.editions.get(EDITION)).toMatchObject({ sent: 1, total: 3 });
    });

    it('gives each SES call a deadline: at most a whole call (10 s), and 5 s before the invocation ends', async () => {
      // Prepare
      const t = setup(2, { concurrency: 1 });
      const start = t.now();

      // Act: the first batch has time; the second invocation ends in 8 s
      await t.service.processBatch(t.tasks([1]));
      await t.service.processBatch(t.tasks([2]), { deadline: start - 2_000 + 8_000, end: start + 8_000 });

      // Assess
      expect(t.mail.deadlines).toEqual([start + 10_000, start + 3_000]);
    });

    it('starts no SES call when the invocation leaves too little for one: gives the lease back and re-queues the task', async () => {
      // Prepare: sends may start for 1 s more, but the invocation ends in 5.5 s (a call must end 5 s before)
      const t = setup(1);
      const task = t.tasks()[0] as SendTask;

      // Act
      const outcomes = await t.service.processBatch([task], { deadline: t.now() + 1_000, end: t.now() + 5_500 });

      // Assess
      expect(outcomes).toEqual([TaskOutcome.REQUEUED]);
      expect(t.mail.calls.send).toBe(0);
      expect(await t.ledger.get(task)).toMatchObject({ state: DeliveryState.PENDING, reason: 'the invocation is about to time out' });
      expect(t.queue.sent).toEqual([{ task }]);
    });

    it('keeps an entry whose outcome is unknown sending until the settle period is over, fails nothing, and re-queues it for then', async () => {
      // Prepare: the SES call is aborted at its deadline
      const t = setup(1);
      const task = t.tasks()[0] as SendTask;
      t.mail.script(() => new SendOutcomeUnknownError('AbortError: Request aborted'));
      const callDeadline = t.now() + 10_000;

      // Act
      const outcomes = await t.service.processBatch([task]);

      // Assess: the lease now ends 30 s (settle) after the call's deadline; the task comes back then
      expect(outcomes).toEqual([TaskOutcome.REQUEUED]);
      expect(await t.ledger.get(task)).toMatchObject({ state: DeliveryState.SENDING, leaseUntil: callDeadline + 30_000, reason: 'outcome unknown: AbortError: Request aborted' });
      expect(t.queue.sent).toEqual([{ task, delaySeconds: 40 }]);
      expect(await t.editions.get(EDITION)).toMatchObject({ sent: 0, failed: 0, skipped: 0, state: EditionState.SENDING });
      expect(t.quota.left).toBe(Number.POSITIVE_INFINITY); // not counted as sent
    });

    it('does not take an unknown-outcome entry before its settle time; after it, with no Send event, sends once', async () => {
      // Prepare: one aborted call
      const t = setup(1);
      const task = t.tasks()[0] as SendTask;
      t.mail.script((_m, call) => (call === 1 ? new SendOutcomeUnknownError('TimeoutError: socket hang up') : `ses-${call}`));
      await t.service.processBatch([task]);

      // Act
      const early = await t.service.processBatch([task]);
      t.advance(40_001);
      const later = await t.service.processBatch([task]);

      // Assess
      expect(early).toEqual([TaskOutcome.DUPLICATE]);
      expect(later).toEqual([TaskOutcome.SENT]);
      expect(t.mail.calls.send).toBe(2);
      expect(await t.ledger.get(task)).toMatchObject({ state: DeliveryState.SENT, messageId: 'ses-2', attempts: 2 });
      expect(await t.editions.get(EDITION)).toMatchObject({ sent: 1, state: EditionState.SENT });
    });

    it('marks an entry with a recorded Send event sent with its message id, without sending, and counts it', async () => {
      // Prepare: the worker died after SES accepted (its lease expired), or its call was aborted; the Send event is in the ledger
      const t = setup(2);
      const [dead, unknown] = t.tasks() as [SendTask, SendTask];
      t.ledger.seed({ ...dead, state: DeliveryState.SENDING, leaseUntil: t.now() - 1, sendEvent: { messageId: 'ses-first', at: '2026-11-28T05:59:00.000Z' } });
      t.ledger.seed({ ...unknown, state: DeliveryState.SENDING, leaseUntil: t.now() - 1, reason: 'outcome unknown: AbortError', sendEvent: { messageId: 'ses-other', at: '2026-11-28T05:59:00.000Z' } });

      // Act
      const outcomes = await t.service.processBatch([dead, unknown]);

      // Assess
      expect(outcomes).toEqual([TaskOutcome.SENT, TaskOutcome.SENT]);
      expect(t.mail.calls.send).toBe(0);
      expect(await t.ledger.get(dead)).toMatchObject({ state: DeliveryState.SENT, messageId: 'ses-first', attempts: 2 });
      expect(await t.ledger.get(unknown)).toMatchObject({ state: DeliveryState.SENT, messageId: 'ses-other' });
      expect(await t.editions.get(EDITION)).toMatchObject({ sent: 2, state: EditionState.SENT });
    });

    it('reports a retry, instead of re-queuing again, once an entry was tried 5 times', async () => {
      // Prepare: four earlier attempts
      const t = setup(1);
      const task = t.tasks()[0] as SendTask;
      t.ledger.seed({ ...task, state: DeliveryState.PENDING, attempts: 4 });
      t.mail.script(() => new SendOutcomeUnknownError('AbortError: Request aborted'));

      // Act
      const outcomes = await t.service.processBatch([task]);

      // Assess
      expect(outcomes).toEqual([TaskOutcome.RETRY]);
      expect(t.queue.sent).toEqual([]);
      expect(t.ledger.stateOf(task)).toBe(DeliveryState.SENDING);
    });

    it('does not count an outcome whose lease was lost before it was recorded', async () => {
      // Prepare: SES accepts, but meanwhile another attempt took the lease over
      const t = setup(1);
      const task = t.tasks()[0] as SendTask;
      t.mail.script((_m, call) => {
        t.ledger.seed({ ...task, state: DeliveryState.SENDING, leaseUntil: t.now() + 999_999, attempts: 2 });
        return `ses-${call}`;
      });

      // Act
      const outcomes = await t.service.processBatch([task]);

      // Assess
      expect(outcomes).toEqual([TaskOutcome.DUPLICATE]);
      expect(await t.editions.get(EDITION)).toMatchObject({ sent: 0 });
    });

    it('retries a failed entry only when the task says so (resend-failed)', async () => {
      // Prepare
      const t = setup(1);
      const task = t.tasks()[0] as SendTask;
      t.ledger.seed({ ...task, state: DeliveryState.FAILED, reason: 'MessageRejected' });

      // Act
      const plain = await t.service.processBatch([task]);
      const retried = await t.service.processBatch([{ ...task, retryFailed: true }]);

      // Assess
      expect(plain).toEqual([TaskOutcome.DUPLICATE]);
      expect(retried).toEqual([TaskOutcome.SENT]);
      expect(t.mail.calls.send).toBe(1);
    });

    it('gives the lease back and asks for a retry when the edition artefact is missing', async () => {
      // Prepare
      const t = setup(1);
      t.artefacts.editions.clear();

      // Act
      const outcomes = await t.service.processBatch(t.tasks());

      // Assess
      expect(outcomes).toEqual([TaskOutcome.RETRY]);
      expect(await t.ledger.get(t.tasks()[0] as SendTask)).toMatchObject({ state: DeliveryState.PENDING, reason: 'edition artefact not found' });
    });

    it('gives the lease back when something unexpected fails after taking it', async () => {
      // Prepare
      const t = setup(1);
      t.subscribers.getMany = async () => {
        throw new Error('DynamoDB is down');
      };

      // Act
      const outcomes = await t.service.processBatch(t.tasks());

      // Assess
      expect(outcomes).toEqual([TaskOutcome.RETRY]);
      expect(await t.ledger.get(t.tasks()[0] as SendTask)).toMatchObject({ state: DeliveryState.PENDING, reason: 'DynamoDB is down' });
      expect(t.logger.lines.some((l) => l.level === 'error' && l.message === 'send task failed')).toBe(true);
    });

    it('keeps the ledger outcome when the counter update fails (the reconciler recounts)', async () => {
      // Prepare
      const t = setup(1);
      t.editions.addCounts = async () => {
        throw new Error('throttled');
      };

      // Act
      const outcomes = await t.service.processBatch(t.tasks());

      // Assess
      expect(outcomes).toEqual([TaskOutcome.SENT]);
      expect(t.ledger.stateOf(t.tasks()[0] as SendTask)).toBe(DeliveryState.SENT);
    });

    it('keeps at most `concurrency` sends in flight', async () => {
      // Prepare
      const t = setup(20, { concurrency: 4 });
      let inFlight = 0;
      let most = 0;
      t.mail.script(async (_m, call) => {
        most = Math.max(most, ++inFlight);
        await new Promise((r) => setTimeout(r, 2));
        inFlight--;
        return `ses-${call}`;
      });

      // Act
      await t.service.processBatch(t.tasks());

      // Assess
      expect(most).toBe(4);
      expect(t.mail.calls.send).toBe(20);
    });
  });
});
