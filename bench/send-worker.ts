/**
 * Send throughput and rate cap (child process): ONE send-worker process running the real
 * SendService (as wired in functions/wiring/send.ts), SesMailSender and the real
 * @aws-sdk/client-ses client (sesClient: keep-alive pool of SEND_CONCURRENCY sockets),
 * sending the 15-story edition to the SES stand-in, which runs in its own process on
 * loopback with 100 ms of latency per call. The ledger, subscribers, editions and artefacts
 * are the kit's in-memory adapters (test/kit/memory/, no latency, no counters) so that the run measures the send
 * path, not an emulated DynamoDB; the shared rate limiter's per-second budgets are in memory
 * too (one worker).
 *
 * Throughput: the stand-in's MaxSendRate is 100000 (the limiter does not hold anything
 * back). Rate cap: MaxSendRate is set to the cap, and the accepted times the stand-in
 * recorded are counted per one-second window.
 */
import type { SendRound } from './lib/send-round.ts';
import { childParams, nextInputLine, reportResult, signal } from './lib/child.ts';
import { checkMessage, sentRecipient } from './lib/mime-check.ts';
import { checkLeanBodies } from './lib/lean-body-check.ts';
import { BENCH_TOKEN_SECRET, PLACEHOLDER_ENV } from './lib/placeholder-env.ts';
import { makeRecipient } from '../test/kit/fixtures/index.ts';
import {
  InMemoryArtefactStore, InMemoryDeliveryLedger, InMemoryEditionRepository, InMemorySendSlotStore, InMemorySubscriberRepository, RecordingSendQueue,
} from '../test/kit/memory/index.ts';
import type { OutgoingMessage, SendTask } from '../functions/core/delivery/types.ts';
import type { MailSender } from '../functions/core/delivery/ports.ts';
import type { Subscriber } from '../functions/core/subscribers/types.ts';
import type { RenderedEdition } from '../functions/core/editions/types.ts';

interface Params {
  sesUrl: string;
  concurrency: number;
  throughput: { rounds: number; perRound: number; warmup: number };
  rate: { rounds: number; seconds: number; cap: number };
  /** Parse one message in this many with mailparser (plus the first and last of each round). */
  checkEvery: number;
  /** The fixture edition, rendered by the set-up (bench/lib/rendered-fixture.ts); else rendered here. */
  renderedFile?: string;
  /** Started ahead (bench/run.ts `startGated`): wait for a line on stdin after the imports. */
  gated?: boolean;
}

const params = childParams<Params>();
const LATENCY_MS = 100;
const TOKEN_SECRET = BENCH_TOKEN_SECRET;

const { useEnvironment } = await import('../functions/core/config.ts');
useEnvironment({
  ...PLACEHOLDER_ENV,
  SES_ENDPOINT: params.sesUrl,
  SEND_CONCURRENCY: String(params.concurrency),
  SEND_RATE_LIMIT: '0',
  PUBLIC_BASE_URL: 'https://api.news-digest.test',
  ARCHIVE_BASE_URL: 'https://news-digest.test/archive',
  FROM_NAME: 'CommonSpace Digest',
});
const { buildSendService, mailSender } = await import('../functions/wiring/send.ts');
const { resetWiring } = await import('../functions/wiring/common.ts');
const { SharedRateLimiter } = await import('../functions/core/delivery/rate-limiter.ts');
const { TaskOutcome } = await import('../functions/core/delivery/send-service.ts');

// The edition is rendered once (MJML), as the edition function does, by the set-up; the worker only reads it.
const { fixtureEdition } = await import('./lib/rendered-fixture.ts');
const rendered: RenderedEdition = await fixtureEdition(params.renderedFile);
if (params.gated) {
  // Started ahead of its run by the set-up (bench/run.ts): imports done, wait for the parent's go before anything measured.
  signal('ready');
  await nextInputLine();
}

