/**
 * The local SES endpoint the app talks to (SES v1 query API). It captures every SendRawEmail
 * byte for byte, answers GetSendQuota itself, injects faults, copies accepted mail to the
 * internal aws-ses-v2-local (so its mailbox UI shows it) and passes everything else there.
 * Like SES with a configuration set's event publishing, it emits a `Send` event for every
 * accepted message sent with a configuration set (`events`, 'send'), and every event of such
 * a message on `events` 'event': the Send event, then a `Delivery` per recipient, or a
 * permanent `Bounce` for an address at LOCAL_BOUNCE_DOMAIN (`bounce.example.net`), and a
 * `Click` whenever a tracked link is followed. The local stack hands them to the `feedback`
 * function as SNS would (lambda-driver.ts, forwardSesEvents).
 *
 * Click tracking as SES does it: in the copy the mailbox shows, every link without
 * `ses:no-track` points at `GET /click/<messageId>/<n>` of this front, which emits the Click
 * event and redirects to the link. The captured raw message stays exactly as sent.
 *
 * HTTP routes of its own: `GET /raw`, `POST /raw/clear`, `GET|POST /faults`, `GET /stats`,
 * `GET /click/<messageId>/<n>`.
 */
import { EventEmitter } from 'node:events';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { closeServer, json, readBody, reply } from './http-util.ts';
import { startMailbox } from './mailbox.ts';
import { FaultPlan } from './ses-faults.ts';
import { SlidingSecond } from './sliding-second.ts';
import type { SendOutcome, SesFaults } from './ses-faults.ts';
import { clickEvent, errorXml, fieldsXml, htmlPart, newMessageId, outcomeEvents, parseQueryBody, readSendRawEmail, sendEvent, successXml } from './ses-protocol.ts';
import { trackedLinks } from '../../functions/core/rendering/link-tracking.ts';

export type { SesFaults } from './ses-faults.ts';

/** Messages whose links stay clickable through `GET /click/<messageId>/<n>` (the latest ones). */
const TRACKED_MESSAGES = 10_000;

/**
 * A copy of `text` that holds no reference to a larger string. A link matched in a message's
 * HTML is a slice of it, and V8 keeps the whole HTML (60 KB and more) alive as long as the
 * slice: for the latest 10,000 messages a click can follow, that was hundreds of MB.
 */
function ownString(text: string): string {
  return Buffer.from(text, 'utf8').toString('utf8');
}

/** One accepted SendRawEmail. */
export interface CapturedMessage {
  messageId: string;
  /** The MIME message exactly as sent (empty when `keepRaw` is off). */
  raw: Buffer;
  destinations: string[];
  tags: Record<string, string>;
  configurationSet?: string;
  /** When it was accepted (ms since the epoch): after the latency. */
  at: number;
  /** When its request arrived (ms since the epoch), before the latency: the rate is judged by it. */
  receivedAt: number;
}

/** Counts of what the front answered to SendRawEmail. */
export interface SesStats {
  requests: number;
  accepted: number;
  throttled: number;
  /** Of `throttled`: answered "Maximum sending rate exceeded." because the request came above MaxSendRate (`enforceRate`). */
  overRate: number;
  rejected: number;
  /** HTTP 500/503 answers. */
  errors: number;
  /** Requests without RawMessage.Data. */
  invalid: number;
  /** Calls never answered and not accepted (`hangAddresses`). */
  hung: number;
  /** Calls accepted but never answered (`holdAddresses`; also counted in `accepted`). */
  held: number;
  inFlight: number;
  maxInFlight: number;
  /** Copies the mailbox took / failed to take. */
  forwarded: number;
  forwardErrors: number;
}

export interface SesFrontOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (a free port). */
  port?: number;
  faults?: SesFaults;
  /** Copy accepted mail to the mailbox (default true; switch off for benchmarks). */
  forwardToMailbox?: boolean;
  /** Start the internal aws-ses-v2-local at all (default true). */
  mailbox?: boolean;
  /** Keep the raw bytes of captured messages (default true). */
  keepRaw?: boolean;
  /**
   * Keep a record (`messages()`, `GET /raw`) of only every n-th accepted message (default 1:
   * all). Benchmarks keep a sample of a long run this way; counts are in `stats()`.
   */
  keepEvery?: number;
}

