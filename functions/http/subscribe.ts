/**
 * POST /subscribe (JSON or form): email, name?, newsletter, alerts, keywords, timezone? and
 * the `website` honeypot. Answers 202 with the same body whether the address is new or known.
 */
import { ValidationError } from '../core/errors.ts';
import { parseSubscribeRequest } from '../core/subscribers/input.ts';
import { subscribeAcceptedPage } from './pages.ts';
import { branding, httpLogger } from '../wiring/subscribers.ts';
import { subscribeService } from '../wiring/subscribe.ts';
import { html, http, json } from './middleware.ts';
import { MethodNotAllowedError } from './errors.ts';
import { negotiatedError } from './responses.ts';

/** The one answer to every accepted request. */
export const SUBSCRIBE_ACCEPTED = {
  status: 'accepted',
  message: 'If the address can receive mail, a message with a confirmation link is on its way.',
} as const;

export const handler = http(
  async (request) => {
    if (request.method !== 'POST') throw new MethodNotAllowedError(['POST']);
    if (!request.hasBody) throw new ValidationError('body: is required');
    const input = parseSubscribeRequest(request.fields);
    const service = await subscribeService();
    await service.subscribe(input, request.sourceIp ? { sourceIp: request.sourceIp } : {});
    return request.wantsHtml ? html(subscribeAcceptedPage(branding())) : json(202, SUBSCRIBE_ACCEPTED);
  },
  { logger: httpLogger, errorResponse: negotiatedError },
);
