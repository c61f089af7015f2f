/**
 * A DynamoDBDocumentClient whose item calls (GetItem, PutItem, UpdateItem, DeleteItem, Query,
 * BatchGetItem, BatchWriteItem) go straight to DynamoDB's JSON protocol over a
 * {@link SignedHttpEndpoint} instead of through the SDK's middleware stack: the same
 * commands, inputs, outputs and errors, at about a fifth of the CPU a call (see
 * aws-signed-http.ts for why and how that is measured). Any other command, a call with
 * options, or an input that uses the legacy parameters (AttributeUpdates, Expected,
 * KeyConditions, QueryFilter, ScanFilter) goes through the SDK as before.
 *
 * Same behaviour as the SDK client, kept in one place:
 * - values are (un)marshalled with `@aws-sdk/util-dynamodb` and the client's translate
 *   options, at the same places the document commands do it;
 * - errors are the SDK's exception classes (`ConditionalCheckFailedException` with the old
 *   item in its low-level form, `DynamoDBServiceException` otherwise) with `name`, `$fault`,
 *   `$metadata.httpStatusCode` and `$retryable` set as the SDK sets them;
 * - up to three attempts (the SDK's standard mode): throttling, 5xx, timeouts and network
 *   errors are tried again after a full-jitter backoff (100 ms base, 500 ms when throttled).
 */
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type TranslateConfig,
} from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException, DynamoDBServiceException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall, type marshallOptions as MarshallOptions, type unmarshallOptions as UnmarshallOptions } from '@aws-sdk/util-dynamodb';
import { SignedHttpEndpoint, type SignedHttpOptions } from './aws-signed-http.ts';

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

