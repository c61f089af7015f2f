/** GET /preferences?token=…: the preferences form; POST /preferences: saves it. */
import { parsePreferencesRequest, tokenFrom } from '../core/subscribers/input.ts';
import { preferencesPage } from './pages.ts';
import { branding, httpLogger, subscriptionService } from '../wiring/subscribers.ts';
import { html, http } from './middleware.ts';
import { MethodNotAllowedError } from './errors.ts';
import { pageError } from './responses.ts';

export const handler = http(
  async (request) => {
    const service = await subscriptionService();
    if (request.method === 'GET') {
      const view = await service.getPreferences(tokenFrom(request.query.token));
      return html(preferencesPage(branding(), view));
    }
    if (request.method === 'POST') {
      const token = tokenFrom(request.query.token, request.fields);
      const view = await service.savePreferences(token, parsePreferencesRequest(request.fields));
      return html(preferencesPage(branding(), view, { saved: true }));
    }
    throw new MethodNotAllowedError(['GET', 'POST']);
  },
  { logger: httpLogger, errorResponse: pageError },
);
