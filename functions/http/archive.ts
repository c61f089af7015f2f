/**
 * GET /archive/{proxy+}: serves the public web archive (edition pages, each job's index and
 * Atom feed) from the artefacts bucket's `archive/` prefix: the "view in browser" link of
 * every email. On AWS a CDN may front it; locally serverless-offline serves it at
 * http://127.0.0.1:3000/archive/. Anything but a known file answers 404, and a path that is
 * not one the archive could hold (over 200 characters, other characters, `..`) is answered
 * before S3 is asked; any other S3 failure is a plain 500 page with the request id.
 */
import { NotFoundError } from '../core/errors.ts';
import { artefactStore, logger } from '../wiring/common.ts';
import { MethodNotAllowedError } from './errors.ts';
import { http } from './middleware.ts';
import { pageError } from './responses.ts';

const TYPES: Readonly<Record<string, string>> = {
  html: 'text/html; charset=utf-8',
  xml: 'application/atom+xml; charset=utf-8',
};

/** Longest archive path, in characters: `editions/weekly-2026-W48.html` is 29. */
export const MAX_ARCHIVE_PATH_CHARS = 200;

/** Archive paths: a few safe segments, no `..`, ending in .html or .xml. */
const SAFE_PATH = /^(?:[A-Za-z0-9_-][A-Za-z0-9._-]*\/){0,3}[A-Za-z0-9_-][A-Za-z0-9._-]*\.(html|xml)$/;

export const handler = http(
  async (request) => {
    if (request.method !== 'GET') throw new MethodNotAllowedError(['GET']);
    const path = request.pathParameters.proxy ?? '';
    const match = path.length <= MAX_ARCHIVE_PATH_CHARS ? SAFE_PATH.exec(path) : null;
    if (!match || path.includes('..')) throw new NotFoundError('not found');
    const body = await artefactStore().getArchiveFile(path);
    if (body === undefined) throw new NotFoundError('not found');
    return {
      statusCode: 200,
      headers: { 'content-type': TYPES[match[1] as string] ?? 'text/plain; charset=utf-8', 'cache-control': 'public, max-age=300' },
      body,
    };
  },
  { errorResponse: pageError, logger: () => logger('archive') },
);
