/**
 * Per-recipient message building (child process), three ways in the same run, for the
 * 15-story edition:
 * - ours: `personalize()` on the template `prepareMessage()` made once per edition (token
 *   values escaped and encoded, pre-encoded static pieces joined);
 * - MailComposer: the same message (same headers, text and HTML parts with the tokens
 *   replaced) built by nodemailer's MailComposer for each recipient;
 * - naive MJML: the MJML template compiled for each recipient (`renderEdition`), the tokens
 *   replaced, and the message built with MailComposer.
 * The approaches take turns within each round; each round's figure is wall time per message.
 * Every distinct message built is then checked once with mailparser (outside the timing).
 */
import MailComposer from 'nodemailer/lib/mail-composer';
import { childParams, reportResult } from './lib/child.ts';
import { EDITION_URL, HEADERS, makeBranding, makeContent, makeRecipient, storiesIn } from '../test/kit/fixtures/index.ts';
import { checkMessage, expectedParts } from './lib/mime-check.ts';
import { renderEdition } from '../functions/core/rendering/edition-email.ts';
import { RenderCounter } from '../functions/core/rendering/mjml-compiler.ts';
import { personalize, prepareMessage, type Recipient } from '../functions/core/rendering/personalizer.ts';
import { encodeHeaderWord } from '../functions/core/rendering/mime.ts';
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
const recipients = Array.from({ length: params.recipients }, (_, i) => makeRecipient(i));
const meta = (r: { id: string }) => ({ subscriberId: r.id, date, messageIdDomain: HEADERS.messageIdDomain });

function ours(r: Recipient & { id: string }): string {
  return personalize(template, r, meta(r));
}

/** The same message with MailComposer: same headers, the tokens replaced in both parts. */
function composer(r: Recipient & { id: string }, edition: RenderedEdition = rendered): Promise<Buffer> {
  const parts = expectedParts(edition, r);
  const name = r.name?.trim();
  return new MailComposer({
    from: { name: headers.fromName, address: headers.fromAddress },
    to: name ? { name, address: r.email } : r.email,
    subject: edition.subject,
    date,
    messageId: `<${edition.editionId}.${r.id}@${headers.messageIdDomain}>`,
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

/** Naive: MJML compiled for this recipient, then the message built. */
async function naive(r: Recipient & { id: string }): Promise<Buffer> {
  const edition = await renderEdition(content, { ...options, observer: naiveRenders });
  return composer(r, edition);
}

const built = { ours: new Map<number, string>(), composer: new Map<number, Buffer>(), naive: new Map<number, Buffer>() };
const rounds: { ours: number; composer: number; naive: number }[] = [];
let naiveCount = 0;
let next = { ours: 0, composer: 0, naive: 0 };

async function round(record: boolean): Promise<void> {
  // ours
  let t = performance.now();
  for (let k = 0; k < params.ours; k++) {
    const i = (next.ours + k) % recipients.length;
    const raw = ours(recipients[i] as Recipient & { id: string });
    if (record && !built.ours.has(i)) built.ours.set(i, raw);
  }
  next.ours += params.ours;
  const oursMs = (performance.now() - t) / params.ours;
  // MailComposer
  t = performance.now();
  for (let k = 0; k < params.composer; k++) {
    const i = (next.composer + k) % recipients.length;
    const raw = await composer(recipients[i] as Recipient & { id: string });
    if (record && !built.composer.has(i)) built.composer.set(i, raw);
  }
  next.composer += params.composer;
  const composerMs = (performance.now() - t) / params.composer;
  // naive MJML
  t = performance.now();
  for (let k = 0; k < params.naive; k++) {
    const i = (next.naive + k) % recipients.length;
    const raw = await naive(recipients[i] as Recipient & { id: string });
    naiveCount += 1;
    if (record && !built.naive.has(i)) built.naive.set(i, raw);
  }
  next.naive += params.naive;
  const naiveMs = (performance.now() - t) / params.naive;
  if (record) rounds.push({ ours: oursMs, composer: composerMs, naive: naiveMs });
  process.stderr.write(`${record ? 'round' : 'warm-up'}: ours ${oursMs.toFixed(4)} ms, MailComposer ${composerMs.toFixed(3)} ms, naive MJML ${naiveMs.toFixed(1)} ms\n`);
}

await round(false);
next = { ours: 0, composer: 0, naive: 0 };
for (let i = 0; i < params.rounds; i++) await round(true);
const naiveCompiles = naiveRenders.compiles;

// Every distinct message built is checked once with a MIME parser.
const problems: string[] = [];
let checked = 0;
for (const [name, messages] of Object.entries(built) as [string, Map<number, string | Buffer>][]) {
  for (const [i, raw] of messages) {
    const recipient = recipients[i] as Recipient & { id: string };
    const found = await checkMessage(raw, { rendered, recipient, from: headers.fromAddress });
    problems.push(...found.map((p) => `${name} ${recipient.id}: ${p}`));
    checked += 1;
  }
}

reportResult({
  rounds,
  stories: storiesIn(content),
  shown: rendered.shown,
  htmlBytes: Buffer.byteLength(rendered.html),
  messageBytes: {
    ours: Buffer.byteLength(built.ours.values().next().value ?? ''),
    composer: built.composer.values().next().value?.length ?? 0,
  },
  naiveCompilesPerMessage: naiveCompiles / Math.max(1, naiveCount),
  checked: { messages: checked, distinct: { ours: built.ours.size, composer: built.composer.size, naive: built.naive.size }, problems },
});