/** A running SES front. */
export interface SesFront {
  url: string;
  port: number;
  /** The internal aws-ses-v2-local, when started. */
  mailboxUrl: string | undefined;
  messages(): CapturedMessage[];
  clear(): void;
  /** Replaces every fault (absent ones are off) and restarts the seeded random sequence. */
  setFaults(faults: SesFaults): void;
  faults(): SesFaults;
  stats(): SesStats;
  /**
   * Emits `'send'` with the Send event (the JSON object of the SNS `Message`) of each
   * accepted message sent with a configuration set, as it is accepted; and `'event'` with
   * every event of such a message (Send, then Delivery or Bounce, and each Click).
   */
  events: EventEmitter;
  /** The click-tracking URLs of a captured message's tracked links, in order (as the mailbox copy has them). */
  clickUrls(messageId: string): Array<{ link: string; url: string }>;
  stop(): Promise<void>;
}

const ERROR_MESSAGES = {
  InternalFailure: 'An internal failure occurred.',
  ServiceUnavailable: 'Service is unavailable.',
} as const;

/**
 * Starts the SES front (and, unless `mailbox: false`, the internal aws-ses-v2-local).
 *
 * @example
 * ```ts
 * const ses = await startSesFront({ faults: { throttleShare: 0.1, seed: 3 } });
 * // point @aws-sdk/client-ses at ses.url, then:
 * ses.messages()[0]?.raw.toString();
 * await ses.stop();
 * ```
 */
