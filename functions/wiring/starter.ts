/**
 * Wiring of the edition starter: asynchronous invokes of the `edition` function, for the
 * editors' API (send now, resume) and the reconciler (an edition stuck in `building`). A
 * module of its own so that only those bundles carry the Lambda client.
 */
import { LambdaEditionStarter } from '../adapters/lambda-edition-starter.ts';
import { lambdaClient } from '../adapters/aws-clients.ts';
import { SdkCaller } from '../adapters/aws-sdk-caller.ts';
import type { EditionStarter } from '../core/editions/ports.ts';
import { ConfigError } from '../core/errors.ts';
import { config, memo } from './common.ts';

const lambda = memo(() => new SdkCaller(lambdaClient(config())));

/**
 * The starter, or undefined when EDITION_FUNCTION_NAME is not set (an in-process local run).
 *
 * @example
 * ```ts
 * await optionalEditionStarter()?.start({ job: 'daily', editionId, scheduledAt });
 * ```
 */
export const optionalEditionStarter = memo((): EditionStarter | undefined => {
  const name = config().EDITION_FUNCTION_NAME;
  return name ? new LambdaEditionStarter({ client: lambda(), functionName: name }) : undefined;
});

/**
 * The starter.
 *
 * @throws ConfigError when EDITION_FUNCTION_NAME is missing.
 * @example
 * ```ts
 * await editionStarter().start({ job: 'daily', editionId: 'daily-2026-11-28', scheduledAt });
 * ```
 */
export function editionStarter(): EditionStarter {
  const starter = optionalEditionStarter();
  if (!starter) throw new ConfigError('Configuration error: EDITION_FUNCTION_NAME is missing');
  return starter;
}
