/**
 * What the contract suites share: a vitest `test` whose every test gets a fresh subject.
 */
import { test } from 'vitest';

/**
 * A `test` (vitest fixture) whose tests each get a fresh subject from `setup` as
 * `subject`, so that no test sees what another did.
 *
 * @example
 * ```ts
 * const it = contractTest(async () => ({ ledger: new InMemoryDeliveryLedger() }));
 * it('takes the lease', async ({ subject: { ledger } }) => {
 *   expect((await ledger.acquire(task, { leaseUntil, now })).granted).toBe(true);
 * });
 * ```
 */
export function contractTest<T>(setup: () => Promise<T>) {
  return test.extend<{ subject: T }>({
    // eslint-disable-next-line no-empty-pattern -- vitest reads the fixtures a fixture needs from this pattern
    subject: async ({}, use: (value: T) => Promise<void>) => {
      await use(await setup());
    },
  });
}
