/** GET /confirm?token=…: confirms a subscription and shows a page (a clear page when the link is bad). */
import { tokenFrom } from '../core/subscribers/input.ts';
import { confirmedPage } from './pages.ts';
import { ConfirmOutcome } from '../core/subscribers/subscription-service.ts';
import { branding, httpLogger, subscriptionService } from '../wiring/subscribers.ts';
import { html, http } from './middleware.ts';
import { MethodNotAllowedError } from './errors.ts';
import { pageError } from './responses.ts';

export const handler = http(
  async (request) => {
    if (request.method !== 'GET') throw new MethodNotAllowedError(['GET']);
    const token = tokenFrom(request.query.token);
    const service = await subscriptionService();
    const outcome = await service.confirm(token, request.sourceIp ? { sourceIp: request.sourceIp } : {});
    return html(confirmedPage(branding(), { already: outcome === ConfirmOutcome.ALREADY_CONFIRMED }));
  },
  { logger: httpLogger, errorResponse: pageError },
);
