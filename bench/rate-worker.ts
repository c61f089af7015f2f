/**
 * One of the four send workers of the rate-cap benchmark (child process). It runs the real
 * SendService with the real SES client against the stack's SES front (which enforces
 * MaxSendRate), taking its send slots from the DynamoDB send-slot store on the stack's
 * dynalite, which the four workers share; the ledger, subscribers, editions and artefacts are
 * in-memory (each worker sends to its own readers), so the run measures the rate, not the
 * emulated ledger. Batches of 100, the default concurrency (32).
 *
 * Commands on stdin, one JSON line each: `{"cap":50,"edition":"r50","from":0,"count":100,"startAt":1733000000000}`;
 * it answers each with one line `DONE {json}` on stdout. It ends when stdin closes. With
 * `"startAt":"go"` it prepares the run (its readers, its service, one priming message of the
 * run's edition to a reader of its own), answers `ARMED`, and
 * waits for a line `{"startAt":…}`: the four workers start together at that moment, without
 * a fixed margin for the slowest one's preparation.
 */
import { createInterface } from 'node:readline';
import { BENCH_TOKEN_SECRET, PLACEHOLDER_ENV } from './lib/placeholder-env.ts';
import { makeRecipient } from '../test/kit/fixtures/index.ts';
import {
  InMemoryArtefactStore, InMemoryDeliveryLedger, InMemoryEditionRepository, InMemorySubscriberRepository, RecordingSendQueue,
} from '../test/kit/memory/index.ts';
import type { RenderedEdition } from '../functions/core/editions/types.ts';

const env = JSON.parse(process.argv[2] ?? '{}') as Record<string, string>;
const { useEnvironment } = await import('../functions/core/config.ts');
useEnvironment({ ...PLACEHOLDER_ENV, ...env, TOKEN_SECRET: BENCH_TOKEN_SECRET, LOG_LEVEL: 'ERROR' });
const { buildSendService, mailSender } = await import('../functions/wiring/send.ts');
const { ddb, config } = await import('../functions/wiring/common.ts');
const { SharedRateLimiter } = await import('../functions/core/delivery/rate-limiter.ts');
const { DynamoDbSendSlotStore } = await import('../functions/adapters/dynamodb-send-slot-store.ts');
const { SendSlotMissedError } = await import('../functions/core/errors.ts');
// The fixture edition, rendered by the set-up when it names a file (argv[3]), else here (bench/lib/rendered-fixture.ts).
const { fixtureEdition } = await import('./lib/rendered-fixture.ts');
const rendered: RenderedEdition = await fixtureEdition(process.argv[3]);

/** Index of the first priming reader (makeRecipient(PRIMER_BASE + from)): far above any measured reader's. */
const PRIMER_BASE = 10_000_000;

interface Run {
  cap: number;
  edition: string;
  from: number;
  count: number;
  /** When to start sending (ms since the epoch), or 'go': answer ARMED once ready and read the moment from the next line. */
  startAt: number | 'go';
}

const input = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
/** The next non-empty line on stdin (undefined once it closes). */
async function nextLine(): Promise<string | undefined> {
  for (;;) {
    const { value, done } = await input.next();
    if (done) return undefined;
    if (String(value).trim()) return String(value);
  }
}

