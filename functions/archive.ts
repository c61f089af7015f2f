/**
 * `archive`: serves the public web archive (edition pages, index, Atom feed) from the
 * artefacts bucket's `archive/` prefix: the "view in browser" link of every email. On AWS a
 * CDN may front it; locally serverless-offline serves it at http://127.0.0.1:3000/archive/.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { artefactStore } from './wiring/common.ts';

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  xml: 'application/atom+xml; charset=utf-8',
};

/** Archive paths: a few safe segments, no `..`, ending in .html or .xml. */
const SAFE_PATH = /^(?:[A-Za-z0-9_-][A-Za-z0-9._-]*\/){0,3}[A-Za-z0-9_-][A-Za-z0-9._-]*\.(html|xml)$/;

export async function handler(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  const path = event.pathParameters?.proxy ?? '';
  const match = SAFE_PATH.exec(path);
  if (!match || path.includes('..')) return text(404, 'Not found');
  const body = await artefactStore().getArchiveFile(path);
  if (body === undefined) return text(404, 'Not found');
  return {
    statusCode: 200,
    headers: { 'content-type': TYPES[match[1] as string] ?? 'text/plain', 'cache-control': 'public, max-age=300', 'x-content-type-options': 'nosniff' },
    body,
  };
}

function text(statusCode: number, body: string): APIGatewayProxyStructuredResultV2 {
  return { statusCode, headers: { 'content-type': 'text/plain; charset=utf-8' }, body };
}
