/**
 * Points this process's configuration and AWS clients at a local stack, as
 * `infra/local/local-run.ts`'s `useStack` does, without importing what that module holds
 * (the emulators and every handler's source, about 1.5 s of CPU through tsx): each
 * benchmark child imports only what it runs.
 */
import { useEnvironment } from '../../functions/core/config.ts';
import { resetWiring } from '../../functions/wiring/common.ts';

/**
 * @example
 * ```ts
 * useStack(params.env); // then build adapters with functions/wiring/*
 * ```
 */
export function useStack(env: Record<string, string>): void {
  useEnvironment(env);
  resetWiring();
}
