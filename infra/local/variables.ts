/**
 * A tiny resolver for the serverless variables found in the CloudFormation fragments:
 * `${self:a.b.c}` (a path into serverless.yml), `${sls:stage}` / `${opt:stage}` (the local
 * stage), `${aws:region}`, `${aws:accountId}`, quoted or numeric literals, and fallbacks
 * (`${self:custom.x, 360}`). Anything else is left unresolved.
 */

/** What variables are resolved against. */
export interface VariableContext {
  /** The parsed serverless.yml, when there is one. */
  service?: Record<string, unknown>;
  /** Stage name; `'local'` by default. */
  stage?: string;
  /** Values used when an expression resolves to nothing, keyed by the expression. */
  fallbacks?: Record<string, unknown>;
}

/** Values for variables the fragments use when serverless.yml cannot supply them. */
export const LOCAL_FALLBACKS: Record<string, unknown> = {
  'self:custom.sendQueueVisibility': 360,
  'self:custom.sendTimeout': 60,
};

const VARIABLE = /\$\{([^{}]+)\}/;
const MAX_DEPTH = 10;

function pathGet(root: unknown, path: string): unknown {
  let node = root;
  for (const key of path.split('.')) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

function splitAlternatives(expression: string): string[] {
  const parts: string[] = [];
  let quote: string | undefined;
  let current = '';
  for (const ch of expression) {
    if (quote) {
      if (ch === quote) quote = undefined;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
    } else if (ch === ',') {
      parts.push(current.trim());
      current = '';
      continue;
    }
    current += ch;
  }
  parts.push(current.trim());
  return parts;
}

function resolveSource(source: string, context: VariableContext): unknown {
  const stage = context.stage ?? 'local';
  const literal = /^(['"])(.*)\1$/.exec(source);
  if (literal) return literal[2];
  if (/^-?\d+(\.\d+)?$/.test(source)) return Number(source);
  if (source === 'sls:stage' || source === 'opt:stage' || source === 'self:provider.stage') {
    return stage;
  }
  if (source === 'sls:instanceId') return 'local';
  if (source === 'aws:region' || source === 'opt:region') return 'us-east-1';
  if (source === 'aws:accountId') return '000000000000';
  if (source.startsWith('self:')) return pathGet(context.service, source.slice(5));
  return undefined;
}

function resolveExpression(expression: string, context: VariableContext): unknown {
  for (const source of splitAlternatives(expression)) {
    const value = resolveSource(source, context);
    if (value !== undefined && value !== null) return value;
  }
  return (context.fallbacks ?? LOCAL_FALLBACKS)[expression.trim()];
}

function resolveString(text: string, context: VariableContext, depth: number): unknown {
  let current = text;
  for (let match = VARIABLE.exec(current); match; match = VARIABLE.exec(current)) {
    const [whole, expression = ''] = match;
    const value = resolveValue(resolveExpression(expression, context), context, depth + 1);
    if (whole === current) return value;
    if (value === undefined || typeof value === 'object') return undefined;
    current = current.replace(whole, String(value));
  }
  return current;
}

function resolveValue(value: unknown, context: VariableContext, depth: number): unknown {
  if (depth > MAX_DEPTH) throw new Error('Serverless variables nest too deeply (a cycle?)');
  if (typeof value === 'string') return resolveString(value, context, depth);
  if (Array.isArray(value)) return value.map((item) => resolveValue(item, context, depth));
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).map(([k, v]) => [k, resolveValue(v, context, depth)]);
    return Object.fromEntries(entries.filter(([, v]) => v !== undefined));
  }
  return value;
}

/**
 * Replaces serverless variables in a value, deeply. A string that is exactly one variable
 * keeps the type of what it resolves to (`'${self:custom.timeout}'` → `360`). A value that
 * cannot be resolved becomes `undefined` (and object keys holding one are dropped).
 *
 * @example
 * ```ts
 * resolveVariables('${self:custom.visibility}', { service: { custom: { visibility: 360 } } }); // 360
 * resolveVariables('news-${sls:stage}', {}); // 'news-local'
 * ```
 */
export function resolveVariables<T = unknown>(value: unknown, context: VariableContext = {}): T {
  return resolveValue(value, context, 0) as T;
}