const OPERATIONS = new Map<object, Operation>([
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

/** Error codes the SDK's standard retry treats as throttling (a longer backoff) or as transient. */
const THROTTLING = new Set(['ThrottlingException', 'ProvisionedThroughputExceededException', 'RequestLimitExceeded', 'TooManyRequestsException', 'Throttling', 'ThrottledException', 'RequestThrottled', 'RequestThrottledException', 'SlowDown', 'BandwidthLimitExceeded', 'TransactionInProgressException', 'EC2ThrottledException', 'PriorRequestNotComplete']);
const TRANSIENT_NETWORK = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);
const TRANSIENT_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT']);

/** Attempts per call by default, as the SDK's standard retry mode. */
const MAX_ATTEMPTS = 3;
const MAX_BACKOFF_MS = 20_000;

/** What the lean client needs besides the SDK client it wraps. */
export interface LeanDynamoDbOptions {
  /** Where DynamoDB is (the SDK's endpoint for the region unless a local emulator's is given). */
  endpoint: string;
  region: string;
  timeouts: SignedHttpOptions['timeouts'];
  maxSockets: number;
  /** Attempts per call (the SDK's default, 3, unless given; 1 retries nothing). */
  maxAttempts?: number;
}

/**
 * @example
 * ```ts
 * const base = new DynamoDBClient({ region: 'eu-west-1' });
 * const ddb = new LeanDynamoDbDocumentClient(base, { marshallOptions: { removeUndefinedValues: true } }, { endpoint: 'https://dynamodb.eu-west-1.amazonaws.com', region: 'eu-west-1', timeouts: { connectionMs: 1_000, requestMs: 3_000 }, maxSockets: 50 });
 * const { Item } = await ddb.send(new GetCommand({ TableName: 'subscribers', Key: { pk: 'SUB#s_1', sk: 'PROFILE' } }));
 * ```
 */
export class LeanDynamoDbDocumentClient extends DynamoDBDocumentClient {
  readonly #http: SignedHttpEndpoint;
  readonly #codec: Codec;
  readonly #maxAttempts: number;

  public constructor(client: DynamoDBClient, translateConfig: TranslateConfig | undefined, options: LeanDynamoDbOptions) {
    super(client, translateConfig);
    this.#maxAttempts = options.maxAttempts ?? MAX_ATTEMPTS;
    const credentials = client.config.credentials;
    this.#http = new SignedHttpEndpoint({ ...options, service: 'dynamodb', credentials: () => credentials() });
    // A whole attribute map at once: its values come out as the document commands marshal each one.
    const m: MarshallOptions = { ...translateConfig?.marshallOptions, convertTopLevelContainer: false };
    const u: UnmarshallOptions = { ...translateConfig?.unmarshallOptions };
    this.#codec = { marshal: (value) => marshall(value, m) as Wire, unmarshal: (value) => unmarshall(value as Parameters<typeof unmarshall>[0], u) };
  }

  // Typed as the SDK's overloads through the base class; the lean path returns the same output shapes.
  public override send(...args: unknown[]): never {
    const [command, ...rest] = args as [{ input: Wire; constructor: object }, ...unknown[]];
    const operation = OPERATIONS.get(command.constructor);
    if (!operation || rest.length > 0 || LEGACY.some((k) => command.input[k] !== undefined)) {
      return (super.send as (...a: unknown[]) => never)(...args);
    }
    return this.#call(operation, command.input) as never;
  }

  public override destroy(): void {
    this.#http.destroy();
    super.destroy();
  }

  async #call(operation: Operation, input: Wire): Promise<Wire> {
    const body = [Buffer.from(JSON.stringify(operation.input(input, this.#codec)), 'utf8')];
    const headers = { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `DynamoDB_20120810.${operation.target}` };
    let totalRetryDelay = 0;
    for (let attempt = 1; ; attempt++) {
      let error: Error & { $retryable?: { throttling?: boolean } };
      try {
        const response = await this.#http.post(headers, body);
        const requestId = String(response.headers['x-amzn-requestid'] ?? '');
        const $metadata = { httpStatusCode: response.status, requestId, attempts: attempt, totalRetryDelay };
        if (response.status >= 200 && response.status < 300) {
          const out = response.body.byteLength > 0 ? (JSON.parse(response.body.toString('utf8')) as Wire) : {};
          return { $metadata, ...operation.output(out, this.#codec) };
        }
        error = serviceError(response.status, response.body, $metadata);
      } catch (e) {
        error = e as Error;
      }
      const throttled = THROTTLING.has(error.name);
      if (attempt >= this.#maxAttempts || !retryable(error, throttled)) throw error;
      const delay = Math.random() * Math.min(MAX_BACKOFF_MS, (throttled ? 500 : 100) * 2 ** (attempt - 1));
      totalRetryDelay += delay;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

function retryable(error: Error & { code?: string; $fault?: string; $metadata?: { httpStatusCode?: number } }, throttled: boolean): boolean {
  if (throttled) return true;
  if (TRANSIENT_NETWORK.has(error.name) || (error.code !== undefined && TRANSIENT_CODES.has(error.code))) return true;
  const status = error.$metadata?.httpStatusCode;
  if (status === undefined) return error.name !== 'AbortError';
  return [500, 502, 503, 504].includes(status);
}

/** The SDK's exception for a DynamoDB error answer (`{"__type": "…#Name", "message": "…"}`). */
function serviceError(status: number, body: Buffer, $metadata: { httpStatusCode: number; requestId: string; attempts: number; totalRetryDelay: number }): Error {
  let parsed: Wire = {};
  try {
    parsed = JSON.parse(body.toString('utf8')) as Wire;
  } catch {
    // Not JSON (a proxy's page): named by its status below.
  }
  const type = String(parsed.__type ?? parsed.code ?? '');
  const name = type.slice(type.lastIndexOf('#') + 1) || (status >= 500 ? 'InternalServerError' : 'UnknownError');
  const message = String(parsed.message ?? parsed.Message ?? `DynamoDB answered ${status}`);
  const $fault = status >= 500 ? 'server' : 'client';
  if (name === 'ConditionalCheckFailedException') {
    return new ConditionalCheckFailedException({ message, $metadata, ...(parsed.Item ? { Item: parsed.Item as never } : {}) });
  }
  const error = new DynamoDBServiceException({ name, $fault, $metadata, message });
  if (THROTTLING.has(name)) Object.assign(error, { $retryable: { throttling: true } });
  return error;
}
