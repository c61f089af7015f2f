/**
 * Per-recipient work, bytes out (child process): from a send task's subscriber to the
 * SendRawEmail request body handed to the HTTP client, three ways in the same run, for the
 * 15-story edition:
 * - ours: the two link tokens signed (HMAC), the links built, `personalizeMime()` on the
 *   template `prepareMessage()` made once per edition (MIME chunks: only the recipient's
 *   headers and token values are new), `formEncodedRawMessage()` (base64 and form encoding,
 *   the edition's shared chunks encoded once per alignment) and `spliceRawMessage()` into the
 *   request's form body: one Buffer, the bytes that go on the wire;
 * - MailComposer: the same tokens and links, the same message (same headers, text and HTML
 *   parts with the tokens replaced) built by nodemailer's MailComposer, then the same request
 *   body (`formEncodedBase64()` of the whole message, spliced in the same way);
 * - naive MJML: the MJML template compiled for each recipient (`renderEdition`), then as
 *   MailComposer.
 * Excluded from all three (the same for each, and in the worker's CPU per message instead):
 * the SDK's serialization of the other fields, SigV4 signing (which hashes the body) and HTTP.
 * bench/run.ts runs this twice in the same bench run: once for ours alone (as in the send
 * worker, where no MailComposer or MJML runs: interleaved with them, ours measured 0.06 →
 * 0.20 ms over five rounds while alone it stayed at 0.05, the next approach paying for the
 * last one's garbage and JIT state), then MailComposer and MJML; an approach given 0
 * messages is skipped. Each round's figure is the process's CPU time (user + system, every
 * thread, the garbage collector's helpers too) per message, which a loaded machine does not
 * inflate as it does wall time; the wall time is recorded beside it. Every distinct request
 * body built is then checked once: RawMessage.Data
 * decoded from the form, parsed with mailparser, headers and decoded parts compared with the
 * rendered edition, and both signed links verified (outside the timing).
 */
import MailComposer from 'nodemailer/lib/mail-composer';
import { childParams, reportResult } from './lib/child.ts';
import { EDITION_URL, HEADERS, makeBranding, makeContent, makeRecipient, storiesIn } from '../test/kit/fixtures/index.ts';
import { checkMessage, expectedParts, sentRecipient } from './lib/mime-check.ts';
import { BENCH_TOKEN_SECRET } from './lib/placeholder-env.ts';
import { renderEdition } from '../functions/core/rendering/edition-email.ts';
import { RenderCounter } from '../functions/core/rendering/mjml-compiler.ts';
import { personalizeMime, prepareMessage, type Recipient } from '../functions/core/rendering/personalizer.ts';
import { encodeHeaderWord } from '../functions/core/rendering/mime.ts';
import { Links } from '../functions/core/links.ts';
import { signToken, TokenPurpose } from '../functions/core/subscribers/tokens.ts';
import { formEncodedBase64, spliceRawMessage } from '../functions/adapters/ses-mail-sender.ts';
import { formEncodedRawMessage } from '../functions/adapters/ses-raw-message.ts';
import type { RenderedEdition } from '../functions/core/editions/types.ts';

interface Params {
  rounds: number;
  /** Distinct recipients (each message is MIME-checked once). */
  recipients: number;
  /** Messages per round and approach. */
  ours: number;
  composer: number;
  naive: number;
}

const params = childParams<Params>();
const content = makeContent();
const branding = makeBranding();
const options = { branding, editionUrl: EDITION_URL };
/** Counts the per-recipient MJML compiles of the naive path. */
const naiveRenders = new RenderCounter();
const rendered = await renderEdition(content, options);
const headers = { ...HEADERS, subject: rendered.subject };
const template = prepareMessage(rendered, headers);
const date = new Date('2024-05-01T06:00:00Z');
const PUBLIC = 'https://api.news-digest.test';
const links = new Links({ publicBaseUrl: PUBLIC, archiveBaseUrl: 'https://archive.example.com' });
const webViewUrl = links.editionPage(rendered.editionId);
const subscribers = Array.from({ length: params.recipients }, (_, i) => {
  const r = makeRecipient(i);
  return { id: r.id, email: r.email, ...(r.name ? { name: r.name } : {}) };
});
type Subscriber = (typeof subscribers)[number];
/** Tokens are signed as at the time of the run (they are verified against the clock). */
const nowS = Math.floor(Date.now() / 1000);