async function stand(path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${params.sesUrl}${path}`, body === undefined ? {} : { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  return res.json();
}
const stats = async () => (await stand('/stats')) as { accepted: number; requests: number; maxInFlight: number };

const ledger = new InMemoryDeliveryLedger();
const subscribers = new InMemorySubscriberRepository();
const editions = new InMemoryEditionRepository();
const artefacts = new InMemoryArtefactStore();
const queue = new RecordingSendQueue();
const recipients = new Map<string, ReturnType<typeof makeRecipient>>();

async function addSubscribers(count: number): Promise<void> {
  const now = new Date().toISOString();
  for (let i = subscribers.items.size; i < count; i++) {
    const r = makeRecipient(i);
    const s: Subscriber = { id: r.id, email: r.email, ...(r.name ? { name: r.name } : {}), status: 'confirmed', newsletter: 'daily', alerts: 'none', keywords: [], createdAt: now, updatedAt: now };
    await subscribers.put(s);
    recipients.set(r.id, r);
  }
}

async function newEdition(id: string, total: number): Promise<SendTask[]> {
  await artefacts.putEdition({ ...rendered, editionId: id });
  const now = new Date().toISOString();
  await editions.createIfAbsent({ id, job: 'daily', state: 'sending', scheduledAt: now, createdAt: now, updatedAt: now, total, pages: 1, fanoutDone: true, sent: 0, failed: 0, skipped: 0, subject: rendered.subject });
  return [...subscribers.items.keys()].slice(0, total).map((subscriberId) => ({ editionId: id, subscriberId }));
}

/** Keeps a sample of what was sent, for the MIME check after the timed part. */
class Sampling implements MailSender {
  readonly samples: OutgoingMessage[] = [];
  readonly #inner: MailSender;
  readonly #every: number;
  #n = 0;
  constructor(inner: MailSender, every: number) {
    this.#inner = inner;
    this.#every = every;
  }
  send(message: OutgoingMessage): Promise<string> {
    if (this.#n++ % this.#every === 0) this.samples.push(message);
    return this.#inner.send(message);
  }
  getQuota() {
    return this.#inner.getQuota();
  }
}

async function service(sampling: Sampling) {
  const real = mailSender();
  return buildSendService({
    ledger,
    subscribers,
    editions,
    artefacts,
    queue,
    mail: sampling,
    rate: new SharedRateLimiter(new InMemorySendSlotStore(), async () => (await real.getQuota()).maxSendRate),
  });
}

const checked = { messages: 0, leanBodies: 0, problems: [] as string[] };
async function check(samples: readonly OutgoingMessage[]): Promise<void> {
  for (const m of samples) {
    const id = m.tags.subscriber ?? '';
    const r = recipients.get(id);
    if (!r) {
      checked.problems.push(`unknown subscriber ${id}`);
      continue;
    }
    const editionId = m.tags.edition ?? '';
    try {
      const problems = await checkMessage(m.raw, {
        rendered: { ...rendered, editionId },
        from: 'digest@news-digest.test',
        recipient: (mail) =>
          sentRecipient(mail, r, { publicBaseUrl: 'https://api.news-digest.test', webViewUrl: `https://news-digest.test/archive/editions/${editionId}.html`, tokenSecret: TOKEN_SECRET }),
      });
      if (m.to !== r.email) problems.push(`sent to ${m.to}`);
      checked.problems.push(...problems.map((p) => `${id}: ${p}`));
    } catch (error) {
      checked.problems.push(`${id}: ${error instanceof Error ? error.message : String(error)}`);
    }
    checked.messages += 1;
  }
}

async function sendRound(editionId: string, count: number, every: number): Promise<{ round: SendRound; samples: OutgoingMessage[] }> {
  const tasks = await newEdition(editionId, count);
  const sampling = new Sampling(mailSender(), every);
  const svc = await service(sampling);
  await stand('/raw/clear', {});
  const before = await stats();
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  const outcomes = await svc.processBatch(tasks);
  const ms = performance.now() - t0;
  const used = process.cpuUsage(cpu);
  const after = await stats();
  const notSent = outcomes.filter((o) => o !== TaskOutcome.SENT).length;
  if (notSent > 0) throw new Error(`${notSent} of ${count} tasks were not sent: ${[...new Set(outcomes)].join(', ')}`);
  return {
    round: {
      messages: count,
      seconds: ms / 1000,
      perSecond: (count * 1000) / ms,
      cpuMsPerMessage: (used.user + used.system) / 1000 / count,
      accepted: after.accepted - before.accepted,
      maxInFlight: after.maxInFlight,
    },
    samples: sampling.samples,
  };
}

