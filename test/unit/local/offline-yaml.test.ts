import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { withEnvironment } from '../../../infra/local/offline.ts';

const SERVICE = `service: s
provider:
  environment:
    TABLE: !Ref Table
    ISSUER: !Sub https://cognito-idp.\${AWS::Region}.amazonaws.com/\${Pool}
    JOINED: { 'Fn::Join': ['', ['a', 'b']] }
    PLAIN: kept
  httpApi:
    authorizers:
      editors:
        type: jwt
        identitySource: $request.header.Authorization
        issuerUrl: !Sub https://cognito-idp.\${AWS::Region}.amazonaws.com/\${Pool}
        audience:
          - !Ref Client
`;

describe('Function: withEnvironment', () => {
  it('sets the given variables, leaves out intrinsics it cannot resolve, and points JWT authorizers at a local issuer', () => {
    // Act
    const yaml = withEnvironment(SERVICE, { TABLE: 'Table-1' }, { editors: { issuerUrl: 'http://127.0.0.1:4580', audience: ['local-editors'] } });

    // Assess
    const doc = parse(yaml, { customTags: [{ tag: '!Ref', resolve: (v: string) => ({ Ref: v }) }, { tag: '!Sub', resolve: (v: string) => ({ 'Fn::Sub': v }) }] }) as {
      provider: { environment: Record<string, unknown>; httpApi: { authorizers: { editors: Record<string, unknown> } } };
    };
    expect(doc.provider.environment).toEqual({ TABLE: 'Table-1', PLAIN: 'kept' });
    expect(doc.provider.httpApi.authorizers.editors).toMatchObject({ type: 'jwt', issuerUrl: 'http://127.0.0.1:4580', audience: ['local-editors'] });
  });
});
