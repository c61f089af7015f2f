/**
 * The local stand-in for the editors' Cognito user pool (dev only, never deployed): an OAuth
 * 2.0 / OIDC issuer on loopback with an RSA key pair made at start (nothing is written to
 * disk or committed). It signs access tokens shaped as Cognito's (`iss`, `client_id`,
 * `token_use: access`, `scope`, `username`, no `aud`), publishes its keys as a JWKS, and
 * signs an editor in as Cognito's hosted UI would: `/oauth2/authorize` shows a page with
 * two buttons (the local editor, the local viewer) and sends the browser back with a code,
 * which `/oauth2/token` exchanges for a token (authorization code with PKCE, S256 only).
 * Only loopback redirect URIs are accepted.
 *
 * Routes: GET /.well-known/jwks.json, GET /.well-known/openid-configuration,
 * GET|POST /oauth2/authorize, POST /oauth2/token, GET /logout, POST /dev/token (a token for
 * the CLI of a running `npm start`; its answer cannot be read from another origin).
 */
import { createHash, createSign, generateKeyPairSync, randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { closeServer, readBody } from './http-util.ts';

/** The local users: an editor (editor and viewer scopes) and a viewer (viewer scope only). */
export const LOCAL_EDITORS = {
  editor: { username: 'local-editor', sub: '7d0c3a52-0e1f-4f7e-9b0b-000000000001', scopes: ['editor', 'viewer'] },
  viewer: { username: 'local-viewer', sub: '7d0c3a52-0e1f-4f7e-9b0b-000000000002', scopes: ['viewer'] },
} as const;
export type LocalEditor = keyof typeof LOCAL_EDITORS;

/** What a minted token may be made to look like (tests mint every bad kind). */
export interface MintOptions {
  user?: LocalEditor;
  /** The editors' scopes, without the prefix (default: the user's). */
  scopes?: readonly string[];
  /** Seconds from now until `exp` (negative: expired). Default 3600. */
  expiresInSeconds?: number;
  issuer?: string;
  clientId?: string;
  tokenUse?: string;
  /** Signed with another key under this issuer's key id: right claims, forged signature. */
  forged?: boolean;
}

export interface EditorIssuer {
  /** The issuer (`iss`), also the base of its endpoints, e.g. `http://127.0.0.1:4580`. */
  url: string;
  port: number;
  clientId: string;
  scopePrefix: string;
  /** The EDITOR_AUTH_* variables that point the editor functions at this issuer. */
  env: Record<string, string>;
  /** serverless-offline's `editors` JWT authorizer pointed at this issuer. */
  authorizers: Record<string, { issuerUrl: string; audience: string[] }>;
  /** A signed access token. */
  mint(options?: MintOptions): string;
  stop(): Promise<void>;
}

export interface EditorIssuerOptions {
  port?: number;
  host?: string;
  /** The resource server's identifier (default `news-digest-local`, as serverless.yml makes it for stage `local`). */
  scopePrefix?: string;
  clientId?: string;
}

const b64url = (data: Buffer | string): string => Buffer.from(data).toString('base64url');
const LOOPBACK = /^http:\/\/(127\.0\.0\.1|localhost|\[::1\]):\d{1,5}\//;
const CODE_TTL_MS = 60_000;

function sign(privateKey: KeyObject, kid: string, payload: Record<string, unknown>): string {
  const head = b64url(JSON.stringify({ kid, alg: 'RS256' }));
  const body = b64url(JSON.stringify(payload));
  const signature = createSign('RSA-SHA256').update(`${head}.${body}`).sign(privateKey);
  return `${head}.${body}.${b64url(signature)}`;
}

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', ...headers });
  res.end(body);
}

