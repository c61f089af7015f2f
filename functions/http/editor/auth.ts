/**
 * Editor authentication at the HTTP edge: the bearer token of the Authorization header,
 * verified by the handler itself (signature included: serverless-offline never checks it,
 * and a second check behind API Gateway's JWT authorizer costs a cached key lookup), then
 * the scope the route needs. No token → 401; a token that is not valid (expired, another
 * issuer or client, forged) → 401 `invalid_token`; a valid token without the scope → 403
 * `insufficient_scope`: the answers API Gateway's JWT authorizer gives (RFC 6750).
 * An editor passes viewer routes: `viewer` routes accept either scope.
 */
import type { EditorTokenVerifier } from '../../core/editors/ports.ts';
import { EditorScope, type EditorIdentity } from '../../core/editors/types.ts';
import { ForbiddenError, UnauthenticatedError } from '../../core/errors.ts';
import type { HttpRequest } from '../middleware.ts';

/** A JWT: three base64url parts (the verifier checks the rest). */
const BEARER = /^Bearer +([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/;
/** Longer than any Cognito access token; refused before any work. */
const MAX_TOKEN_LENGTH = 8_192;

/**
 * Whether scopes grant what a route needs: `editor` for writes, `viewer` or `editor` for reads.
 *
 * @example
 * ```ts
 * allows(['editor'], 'viewer'); // true
 * allows(['viewer'], 'editor'); // false
 * ```
 */
export function allows(scopes: readonly EditorScope[], needs: EditorScope): boolean {
  return scopes.includes(EditorScope.EDITOR) || (needs === EditorScope.VIEWER && scopes.includes(EditorScope.VIEWER));
}

/**
 * The editor a request comes from, if their token is valid and has the scope.
 *
 * @throws UnauthenticatedError (401) without a valid token; ForbiddenError (403) without the scope.
 * @example
 * ```ts
 * const editor = await authenticateEditor(request, 'editor', verifier);
 * ```
 */
export async function authenticateEditor(request: HttpRequest, needs: EditorScope, verifier: EditorTokenVerifier, scopePrefix: string): Promise<EditorIdentity> {
  const header = request.headers.authorization;
  if (header === undefined || header.trim() === '') throw new UnauthenticatedError('missing', 'sign in: an Authorization: Bearer <access token> header is required');
  const token = header.length <= MAX_TOKEN_LENGTH ? BEARER.exec(header.trim())?.[1] : undefined;
  if (!token) throw new UnauthenticatedError('invalid', 'token: not a bearer JWT');
  const editor = await verifier.verify(token);
  if (!allows(editor.scopes, needs)) {
    throw new ForbiddenError(`this needs the ${needs} scope${needs === EditorScope.VIEWER ? ' (or editor)' : ''}`, { scope: `${scopePrefix}/${needs}` });
  }
  return editor;
}