export async function startSesFront(options: SesFrontOptions = {}): Promise<SesFront> {
  const host = options.host ?? '127.0.0.1';
  const keepRaw = options.keepRaw ?? true;
  const keepEvery = Math.max(1, Math.floor(options.keepEvery ?? 1));
  const plan = new FaultPlan(options.faults);
  const mailbox = await startMailbox(host, options.mailbox !== false);
  const forward = options.forwardToMailbox !== false && mailbox.url !== undefined;
  const stopping = new AbortController();
  let captured: CapturedMessage[] = [];
  let sentTotal = 0;
  const counts: SesStats = {
    requests: 0, accepted: 0, throttled: 0, overRate: 0, rejected: 0, errors: 0, invalid: 0, hung: 0, held: 0,
    inFlight: 0, maxInFlight: 0, forwarded: 0, forwardErrors: 0,
  };
  const events = new EventEmitter();
  let frontUrl = '';
  /**
   * What a click needs of each message sent with a configuration set: its event `mail` and
   * tracked links. The latest TRACKED_MESSAGES only (oldest dropped first): kept for every
   * message, a 100,000-reader benchmark run filled the stand-in's 4 GB heap.
   */
  const tracked = new Map<string, { mail: ReturnType<typeof sendEvent>['mail']; links: string[] }>();

  /** The request body the mailbox gets: the message with its tracked links sent through `/click`. */
  function mailboxCopy(body: Buffer, part: ReturnType<typeof htmlPart>, messageId: string, links: readonly string[]): Buffer {
    if (!part || links.length === 0) return body;
    let n = 0;
    const html = part.html.replace(/<a\b([^>]*)>/gi, (whole, attributes: string) => {
      if (/\bses:no-track\b/i.test(attributes) || !/\bhref\s*=\s*"https?:/i.test(attributes)) return whole;
      const url = `${frontUrl}/click/${messageId}/${n++}`;
      return `<a${attributes.replace(/\bhref\s*=\s*"[^"]*"/i, `href="${url}"`)}>`;
    });
    const params = parseQueryBody(body);
    params.set('RawMessage.Data', part.replace(html).toString('base64'));
    return Buffer.from(params.toString(), 'utf8');
  }

  /** Stores an accepted message, publishes its Send event and copies it to the mailbox. */
  function capture(req: IncomingMessage, body: Buffer, email: NonNullable<ReturnType<typeof readSendRawEmail>>, receivedAt: number): string {
    counts.accepted++;
    const messageId = newMessageId();
    const at = Date.now();
    if ((counts.accepted - 1) % keepEvery === 0) captured.push({
      messageId,
      raw: keepRaw ? email.raw : Buffer.alloc(0),
      destinations: email.destinations,
      tags: email.tags,
      ...(email.configurationSet ? { configurationSet: email.configurationSet } : {}),
      at,
      receivedAt,
    });
    let copy = body;
    if (email.configurationSet) {
      const send = sendEvent({ ...email, messageId, at });
      const part = htmlPart(email.raw);
      const links = trackedLinks(part?.html ?? '').map(ownString);
      tracked.set(messageId, { mail: send.mail, links });
      if (tracked.size > TRACKED_MESSAGES) tracked.delete(tracked.keys().next().value as string);
      if (events.listenerCount('send') > 0) events.emit('send', send);
      if (events.listenerCount('event') > 0) {
        events.emit('event', send);
        for (const outcome of outcomeEvents(send, email.destinations, Date.now())) events.emit('event', outcome);
      }
      if (forward) copy = mailboxCopy(body, part, messageId, links);
    }
    if (forward) {
      void mailbox.copy(req, copy).then((ok) => (ok ? counts.forwarded++ : counts.forwardErrors++));
    }
    return messageId;
  }

  function accept(req: IncomingMessage, body: Buffer, email: NonNullable<ReturnType<typeof readSendRawEmail>>,
    res: ServerResponse, receivedAt: number): void {
    const messageId = capture(req, body, email, receivedAt);
    reply(res, 200, successXml('SendRawEmail', `<MessageId>${messageId}</MessageId>`));
  }

  /** Never answers: waits until the client gives up (or the front stops), then drops the connection. */
  async function neverAnswer(res: ServerResponse): Promise<void> {
    if (!res.destroyed && !stopping.signal.aborted) {
      await new Promise<void>((resolve) => {
        res.once('close', () => resolve());
        stopping.signal.addEventListener('abort', () => resolve(), { once: true });
      });
    }
    res.destroy();
  }

  /**
   * Arrival times of the accepted sends (sliding-second.ts): with `enforceRate`, a request is
   * over the rate when accepting it would put more than MaxSendRate acceptances into some
   * sliding one-second window of arrival times.
   */
  const recent = new SlidingSecond();
  let recentMax = 0;
  function overRate(at: number): boolean {
    const max = Math.max(1, Math.floor(plan.maxSendRate));
    if (max !== recentMax) {
      recent.clear();
      recentMax = max;
    }
    return recent.wouldExceed(at, max);
  }
  function countAccepted(at: number): void {
    if (recentMax > 0) recent.add(at);
  }

  /**
   * Stamps and decides on arrival (so outcomes follow the call order, and the rate is judged
   * by when requests came, as SES does), answers after the latency.
   */
  async function sendRawEmail(req: IncomingMessage, body: Buffer, params: URLSearchParams,
    res: ServerResponse, receivedAt: number): Promise<void> {
    counts.requests++;
    counts.maxInFlight = Math.max(counts.maxInFlight, ++counts.inFlight);
    try {
      const email = readSendRawEmail(params);
      const rateRefused = email !== undefined && plan.enforceRate && overRate(receivedAt);
      const outcome: SendOutcome | undefined = !email ? undefined
        : rateRefused ? { kind: 'throttled', message: 'Maximum sending rate exceeded.' }
          : plan.decide(email.destinations);
      if (rateRefused) counts.overRate++;
      if (outcome?.kind === 'accepted' || outcome?.kind === 'held') countAccepted(receivedAt);
      if (outcome?.kind === 'accepted' || outcome?.kind === 'held') sentTotal++;
      if (plan.latencyMs > 0) await sleep(plan.latencyMs, undefined, { signal: stopping.signal });
      if (!email || !outcome) {
        counts.invalid++;
        return reply(res, 400, errorXml('Sender', 'InvalidParameterValue', 'RawMessage.Data is required.'));
      }
      switch (outcome.kind) {
        case 'rejected':
          counts.rejected++;
          return reply(res, 400, errorXml('Sender', 'MessageRejected', 'Email address is not verified. ' +
            `The following identities failed the check in region US-EAST-1: ${outcome.address}`));
        case 'throttled':
          counts.throttled++;
          return reply(res, 400, errorXml('Sender', 'Throttling', outcome.message));
        case 'error':
          counts.errors++;
          return reply(res, outcome.status, errorXml('Receiver', outcome.code, ERROR_MESSAGES[outcome.code]));
        case 'accepted':
          return accept(req, body, email, res, receivedAt);
        case 'hang':
          counts.hung++;
          return await neverAnswer(res);
        case 'held':
          counts.held++;
          capture(req, body, email, receivedAt);
          return await neverAnswer(res);
      }
    } finally {
      counts.inFlight--;
    }
  }

  function quota(): string {
    return successXml('GetSendQuota', fieldsXml({
      Max24HourSend: plan.max24HourSend(sentTotal).toFixed(1),
      MaxSendRate: plan.maxSendRate.toFixed(1),
      SentLast24Hours: sentTotal.toFixed(1),
    }));
  }

  function statistics(): string {
    const point = fieldsXml({
      DeliveryAttempts: counts.accepted, Bounces: 0, Complaints: 0, Rejects: counts.rejected,
      Timestamp: new Date().toISOString(),
    });
    return successXml('GetSendStatistics', `<SendDataPoints><member>${point}</member></SendDataPoints>`);
  }

  async function queryAction(req: IncomingMessage, res: ServerResponse, arrivedAt: number): Promise<void> {
    const body = await readBody(req);
    const params = parseQueryBody(body);
    const action = params.get('Action');
    switch (action) {
      case 'SendRawEmail':
        return sendRawEmail(req, body, params, res, arrivedAt);
      case 'GetSendQuota':
        return reply(res, 200, quota());
      case 'GetSendStatistics':
        return reply(res, 200, statistics());
      case 'GetAccountSendingEnabled':
        return reply(res, 200, successXml('GetAccountSendingEnabled', '<Enabled>true</Enabled>'));
      case 'SendEmail':
        return mailbox.proxy(req, res, body);
      default:
        // aws-ses-v2-local never answers v1 actions it lacks, so they stop here.
        return reply(res, 400, errorXml('Sender', 'InvalidAction',
          `The action ${action ?? '(none)'} is not valid for this local endpoint.`));
    }
  }

  async function setFaultsOverHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let faults: unknown;
    try {
      faults = JSON.parse((await readBody(req)).toString('utf8') || '{}');
    } catch {
      return json(res, { message: 'The body must be JSON faults' }, 400);
    }
    if (typeof faults !== 'object' || faults === null) return json(res, { message: 'Faults must be an object' }, 400);
    plan.set(faults as SesFaults);
    return json(res, plan.get());
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const arrivedAt = Date.now();
    const path = (req.url ?? '/').split('?')[0];
    const route = `${req.method} ${path}`;
    const form = (req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
    if (route === 'POST /' && form) return queryAction(req, res, arrivedAt);
    if (route === 'GET /raw') return json(res, captured.map((m) => ({ ...m, raw: m.raw.toString('base64') })));
    if (route === 'POST /raw/clear') {
      const cleared = captured.length;
      captured = [];
      return json(res, { cleared });
    }
    if (route === 'POST /faults') return setFaultsOverHttp(req, res);
    if (route === 'GET /faults') return json(res, plan.get());
    if (route === 'GET /stats') return json(res, { ...counts });
    const click = /^GET \/click\/([\w.-]+)\/(\d+)$/.exec(route);
    if (click) return followClick(res, click[1] ?? '', Number(click[2]));
    return mailbox.proxy(req, res);
  }

  /** A followed tracked link: the Click event, then the redirect SES's tracking domain answers. */
  function followClick(res: ServerResponse, messageId: string, n: number): void {
    const message = tracked.get(messageId);
    const link = message?.links[n];
    if (!message || link === undefined) return json(res, { message: 'No such tracked link' }, 404);
    events.emit('event', clickEvent(message.mail, link, Date.now()));
    res.writeHead(302, { location: link, 'cache-control': 'no-store' }).end();
  }

  const server: Server = createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (stopping.signal.aborted) return void res.destroy();
      const message = error instanceof Error ? error.message : String(error);
      reply(res, 500, errorXml('Receiver', 'InternalFailure', message));
    });
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => resolve());
    });
  } catch (error) {
    await mailbox.stop();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  frontUrl = `http://${host}:${port}`;

  return {
    url: `http://${host}:${port}`,
    port,
    mailboxUrl: mailbox.url,
    messages: () => [...captured],
    clear: () => {
      captured = [];
    },
    setFaults: (faults) => plan.set(faults),
    faults: () => plan.get(),
    stats: () => ({ ...counts }),
    events,
    clickUrls: (messageId) => (tracked.get(messageId)?.links ?? []).map((link, n) => ({ link, url: `${frontUrl}/click/${messageId}/${n}` })),
    stop: async () => {
      stopping.abort();
      await closeServer(server);
      await mailbox.stop();
    },
  };
}