async function run(r: Run): Promise<Record<string, unknown>> {
  const subscribers = new InMemorySubscriberRepository();
  const editions = new InMemoryEditionRepository();
  const artefacts = new InMemoryArtefactStore();
  const now = new Date().toISOString();
  const ids: string[] = [];
  for (let i = r.from; i < r.from + r.count; i++) {
    const m = makeRecipient(i);
    await subscribers.put({ id: m.id, email: m.email, ...(m.name ? { name: m.name } : {}), status: 'confirmed', newsletter: 'daily', alerts: 'none', keywords: [], createdAt: now, updatedAt: now });
    ids.push(m.id);
  }
  // One more reader, outside the measured ones (an index far above them), for the priming send below.
  const primer = makeRecipient(PRIMER_BASE + r.from);
  await subscribers.put({ id: primer.id, email: primer.email, status: 'confirmed', newsletter: 'daily', alerts: 'none', keywords: [], createdAt: now, updatedAt: now });
  await artefacts.putEdition({ ...rendered, editionId: r.edition });
  await editions.createIfAbsent({ id: r.edition, job: 'daily', state: 'sending', scheduledAt: now, createdAt: now, updatedAt: now, total: 4 * r.count, pages: 1, fanoutDone: true, sent: 0, failed: 0, skipped: 0, subject: rendered.subject });
  // Counted around the limiter and the provider (the service is not changed): every slot taken,
  // and the SES calls that failed or gave their slot up at the write (the start-by time,
  // SendSlotMissedError). A slot taken beyond one per message and one per call given up at the
  // write was given up before the call (the send was more than 8 ms late when it looked).
  const counts = { slots: 0, missedAtWrite: 0, failedCalls: 0 };
  const limiter = new SharedRateLimiter(new DynamoDbSendSlotStore({ client: ddb(), tableName: config().DELIVERIES_TABLE }), async () => r.cap);
  const provider = mailSender();
  const service = await buildSendService({
    ledger: new InMemoryDeliveryLedger(),
    subscribers,
    editions,
    artefacts,
    queue: new RecordingSendQueue(),
    mail: {
      send: async (message, options) => {
        try {
          return await provider.send(message, options);
        } catch (error) {
          if (error instanceof SendSlotMissedError) counts.missedAtWrite += 1;
          else counts.failedCalls += 1;
          throw error;
        }
      },
      getQuota: () => provider.getQuota(),
    },
    rate: {
      acquire: (count, options) => {
        counts.slots += count;
        return limiter.acquire(count, options);
      },
    },
  });
  let startAt = r.startAt;
  if (startAt === 'go') {
    // Primed: one message of this run's edition to the extra reader, through the shared slots
    // at this cap, before ARMED (the orchestrator drops the stand-in's records once every
    // worker is armed, so it is not counted as sent; a throttle would be). A worker that has
    // already sent an edition holds its message template (prepareMessage: the static parts
    // encoded once per edition); without this the first send of each worker paid for it inside
    // the measured window, and the slots it had claimed went by unused (4 slots at 50/s).
    await service.processBatch([{ editionId: r.edition, subscriberId: primer.id }]);
    process.stdout.write('ARMED\n');
    const go = await nextLine();
    if (go === undefined) throw new Error('stdin closed before the start');
    startAt = (JSON.parse(go) as { startAt: number }).startAt;
  }
  const wait = startAt - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  const cpu = process.cpuUsage();
  const counted = { ...counts };
  const outcomes: string[] = [];
  for (let i = 0; i < ids.length; i += 100) {
    outcomes.push(...(await service.processBatch(ids.slice(i, i + 100).map((subscriberId) => ({ editionId: r.edition, subscriberId })))));
  }
  const used = process.cpuUsage(cpu);
  const byOutcome: Record<string, number> = {};
  for (const o of outcomes) byOutcome[o] = (byOutcome[o] ?? 0) + 1;
  const slots = counts.slots - counted.slots;
  const missedAtWrite = counts.missedAtWrite - counted.missedAtWrite;
  const failedCalls = counts.failedCalls - counted.failedCalls;
  // One slot per message sent; one more for each call given up at the write and each failed call (its retry).
  const givenUpBeforeCall = slots - ids.length - missedAtWrite - failedCalls;
  return { outcomes: byOutcome, cpuMs: (used.user + used.system) / 1000, slots: { taken: slots, givenUpBeforeCall, givenUpAtWrite: missedAtWrite, failedCalls } };
}

process.stdout.write('READY\n');
for (let line = await nextLine(); line !== undefined; line = await nextLine()) {
  const result = await run(JSON.parse(line) as Run);
  process.stdout.write(`DONE ${JSON.stringify(result)}\n`);
}
