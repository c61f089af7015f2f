/**
 * A tiny middleware layer for the HTTP API (API Gateway HTTP API, payload v2), middy style:
 * body size limit (413), body parsing (JSON, urlencoded form, multipart form; malformed → 400
 * with a reason, other types → 415), and an error handler that maps a DigestError's
 * statusCode/expose to a response and anything else to a plain 500. Every error answer carries
 * the request id (API Gateway's `requestContext.requestId`, also in the logs) and never a
 * stack trace, an error's own message or a file path: `{ "error": reason, "requestId": id }`.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { DigestError, ValidationError } from '../core/errors.ts';
import { MethodNotAllowedError, PayloadTooLargeError, UnsupportedMediaTypeError } from './errors.ts';
import type { Logger } from '../core/logger.ts';
import { redactEmails } from '../core/subscribers/identity.ts';
import type { InputFields } from '../core/subscribers/input.ts';

/** The default body limit: 16 KB. */
export const DEFAULT_MAX_BODY_BYTES = 16 * 1024;

/** What a handler gets. */
export interface HttpRequest {
  method: string;
  path: string;
  /** Query string parameters (API Gateway joins repeated ones with commas). */
  query: Readonly<Record<string, string>>;
  /** Path parameters of the route (e.g. `proxy` of `/archive/{proxy+}`). */
  pathParameters: Readonly<Record<string, string>>;
  /** Header names in lower case. */
  headers: Readonly<Record<string, string>>;
  /** The parsed body; empty when there is none. */
  fields: InputFields;
  /** Whether a body was sent at all. */
  hasBody: boolean;
  /** `json`, `form` (urlencoded or multipart) or `none`. */
  bodyKind: 'json' | 'form' | 'none';
  sourceIp?: string;
  /** Whether the caller prefers an HTML answer (a browser, or a form post). */
  wantsHtml: boolean;
  requestId?: string;
  /** API Gateway's route key, e.g. `GET /editor/api/editions/{id}` (routers dispatch on it). */
  routeKey?: string;
}

/** What a handler answers. */
export interface HttpResponse {
  statusCode: number;
  headers?: Record<string, string>;
  body: string;
}

export interface HttpOptions {
  maxBodyBytes?: number;
  /** A logger, or a function giving one (called only when something is logged). */
  logger?: Logger | (() => Logger);
  /**
   * How to show an error (default: {@link jsonError}). `request` is undefined when the event
   * itself was refused (a body too large, malformed); `requestId` is known even then.
   */
  errorResponse?: (statusCode: number, reason: string, request: HttpRequest | undefined, requestId: string | undefined) => HttpResponse;
}

const BASE_HEADERS: Readonly<Record<string, string>> = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

const CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src https: http: data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/**
 * An HTML response with the security headers pages need.
 *
 * @example
 * ```ts
 * return html(confirmedPage(branding, { already: false }));
 * ```
 */
export function html(page: { statusCode: number; html: string }, headers: Record<string, string> = {}): HttpResponse {
  return {
    statusCode: page.statusCode,
    headers: { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': CSP, ...headers },
    body: page.html,
  };
}

/**
 * A JSON response.
 *
 * @example
 * ```ts
 * return json(202, { status: 'accepted' });
 * ```
 */
export function json(statusCode: number, value: unknown, headers: Record<string, string> = {}): HttpResponse {
  return { statusCode, headers: { 'content-type': 'application/json; charset=utf-8', ...headers }, body: JSON.stringify(value) };
}

/**
 * The JSON error answer: the reason, and the request id when API Gateway gave one.
 *
 * @example
 * ```ts
 * jsonError(400, 'body: malformed JSON', 'c6af9ac6-7b61-11e6'); // body {"error":"body: malformed JSON","requestId":"c6af9ac6-7b61-11e6"}
 * ```
 */
export function jsonError(statusCode: number, reason: string, requestId: string | undefined): HttpResponse {
  return json(statusCode, requestId ? { error: reason, requestId } : { error: reason });
}

function lowerCaseHeaders(headers: APIGatewayProxyEventV2['headers'] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) if (v !== undefined) out[k.toLowerCase()] = v;
  return out;
}

function addField(fields: Map<string, string[]>, key: string, value: string): void {
  const list = fields.get(key);
  if (list) list.push(value);
  else fields.set(key, [value]);
}