/** What the send worker does first for every recipient: sign both tokens, build the links. */
function recipientOf(s: Subscriber): Recipient {
  const u = signToken(BENCH_TOKEN_SECRET, { subscriberId: s.id, purpose: TokenPurpose.UNSUBSCRIBE, expiresAt: nowS + 365 * 86_400 });
  const p = signToken(BENCH_TOKEN_SECRET, { subscriberId: s.id, purpose: TokenPurpose.PREFERENCES, expiresAt: nowS + 90 * 86_400 });
  return { email: s.email, ...(s.name ? { name: s.name } : {}), unsubscribeUrl: links.unsubscribe(u), preferencesUrl: links.preferences(p), webViewUrl };
}

/** The form body the SDK serializes around RawMessage.Data (its cost is excluded from every approach alike). */
function formAround(s: Subscriber): string {
  return `Action=SendRawEmail&ConfigurationSetName=digest&Destinations.member.1=${encodeURIComponent(s.email)}&RawMessage.Data=` +
    `&Tags.member.1.Name=edition&Tags.member.1.Value=${rendered.editionId}&Tags.member.2.Name=subscriber&Tags.member.2.Value=${s.id}&Version=2010-12-01`;
}

function ours(s: Subscriber): Buffer {
  const mime = personalizeMime(template, recipientOf(s), { subscriberId: s.id, date, messageIdDomain: HEADERS.messageIdDomain });
  return spliceRawMessage(formAround(s), formEncodedRawMessage(mime));
}

/** The same message with MailComposer: same headers, the tokens replaced in both parts. */
async function composerMessage(s: Subscriber, edition: RenderedEdition = rendered): Promise<Buffer> {
  const r = recipientOf(s);
  const parts = expectedParts(edition, r);
  const name = r.name?.trim();
  return new MailComposer({
    from: { name: headers.fromName, address: headers.fromAddress },
    to: name ? { name, address: r.email } : r.email,
    subject: edition.subject,
    date,
    messageId: `<${edition.editionId}.${s.id}@${headers.messageIdDomain}>`,
    headers: {
      'List-Id': `${encodeHeaderWord(headers.fromName)} <${headers.listId}>`,
      'List-Unsubscribe': `<${r.unsubscribeUrl}>`,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      'X-Digest-Edition': edition.editionId,
    },
    text: parts.text,
    html: parts.html,
    textEncoding: 'quoted-printable',
  })
    .compile()
    .build();
}

async function composer(s: Subscriber, edition: RenderedEdition = rendered): Promise<Buffer> {
  return spliceRawMessage(formAround(s), [formEncodedBase64(await composerMessage(s, edition))]);
}

/** Naive: MJML compiled for this recipient, then as MailComposer. */
async function naive(s: Subscriber): Promise<Buffer> {
  const edition = await renderEdition(content, { ...options, observer: naiveRenders });
  return composer(s, edition);
}

const built = { ours: new Map<number, Buffer>(), composer: new Map<number, Buffer>(), naive: new Map<number, Buffer>() };
/** Per round and approach: CPU ms per message (the figures), and wall ms beside them. */
const rounds: { ours: number; composer: number; naive: number; wall: { ours: number; composer: number; naive: number } }[] = [];
let naiveCount = 0;
let next = { ours: 0, composer: 0, naive: 0 };

/** Wall and CPU time (this process, all its threads: user + system) of `work`, per message, in ms (NaN for none). */
async function timed(messages: number, work: () => Promise<void>): Promise<{ wall: number; cpu: number }> {
  if (messages === 0) return { wall: Number.NaN, cpu: Number.NaN };
  const t = performance.now();
  const c = process.cpuUsage();
  await work();
  const used = process.cpuUsage(c);
  return { wall: (performance.now() - t) / messages, cpu: (used.user + used.system) / 1000 / messages };
}

