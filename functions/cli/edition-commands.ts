/**
 * `digest edition …`: preview, test, send (dry run, then --confirm CODE), status, cancel,
 * resend-failed, resume. They drive the editors' API over HTTP (editor-client.ts), so a
 * command line does exactly what the console does, with the same checks and audit records:
 * on a deployed stack with `--endpoint URL --token TOKEN` (or DIGEST_ENDPOINT, DIGEST_TOKEN),
 * else on the running `npm start`. `status` and `resend-failed` fall back to the configured
 * environment (the AWS variables) when no API is known, as before the console existed.
 */
import { writeFile } from 'node:fs/promises';
import { cliSettings } from '../core/config.ts';
import { parseConfirmCode } from '../core/editors/send-now.ts';
import { CliError, type CliOptions } from './cli.ts';
import { EditorApiClient } from './editor-client.ts';
import { ProgressBar } from './progress.ts';

const JOBS = new Set(['daily', 'weekly']);
const EDITION_ID = /^(daily|weekly)-[0-9A-Za-z-]{1,60}$/;
const USAGE = 'usage: digest edition preview|test|send|status|stats|cancel|resend-failed|resume JOB|ID [options] (see digest --help)';

const out = (value: unknown): void => void process.stdout.write(`${JSON.stringify(value)}\n`);
const note = (text: string): void => void process.stderr.write(`${text}\n`);

/** The editors' API to use: flags, then DIGEST_ENDPOINT/DIGEST_TOKEN, then the running `npm start`. */
async function editorApi(options: CliOptions): Promise<EditorApiClient | undefined> {
  const settings = cliSettings();
  const endpoint = options.endpoint ?? settings.endpoint;
  const token = options.token ?? settings.token;
  if (endpoint) {
    if (!token) throw new CliError('--token TOKEN (or DIGEST_TOKEN) is required with --endpoint: an editor\'s access token');
    return new EditorApiClient({ endpoint, token });
  }
  const local = await options.localEditorApi?.();
  if (!local) return undefined;
  return new EditorApiClient({ endpoint: local.endpoint, token: token ?? (await local.token()) });
}

async function requireApi(options: CliOptions): Promise<EditorApiClient> {
  const api = await editorApi(options);
  if (!api) throw new CliError('no editors\' API to talk to: pass --endpoint URL --token TOKEN (or set DIGEST_ENDPOINT and DIGEST_TOKEN), or start the local stack with "npm start"');
  return api;
}

function jobOrEdition(value: string | undefined): { job: string } | { edition: string } {
  if (value && JOBS.has(value)) return { job: value };
  if (value && EDITION_ID.test(value)) return { edition: value };
  throw new CliError(`expected daily, weekly or an edition id, not "${value ?? ''}"`);
}

function editionId(value: string | undefined): string {
  if (!value || !EDITION_ID.test(value)) throw new CliError(`expected an edition id (e.g. daily-2026-11-28), not "${value ?? ''}"`);
  return value;
}

const encode = encodeURIComponent;

async function preview(target: string | undefined, options: CliOptions): Promise<number> {
  const which = jobOrEdition(target);
  const api = await requireApi(options);
  const query = options.to ? `?recipient=${encode(options.to)}` : '';
  const path = 'job' in which ? `/editor/api/jobs/${which.job}/preview${query}` : `/editor/api/editions/${encode(which.edition)}/preview${query}`;
  const p = await api.call<{ editionId: string; next: boolean; subject: string; preheader: string; html: string; contentHash: string; recipient: unknown; picks?: Array<{ headline: string; pinned?: boolean }> }>('GET', path);
  if (options.out) await writeFile(options.out, p.html);
  out({
    edition: p.editionId, next: p.next, subject: p.subject, preheader: p.preheader, contentHash: p.contentHash, recipient: p.recipient,
    ...(p.picks ? { picks: p.picks.map((k) => `${k.pinned ? '[pinned] ' : ''}${k.headline}`) } : {}),
    ...(options.out ? { html: options.out } : {}),
  });
  return 0;
}

async function test(target: string | undefined, options: CliOptions): Promise<number> {
  const which = jobOrEdition(target);
  if (!options.to) throw new CliError('--to ADDRESS[,ADDRESS…] is required (at most 5)');
  const api = await requireApi(options);
  const path = 'job' in which ? `/editor/api/jobs/${which.job}/test` : `/editor/api/editions/${encode(which.edition)}/test`;
  out(await api.call('POST', path, { to: options.to }));
  return 0;
}

async function send(job: string | undefined, options: CliOptions): Promise<number> {
  if (!job || !JOBS.has(job)) throw new CliError('usage: digest edition send daily|weekly [--confirm CODE]');
  const api = await requireApi(options);
  if (options.confirm === undefined) {
    const intent = await api.call<{ id: string; editionId: string; kind: string; subject: string; recipients: unknown; total: number; contentHash: string; expiresAt: string; code: string; confirmation: string }>('POST', `/editor/api/jobs/${job}/send`);
    out({ intent: intent.id, edition: intent.editionId, kind: intent.kind, subject: intent.subject, recipients: intent.recipients, total: intent.total, contentHash: intent.contentHash, expiresAt: intent.expiresAt, code: intent.code });
    note(`${intent.confirmation}?`);
    note(`Nothing is sent yet. To send it before ${intent.expiresAt}: digest edition send ${job} --confirm ${intent.code}`);
    return 0;
  }
  let quoted;
  try {
    quoted = parseConfirmCode(options.confirm);
  } catch (error) {
    throw new CliError(`--confirm: ${(error as Error).message}`);
  }
  out(await api.call('POST', `/editor/api/intents/${encode(quoted.intent)}/confirm`, { code: options.confirm.trim() }));
  return 0;
}

