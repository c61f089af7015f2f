import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../functions/core/errors.ts';
import { signToken, TokenPurpose, verifyToken } from '../../../functions/core/subscribers/tokens.ts';
import { InvalidTokenError } from '../../../functions/core/errors.ts';

const SECRET = 'x'.repeat(40);
const NOW = 1_800_000_000;

function reasonOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof InvalidTokenError) return error.reason;
    throw error;
  }
  return undefined;
}

describe('Function: signToken / verifyToken', () => {
  it('round-trips the claims', () => {
    // Prepare
    const token = signToken(SECRET, { subscriberId: 's_abc', purpose: TokenPurpose.CONFIRM, expiresAt: NOW + 60, nonce: 'n1' });

    // Act
    const claims = verifyToken(SECRET, token, TokenPurpose.CONFIRM, NOW);

    // Assess
    expect(claims).toEqual({ subscriberId: 's_abc', expiresAt: NOW + 60, nonce: 'n1' });
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
  });

  it('omits the nonce when none was given', () => {
    // Prepare
    const token = signToken(SECRET, { subscriberId: 's_abc', purpose: TokenPurpose.UNSUBSCRIBE, expiresAt: NOW + 60 });

    // Act
    const claims = verifyToken(SECRET, token, TokenPurpose.UNSUBSCRIBE, NOW);

    // Assess
    expect(claims).toEqual({ subscriberId: 's_abc', expiresAt: NOW + 60 });
  });

  it('refuses a token for another purpose', () => {
    // Prepare
    const token = signToken(SECRET, { subscriberId: 's_abc', purpose: TokenPurpose.PREFERENCES, expiresAt: NOW + 60 });

    // Act
    const reasons = [TokenPurpose.CONFIRM, TokenPurpose.UNSUBSCRIBE].map((p) => reasonOf(() => verifyToken(SECRET, token, p, NOW)));

    // Assess
    expect(reasons).toEqual(['wrong purpose', 'wrong purpose']);
  });

  it('refuses an expired token', () => {
    // Prepare
    const token = signToken(SECRET, { subscriberId: 's_abc', purpose: TokenPurpose.CONFIRM, expiresAt: NOW });

    // Act
    const reason = reasonOf(() => verifyToken(SECRET, token, TokenPurpose.CONFIRM, NOW));

    // Assess
    expect(reason).toBe('expired');
  });

  it('refuses a token signed with another secret', () => {
    // Prepare
    const token = signToken('y'.repeat(40), { subscriberId: 's_abc', purpose: TokenPurpose.CONFIRM, expiresAt: NOW + 60 });

    // Act
    const reason = reasonOf(() => verifyToken(SECRET, token, TokenPurpose.CONFIRM, NOW));

    // Assess
    expect(reason).toBe('bad signature');
  });

  it('signs with the first secret of a list and verifies under any of them (rotation)', () => {
    // Prepare
    const current = 'c'.repeat(40);
    const previous = 'p'.repeat(40);
    const claims = { subscriberId: 's_abc', purpose: TokenPurpose.UNSUBSCRIBE, expiresAt: NOW + 60 } as const;
    const oldLink = signToken(previous, claims);

    // Act
    const newLink = signToken([current, previous], claims);

    // Assess
    expect(newLink).toBe(signToken(current, claims));
    expect(verifyToken([current, previous], oldLink, TokenPurpose.UNSUBSCRIBE, NOW).subscriberId).toBe('s_abc');
    expect(verifyToken([current, previous], newLink, TokenPurpose.UNSUBSCRIBE, NOW).subscriberId).toBe('s_abc');
    expect(reasonOf(() => verifyToken([current], oldLink, TokenPurpose.UNSUBSCRIBE, NOW))).toBe('bad signature');
  });

  it('refuses a tampered payload', () => {
    // Prepare
    const token = signToken(SECRET, { subscriberId: 's_abc', purpose: TokenPurpose.CONFIRM, expiresAt: NOW + 60 });
    const [, signature] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ s: 's_other', p: 'confirm', e: NOW + 60 })).toString('base64url');

    // Act
    const reason = reasonOf(() => verifyToken(SECRET, `${forged}.${signature}`, TokenPurpose.CONFIRM, NOW));

    // Assess
    expect(reason).toBe('bad signature');
  });

  it('refuses a tampered signature', () => {
    // Prepare
    const token = signToken(SECRET, { subscriberId: 's_abc', purpose: TokenPurpose.CONFIRM, expiresAt: NOW + 60 });
    const last = token.at(-2) === 'A' ? 'B' : 'A';
    const tampered = `${token.slice(0, -2)}${last}${token.at(-1)}`;

    // Act
    const reason = reasonOf(() => verifyToken(SECRET, tampered, TokenPurpose.CONFIRM, NOW));

    // Assess
    expect(reason).toBe('bad signature');
  });

  it.each(['', 'abc', 'a.b.c', 'a b.c', '.', 'abc.', '.abc', 'x'.repeat(600), '<script>.x'])(
    'refuses the malformed token %j',
    (token) => {
      // Prepare & Act
      const reason = reasonOf(() => verifyToken(SECRET, token, TokenPurpose.CONFIRM, NOW));

      // Assess
      expect(['malformed', 'bad signature']).toContain(reason);
    },
  );

  it('refuses a correctly signed payload that is not a token', () => {
    // Prepare
    const payload = Buffer.from('{"s":1}').toString('base64url');
    const signature = createHmac('sha256', SECRET).update(`v1.${payload}`).digest('base64url');

    // Act
    const reason = reasonOf(() => verifyToken(SECRET, `${payload}.${signature}`, TokenPurpose.CONFIRM, NOW));

    // Assess
    expect(reason).toBe('malformed');
  });

  it('throws a ValidationError (400)', () => {
    // Prepare & Act
    let caught: unknown;
    try {
      verifyToken(SECRET, 'nope', TokenPurpose.CONFIRM, NOW);
    } catch (error) {
      caught = error;
    }

    // Assess
    expect(caught).toBeInstanceOf(ValidationError);
    expect((caught as ValidationError).statusCode).toBe(400);
    expect((caught as ValidationError).message).toBe('token: malformed');
  });

  it('is fast enough to sign once per recipient', () => {
    // Prepare
    const started = performance.now();

    // Act
    for (let i = 0; i < 10_000; i += 1) {
      signToken(SECRET, { subscriberId: `s_${i}`, purpose: TokenPurpose.UNSUBSCRIBE, expiresAt: NOW + 60 });
    }

    // Assess
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

