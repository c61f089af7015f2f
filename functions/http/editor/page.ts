/**
 * GET /editor: the editors' console page; GET /editor/app.js, /editor/app.css: its script and
 * stylesheet. No token needed to load them (a browser navigates here; the script signs in);
 * every API call of the page carries the editor's token.
 */
import { NotFoundError } from '../../core/errors.ts';
import { config } from '../../wiring/settings.ts';
import { editorAuthSettings, editorLogger } from '../../wiring/editor-settings.ts';
import { MethodNotAllowedError } from '../errors.ts';
import { http, type HttpResponse } from '../middleware.ts';
import { pageError } from '../responses.ts';
import { consoleAsset, consolePage, consolePolicy } from './console-page.ts';

const ASSETS = { '/editor/app.js': ['app.js', 'text/javascript; charset=utf-8'], '/editor/app.css': ['app.css', 'text/css; charset=utf-8'] } as const;

export const handler = http(
  async (request): Promise<HttpResponse> => {
    if (request.method !== 'GET') throw new MethodNotAllowedError(['GET']);
    const asset = ASSETS[request.path as keyof typeof ASSETS];
    if (asset) return { statusCode: 200, headers: { 'content-type': asset[1], 'cache-control': 'no-cache' }, body: consoleAsset(asset[0]) };
    if (request.path !== '/editor') throw new NotFoundError('not found');
    const auth = editorAuthSettings();
    const settings = {
      siteName: config().SITE_NAME,
      authorizeUrl: `${auth.domain}/oauth2/authorize`,
      tokenUrl: `${auth.domain}/oauth2/token`,
      logoutUrl: `${auth.domain}/logout`,
      clientId: auth.clientId,
      scope: `openid ${auth.scopePrefix}/editor ${auth.scopePrefix}/viewer`,
      redirectUri: `${config().PUBLIC_BASE_URL.replace(/\/+$/, '')}/editor`,
    };
    return {
      statusCode: 200,
      headers: { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': consolePolicy(settings.tokenUrl) },
      body: consolePage(settings),
    };
  },
  { errorResponse: pageError, logger: editorLogger },
);