function toFields(map: Map<string, string[]>): InputFields {
  const out: Record<string, string | readonly string[]> = {};
  for (const [k, v] of map) {
    Object.defineProperty(out, k, { value: v.length === 1 ? v[0]! : v, enumerable: true, writable: false });
  }
  return out;
}

/**
 * Parses `application/x-www-form-urlencoded` strictly: a bad percent escape is an error
 * (URLSearchParams would silently keep it).
 *
 * @throws ValidationError('body: malformed form data').
 */
export function parseUrlEncoded(body: string): InputFields {
  const fields = new Map<string, string[]>();
  if (body.trim() === '') return {};
  for (const pair of body.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const rawKey = eq < 0 ? pair : pair.slice(0, eq);
    const rawValue = eq < 0 ? '' : pair.slice(eq + 1);
    try {
      const key = decodeURIComponent(rawKey.replace(/\+/g, ' '));
      const value = decodeURIComponent(rawValue.replace(/\+/g, ' '));
      if (key === '') throw new Error('empty name');
      addField(fields, key, value);
    } catch (cause) {
      throw new ValidationError('body: malformed form data', { cause });
    }
  }
  return toFields(fields);
}

/**
 * Parses `multipart/form-data` with text fields only (no files).
 *
 * @throws ValidationError('body: malformed multipart form data') or for a file part.
 */
export function parseMultipart(body: string, contentType: string): InputFields {
  const match = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const boundary = match?.[1] ?? match?.[2];
  const malformed = (): ValidationError => new ValidationError('body: malformed multipart form data');
  if (!boundary || boundary.length > 200) throw malformed();
  const delimiter = `--${boundary}`;
  const sections = body.split(delimiter);
  if (sections.length < 3 || !sections[sections.length - 1]!.startsWith('--')) throw malformed();
  const fields = new Map<string, string[]>();
  for (const section of sections.slice(1, -1)) {
    const part = section.replace(/^\r?\n/, '').replace(/\r?\n$/, '');
    const split = /\r?\n\r?\n/.exec(part);
    if (!split) throw malformed();
    const head = part.slice(0, split.index);
    const value = part.slice(split.index + split[0].length);
    const disposition = /^content-disposition:\s*form-data\s*;(.*)$/im.exec(head);
    const name = disposition ? /\bname="([^"]*)"/i.exec(disposition[1]!)?.[1] : undefined;
    if (!disposition || name === undefined || name === '') throw malformed();
    if (/\bfilename\*?=/i.test(disposition[1]!)) throw new ValidationError('body: file uploads are not accepted');
    addField(fields, name, value);
  }
  return toFields(fields);
}

function fromJson(text: string): InputFields {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new ValidationError('body: malformed JSON', { cause });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ValidationError('body: JSON must be an object');
  }
  const out: Record<string, string | readonly string[]> = {};
  for (const [key, v] of Object.entries(value)) {
    let field: string | readonly string[];
    if (typeof v === 'string') field = v;
    else if (Array.isArray(v) && v.every((item): item is string => typeof item === 'string')) field = [...v];
    else throw new ValidationError(`${key.replace(/[^\w.-]/g, '?').slice(0, 40) || '(empty)'}: must be text`);
    Object.defineProperty(out, key, { value: field, enumerable: true });
  }
  return out;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function definedEntries(record: Record<string, string | undefined> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(record ?? {}).filter((e): e is [string, string] => e[1] !== undefined));
}

