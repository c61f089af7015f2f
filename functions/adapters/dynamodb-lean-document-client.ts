/**
 * DynamoDB's item calls (GetItem, PutItem, UpdateItem, DeleteItem, Query, BatchGetItem,
 * BatchWriteItem) straight to its JSON protocol over a {@link SignedHttpEndpoint}, instead of
 * through the SDK's middleware stack: the document commands' inputs, outputs and errors, at
 * about a fifth of the CPU a call (see aws-signed-http.ts for why and how that is measured),
 * and no SDK at run time (the send function's bundle carries none). Any other command, or an
 * input that uses the legacy parameters (AttributeUpdates, Expected, KeyConditions,
 * QueryFilter, ScanFilter), goes to the fallback caller (the SDK's document client) where
 * the wiring gives one.
 *
 * Same behaviour as the SDK client, kept in one place:
 * - values are (un)marshalled with `@aws-sdk/util-dynamodb` and the client's translate
 *   options, at the same places the document commands do it;
 * - errors are {@link AwsServiceError}s named as the SDK names its exceptions
 *   (`ConditionalCheckFailedException` with the old item in its low-level form), with
 *   `$fault`, `$metadata.httpStatusCode` and `$retryable` set as the SDK sets them;
 * - up to three attempts (the SDK's standard mode): throttling, 5xx, timeouts and network
 *   errors are tried again after a full-jitter backoff (100 ms base, 500 ms when throttled).
 */
import { marshall, unmarshall, type marshallOptions as MarshallOptions, type unmarshallOptions as UnmarshallOptions } from '@aws-sdk/util-dynamodb';
import { LeanAwsCaller, jsonServiceError, withStandardRetries, type SignedHttpOptions } from './aws-signed-http.ts';
import {
  AwsServiceError,
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type AwsCaller,
  type AwsCommand,
  type AwsCommandClass,
} from './aws-commands.ts';

type Item = Record<string, unknown>;
type Wire = Record<string, unknown>;

interface Codec {
  marshal(item: Item): Wire;
  unmarshal(item: Wire): Item;
}

/** How one operation's input and output are translated (the fields the document commands translate). */
interface Operation {
  target: string;
  input(input: Wire, c: Codec): Wire;
  output(output: Wire, c: Codec): Wire;
}

const mapValues = <T, U>(record: Record<string, T> | undefined, f: (value: T) => U): Record<string, U> | undefined =>
  record === undefined ? undefined : Object.fromEntries(Object.entries(record).map(([k, v]) => [k, f(v)]));
const item = (value: unknown, f: (v: Item) => Wire): Wire | undefined => (value === undefined ? undefined : f(value as Item));
const items = (value: unknown, f: (v: Item) => Wire): Wire[] | undefined => (value === undefined ? undefined : (value as Item[]).map(f));

type WriteRequest = { PutRequest?: { Item: Item }; DeleteRequest?: { Key: Item } };
const writeRequests = (requests: WriteRequest[], f: (v: Item) => Wire) =>
  requests.map((r) => ({
    ...(r.PutRequest ? { PutRequest: { ...r.PutRequest, Item: f(r.PutRequest.Item) } } : {}),
    ...(r.DeleteRequest ? { DeleteRequest: { ...r.DeleteRequest, Key: f(r.DeleteRequest.Key) } } : {}),
  }));
type KeysAndAttributes = { Keys: Item[] } & Record<string, unknown>;
const keysAndAttributes = (value: unknown, f: (v: Item) => Wire) =>
  mapValues(value as Record<string, KeysAndAttributes> | undefined, (k) => ({ ...k, Keys: k.Keys.map(f) }));

/** Wire input with `fields` translated (undefined fields are left out, as the SDK's serializer leaves them). */
const translate = (input: Wire, fields: Record<string, (value: unknown) => unknown>): Wire => {
  const out: Wire = {};
  for (const [k, v] of Object.entries(input)) {
    if (v === undefined) continue;
    const f = fields[k];
    out[k] = f ? f(v) : v;
  }
  return out;
};

/** An item call by key (UpdateItem, DeleteItem): Key and the expression's values in, the item's attributes out. */
const byKey = (target: string): Operation => ({
  target,
  input: (i, c) => translate(i, { Key: (v) => c.marshal(v as Item), ExpressionAttributeValues: (v) => c.marshal(v as Item) }),
  output: (o, c) => translate(o, { Attributes: (v) => item(v, c.unmarshal) }),
});

const OPERATIONS = new Map<AwsCommandClass, Operation>([
  [GetCommand, { target: 'GetItem', input: (i, c) => translate(i, { Key: (v) => c.marshal(v as Item) }), output: (o, c) => translate(o, { Item: (v) => item(v, c.unmarshal) }) }],
  [
    PutCommand,
    {
      target: 'PutItem',
      input: (i, c) => translate(i, { Item: (v) => c.marshal(v as Item), ExpressionAttributeValues: (v) => c.marshal(v as Item) }),
      output: (o, c) => translate(o, { Attributes: (v) => item(v, c.unmarshal) }),
    },
  ],
  [UpdateCommand, byKey('UpdateItem')],
  [DeleteCommand, byKey('DeleteItem')],
  [
    QueryCommand,
    {
      target: 'Query',
      input: (i, c) => translate(i, { ExclusiveStartKey: (v) => c.marshal(v as Item), ExpressionAttributeValues: (v) => c.marshal(v as Item) }),
      output: (o, c) => translate(o, { Items: (v) => items(v, c.unmarshal), LastEvaluatedKey: (v) => item(v, c.unmarshal) }),
    },
  ],
  [
    BatchGetCommand,
    {
      target: 'BatchGetItem',
      input: (i, c) => translate(i, { RequestItems: (v) => keysAndAttributes(v, c.marshal) }),
      output: (o, c) =>
        translate(o, {
          Responses: (v) => mapValues(v as Record<string, Wire[]>, (list) => list.map(c.unmarshal)),
          UnprocessedKeys: (v) => keysAndAttributes(v, c.unmarshal),
        }),
    },
  ],
  [
    BatchWriteCommand,
    {
      target: 'BatchWriteItem',
      input: (i, c) => translate(i, { RequestItems: (v) => mapValues(v as Record<string, WriteRequest[]>, (list) => writeRequests(list, c.marshal)) }),
      output: (o, c) => translate(o, { UnprocessedItems: (v) => mapValues(v as Record<string, WriteRequest[]>, (list) => writeRequests(list as WriteRequest[], c.unmarshal as (v: Item) => Wire)) }),
    },
  ],
]);