const json = (res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void =>
  send(res, status, JSON.stringify(value), { 'content-type': 'application/json', ...headers });

const escape = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * Starts the issuer.
 *
 * @example
 * ```ts
 * const issuer = await startEditorIssuer({ port: 0 });
 * const token = issuer.mint({ user: 'editor' });
 * await issuer.stop();
 * ```
 */
export async function startEditorIssuer(options: EditorIssuerOptions = {}): Promise<EditorIssuer> {
  const host = options.host ?? '127.0.0.1';
  const scopePrefix = options.scopePrefix ?? 'news-digest-local';
  const clientId = options.clientId ?? 'local-editors';
  const kid = randomBytes(8).toString('hex');
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const forger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const jwks = { keys: [{ ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' }] };
  const codes = new Map<string, { user: LocalEditor; redirectUri: string; challenge: string; expires: number }>();
  let url = '';

  const mint = (o: MintOptions = {}): string => {
    const user = LOCAL_EDITORS[o.user ?? 'editor'];
    const now = Math.floor(Date.now() / 1000);
    const scopes = ['openid', ...(o.scopes ?? user.scopes).map((s) => `${scopePrefix}/${s}`)];
    const payload = {
      sub: user.sub,
      iss: o.issuer ?? url,
      client_id: o.clientId ?? clientId,
      origin_jti: randomUUID(),
      event_id: randomUUID(),
      token_use: o.tokenUse ?? 'access',
      scope: scopes.join(' '),
      auth_time: now,
      exp: now + (o.expiresInSeconds ?? 3600),
      iat: now,
      jti: randomUUID(),
      username: user.username,
    };
    return sign(o.forged ? forger : privateKey, kid, payload);
  };

  const authorizePage = (params: URLSearchParams, redirect: string): string => {
    const hidden = [...params].map(([k, v]) => `<input type="hidden" name="${escape(k)}" value="${escape(v)}">`).join('');
    const button = (user: LocalEditor, label: string) =>
      `<form method="post" action="/oauth2/authorize">${hidden}<input type="hidden" name="user" value="${user}"><button type="submit">${label}</button></form>`;
    return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Sign in · news-digest (local)</title>
<style>body{font:1rem/1.5 system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem}button{font:inherit;font-weight:600;padding:.6rem 1rem;margin:.25rem 0;width:100%;border-radius:6px;border:2px solid #0b5394;background:#0b5394;color:#fff}form+form button{background:#fff;color:#0b5394}</style></head>
<body><h1>Sign in to the editors' console</h1><p>This is the local sign-in of <code>npm start</code> (on AWS, Cognito's sign-in page is here).</p>
${button('editor', `Sign in as ${LOCAL_EDITORS.editor.username} (editor)`)}${button('viewer', `Sign in as ${LOCAL_EDITORS.viewer.username} (viewer)`)}
<p><small>Returns to ${escape(redirect)}</small></p></body></html>`;
  };

  /** The authorize request's checks; the redirect URI when they pass. */
  const checkAuthorize = (params: URLSearchParams): string | { error: string } => {
    const redirect = params.get('redirect_uri') ?? '';
    if (params.get('client_id') !== clientId) return { error: 'unknown client_id' };
    if (!LOOPBACK.test(redirect)) return { error: 'redirect_uri must be a loopback http URL' };
    if (params.get('response_type') !== 'code') return { error: 'response_type must be code' };
    if (params.get('code_challenge_method') !== 'S256' || !/^[\w-]{43}$/.test(params.get('code_challenge') ?? '')) return { error: 'a PKCE S256 code_challenge is required' };
    return redirect;
  };

  const cors = (req: IncomingMessage): Record<string, string> => {
    const origin = req.headers.origin;
    return typeof origin === 'string' && LOOPBACK.test(`${origin}/`) ? { 'access-control-allow-origin': origin, vary: 'origin' } : {};
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = new URL(req.url ?? '/', url);
    const route = `${req.method} ${target.pathname}`;
    if (route === 'GET /.well-known/jwks.json') return json(res, 200, jwks);
    if (route === 'GET /.well-known/openid-configuration') {
      return json(res, 200, { issuer: url, authorization_endpoint: `${url}/oauth2/authorize`, token_endpoint: `${url}/oauth2/token`, jwks_uri: `${url}/.well-known/jwks.json`, code_challenge_methods_supported: ['S256'] });
    }
    if (route === 'GET /oauth2/authorize') {
      const checked = checkAuthorize(target.searchParams);
      if (typeof checked !== 'string') return send(res, 400, checked.error, { 'content-type': 'text/plain; charset=utf-8' });
      const policy = `default-src 'none'; style-src 'unsafe-inline'; form-action 'self' ${new URL(checked).origin}; frame-ancestors 'none'; base-uri 'none'`;
      return send(res, 200, authorizePage(target.searchParams, checked), { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': policy });
    }
    if (route === 'POST /oauth2/authorize') {
      const form = new URLSearchParams((await readBody(req)).toString('utf8'));
      const checked = checkAuthorize(form);
      const user = form.get('user');
      if (typeof checked !== 'string' || (user !== 'editor' && user !== 'viewer')) return send(res, 400, 'bad sign-in request', { 'content-type': 'text/plain; charset=utf-8' });
      const code = randomBytes(24).toString('base64url');
      codes.set(code, { user, redirectUri: checked, challenge: form.get('code_challenge') ?? '', expires: Date.now() + CODE_TTL_MS });
      const back = new URL(checked);
      back.searchParams.set('code', code);
      if (form.get('state')) back.searchParams.set('state', form.get('state') ?? '');
      return send(res, 302, '', { location: back.toString() });
    }
    if (route === 'POST /oauth2/token') {
      const form = new URLSearchParams((await readBody(req)).toString('utf8'));
      const code = form.get('code') ?? '';
      const grant = codes.get(code);
      codes.delete(code); // single use
      const verifier = form.get('code_verifier') ?? '';
      const ok =
        form.get('grant_type') === 'authorization_code' &&
        form.get('client_id') === clientId &&
        grant !== undefined &&
        grant.expires > Date.now() &&
        grant.redirectUri === form.get('redirect_uri') &&
        createHash('sha256').update(verifier).digest('base64url') === grant.challenge;
      if (!ok || !grant) return json(res, 400, { error: 'invalid_grant' }, cors(req));
      return json(res, 200, { access_token: mint({ user: grant.user }), token_type: 'Bearer', expires_in: 3600 }, cors(req));
    }
    if (route === 'GET /logout') {
      const back = target.searchParams.get('logout_uri') ?? '';
      if (target.searchParams.get('client_id') !== clientId || !LOOPBACK.test(back)) return send(res, 400, 'bad logout request');
      return send(res, 302, '', { location: back });
    }
    if (route === 'POST /dev/token') {
      const user = target.searchParams.get('user') ?? 'editor';
      if (user !== 'editor' && user !== 'viewer') return json(res, 400, { error: 'user must be editor or viewer' });
      return json(res, 200, { access_token: mint({ user }), token_type: 'Bearer', expires_in: 3600 });
    }
    return send(res, 404, 'not found');
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => send(res, 500, String(error)));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  url = `http://${host}:${port}`;
  return {
    url,
    port,
    clientId,
    scopePrefix,
    env: {
      EDITOR_AUTH_ISSUER: url,
      EDITOR_AUTH_CLIENT_ID: clientId,
      EDITOR_AUTH_JWKS_URI: `${url}/.well-known/jwks.json`,
      EDITOR_AUTH_DOMAIN: url,
      EDITOR_AUTH_SCOPE_PREFIX: scopePrefix,
    },
    authorizers: { editors: { issuerUrl: url, audience: [clientId] } },
    mint,
    stop: () => closeServer(server),
  };
}