// ---- the lean SendRawEmail body is the SDK's, byte for byte ----
{
  const { personalizeMime, prepareMessage } = await import('../functions/core/rendering/personalizer.ts');
  const template = prepareMessage(rendered, { fromName: 'CommonSpace Digest', fromAddress: 'digest@news-digest.test', subject: rendered.subject, listId: 'digest.news-digest.test', messageIdDomain: 'news-digest.test' });
  const messages = Array.from({ length: 8 }, (_, i) => {
    const r = makeRecipient(i);
    const mime = personalizeMime(template, r, { subscriberId: r.id, date: new Date(), messageIdDomain: 'news-digest.test' });
    return { raw: mime.toString(), mime, to: r.email, tags: { edition: 'daily-bench', subscriber: r.id } };
  });
  const problems = await checkLeanBodies(messages);
  checked.leanBodies = messages.length;
  checked.problems.push(...problems);
}

// ---- throughput ----
const tp = params.throughput;
await addSubscribers(Math.max(tp.perRound, tp.warmup, Math.ceil(params.rate.cap * params.rate.seconds)));
await stand('/faults', { latencyMs: LATENCY_MS, maxSendRate: 100_000, quotaRemaining: 100_000_000 });
resetWiring();
const warm = await sendRound('daily-bench-warmup', tp.warmup, tp.warmup);
await check(warm.samples);
const throughput: SendRound[] = [];
for (let i = 0; i < tp.rounds; i++) {
  const { round, samples } = await sendRound(`daily-bench-t${i}`, tp.perRound, params.checkEvery);
  throughput.push(round);
  ledger.clear();
  await check(samples);
  process.stderr.write(`throughput round ${i + 1}: ${round.perSecond.toFixed(0)}/s, ${round.cpuMsPerMessage.toFixed(2)} ms CPU/message, ${round.maxInFlight} in flight\n`);
}

// ---- rate cap ----
interface RateRound {
  messages: number;
  achieved: number;
  maxPerCalendarSecond: number;
  maxPerSlidingSecond: number;
}
const rc = params.rate;
signal('rate');
await stand('/faults', { latencyMs: LATENCY_MS, maxSendRate: rc.cap, quotaRemaining: 100_000_000 });
resetWiring(); // a fresh SesMailSender: GetSendQuota is cached a minute
const rate: RateRound[] = [];
for (let i = 0; i < rc.rounds; i++) {
  const count = Math.round(rc.cap * rc.seconds);
  const { samples } = await sendRound(`daily-bench-r${i}`, count, Math.max(1, Math.floor(count / 4)));
  await check(samples);
  ledger.clear();
  const captured = (await stand('/raw')) as { at: number }[];
  const times = captured.map((c) => c.at).sort((a, b) => a - b);
  const first = times[0] ?? 0;
  const last = times.at(-1) ?? 0;
  const calendar = new Map<number, number>();
  for (const t of times) calendar.set(Math.floor(t / 1000), (calendar.get(Math.floor(t / 1000)) ?? 0) + 1);
  let sliding = 0;
  for (let a = 0, b = 0; a < times.length; a++) {
    while (b < times.length && (times[b] as number) < (times[a] as number) + 1000) b++;
    sliding = Math.max(sliding, b - a);
  }
  rate.push({
    messages: times.length,
    // Sends per second over the run: n - 1 intervals between the first and the last.
    achieved: times.length > 1 ? ((times.length - 1) * 1000) / (last - first) : 0,
    maxPerCalendarSecond: Math.max(0, ...calendar.values()),
    maxPerSlidingSecond: sliding,
  });
  process.stderr.write(`rate round ${i + 1}: ${JSON.stringify(rate.at(-1))}\n`);
}

reportResult({
  throughput,
  rate,
  cap: rc.cap,
  concurrency: params.concurrency,
  checked,
  messageBytes: Buffer.byteLength(warm.samples[0]?.raw ?? ''),
  stores: 'in-memory ledger, subscribers, editions and artefacts (test/kit/memory/)',
});
