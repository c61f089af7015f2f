/**
 * Alert digests per recipient (child process, no I/O): our assembly from the flush's pieces
 * against MJML run per subscriber, taking turns in each round on the same recipients.
 * - ours: the values, assembleAlert, the MIME pieces and the personalised raw message
 *   (what the send worker does per task once the pieces are prepared; the digest read is
 *   not included);
 * - MJML: renderAlertDigest (one MJML compile per digest), prepareMessage, personalize.
 * The pieces (shell and cards) are compiled once before the rounds, as a flush does.
 * The check: for every checked recipient the assembled HTML and text equal the direct MJML
 * render's, byte for byte, and the raw message parses back (mailparser) to that HTML and
 * text with the tokens filled; each digest shows min(n, 10) articles.
 */
import { simpleParser } from 'mailparser';
import { childParams, reportResult } from './lib/child.ts';
import { prng } from './lib/alert-fixtures.ts';
import { HEADERS, makeBranding, makeRecipient } from '../test/kit/fixtures/index.ts';
import { compileAlertCards, compileAlertShell, renderAlertDigest } from '../functions/core/rendering/alert-email.ts';
import { alertValuesOf, assembleAlert, MAX_SHOWN_ALERTS, prepareCard, prepareShell, runsToPieces, runsToString, type AlertDigestView, type PreparedCard } from '../functions/core/rendering/alert-parts.ts';
import { articleView, type StoryView } from '../functions/core/rendering/digest-model.ts';
import { messageFromPieces, personalize, prepareMessage } from '../functions/core/rendering/personalizer.ts';
import { median } from './lib/stats.ts';
import { escapeHtml } from '../functions/core/rendering/escape.ts';

interface Params {
  rounds: number;
  /** Recipients assembled our way per round. */
  recipients: number;
  /** Of which rendered with MJML per round. */
  mjml: number;
  /** Recipients whose output is checked against the direct render. */
  check: number;
  /** Distinct articles matched in the flush. */
  articles: number;
}

const params = childParams<Params>();
const branding = makeBranding();
const KEYWORDS = ['Minsk', 'Nagorno-Karabakh', 'Երևան', 'Café Zürich', 'Iran', "l'Été & Co", 'Тбилиси', 'Presidential election'];
const headers = { fromName: HEADERS.fromName, fromAddress: HEADERS.fromAddress, listId: HEADERS.listId, messageIdDomain: HEADERS.messageIdDomain };

// The flush's articles (newest first) and each recipient's digest: 1–14 of them, 1–3 keywords each.
const now = Date.UTC(2026, 11, 1, 10);
const stories: StoryView[] = Array.from({ length: params.articles }, (_v, i) =>
  articleView(
    {
      id: `https://bench.example.org/a/${i}`, title: `Story ${i}: ministers discuss growing tensions — “a new chapter” for Zürich and Tbilisi`,
      url: `https://bench.example.org/a/${i}`, publishedAt: new Date(now - i * 60_000).toISOString(), section: i % 2 ? 'Analysis' : 'News',
      summary: 'Ministers met on the margins of the annual council to discuss growing tensions in the region and a plan to reopen the border crossings.',
      bodyText: '', tags: [], editorsChoice: false, breaking: false, language: 'en', ingestedAt: '', updated: false, sourceKey: '', contentHash: '', keywords: [],
    },
    `k${String(i).padStart(4, '0')}`,
  ),
);
const random = prng(42);
const digests = Array.from({ length: params.recipients }, (_v, r) => {
  const count = 1 + Math.floor(random() * 14);
  const picked = new Set<number>();
  while (picked.size < Math.min(count, stories.length)) picked.add(Math.floor(random() * stories.length));
  const items = [...picked].sort((a, b) => a - b).map((i) => ({ story: stories[i] as StoryView, keywords: KEYWORDS.filter(() => random() < 0.25).slice(0, 3).concat(KEYWORDS[i % KEYWORDS.length] as string).filter((k, j, all) => all.indexOf(k) === j) }));
  const view: AlertDigestView = { id: 'alerts-2026-12-01T10-05', language: 'en', items: items.slice(0, MAX_SHOWN_ALERTS), total: items.length, ...(items.length > MAX_SHOWN_ALERTS ? { moreUrl: `https://archive.example.com/archive/alerts/alerts-2026-12-01T10-05/p${r}.html` } : {}) };
  return { view, recipient: makeRecipient(r) };
});

