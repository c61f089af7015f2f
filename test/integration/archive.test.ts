/**
 * The web archive: an edition job publishes its public page, the job's index and Atom feed,
 * and the `archive` function serves them (the "view in browser" link of every email).
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { load } from 'cheerio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as archive } from '../../functions/http/archive.ts';
import { localAppEnv } from '../../infra/local/app-env.ts';
import { runJob, uploadContent, useStack } from '../../infra/local/local-run.ts';
import { startLocalStack, type LocalStack } from '../../infra/local/stack.ts';
import { httpEvent } from '../helpers/http-events.ts';

const ROOT = new URL('../../', import.meta.url).pathname;

function get(path: string): APIGatewayProxyEventV2 {
  return { pathParameters: { proxy: path } } as unknown as APIGatewayProxyEventV2;
}

/** A GET of an archive path as API Gateway sends it, with a request id. */
function request(path: string): APIGatewayProxyEventV2 {
  return { ...httpEvent('GET', `/archive/${path}`, { headers: { accept: 'text/html' } }), pathParameters: { proxy: path } };
}

describe('Function: archive', () => {
  let stack: LocalStack;
  let edition: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    stack = await startLocalStack({ forwardToMailbox: false });
    env = localAppEnv(stack, { httpPort: 3000, logLevel: 'SILENT' });
    useStack(env);
    await uploadContent(stack, `${ROOT}infra/local/sample/content`);
    edition = (await runJob(stack, { job: 'daily', now: new Date(), quarantined: 0 })).edition;
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('serves the edition page without personal data', async () => {
    // Act
    const response = await archive(get(`editions/${edition}.html`));

    // Assess
    expect(response.statusCode).toBe(200);
    expect(response.headers?.['content-type']).toMatch(/^text\/html/);
    const $ = load(String(response.body));
    expect($('html').attr('lang')).toBe('en');
    expect($('body').text()).toContain('Blinken and Lavrov discuss growing tensions Ukraine-Russia');
    expect(String(response.body)).not.toMatch(/token=|%%\{/);
  });

  it('serves the index and an Atom feed that link to the edition', async () => {
    // Act
    const index = await archive(get('daily/index.html'));
    const feed = await archive(get('daily/feed.xml'));

    // Assess
    expect(index.statusCode).toBe(200);
    expect(String(index.body)).toContain(`/archive/editions/${edition}.html`);
    expect(feed.statusCode).toBe(200);
    const $ = load(String(feed.body), { xml: true });
    expect($('feed > entry > link').attr('href')).toBe(`http://127.0.0.1:3000/archive/editions/${edition}.html`);
  });

  it('answers 404 for unknown files and for paths that try to leave the archive', async () => {
    // Act
    const results = await Promise.all(['editions/nope.html', '../editions/x.html', 'editions/../../secret.html', 'editions/x.json', ''].map((p) => archive(get(p))));

    // Assess
    expect(results.map((r) => r.statusCode)).toEqual([404, 404, 404, 404, 404]);
  });

  it('answers 404 for over-long paths without asking S3, and a clean 500 with the request id when S3 fails', async () => {
    // Prepare: a bucket that does not exist, so that any S3 call fails (NoSuchBucket).
    useStack({ ...env, ARTEFACTS_BUCKET: 'no-such-bucket' });
    const long = request(`editions/${'a'.repeat(9000)}.html`);
    const known = request(`editions/${edition}.html`);

    // Act
    const notFound = await archive(long);
    const failed = await archive(known).finally(() => useStack(env));

    // Assess
    expect(notFound.statusCode).toBe(404);
    expect(String(notFound.body)).toContain('<h1>Page not found</h1>');
    expect(failed.statusCode).toBe(500);
    expect(String(failed.body)).toContain('<h1>Something went wrong</h1>');
    expect(String(failed.body)).toContain(`Request id: <code>${known.requestContext.requestId}</code>`);
    expect(String(failed.body)).not.toMatch(/NoSuchBucket|no-such-bucket|\bat .+:\d+:\d+|node_modules/);
  });
});
