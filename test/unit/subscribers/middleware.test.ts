import { describe, expect, it } from 'vitest';
import { DigestError, ValidationError } from '../../../functions/core/errors.ts';
import { describeError, http, json, parseMultipart, parseUrlEncoded, type HttpRequest } from '../../../functions/http/middleware.ts';
import { MethodNotAllowedError } from '../../../functions/http/errors.ts';
import { TooManyRequestsError } from '../../../functions/core/errors.ts';
import { httpEvent } from '../../helpers/http-events.ts';

const echo = http(async (request: HttpRequest) => json(200, { fields: request.fields, kind: request.bodyKind, ip: request.sourceIp, html: request.wantsHtml }));

async function call(...args: Parameters<typeof httpEvent>): Promise<{ status: number; body: Record<string, unknown>; headers: Record<string, unknown> }> {
  const res = await echo(httpEvent(...args));
  return { status: res.statusCode ?? 0, body: JSON.parse(res.body ?? '{}') as Record<string, unknown>, headers: res.headers ?? {} };
}

describe('Function: http (middleware)', () => {
  it('parses JSON with strings and string lists', async () => {
    // Prepare & Act
    const res = await call('POST', '/x', { body: { email: 'a@b.org', keywords: ['x', 'y'] } });

    // Assess
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ fields: { email: 'a@b.org', keywords: ['x', 'y'] }, kind: 'json', ip: '203.0.113.7', html: false });
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('parses a urlencoded form with repeated keys and + for spaces', async () => {
    // Prepare & Act
    const res = await call('POST', '/x', { body: 'name=Ann+Lee&k=1&k=2&e=%C3%A9', headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' } });

    // Assess
    expect(res.body.fields).toEqual({ name: 'Ann Lee', k: ['1', '2'], e: 'é' });
    expect(res.body.html).toBe(true);
  });

  it('parses a base64-encoded body', async () => {
    // Prepare & Act
    const res = await call('POST', '/x', { body: Buffer.from('List-Unsubscribe=One-Click').toString('base64'), isBase64Encoded: true, headers: { 'content-type': 'application/x-www-form-urlencoded' } });

    // Assess
    expect(res.body.fields).toEqual({ 'List-Unsubscribe': 'One-Click' });
  });

  it.each([
    ['{"email":', 'application/json', 400, 'body: malformed JSON'],
    ['[1,2]', 'application/json', 400, 'body: JSON must be an object'],
    ['"text"', 'application/json', 400, 'body: JSON must be an object'],
    ['{"email":5}', 'application/json', 400, 'email: must be text'],
    ['{"email":{"a":1}}', 'application/json', 400, 'email: must be text'],
    ['email=%E0%A4%A', 'application/x-www-form-urlencoded', 400, 'body: malformed form data'],
    ['=x', 'application/x-www-form-urlencoded', 400, 'body: malformed form data'],
    ['<xml/>', 'application/xml', 415, 'body: unsupported content type "application/xml" (use application/json or a form)'],
    ['email=a', '', 415, 'body: a content type is required (use application/json or a form)'],
    ['--x\r\nnope\r\n--x--', 'multipart/form-data; boundary=x', 400, 'body: malformed multipart form data'],
  ])('refuses %j (%s) with %i and a reason', async (body, type, status, reason) => {
    // Prepare & Act
    const res = await call('POST', '/x', { body, headers: type ? { 'content-type': type } : {} });

    // Assess
    expect(res.status).toBe(status);
    expect(res.body).toEqual({ error: reason, requestId: expect.stringMatching(/^req-/) });
  });

  it('refuses an oversized body with 413', async () => {
    // Prepare & Act
    const res = await call('POST', '/x', { body: { email: 'x'.repeat(17_000) } });

    // Assess
    expect(res.status).toBe(413);
    expect(res.body).toEqual({ error: 'body: larger than 16384 bytes', requestId: expect.stringMatching(/^req-/) });
  });

  it('refuses invalid UTF-8', async () => {
    // Prepare & Act
    const res = await call('POST', '/x', { body: Buffer.from([0x65, 0x3d, 0xff, 0xfe]).toString('base64'), isBase64Encoded: true, headers: { 'content-type': 'application/x-www-form-urlencoded' } });

    // Assess
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: 'body: not valid UTF-8', requestId: expect.stringMatching(/^req-/) });
  });

  it('maps exposed errors to their status and hides the rest behind a plain 500', async () => {
    // Prepare
    const failing = (error: unknown) => http(async () => { throw error; });

    const event = httpEvent('GET', '/x');
    const requestId = event.requestContext.requestId;

    // Act
    const validation = await failing(new ValidationError('email: is required'))(event);
    const internal = await failing(new Error('secret detail ann@example.org at /var/task/index.mjs:1:2'))(event);
    const unexposed = await failing(new DigestError('db down'))(event);
    const limited = await failing(new TooManyRequestsError(12.2))(httpEvent('GET', '/x'));
    const method = await failing(new MethodNotAllowedError(['GET', 'POST']))(httpEvent('PUT', '/x'));

    // Assess
    expect([validation.statusCode, JSON.parse(validation.body ?? '')]).toEqual([400, { error: 'email: is required', requestId }]);
    expect([internal.statusCode, JSON.parse(internal.body ?? '')]).toEqual([500, { error: 'internal error', requestId }]);
    expect([unexposed.statusCode, JSON.parse(unexposed.body ?? '')]).toEqual([500, { error: 'internal error', requestId }]);
    expect(limited.statusCode).toBe(429);
    expect(limited.headers?.['retry-after']).toBe('13');
    expect(method.statusCode).toBe(405);
    expect(method.headers?.allow).toBe('GET, POST');
  });

  it('falls back to JSON when the error page itself fails', async () => {
    // Prepare
    const handler = http(async () => { throw new ValidationError('bad'); }, { errorResponse: () => { throw new Error('no config'); } });

    const event = httpEvent('GET', '/x');

    // Act
    const res = await handler(event);

    // Assess
    expect([res.statusCode, JSON.parse(res.body ?? '')]).toEqual([400, { error: 'bad', requestId: event.requestContext.requestId }]);
  });
});

describe('Function: parseUrlEncoded', () => {
  it('returns an empty object for an empty body and keeps __proto__ as a plain field', () => {
    // Prepare & Act
    const empty = parseUrlEncoded('');
    const proto = parseUrlEncoded('__proto__=x');

    // Assess
    expect(empty).toEqual({});
    expect(Object.keys(proto)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
});

describe('Function: parseMultipart', () => {
  it('reads text fields (RFC 8058 clients may send multipart)', () => {
    // Prepare
    const body = '--b1\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--b1--\r\n';

    // Act
    const fields = parseMultipart(body, 'multipart/form-data; boundary=b1');

    // Assess
    expect(fields).toEqual({ 'List-Unsubscribe': 'One-Click' });
  });

  it('refuses file parts', () => {
    // Prepare
    const body = '--b1\r\nContent-Disposition: form-data; name="f"; filename="a.txt"\r\n\r\nx\r\n--b1--\r\n';

    // Act
    const act = (): unknown => parseMultipart(body, 'multipart/form-data; boundary="b1"');

    // Assess
    expect(act).toThrow('body: file uploads are not accepted');
  });
});

describe('Function: describeError', () => {
  it('never exposes a non-DigestError message', () => {
    // Prepare & Act
    const described = describeError(new TypeError('x is undefined'));

    // Assess
    expect(described).toEqual({ statusCode: 500, reason: 'internal error', headers: {} });
  });
});