async function status(id: string, options: CliOptions, requireEnvironment: () => void): Promise<number> {
  const api = await editorApi(options);
  if (!api) {
    // No editors' API: the configured environment directly, as before the console.
    requireEnvironment();
    const { deliveryAdmin } = await import('../wiring/delivery.ts');
    out(await deliveryAdmin().status(id));
    return 0;
  }
  type Summary = { state: string; total: number; counts: { sent: number; failed: number; skipped: number; cancelled: number } };
  let summary = await api.call<Summary>('GET', `/editor/api/editions/${encode(id)}`);
  if (options.watch) {
    const bar = process.stderr.isTTY ? new ProgressBar(process.stderr) : undefined;
    while (summary.state === 'building' || summary.state === 'sending') {
      const c = summary.counts;
      bar?.update({ sent: c.sent, failed: c.failed, skipped: c.skipped + c.cancelled, total: summary.total });
      await new Promise((r) => setTimeout(r, 2_000));
      summary = await api.call<Summary>('GET', `/editor/api/editions/${encode(id)}`);
    }
    bar?.finish();
  }
  out(summary);
  return 0;
}

/** What `GET /editor/api/editions/{id}/stats` answers (core/analytics/edition-stats.ts). */
interface StatsAnswer {
  edition: string;
  state?: string;
  subject?: string;
  funnel: Array<{ step: string; count: number; share: number }>;
  counters: Record<string, number>;
  rates: { bounce: number; complaint: number };
  warnings: string[];
  links: Array<{ url: string; clicks: number }>;
  timeline: Array<{ minute: string; sent: number; delivered: number }>;
  chart?: string;
}

/** The stats as a report for people. */
export function statsReport(s: StatsAnswer): string {
  const c = s.counters;
  const pct = (share: number): string => `${(share * 100).toFixed(1)}%`.padStart(7);
  const lines = [
    `Edition ${s.edition}${s.state ? ` (${s.state})` : ''}${s.subject ? `: ${s.subject}` : ''}`,
    ...s.warnings.map((w) => `WARNING: ${w}`),
    'Funnel',
    ...s.funnel.map((f) => `  ${f.step.padEnd(10)}${String(f.count).padStart(8)} ${pct(f.share)}`),
    `Bounced ${(c.bouncedPermanent ?? 0) + (c.bouncedTransient ?? 0)} (${c.bouncedPermanent ?? 0} permanent, ${c.bouncedTransient ?? 0} transient) · complaints ${c.complained ?? 0} · rejected ${c.rejected ?? 0} · delayed ${c.delayed ?? 0}`,
    `Bounce rate ${(s.rates.bounce * 100).toFixed(1)}% · complaint rate ${(s.rates.complaint * 100).toFixed(2)}%`,
    'Top links',
    ...(s.links.length > 0 ? s.links.map((l) => `  ${String(l.clicks).padStart(6)}  ${l.url}`) : ['  (no clicks recorded)']),
    'Sends and deliveries (per minute, UTC)',
    ...(s.timeline.length > 0 ? s.timeline.map((p) => `  ${p.minute.replace('T', ' ')}  sent ${p.sent}  delivered ${p.delivered}`) : ['  (none yet)']),
  ];
  return `${lines.join('\n')}\n`;
}

async function stats(id: string, options: CliOptions): Promise<number> {
  const { chart: _chart, ...answer } = await (await requireApi(options)).call<StatsAnswer>('GET', `/editor/api/editions/${encode(id)}/stats`);
  if (options.json) out(answer);
  else process.stdout.write(statsReport(answer));
  return 0;
}

async function resendFailed(id: string, options: CliOptions, requireEnvironment: () => void): Promise<number> {
  const api = await editorApi(options);
  if (!api) {
    requireEnvironment();
    const { deliveryAdmin } = await import('../wiring/delivery.ts');
    out({ edition: id, requeued: await deliveryAdmin().resendFailed(id) });
    return 0;
  }
  out(await api.call('POST', `/editor/api/editions/${encode(id)}/resend-failed`));
  return 0;
}

/**
 * `digest edition SUB …`.
 *
 * @example
 * ```ts
 * await editionCommand(['send', 'daily'], { endpoint, token }); // prints the intent and its code
 * // requireEnvironment: checks the AWS variables before status/resend-failed work on them directly
 * ```
 */
export async function editionCommand([sub, target]: string[], options: CliOptions, requireEnvironment: () => void = () => undefined): Promise<number> {
  switch (sub) {
    case 'preview':
      return preview(target, options);
    case 'test':
      return test(target, options);
    case 'send':
      return send(target, options);
    case 'status':
      return status(editionId(target), options, requireEnvironment);
    case 'stats':
      return stats(editionId(target), options);
    case 'resend-failed':
      return resendFailed(editionId(target), options, requireEnvironment);
    case 'cancel': {
      const id = editionId(target);
      note(`Cancelling ${id}: waiting until no send worker can start another message…`);
      out(await (await requireApi(options)).call('POST', `/editor/api/editions/${encode(id)}/cancel`));
      return 0;
    }
    case 'resume':
      out(await (await requireApi(options)).call('POST', `/editor/api/editions/${encode(editionId(target))}/resume`));
      return 0;
    default:
      throw new CliError(USAGE);
  }
}
