/**
 * Lazily loaded dependencies that must not keep a failure: retryWithBackoff
 * (functions/core/concurrency.ts) and the wiring's memo (functions/wiring/common.ts).
 */
import { describe, expect, it } from 'vitest';
import { retryWithBackoff } from '../../functions/core/concurrency.ts';
import { memo } from '../../functions/wiring/common.ts';

describe('Function: retryWithBackoff', () => {
  it('waits with full-jitter exponential backoff, capped, between tries and returns the first success', async () => {
    // Prepare
    const waits: number[] = [];
    let calls = 0;

    // Act
    const value = await retryWithBackoff(
      async (attempt) => {
        calls += 1;
        if (attempt < 4) throw new Error(`try ${attempt} failed`);
        return 'ok';
      },
      { attempts: 5, baseMs: 100, capMs: 300, sleep: async (ms) => void waits.push(ms), random: () => 1 },
    );

    // Assess
    expect(value).toBe('ok');
    expect(calls).toBe(4);
    expect(waits).toEqual([100, 200, 300]);
  });

  it('throws the last error after the last try, and at once an error that is not retryable', async () => {
    // Prepare
    const sleep = async () => undefined;
    let calls = 0;
    const failing = async () => {
      calls += 1;
      throw new Error(`failure ${calls}`);
    };

    // Act
    const exhausted = await retryWithBackoff(failing, { attempts: 3, baseMs: 1, capMs: 1, sleep }).catch((e: Error) => e.message);
    const callsAfterExhausted = calls;
    const final = await retryWithBackoff(failing, { attempts: 3, baseMs: 1, capMs: 1, sleep, retryable: () => false }).catch((e: Error) => e.message);

    // Assess
    expect(exhausted).toBe('failure 3');
    expect(callsAfterExhausted).toBe(3);
    expect(final).toBe('failure 4');
  });
});

describe('Function: memo', () => {
  it('keeps a value made once', () => {
    // Prepare
    let made = 0;
    const get = memo(() => ({ n: ++made }));

    // Act
    const [a, b] = [get(), get()];

    // Assess
    expect(a).toBe(b);
    expect(made).toBe(1);
  });

  it('forgets a promise that rejected, so the next call makes it again', async () => {
    // Prepare: the first make fails (SSM down), the second succeeds
    let made = 0;
    const get = memo(async () => {
      made += 1;
      if (made === 1) throw new Error('SSM is down');
      return 'service';
    });

    // Act
    const first = await get().catch((e: Error) => e.message);
    const second = await get();
    const third = await get();

    // Assess
    expect(first).toBe('SSM is down');
    expect([second, third]).toEqual(['service', 'service']);
    expect(made).toBe(2);
  });
});
