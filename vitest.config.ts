import { configDefaults, defineConfig } from 'vitest/config';

/**
 * Tests that judge timing on the shared machine: the four-worker rate test (the SES stand-in
 * stamps arrivals and throttles any sliding second above the cap, so a worker or the stand-in
 * held up for ~20 ms by other test files' CPU bursts reads as a burst), and the crash test
 * (it decides that SES has gone quiet from a frozen worker). They run after every other file
 * has finished, one file at a time, so no other test file's processes share the CPU with them.
 */
const TIMING = ['test/integration/delivery/rate-four-workers.test.ts', 'test/integration/delivery/crash.test.ts'];

export default defineConfig({
  test: {
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default'],
    projects: [
      {
        extends: true,
        test: {
          name: 'suite',
          include: ['test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, ...TIMING],
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'timing',
          include: TIMING,
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
