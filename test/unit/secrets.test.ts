import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../functions/core/errors.ts';
import { parseSecretList, secretWeakness } from '../../functions/core/secrets.ts';

describe('Function: secretWeakness', () => {
  it.each([
    ['openssl rand -hex 32', randomBytes(32).toString('hex')],
    ['openssl rand -base64 48', randomBytes(48).toString('base64')],
    ['a passphrase-like mix', 'correct-Horse-battery-staple-2026!'],
  ])('accepts %s', (_name, secret) => {
    // Prepare & Act
    const weakness = secretWeakness(secret);

    // Assess
    expect(weakness).toBeUndefined();
  });

  it.each([
    ['32 spaces', ' '.repeat(32), 'no white space or control characters'],
    ['too short', randomBytes(15).toString('hex'), 'at least 32 characters'],
    ['one letter repeated', 'x'.repeat(40), 'at least 10 different characters'],
    ['few characters', 'ab12'.repeat(10), 'at least 10 different characters'],
    ['one kind of character', 'abcdefghijklmnopqrstuvwxyzabcdefgh', 'at least two kinds of characters'],
    ['a repeated pattern', 'abcdefgh12'.repeat(4), 'not a short pattern repeated'],
    ['a line break', `${randomBytes(20).toString('hex')}\n`, 'no white space or control characters'],
  ])('refuses %s', (_name, secret, reason) => {
    // Prepare & Act
    const weakness = secretWeakness(secret);

    // Assess
    expect(weakness).toContain(reason);
  });
});

describe('Function: parseSecretList', () => {
  it('splits on commas and line breaks, current first', () => {
    // Prepare
    const [a, b, c] = [1, 2, 3].map(() => randomBytes(32).toString('hex'));

    // Act
    const list = parseSecretList(`${a}\n${b}, ${c}\n`, 'SSM parameter /x');

    // Assess
    expect(list).toEqual([a, b, c]);
  });

  it('names the source and the position of a weak secret, never its value', () => {
    // Prepare
    const strong = randomBytes(32).toString('hex');
    const weak = 'x'.repeat(40);

    // Act
    let error: unknown;
    try {
      parseSecretList(`${strong},${weak}`, 'SSM parameter /news-digest/prod/token-secret');
    } catch (caught) {
      error = caught;
    }

    // Assess
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe('SSM parameter /news-digest/prod/token-secret: secret 2 is too weak (at least 10 different characters)');
    expect((error as Error).message).not.toContain(weak);
    expect(() => parseSecretList(' , ', 'X')).toThrow('X holds no secret');
  });
});
