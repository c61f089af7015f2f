/**
 * SSM spoken to directly, without the AWS SDK: GetParameter in the AWS JSON 1.1 protocol
 * (`x-amz-target: AmazonSSM.GetParameter`), the send function's one SSM call (its secrets,
 * ssm-secrets.ts). The output is the SDK's (`Parameter.Value`; `LastModifiedDate` as a Date),
 * an error answer an {@link AwsServiceError} named by its `__type` (`ParameterNotFound`). One
 * attempt, as the SSM client is configured: ssm-secrets.ts retries. Any other command is
 * refused with an error naming it.
 */
import type { GetParameterCommandInput } from '@aws-sdk/client-ssm';
import { GetParameterCommand, type AwsCommand } from './aws-commands.ts';
import { LeanAwsCaller, jsonServiceError, type SignedHttpOptions } from './aws-signed-http.ts';

/** What the lean SSM client needs. */
export interface LeanSsmOptions {
  /** `https://ssm.<region>.amazonaws.com`, or a local stand-in's. */
  endpoint: string;
  region: string;
  credentials: SignedHttpOptions['credentials'];
  timeouts: SignedHttpOptions['timeouts'];
  maxSockets: number;
}

const HEADERS = { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AmazonSSM.GetParameter' };

/**
 * @example
 * ```ts
 * const ssm = new LeanSsmClient({ endpoint: 'https://ssm.eu-west-1.amazonaws.com', region: 'eu-west-1', credentials: async () => credentials, timeouts: { connectionMs: 1_000, requestMs: 2_000 }, maxSockets: 2 });
 * const { Parameter } = await ssm.send(new GetParameterCommand({ Name: '/digest/token-secret', WithDecryption: true }));
 * ```
 */
export class LeanSsmClient extends LeanAwsCaller {

  public constructor(options: LeanSsmOptions) {
    super({ ...options, service: 'ssm' });
  }

  public override send<Input extends object, Output extends object>(command: AwsCommand<Input, Output>): Promise<Output> {
    if (!(command instanceof GetParameterCommand)) {
      return this.unsupported(command, 'GetParameterCommand');
    }
    return this.#getParameter(command.input) as Promise<Output>;
  }


  async #getParameter(input: GetParameterCommandInput): Promise<object> {
    const response = await this.http.post(HEADERS, [Buffer.from(JSON.stringify(input), 'utf8')]);
    const $metadata = { httpStatusCode: response.status, requestId: String(response.headers['x-amzn-requestid'] ?? ''), attempts: 1, totalRetryDelay: 0 };
    if (response.status < 200 || response.status >= 300) throw jsonServiceError(response, $metadata, 'SSM');
    const out = JSON.parse(response.body.toString('utf8')) as { Parameter?: Record<string, unknown> };
    const parameter = out.Parameter;
    if (parameter && typeof parameter.LastModifiedDate === 'number') parameter.LastModifiedDate = new Date(parameter.LastModifiedDate * 1000);
    return { ...out, $metadata };
  }
}
