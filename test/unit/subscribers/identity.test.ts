import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../functions/core/errors.ts';
import { normaliseEmail, redactEmails, sourceNetwork, subscriberIdFor } from '../../../functions/core/subscribers/identity.ts';

describe('Function: normaliseEmail', () => {
  it('trims and lower-cases a valid address', () => {
    // Prepare
    const raw = '  Ann.Lee+news@Example.ORG ';

    // Act
    const email = normaliseEmail(raw);

    // Assess
    expect(email).toBe('ann.lee+news@example.org');
  });

  it.each([
    ['', 'is required'],
    ['   ', 'is required'],
    ['ann', 'not a valid address'],
    ['ann@', 'not a valid address'],
    ['@example.org', 'not a valid address'],
    ['ann@example', 'not a valid address'],
    ['ann@@example.org', 'not a valid address'],
    ['ann@exa mple.org', 'not a valid address'],
    ['an n@example.org', 'not a valid address'],
    ['ann..lee@example.org', 'not a valid address'],
    ['ann@-example.org', 'not a valid address'],
    ['ann@example.org\r\nBcc: x@y.z', 'control character'],
    ['ann@example.org\n', 'control character'],
    ['ann\u0000@example.org', 'control character'],
    ['ann\u2028@example.org', 'control character'],
    [`${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.org`, 'longer than 254'],
    [`${'a'.repeat(65)}@example.org`, 'not a valid address'],
  ])('rejects %j with a reason', (raw, reason) => {
    // Prepare
    const act = (): string => normaliseEmail(raw);

    // Act & Assess
    expect(act).toThrow(ValidationError);
    expect(act).toThrow(reason);
  });
});

describe('Function: subscriberIdFor', () => {
  it('gives the same opaque id for spellings of one address', () => {
    // Prepare
    const a = 'Ann@Example.org';
    const b = ' ann@example.ORG';

    // Act
    const idA = subscriberIdFor(a);
    const idB = subscriberIdFor(b);

    // Assess
    expect(idA).toBe(idB);
    expect(idA).toMatch(/^s_[0-9a-f]{32}$/);
    expect(idA).not.toContain('ann');
  });

  it('gives different ids for different addresses', () => {
    // Prepare & Act
    const ids = new Set(['a@example.org', 'b@example.org', 'a@example.com'].map(subscriberIdFor));

    // Assess
    expect(ids.size).toBe(3);
  });
});

describe('Function: redactEmails', () => {
  it('replaces every address with a placeholder, no hash', () => {
    // Prepare & Act
    const text = redactEmails('rejected Ann@Example.org and bob+x@example.co.uk');

    // Assess
    expect(text).toBe('rejected [email] and [email]');
  });
});

describe('Function: sourceNetwork', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7'],
    ['::ffff:203.0.113.7', '203.0.113.7'],
    ['2001:db8:1:2:aaaa:bbbb:cccc:dddd', '2001:db8:1:2::/64'],
    ['2001:0db8:0001:0002::1', '2001:db8:1:2::/64'],
    ['not an address', 'not an address'],
  ])('limits %s as %s', (ip, expected) => {
    // Prepare & Act
    const network = sourceNetwork(ip);

    // Assess
    expect(network).toBe(expected);
  });
});