// Once per flush: the shell and every card.
const shell = prepareShell(await compileAlertShell('en', { branding }));
const cards = new Map<string, PreparedCard>((await compileAlertCards(stories, { branding })).map((c) => [c.key, prepareCard(c)]));

function ours(d: (typeof digests)[number]): { raw: string; html: string; text: string } {
  const items = d.view.items.map((i) => ({ card: cards.get(i.story.key) as PreparedCard, keywords: i.keywords }));
  const values = alertValuesOf(items.map((i) => i.card.headline), d.view.total, d.view.moreUrl, { siteName: branding.siteName });
  const assembled = assembleAlert(shell, items, values);
  const template = messageFromPieces(d.view.id, assembled.subject, runsToPieces(assembled.html), runsToPieces(assembled.text), headers);
  const raw = personalize(template, d.recipient, { subscriberId: d.recipient.id, date: new Date(now), messageIdDomain: headers.messageIdDomain });
  return { raw, html: runsToString(assembled.html), text: runsToString(assembled.text) };
}

async function viaMjml(d: (typeof digests)[number]): Promise<{ raw: string; html: string; text: string }> {
  const rendered = await renderAlertDigest(d.view, { branding });
  const raw = personalize(prepareMessage(rendered, { ...headers, subject: rendered.subject }), d.recipient, { subscriberId: d.recipient.id, date: new Date(now), messageIdDomain: headers.messageIdDomain });
  return { raw, html: rendered.html, text: rendered.text };
}

// Checks first (also warms both paths up).
const problems: string[] = [];
/** The tokens filled as the personaliser fills them (HTML-escaped in the HTML part). */
const fill = (s: string, r: (typeof digests)[number]['recipient'], html: boolean) => {
  const esc = html ? escapeHtml : (v: string) => v;
  return s.replaceAll('%%{name}%%', esc(r.name?.trim() || 'reader')).replaceAll('%%{unsubscribe_url}%%', esc(r.unsubscribeUrl)).replaceAll('%%{preferences_url}%%', esc(r.preferencesUrl));
};
for (const d of digests.slice(0, params.check)) {
  const a = ours(d);
  const b = await viaMjml(d);
  if (a.html !== b.html) problems.push(`recipient ${d.recipient.id}: assembled HTML differs from the direct MJML render`);
  if (a.text !== b.text) problems.push(`recipient ${d.recipient.id}: assembled text differs from the direct render`);
  const parsed = await simpleParser(a.raw);
  if (parsed.html !== fill(a.html, d.recipient, true)) problems.push(`recipient ${d.recipient.id}: the MIME does not decode to the assembled HTML`);
  if (parsed.text !== fill(a.text, d.recipient, false)) problems.push(`recipient ${d.recipient.id}: the MIME does not decode to the assembled text`);
  const shown = (a.html.match(/<h3 /g) ?? []).length;
  if (shown !== Math.min(d.view.total, MAX_SHOWN_ALERTS)) problems.push(`recipient ${d.recipient.id}: ${shown} articles shown of ${d.view.total}`);
}

const rounds: Array<{ ours: number; mjml: number }> = [];
let bytes = 0;
for (let round = 0; round < params.rounds; round += 1) {
  const t0 = performance.now();
  for (const d of digests) bytes = ours(d).raw.length;
  const oursMs = (performance.now() - t0) / digests.length;
  const t1 = performance.now();
  for (const d of digests.slice(0, params.mjml)) await viaMjml(d);
  const mjmlMs = (performance.now() - t1) / params.mjml;
  rounds.push({ ours: oursMs, mjml: mjmlMs });
}

reportResult({
  rounds,
  assembleMsPerRecipient: median(rounds.map((r) => r.ours)),
  mjmlMsPerRecipient: median(rounds.map((r) => r.mjml)),
  articles: params.articles,
  recipients: params.recipients,
  meanArticlesPerDigest: digests.reduce((n, d) => n + d.view.total, 0) / digests.length,
  lastMessageBytes: bytes,
  checked: { recipients: Math.min(params.check, digests.length), problems },
});
