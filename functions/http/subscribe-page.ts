/**
 * GET /subscribe: the subscription form (pages.ts subscribePage), plain HTML that posts to
 * POST /subscribe. A function of its own, apart from `subscribe`, so that a page view loads
 * no MJML (the subscribe bundle carries it for the confirmation mail) and needs no data
 * access: it reads only the branding from the configuration.
 */
import { branding } from '../wiring/common.ts';
import { MethodNotAllowedError } from './errors.ts';
import { html, http } from './middleware.ts';
import { subscribePage } from './pages.ts';
import { pageError } from './responses.ts';

export const handler = http(
  async (request) => {
    if (request.method !== 'GET') throw new MethodNotAllowedError(['GET']);
    // The same page for everybody: a CDN or the browser may keep it for a while.
    return html(subscribePage(branding()), { 'cache-control': 'public, max-age=300' });
  },
  { errorResponse: pageError },
);