/** Reads the event into an HttpRequest. */
function toRequest(event: APIGatewayProxyEventV2, maxBodyBytes: number): HttpRequest {
  const headers = lowerCaseHeaders(event.headers);
  const declared = Number(headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBodyBytes) throw new PayloadTooLargeError(maxBodyBytes);
  const raw = event.body ?? '';
  const bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (bytes.length > maxBodyBytes) throw new PayloadTooLargeError(maxBodyBytes);
  let body: string;
  try {
    body = utf8.decode(bytes);
  } catch (cause) {
    throw new ValidationError('body: not valid UTF-8', { cause });
  }
  const contentType = headers['content-type'] ?? '';
  const mediaType = contentType.split(';')[0]!.trim().toLowerCase();
  let fields: InputFields = {};
  let bodyKind: HttpRequest['bodyKind'] = 'none';
  const hasBody = bytes.length > 0;
  if (hasBody) {
    if (mediaType === 'application/json' || mediaType.endsWith('+json')) {
      fields = fromJson(body);
      bodyKind = 'json';
    } else if (mediaType === 'application/x-www-form-urlencoded') {
      fields = parseUrlEncoded(body);
      bodyKind = 'form';
    } else if (mediaType === 'multipart/form-data') {
      fields = parseMultipart(body, contentType);
      bodyKind = 'form';
    } else {
      throw new UnsupportedMediaTypeError(mediaType);
    }
  }
  const accept = headers.accept ?? '';
  const request: HttpRequest = {
    method: (event.requestContext?.http?.method ?? 'GET').toUpperCase(),
    path: event.rawPath ?? event.requestContext?.http?.path ?? '/',
    query: definedEntries(event.queryStringParameters),
    pathParameters: definedEntries(event.pathParameters),
    headers,
    fields,
    hasBody,
    bodyKind,
    wantsHtml: accept.includes('text/html') || (bodyKind === 'form' && !accept.includes('application/json')),
  };
  const sourceIp = event.requestContext?.http?.sourceIp;
  if (sourceIp) request.sourceIp = sourceIp;
  const requestId = event.requestContext?.requestId;
  if (requestId) request.requestId = requestId;
  if (typeof event.routeKey === 'string' && event.routeKey !== '') request.routeKey = event.routeKey;
  return request;
}

/** Reason and status of an error as the caller may see them. */
export function describeError(error: unknown): { statusCode: number; reason: string; headers: Record<string, string> } {
  const headers: Record<string, string> = {};
  if (error instanceof DigestError && error.expose) {
    if (error instanceof MethodNotAllowedError) headers.allow = error.allow;
    const retry = (error as { retryAfterSeconds?: unknown }).retryAfterSeconds;
    if (typeof retry === 'number') headers['retry-after'] = String(Math.max(1, Math.ceil(retry)));
    // 401/403 of the editors' API: RFC 6750's WWW-Authenticate (error="invalid_token", …).
    const challenge = (error as { challenge?: unknown }).challenge;
    if (typeof challenge === 'string') headers['www-authenticate'] = challenge;
    return { statusCode: error.statusCode, reason: error.message, headers };
  }
  return { statusCode: 500, reason: 'internal error', headers };
}

/**
 * Wraps a handler: parses the event, runs the handler, maps errors, adds security headers.
 *
 * @example
 * ```ts
 * export const handler = http(async (request) => json(200, { ok: true }), { maxBodyBytes: 16 * 1024 });
 * ```
 */
export function http(
  fn: (request: HttpRequest) => Promise<HttpResponse>,
  options: HttpOptions = {},
): (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2> {
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const log = (): Logger | undefined => {
    try {
      return typeof options.logger === 'function' ? options.logger() : options.logger;
    } catch {
      return undefined;
    }
  };
  const show = (statusCode: number, reason: string, request: HttpRequest | undefined, requestId: string | undefined): HttpResponse => {
    try {
      return options.errorResponse?.(statusCode, reason, request, requestId) ?? jsonError(statusCode, reason, requestId);
    } catch {
      return jsonError(statusCode, reason, requestId);
    }
  };
  return async (event) => {
    let request: HttpRequest | undefined;
    let response: HttpResponse;
    try {
      request = toRequest(event, maxBodyBytes);
      response = await fn(request);
    } catch (error) {
      const { statusCode, reason, headers } = describeError(error);
      const requestId = typeof event?.requestContext?.requestId === 'string' ? event.requestContext.requestId : undefined;
      if (statusCode >= 500) {
        log()?.error('request failed', {
          requestId,
          path: event?.rawPath?.slice(0, 256),
          error: redactEmails(error instanceof Error ? `${error.name}: ${error.message}` : String(error)),
        });
      } else {
        log()?.info('request refused', { requestId, path: event?.rawPath?.slice(0, 256), statusCode, reason });
      }
      const shown = show(statusCode, reason, request, requestId);
      response = { ...shown, headers: { ...shown.headers, ...headers } };
    }
    return {
      statusCode: response.statusCode,
      headers: { ...BASE_HEADERS, ...response.headers },
      body: response.body,
    };
  };
}
