import { readFileSync } from 'node:fs';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JwtEditorTokenVerifier } from '../../../functions/adapters/jwt-editor-token-verifier.ts';
import { signToken, TokenPurpose } from '../../../functions/core/subscribers/tokens.ts';
import { authenticateEditor } from '../../../functions/http/editor/auth.ts';
import type { HttpRequest } from '../../../functions/http/middleware.ts';
import { parseCfnYaml } from '../../../infra/local/cfn.ts';
import { startEditorIssuer, type EditorIssuer } from '../../../infra/local/editor-issuer.ts';

const request = (authorization?: string): HttpRequest => ({
  method: 'GET', path: '/editor/api/me', query: {}, pathParameters: {}, headers: authorization === undefined ? {} : { authorization }, fields: {}, hasBody: false, bodyKind: 'none', wantsHtml: false,
});

describe('Class: JwtEditorTokenVerifier (against the local issuer)', () => {
  let issuer: EditorIssuer;
  let verifier: JwtEditorTokenVerifier;
  beforeAll(async () => {
    issuer = await startEditorIssuer({ port: 0 });
    verifier = new JwtEditorTokenVerifier({ issuer: issuer.url, clientId: issuer.clientId, scopePrefix: issuer.scopePrefix, jwksUri: issuer.env.EDITOR_AUTH_JWKS_URI! });
  });
  afterAll(async () => {
    await issuer?.stop();
  });

  describe('Method: verify', () => {
    it('says who a valid token is for, with the editors\' scopes only', async () => {
      // Act
      const editor = await verifier.verify(issuer.mint({ user: 'editor' }));
      const viewer = await verifier.verify(issuer.mint({ user: 'viewer' }));

      // Assess
      expect(editor).toEqual({ username: 'local-editor', sub: expect.any(String), scopes: ['editor', 'viewer'] });
      expect(viewer.scopes).toEqual(['viewer']);
    });

    it.for([
      ['forged', { forged: true }, 'token: bad signature'],
      ['expired', { expiresInSeconds: -5 }, 'token: expired'],
      ['from another issuer', { issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_other' }, 'token: from another issuer'],
      ['for another client', { clientId: 'someone-else' }, 'token: for another client'],
      ['an ID token', { tokenUse: 'id' }, 'token: not an access token'],
    ] as const)('refuses a token %s with 401 invalid_token', async ([, options, message]) => {
      // Act
      const act = verifier.verify(issuer.mint(options));

      // Assess
      await expect(act).rejects.toMatchObject({ statusCode: 401, message, challenge: 'Bearer realm="editors", error="invalid_token"' });
    });

    it('refuses a subscriber\'s link token', async () => {
      // Act
      const act = verifier.verify(signToken('x'.repeat(40), { subscriberId: 's_1', purpose: TokenPurpose.UNSUBSCRIBE, expiresAt: 2e9 }));

      // Assess
      await expect(act).rejects.toMatchObject({ statusCode: 401 });
    });
  });

  describe('Function: authenticateEditor', () => {
    it('asks for a token (401), refuses one that is not a bearer JWT (401), and one without the route\'s scope (403)', async () => {
      // Act & Assess
      await expect(authenticateEditor(request(), 'viewer', verifier, issuer.scopePrefix)).rejects.toMatchObject({ statusCode: 401, challenge: 'Bearer realm="editors"' });
      await expect(authenticateEditor(request('Basic YWxhZGRpbjpvcGVu'), 'viewer', verifier, issuer.scopePrefix)).rejects.toMatchObject({ statusCode: 401 });
      await expect(authenticateEditor(request(`Bearer ${issuer.mint({ user: 'viewer' })}`), 'editor', verifier, issuer.scopePrefix)).rejects.toMatchObject({
        statusCode: 403,
        challenge: `Bearer realm="editors", error="insufficient_scope", scope="${issuer.scopePrefix}/editor"`,
      });
      await expect(authenticateEditor(request(`Bearer ${issuer.mint({ scopes: [] })}`), 'viewer', verifier, issuer.scopePrefix)).rejects.toMatchObject({ statusCode: 403 });
      await expect(authenticateEditor(request(`Bearer ${issuer.mint({ user: 'editor' })}`), 'viewer', verifier, issuer.scopePrefix)).resolves.toMatchObject({ username: 'local-editor' });
    });
  });
});

describe('Function: the pre token generation trigger (infra/editors.yml, inline)', () => {
  const doc = parseCfnYaml(readFileSync(new URL('../../../infra/editors.yml', import.meta.url), 'utf8')) as { Resources: Record<string, { Properties: { Code: { ZipFile: string } } }> };
  const exports: { handler?: (event: unknown) => Promise<{ response: unknown }> } = {};
  runInNewContext(doc.Resources.EditorsTokenScopesFunction!.Properties.Code.ZipFile, { exports });
  const scopes = ['openid', 'news-digest-prod/editor', 'news-digest-prod/viewer'];
  const run = async (groups: string[]) =>
    ((await exports.handler!({ request: { groupConfiguration: { groupsToOverride: groups }, scopes } })).response as { claimsAndScopeOverrideDetails: { accessTokenGeneration: { scopesToSuppress: string[] } } })
      .claimsAndScopeOverrideDetails.accessTokenGeneration.scopesToSuppress;

  it('keeps both scopes for editors, the viewer scope for viewers, and neither for anybody else', async () => {
    // Act & Assess
    expect(await run(['editors'])).toEqual([]);
    expect(await run(['viewers'])).toEqual(['news-digest-prod/editor']);
    expect(await run([])).toEqual(['news-digest-prod/editor', 'news-digest-prod/viewer']);
  });
});