async function round(record: boolean): Promise<void> {
  const o = await timed(params.ours, async () => {
    for (let k = 0; k < params.ours; k++) {
      const i = (next.ours + k) % subscribers.length;
      const body = ours(subscribers[i] as Subscriber);
      if (record && !built.ours.has(i)) built.ours.set(i, body);
    }
  });
  next.ours += params.ours;
  const c = await timed(params.composer, async () => {
    for (let k = 0; k < params.composer; k++) {
      const i = (next.composer + k) % subscribers.length;
      const body = await composer(subscribers[i] as Subscriber);
      if (record && !built.composer.has(i)) built.composer.set(i, body);
    }
  });
  next.composer += params.composer;
  const n = await timed(params.naive, async () => {
    for (let k = 0; k < params.naive; k++) {
      const i = (next.naive + k) % subscribers.length;
      const body = await naive(subscribers[i] as Subscriber);
      naiveCount += 1;
      if (record && !built.naive.has(i)) built.naive.set(i, body);
    }
  });
  next.naive += params.naive;
  if (record) rounds.push({ ours: o.cpu, composer: c.cpu, naive: n.cpu, wall: { ours: o.wall, composer: c.wall, naive: n.wall } });
  process.stderr.write(`${record ? 'round' : 'warm-up'}: CPU ours ${o.cpu.toFixed(4)} ms, MailComposer ${c.cpu.toFixed(3)} ms, naive MJML ${n.cpu.toFixed(1)} ms (wall ${o.wall.toFixed(4)}, ${c.wall.toFixed(3)}, ${n.wall.toFixed(1)})\n`);
}

await round(false);
next = { ours: 0, composer: 0, naive: 0 };
for (let i = 0; i < params.rounds; i++) await round(true);
const naiveCompiles = naiveRenders.compiles;

// Every distinct request body built is checked once: the message decoded from the form body,
// parsed with a MIME parser, its links verified.
const problems: string[] = [];
let checked = 0;
const messageBytes = { ours: 0, composer: 0 };
for (const [name, bodies] of Object.entries(built) as [keyof typeof built, Map<number, Buffer>][]) {
  for (const [i, body] of bodies) {
    const s = subscribers[i] as Subscriber;
    const form = new URLSearchParams(body.toString('latin1'));
    const raw = Buffer.from(form.get('RawMessage.Data') ?? '', 'base64');
    if (name !== 'naive') messageBytes[name] ||= raw.byteLength;
    if (form.get('Destinations.member.1') !== s.email) problems.push(`${name} ${s.id}: destination ${form.get('Destinations.member.1')}`);
    try {
      const found = await checkMessage(raw, {
        rendered,
        from: headers.fromAddress,
        recipient: (mail) => sentRecipient(mail, s, { publicBaseUrl: PUBLIC, webViewUrl, tokenSecret: BENCH_TOKEN_SECRET }),
      });
      problems.push(...found.map((p) => `${name} ${s.id}: ${p}`));
    } catch (error) {
      problems.push(`${name} ${s.id}: ${error instanceof Error ? error.message : String(error)}`);
    }
    checked += 1;
  }
}

reportResult({
  rounds,
  stories: storiesIn(content),
  shown: rendered.shown,
  htmlBytes: Buffer.byteLength(rendered.html),
  messageBytes,
  requestBytes: built.ours.values().next().value?.byteLength ?? 0,
  tokensPerMessage: template.html.filter((p) => p.kind === "token").length + template.text.filter((p) => p.kind === "token").length,
  naiveCompilesPerMessage: naiveCompiles / Math.max(1, naiveCount),
  checked: { messages: checked, distinct: { ours: built.ours.size, composer: built.composer.size, naive: built.naive.size }, problems },
});