/** Legacy parameters the lean path does not translate: such a call goes through the SDK. */
const LEGACY = ['AttributeUpdates', 'Expected', 'KeyConditions', 'QueryFilter', 'ScanFilter'];

/** Attempts per call by default, as the SDK's standard retry mode. */
const MAX_ATTEMPTS = 3;

/** The document translation options (those of the SDK's DynamoDBDocumentClient.from). */
export interface TranslateConfig {
  marshallOptions?: MarshallOptions;
  unmarshallOptions?: UnmarshallOptions;
}

/** What the lean client needs. */
export interface LeanDynamoDbOptions {
  /** Where DynamoDB is (the SDK's endpoint for the region unless a local emulator's is given). */
  endpoint: string;
  region: string;
  timeouts: SignedHttpOptions['timeouts'];
  maxSockets: number;
  /** Attempts per call (the SDK's default, 3, unless given; 1 retries nothing). */
  maxAttempts?: number;
  /** The signing credentials (the SDK client's provider chain, or the environment's). */
  credentials: SignedHttpOptions['credentials'];
  translate?: TranslateConfig;
  /**
   * Runs what the lean path does not take (a Scan, legacy parameters); without one such a
   * call is rejected (the send worker, bundled without the SDK, makes none).
   */
  fallback?: AwsCaller;
}

/**
 * @example
 * ```ts
 * const ddb = new LeanDynamoDbDocumentClient({ endpoint: 'https://dynamodb.eu-west-1.amazonaws.com', region: 'eu-west-1', timeouts: { connectionMs: 1_000, requestMs: 3_000 }, maxSockets: 50, credentials: envCredentials(config), translate: { marshallOptions: { removeUndefinedValues: true } } });
 * const { Item } = await ddb.send(new GetCommand({ TableName: 'subscribers', Key: { pk: 'SUB#s_1', sk: 'PROFILE' } }));
 * ```
 */
export class LeanDynamoDbDocumentClient extends LeanAwsCaller {
  readonly #codec: Codec;
  readonly #maxAttempts: number;
  readonly #fallback: AwsCaller | undefined;

  public constructor(options: LeanDynamoDbOptions) {
    const { translate: translateConfig, fallback, maxAttempts, ...http } = options;
    super({ ...http, service: 'dynamodb' });
    this.#maxAttempts = maxAttempts ?? MAX_ATTEMPTS;
    this.#fallback = fallback;
    // A whole attribute map at once: its values come out as the document commands marshal each one.
    const m: MarshallOptions = { ...translateConfig?.marshallOptions, convertTopLevelContainer: false };
    const u: UnmarshallOptions = { ...translateConfig?.unmarshallOptions };
    this.#codec = { marshal: (value) => marshall(value, m) as Wire, unmarshal: (value) => unmarshall(value as Parameters<typeof unmarshall>[0], u) };
  }

  public override send<Input extends object, Output extends object>(command: AwsCommand<Input, Output>): Promise<Output> {
    const input = command.input as Wire;
    const operation = OPERATIONS.get(command.constructor as AwsCommandClass);
    if (!operation || LEGACY.some((k) => input[k] !== undefined)) {
      if (this.#fallback) return this.#fallback.send(command);
      return Promise.reject(new TypeError(`${command.constructor.name}${operation ? ' with legacy parameters' : ''} is not on the lean DynamoDB path and no SDK client was given for it`));
    }
    return this.#call(operation, input) as Promise<Output>;
  }

  public override destroy(): void {
    super.destroy();
    this.#fallback?.destroy();
  }

  #call(operation: Operation, input: Wire): Promise<Wire> {
    const body = [Buffer.from(JSON.stringify(operation.input(input, this.#codec)), 'utf8')];
    const headers = { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `DynamoDB_20120810.${operation.target}` };
    return withStandardRetries(this.#maxAttempts, async (attempt, totalRetryDelay) => {
      const response = await this.http.post(headers, body);
      const $metadata = { httpStatusCode: response.status, requestId: String(response.headers['x-amzn-requestid'] ?? ''), attempts: attempt, totalRetryDelay };
      if (response.status >= 200 && response.status < 300) {
        const out = response.body.byteLength > 0 ? (JSON.parse(response.body.toString('utf8')) as Wire) : {};
        return { $metadata, ...operation.output(out, this.#codec) };
      }
      throw withOldItem(jsonServiceError(response, $metadata, 'DynamoDB'), response.body);
    });
  }
}

/** A failed condition with ReturnValuesOnConditionCheckFailure carries the old item (wire form), as the SDK's exception does. */
function withOldItem(error: AwsServiceError, body: Buffer): AwsServiceError {
  if (error.name !== 'ConditionalCheckFailedException') return error;
  const item = (JSON.parse(body.toString('utf8')) as { Item?: Wire }).Item;
  return item === undefined ? error : new AwsServiceError({ name: error.name, message: error.message, $fault: error.$fault, $metadata: error.$metadata, Item: item });
}
