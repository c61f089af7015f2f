/**
 * EditorTokenVerifier with aws-jwt-verify: checks an editor's access token in the handler
 * itself, signature included (API Gateway's JWT authorizer checks it on AWS too; locally
 * serverless-offline checks only the claims, never the signature, so this check is what
 * refuses a forged token there).
 * - Cognito issuers (`https://cognito-idp.<region>.amazonaws.com/<pool>`): CognitoJwtVerifier
 *   (access tokens of the `editors` client; the pool's JWKS).
 * - Any other issuer (the local issuer on loopback): JwtVerifier against its JWKS, with the
 *   same checks written out: `client_id` and `token_use: access` (Cognito access tokens have
 *   no `aud`). Its keys are fetched with the runtime's fetch, which also speaks plain HTTP.
 * Both check the signature first, then the issuer and the expiry.
 */
import { CognitoJwtVerifier, JwtVerifier } from 'aws-jwt-verify';
import {
  CognitoJwtInvalidClientIdError, CognitoJwtInvalidTokenUseError, FetchError, JwtExpiredError, JwtInvalidAudienceError, JwtInvalidIssuerError,
  JwtInvalidSignatureError, JwtParseError, JwtWithoutValidKidError, KidNotFoundInJwksError, WaitPeriodNotYetEndedJwkError,
} from 'aws-jwt-verify/error';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import type { JwtPayload } from 'aws-jwt-verify/jwt-model';
import type { EditorTokenVerifier } from '../core/editors/ports.ts';
import { EditorScope, type EditorIdentity } from '../core/editors/types.ts';
import { DigestError, UnauthenticatedError } from '../core/errors.ts';

export interface JwtEditorTokenVerifierOptions {
  /** The issuer (`iss`): a Cognito user pool's URL, or the local issuer's. */
  issuer: string;
  /** The `editors` app client: the access token's `client_id`. */
  clientId: string;
  /** The issuer's keys (default `<issuer>/.well-known/jwks.json`). */
  jwksUri?: string;
  /** The resource server's identifier: scopes are `<prefix>/editor` and `<prefix>/viewer`. */
  scopePrefix: string;
}

const COGNITO_ISSUER = /^https:\/\/cognito-idp\.[a-z0-9-]+\.amazonaws\.com\/([a-z0-9-]+_[A-Za-z0-9]+)$/;
const KNOWN_SCOPES: ReadonlySet<string> = new Set(Object.values(EditorScope));

/** aws-jwt-verify's key fetcher over the runtime's fetch (HTTP or HTTPS), with a 5 s timeout. */
const runtimeFetcher = {
  fetch: async (uri: string): Promise<ArrayBuffer> => {
    const response = await fetch(uri, { signal: AbortSignal.timeout(5_000) });
    if (response.status !== 200) throw new FetchError(uri, `status ${response.status}, expected 200`);
    return response.arrayBuffer();
  },
};

interface Verify {
  verify(token: string): Promise<JwtPayload>;
}

/**
 * @example
 * ```ts
 * const verifier = new JwtEditorTokenVerifier({ issuer, clientId, scopePrefix: 'news-digest-prod' });
 * const editor = await verifier.verify(token); // { username: 'ann', sub: '…', scopes: ['editor', 'viewer'] }
 * ```
 */
export class JwtEditorTokenVerifier implements EditorTokenVerifier {
  readonly #verifier: Verify;
  readonly #prefix: string;

  public constructor(options: JwtEditorTokenVerifierOptions) {
    this.#prefix = `${options.scopePrefix}/`;
    const pool = COGNITO_ISSUER.exec(options.issuer)?.[1];
    if (pool && options.jwksUri === undefined) {
      this.#verifier = CognitoJwtVerifier.create({ userPoolId: pool, tokenUse: 'access', clientId: options.clientId });
    } else {
      this.#verifier = JwtVerifier.create(
        {
          issuer: options.issuer,
          audience: null,
          jwksUri: options.jwksUri ?? `${options.issuer.replace(/\/+$/, '')}/.well-known/jwks.json`,
          customJwtCheck: ({ payload }) => {
            if (payload.client_id !== options.clientId) throw new Error('the token is for another client');
            if (payload.token_use !== 'access') throw new Error('not an access token');
          },
        },
        { jwksCache: new SimpleJwksCache({ fetcher: runtimeFetcher }) },
      );
    }
  }

  public async verify(token: string): Promise<EditorIdentity> {
    let payload: JwtPayload;
    try {
      payload = await this.#verifier.verify(token);
    } catch (error) {
      // The issuer's keys could not be fetched: that is our failure, not the caller's.
      if (error instanceof FetchError) throw new DigestError('the sign-in keys could not be fetched', { cause: error, statusCode: 503 });
      throw new UnauthenticatedError('invalid', `token: ${describe(error)}`, { cause: error });
    }
    const scopes = String(payload.scope ?? '')
      .split(' ')
      .filter((s) => s.startsWith(this.#prefix) && KNOWN_SCOPES.has(s.slice(this.#prefix.length)))
      .map((s) => s.slice(this.#prefix.length) as EditorScope);
    const sub = String(payload.sub ?? '');
    const username = typeof payload.username === 'string' && payload.username !== '' ? payload.username : sub;
    return { username, sub, scopes: [...new Set(scopes)] };
  }
}

/** Why a token was refused, in a few words (never the token itself). Classes, not names: bundles are minified. */
function describe(error: unknown): string {
  if (error instanceof JwtExpiredError) return 'expired';
  if (error instanceof JwtInvalidIssuerError) return 'from another issuer';
  if (error instanceof JwtInvalidSignatureError || error instanceof KidNotFoundInJwksError || error instanceof WaitPeriodNotYetEndedJwkError || error instanceof JwtWithoutValidKidError) return 'bad signature';
  if (error instanceof CognitoJwtInvalidClientIdError || error instanceof JwtInvalidAudienceError) return 'for another client';
  if (error instanceof CognitoJwtInvalidTokenUseError) return 'not an access token';
  if (error instanceof JwtParseError) return 'malformed';
  if (error instanceof Error && /another client|access token/.test(error.message)) return error.message.replace(/^the token is /, '');
  return 'not valid';
}
