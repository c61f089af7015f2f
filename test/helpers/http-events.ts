/**
 * API Gateway HTTP API (payload v2) events for invoking handlers in-process.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';

export interface EventOptions {
  query?: Record<string, string>;
  headers?: Record<string, string>;
  /** A string is sent as is; an object is sent as JSON (content-type set unless given). */
  body?: string | Record<string, unknown>;
  /** Sends `body` (an object of strings) as application/x-www-form-urlencoded. */
  form?: Record<string, string | string[]>;
  sourceIp?: string;
  isBase64Encoded?: boolean;
}

/**
 * Builds an HTTP API v2 event.
 *
 * @example
 * ```ts
 * const res = await handler(httpEvent('POST', '/subscribe', { body: { email: 'ann@example.org' } }));
 * ```
 */
export function httpEvent(method: string, path: string, options: EventOptions = {}): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = { host: '127.0.0.1:3000', 'user-agent': 'vitest', ...options.headers };
  let body: string | undefined;
  if (options.form !== undefined) {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(options.form)) for (const item of Array.isArray(v) ? v : [v]) params.append(k, item);
    body = params.toString();
    headers['content-type'] ??= 'application/x-www-form-urlencoded';
  } else if (typeof options.body === 'string') {
    body = options.body;
  } else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const query = options.query ?? {};
  const rawQueryString = new URLSearchParams(query).toString();
  return {
    version: '2.0',
    routeKey: `${method} ${path}`,
    rawPath: path,
    rawQueryString,
    headers,
    ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
    requestContext: {
      accountId: '123456789012',
      apiId: 'local',
      domainName: '127.0.0.1',
      domainPrefix: '127',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: options.sourceIp ?? '203.0.113.7', userAgent: 'vitest' },
      requestId: `req-${Math.random().toString(36).slice(2)}`,
      routeKey: `${method} ${path}`,
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
    ...(body !== undefined ? { body } : {}),
    isBase64Encoded: options.isBase64Encoded ?? false,
  };
}
