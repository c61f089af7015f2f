/**
 * GET /unsubscribe?token=…: a page with one button; never unsubscribes by itself (mail
 * scanners follow links). POST /unsubscribe?token=… with `List-Unsubscribe=One-Click`
 * (RFC 8058, also what the button sends): unsubscribes, answers 200, idempotent. The link of an
 * alert digest (token purpose `unsubscribe-alerts`) stops alerts only; its page offers both.
 */
import { ValidationError } from '../core/errors.ts';
import { tokenFrom } from '../core/subscribers/input.ts';
import { unsubscribedPage, unsubscribePromptPage } from './pages.ts';
import { branding, httpLogger, subscriptionService } from '../wiring/subscribers.ts';
import { html, http } from './middleware.ts';
import { MethodNotAllowedError } from './errors.ts';
import { pageError } from './responses.ts';

const ONE_CLICK_FIELD = 'List-Unsubscribe';

export const handler = http(
  async (request) => {
    const service = await subscriptionService();
    if (request.method === 'GET') {
      const token = tokenFrom(request.query.token);
      const link = service.checkUnsubscribeToken(token);
      return html(unsubscribePromptPage(branding(), token, link.scope === 'alerts' ? { everythingToken: link.everythingToken } : {}));
    }
    if (request.method === 'POST') {
      const token = tokenFrom(request.query.token, request.fields);
      const unknown = Object.keys(request.fields).find((k) => k !== ONE_CLICK_FIELD && k !== 'token');
      if (unknown !== undefined) throw new ValidationError(`${unknown.replace(/[^\w.-]/g, '?').slice(0, 40)}: unknown field`);
      if (request.fields[ONE_CLICK_FIELD] !== 'One-Click') {
        throw new ValidationError('body: expected List-Unsubscribe=One-Click');
      }
      const scope = await service.unsubscribe(token);
      return html(unsubscribedPage(branding(), { alertsOnly: scope === 'alerts' }));
    }
    throw new MethodNotAllowedError(['GET', 'POST']);
  },
  { logger: httpLogger, errorResponse: pageError },
);
