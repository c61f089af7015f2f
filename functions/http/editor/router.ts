/**
 * The editors' API functions dispatch on API Gateway's route key to small route handlers,
 * each declaring the scope it needs; the token is checked before any of them runs
 * (auth.ts). A route handler parses its input, calls one use case and maps the result.
 * No CORS headers: the API answers its own page only (docs/security.md#editor-authentication).
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { EditorTokenVerifier } from '../../core/editors/ports.ts';
import type { EditorIdentity, EditorScope } from '../../core/editors/types.ts';
import { NotFoundError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import { http, type HttpRequest, type HttpResponse } from '../middleware.ts';
import { authenticateEditor } from './auth.ts';

/** One route of the editors' API. */
export interface EditorRoute {
  /** `editor` for writes; `viewer` for reads (an editor passes too). */
  scope: EditorScope;
  handle(request: HttpRequest, editor: EditorIdentity): Promise<HttpResponse>;
}

export interface EditorApiOptions {
  /** How tokens are checked, and the scopes' prefix (built on first use). */
  auth: () => Promise<{ verifier: EditorTokenVerifier; scopePrefix: string }>;
  logger: () => Logger;
}

/**
 * A Lambda handler serving the given routes, by route key (`GET /editor/api/editions/{id}`).
 *
 * @example
 * ```ts
 * export const handler = editorApi({ 'GET /editor/api/me': { scope: 'viewer', handle: async (_r, editor) => json(200, editor) } }, options);
 * ```
 */
export function editorApi(
  routes: Readonly<Record<string, EditorRoute>>,
  options: EditorApiOptions,
): (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2> {
  return http(
    async (request) => {
      const route = request.routeKey === undefined ? undefined : routes[request.routeKey];
      if (!route) throw new NotFoundError('no such route of the editors API');
      const { verifier, scopePrefix } = await options.auth();
      const editor = await authenticateEditor(request, route.scope, verifier, scopePrefix);
      return route.handle(request, editor);
    },
    { logger: options.logger },
  );
}

/** A path parameter the route declares. @throws NotFoundError when absent. */
export function param(request: HttpRequest, name: string): string {
  const value = request.pathParameters[name];
  if (value === undefined || value === '') throw new NotFoundError(`${name}: missing`);
  return value;
}

/** An optional text field of the body or the query. */
export function text(request: HttpRequest, name: string): string | undefined {
  const value = request.fields[name] ?? request.query[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}
