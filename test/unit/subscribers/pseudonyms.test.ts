import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../functions/core/errors.ts';
import { LogPseudonyms } from '../../../functions/core/subscribers/pseudonyms.ts';

const KEY_A = 'a-log-pseudonym-key-for-tests-0123456789';
const KEY_B = 'b-log-pseudonym-key-for-tests-0123456789';

describe('Class: LogPseudonyms', () => {
  describe('Method: email', () => {
    it('is stable for one address however it is written, and short', () => {
      // Prepare
      const pseudonyms = new LogPseudonyms(KEY_A);

      // Act
      const pseudonym = pseudonyms.email(' Ann@Example.org ');

      // Assess
      expect(pseudonym).toBe(pseudonyms.email('ann@example.org'));
      expect(pseudonym).toMatch(/^e_[0-9a-f]{16}$/);
    });

    it('cannot be recomputed without the key: an unkeyed hash of a candidate list does not find it', () => {
      // Prepare
      const candidates = ['ann@example.org', 'bob@example.org'];
      const unkeyed = candidates.flatMap((c) => {
        const hex = createHash('sha256').update(c).digest('hex');
        const prefixed = createHash('sha256').update(`email:${c}`).digest('hex');
        return [hex.slice(0, 12), hex.slice(0, 16), prefixed.slice(0, 12), prefixed.slice(0, 16)];
      });

      // Act
      const a = new LogPseudonyms(KEY_A).email('ann@example.org');
      const b = new LogPseudonyms(KEY_B).email('ann@example.org');

      // Assess
      expect(a).not.toBe(b);
      for (const hash of unkeyed) expect(a).not.toContain(hash);
    });
  });

  describe('Method: ip', () => {
    it('depends on the key and hides the IP', () => {
      // Prepare & Act
      const a = new LogPseudonyms(KEY_A).ip('203.0.113.7');
      const b = new LogPseudonyms(KEY_B).ip('203.0.113.7');

      // Assess
      expect(a).not.toBe(b);
      expect(a).toMatch(/^[0-9a-f]{32}$/);
    });
  });

  describe('Method: subscriber', () => {
    it('hides the subscriber id (itself an unkeyed hash of the address)', () => {
      // Prepare & Act
      const pseudonym = new LogPseudonyms(KEY_A).subscriber('s_0123456789abcdef0123456789abcdef');

      // Assess
      expect(pseudonym).toMatch(/^p_[0-9a-f]{16}$/);
      expect(pseudonym).not.toContain('0123456789abcdef');
    });
  });

  it('refuses an empty key', () => {
    // Prepare & Act & Assess
    expect(() => new LogPseudonyms('')).toThrow(ConfigError);
  });
});
