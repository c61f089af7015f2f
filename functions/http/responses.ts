/**
 * Error answers shared by the HTTP handlers: an HTML page for browsers and the link
 * endpoints, JSON for API callers.
 */
import { errorPage } from './pages.ts';
import { branding } from '../wiring/common.ts';
import { html, json, type HttpRequest, type HttpResponse } from './middleware.ts';

/**
 * Always an HTML page (the link endpoints: confirm, preferences, unsubscribe).
 *
 * @example
 * ```ts
 * export const handler = http(fn, { errorResponse: pageError });
 * ```
 */
export function pageError(statusCode: number, reason: string): HttpResponse {
  return html(errorPage(branding(), statusCode, reason));
}

/**
 * HTML when the caller wants it (a form post from a browser), else JSON `{ error }`.
 *
 * @example
 * ```ts
 * export const handler = http(fn, { errorResponse: negotiatedError });
 * ```
 */
export function negotiatedError(statusCode: number, reason: string, request: HttpRequest | undefined): HttpResponse {
  return request?.wantsHtml ? pageError(statusCode, reason) : json(statusCode, { error: reason });
}
