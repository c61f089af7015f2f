import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { SdkCaller } from '../../../functions/adapters/aws-sdk-caller.ts';
import { LambdaEditionStarter } from '../../../functions/adapters/lambda-edition-starter.ts';

describe('Class: LambdaEditionStarter', () => {
  const lambda = mockClient(LambdaClient);
  afterEach(() => lambda.reset());

  describe('Method: start', () => {
    it('invokes the edition function asynchronously with the edition, its period and force', async () => {
      // Prepare
      lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
      const starter = new LambdaEditionStarter({ client: new SdkCaller(new LambdaClient({ region: 'eu-west-1' })), functionName: 'news-digest-prod-edition' });

      // Act
      await starter.start({ job: 'daily', editionId: 'daily-2026-11-28-s2', scheduledAt: '2026-11-28T09:00:00.000Z', from: '2026-11-28T06:00:00.000Z', to: '2026-11-28T09:00:00.000Z' });

      // Assess
      const input = lambda.commandCalls(InvokeCommand)[0]?.args[0].input;
      expect(input).toMatchObject({ FunctionName: 'news-digest-prod-edition', InvocationType: 'Event' });
      expect(JSON.parse(new TextDecoder().decode(input?.Payload as Uint8Array))).toEqual({
        job: 'daily', edition: 'daily-2026-11-28-s2', time: '2026-11-28T09:00:00.000Z', force: true, from: '2026-11-28T06:00:00.000Z', to: '2026-11-28T09:00:00.000Z',
      });
    });

    it('fails when Lambda did not queue the event', async () => {
      // Prepare
      lambda.on(InvokeCommand).resolves({ StatusCode: 200 });
      const starter = new LambdaEditionStarter({ client: new SdkCaller(new LambdaClient({ region: 'eu-west-1' })), functionName: 'f' });

      // Act & Assess
      await expect(starter.start({ job: 'daily', editionId: 'daily-2026-11-28', scheduledAt: '2026-11-28T09:00:00.000Z' })).rejects.toThrow(/did not accept the run \(status 200\)/);
    });
  });
});
