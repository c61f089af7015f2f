/**
 * Resolves `Ref` / `Fn::GetAtt` (and the simple `Fn::Join` / `Fn::Sub`) against the resources
 * the local stack created, and finds which resources a value refers to (to order creation).
 */

/** What the local stack created, by logical id. */
export interface LocalResources {
  /** DynamoDB table names (= logical ids). */
  tables: Record<string, string>;
  /** SQS queues. */
  queues: Record<string, { url: string; arn: string }>;
  /** S3 bucket names (lower-cased logical ids). */
  buckets: Record<string, string>;
}

const REGION = 'us-east-1';
const ACCOUNT = '000000000000';

const PSEUDO: Record<string, string> = {
  'AWS::Region': REGION,
  'AWS::AccountId': ACCOUNT,
  'AWS::Partition': 'aws',
  'AWS::URLSuffix': 'amazonaws.com',
  'AWS::StackName': 'local',
};

/**
 * What `!Ref id` means locally: a table or bucket name, a queue URL.
 *
 * @example
 * ```ts
 * refOf(stack.resources, 'SendQueue'); // 'http://127.0.0.1:40123/123456789012/SendQueue'
 * ```
 */
export function refOf(resources: LocalResources, id: string): string | undefined {
  return PSEUDO[id] ?? resources.tables[id] ?? resources.queues[id]?.url ?? resources.buckets[id];
}

/**
 * What `!GetAtt id.attribute` means locally (`Arn`, `QueueUrl`, `QueueName`, `DomainName`...).
 *
 * @example
 * ```ts
 * getAttOf(stack.resources, 'SendDeadLetterQueue', 'Arn'); // 'arn:aws:sqs:us-east-1:...'
 * ```
 */
export function getAttOf(resources: LocalResources, id: string, attribute: string): string | undefined {
  const queue = resources.queues[id];
  if (queue) {
    if (attribute === 'Arn') return queue.arn;
    if (attribute === 'QueueUrl') return queue.url;
    if (attribute === 'QueueName') return queue.arn.split(':').pop();
    return undefined;
  }
  const table = resources.tables[id];
  if (table) return attribute === 'Arn' ? `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${table}` : undefined;
  const bucket = resources.buckets[id];
  if (bucket) {
    if (attribute === 'Arn') return `arn:aws:s3:::${bucket}`;
    if (attribute === 'DomainName' || attribute === 'RegionalDomainName') return bucket;
  }
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function getAttArgs(value: unknown): [string, string] | undefined {
  const parts = typeof value === 'string' ? value.split('.') : value;
  if (!Array.isArray(parts) || parts.length < 2) return undefined;
  const [id, ...rest] = parts as unknown[];
  return typeof id === 'string' ? [id, rest.join('.')] : undefined;
}

function subReferences(template: string): string[] {
  return [...template.matchAll(/\$\{([^!}][^}]*)\}/g)].map((m) => (m[1] ?? '').split('.')[0] ?? '');
}

/**
 * The logical ids a value refers to through `Ref`, `Fn::GetAtt` or `Fn::Sub`.
 *
 * @example
 * ```ts
 * referencedIds({ deadLetterTargetArn: { 'Fn::GetAtt': ['Dlq', 'Arn'] } }); // Set { 'Dlq' }
 * ```
 */
export function referencedIds(value: unknown, found: Set<string> = new Set()): Set<string> {
  if (Array.isArray(value)) {
    for (const item of value) referencedIds(item, found);
  } else if (isRecord(value)) {
    const keys = Object.keys(value);
    if (keys.length === 1 && typeof value.Ref === 'string') found.add(value.Ref);
    else if (keys.length === 1 && 'Fn::GetAtt' in value) {
      const args = getAttArgs(value['Fn::GetAtt']);
      if (args) found.add(args[0]);
    } else if (keys.length === 1 && 'Fn::Sub' in value) {
      const sub = value['Fn::Sub'];
      const template = Array.isArray(sub) ? sub[0] : sub;
      if (typeof template === 'string') subReferences(template).forEach((id) => found.add(id));
      if (Array.isArray(sub)) referencedIds(sub[1], found);
    } else {
      for (const item of Object.values(value)) referencedIds(item, found);
    }
  }
  return found;
}

function resolveSub(sub: unknown, resources: LocalResources): string | undefined {
  const [template, vars] = Array.isArray(sub) ? sub : [sub, {}];
  if (typeof template !== 'string') return undefined;
  let failed = false;
  const text = template.replace(/\$\{([^!}][^}]*)\}/g, (_, name: string) => {
    const own = isRecord(vars) ? vars[name] : undefined;
    const [id = '', attr] = name.split('.');
    const value = own !== undefined
      ? resolveIntrinsics(own, resources)
      : attr ? getAttOf(resources, id, attr) : refOf(resources, id);
    if (typeof value !== 'string' && typeof value !== 'number') failed = true;
    return String(value);
  });
  return failed ? undefined : text.replace(/\$\{!/g, '${');
}

/**
 * Replaces intrinsic functions deeply with local values; one that cannot be resolved (a
 * reference to a resource the stack does not emulate) becomes `undefined`.
 *
 * @example
 * ```ts
 * resolveIntrinsics({ Ref: 'ArticlesTable' }, stack.resources); // 'ArticlesTable'
 * ```
 */
export function resolveIntrinsics(value: unknown, resources: LocalResources): unknown {
  if (Array.isArray(value)) return value.map((item) => resolveIntrinsics(item, resources));
  if (!isRecord(value)) return value;
  const keys = Object.keys(value);
  if (keys.length === 1) {
    if (typeof value.Ref === 'string') return refOf(resources, value.Ref);
    if ('Fn::GetAtt' in value) {
      const args = getAttArgs(value['Fn::GetAtt']);
      return args ? getAttOf(resources, ...args) : undefined;
    }
    if ('Fn::Sub' in value) return resolveSub(value['Fn::Sub'], resources);
    if ('Fn::Join' in value) {
      const [sep, items] = (value['Fn::Join'] ?? []) as [unknown, unknown];
      const parts = resolveIntrinsics(items, resources);
      if (typeof sep !== 'string' || !Array.isArray(parts)) return undefined;
      return parts.some((p) => p === undefined) ? undefined : parts.join(sep);
    }
  }
  return Object.fromEntries(keys.map((k) => [k, resolveIntrinsics(value[k], resources)]));
}
