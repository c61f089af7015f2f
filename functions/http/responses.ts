/**
 * Error answers shared by the HTTP handlers: an HTML page for browsers and the link
 * endpoints, JSON for API callers.
 */
import { errorPage } from './pages.ts';
import { branding } from '../wiring/settings.ts';
import { html, jsonError, type HttpRequest, type HttpResponse } from './middleware.ts';

/**
 * Always an HTML page (the link endpoints: confirm, preferences, unsubscribe; the archive),
 * with the request id.
 *
 * @example
 * ```ts
 * export const handler = http(fn, { errorResponse: pageError });
 * ```
 */
export function pageError(statusCode: number, reason: string, _request?: HttpRequest, requestId?: string): HttpResponse {
  return html(errorPage(branding(), statusCode, reason, requestId));
}

/**
 * HTML when the caller wants it (a form post from a browser), else JSON
 * `{ error, requestId }`.
 *
 * @example
 * ```ts
 * export const handler = http(fn, { errorResponse: negotiatedError });
 * ```
 */
export function negotiatedError(statusCode: number, reason: string, request: HttpRequest | undefined, requestId?: string): HttpResponse {
  return request?.wantsHtml ? pageError(statusCode, reason, request, requestId) : jsonError(statusCode, reason, requestId);
}
