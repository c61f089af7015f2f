/**
 * POST /subscribe (JSON or form): email, name?, newsletter, alerts, keywords, timezone? and
 * the `website` honeypot. Answers 202 with the same body whether the address is new or known.
 * A form post from a browser that is refused for a field (400) gets the subscribe form again,
 * with the reason and the values it sent (GET /subscribe is the subscribe-page function).
 */
import { ValidationError } from '../core/errors.ts';
import { parseSubscribeRequest } from '../core/subscribers/input.ts';
import { subscribeAcceptedPage, subscribePage } from './pages.ts';
import { branding, httpLogger } from '../wiring/subscribers.ts';
import { subscribeService } from '../wiring/subscribe.ts';
import { html, http, json, type HttpRequest, type HttpResponse } from './middleware.ts';
import { MethodNotAllowedError } from './errors.ts';
import { negotiatedError } from './responses.ts';

/** The one answer to every accepted request. */
export const SUBSCRIBE_ACCEPTED = {
  status: 'accepted',
  message: 'If the address can receive mail, a message with a confirmation link is on its way.',
} as const;

/** A refused form post shows the form again (400); anything else answers as usual. */
function refused(statusCode: number, reason: string, request: HttpRequest | undefined, requestId: string | undefined): HttpResponse {
  if (statusCode === 400 && request?.bodyKind === 'form' && request.wantsHtml) {
    return html(subscribePage(branding(), { error: reason, values: request.fields }));
  }
  return negotiatedError(statusCode, reason, request, requestId);
}

export const handler = http(
  async (request) => {
    if (request.method !== 'POST') throw new MethodNotAllowedError(['POST']);
    if (!request.hasBody) throw new ValidationError('body: is required');
    const input = parseSubscribeRequest(request.fields);
    const service = await subscribeService();
    await service.subscribe(input, request.sourceIp ? { sourceIp: request.sourceIp } : {});
    return request.wantsHtml ? html(subscribeAcceptedPage(branding())) : json(202, SUBSCRIBE_ACCEPTED);
  },
  { logger: httpLogger, errorResponse: refused },
);
