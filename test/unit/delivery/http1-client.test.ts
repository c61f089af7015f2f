import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { Http1Client, type Http1Call } from '../../../functions/adapters/http1-client.ts';

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');

/** A loopback TCP server that answers each request (read up to its blank line and body) with what `answer` writes. */
interface RawServer {
  url: URL;
  connections: number;
  requests: string[];
  sockets: Socket[];
  close: () => Promise<void>;
}

async function rawServer(answer: (socket: Socket, request: string, index: number) => void): Promise<RawServer> {
  const state: RawServer = { url: new URL('http://127.0.0.1'), connections: 0, requests: [], sockets: [], close: async () => undefined };
  const server: Server = createServer((socket) => {
    state.connections += 1;
    state.sockets.push(socket);
    let pending = '';
    socket.on('data', (data) => {
      pending += data.toString('latin1');
      for (;;) {
        const end = pending.indexOf('\r\n\r\n');
        if (end < 0) return;
        const length = Number(/content-length: (\d+)/i.exec(pending.slice(0, end))?.[1] ?? 0);
        if (pending.length < end + 4 + length) return;
        const request = pending.slice(0, end + 4 + length);
        pending = pending.slice(end + 4 + length);
        state.requests.push(request);
        answer(socket, request, state.requests.length - 1);
      }
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('no address');
  state.url = new URL(`http://127.0.0.1:${address.port}`);
  state.close = () =>
    new Promise<void>((resolve) => {
      for (const s of state.sockets) s.destroy();
      server.close(() => resolve());
    });
  return state;
}

const post = (body = '{}') => ({ method: 'POST', path: '/', headers: { host: '127.0.0.1', 'content-length': String(Buffer.byteLength(body)) }, chunks: [Buffer.from(body)] });
const ok = (body: string, extra = '') => `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n${extra}content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;

let cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

function client(server: RawServer, maxSockets = 4): Http1Client {
  const c = new Http1Client({ url: server.url, maxSockets });
  cleanup.push(() => c.destroy(), () => server.close());
  return c;
}

describe('Class: Http1Client', () => {
  it('writes the request as given and reads an answer framed by content-length, header names in lower case', async () => {
    // Prepare
    const server = await rawServer((socket) => socket.write(ok('{"a":1}', 'X-Amzn-RequestId: r-1\r\nVary: a\r\nVary: b\r\n')));
    const http = client(server);

    // Act
    const answer = await http.send({ method: 'POST', path: '/x?y=1', headers: { host: '127.0.0.1', 'x-amz-target': 'T', 'content-length': '7' }, chunks: [Buffer.from('{"b"'), Buffer.from(':2}')] });

    // Assess
    expect(server.requests[0]).toBe('POST /x?y=1 HTTP/1.1\r\nhost: 127.0.0.1\r\nx-amz-target: T\r\ncontent-length: 7\r\n\r\n{"b":2}');
    expect(answer).toEqual({ status: 200, headers: { 'content-type': 'application/json', 'x-amzn-requestid': 'r-1', vary: 'a, b', 'content-length': '7' }, body: Buffer.from('{"a":1}') });
  });

  it('reads a chunked answer however its bytes are split, trailers included, and keeps the socket', async () => {
    // Prepare: the answer written a few bytes at a time, after an interim 100 Continue
    const wire = 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\n<Erro\r\n12\r\nr>NoSuchKey</Error\r\n1\r\n>\r\n0\r\nx-trailer: t\r\n\r\n';
    const server = await rawServer((socket, _r, index) => {
      if (index > 0) return void socket.write(ok('{}'));
      const parts = wire.match(/[\s\S]{1,3}/g) as string[];
      let i = 0;
      const next = () => {
        if (i < parts.length) socket.write(parts[i++] as string, () => setImmediate(next));
      };
      next();
    });
    const http = client(server);

    // Act
    const answer = await http.send(post());
    const again = await http.send(post());

    // Assess
    expect(answer.status).toBe(404);
    expect(answer.body.toString()).toBe('<Error>NoSuchKey</Error>');
    expect(again.status).toBe(200);
    expect(server.connections).toBe(1);
  });

  it('reads a body that runs to the connection end, with no body for HEAD and 204, and reuses a socket only when it may', async () => {
    // Prepare
    const server = await rawServer((socket, request) => {
      if (request.startsWith('HEAD')) socket.write('HTTP/1.1 200 OK\r\ncontent-length: 99\r\n\r\n');
      else if (request.includes('/no-content')) socket.write('HTTP/1.1 204 No Content\r\n\r\n');
      else if (request.includes('/close')) socket.write(ok('bye', 'Connection: close\r\n'));
      else if (request.includes('/old')) socket.write('HTTP/1.0 200 OK\r\ncontent-length: 3\r\n\r\nold');
      else socket.end('HTTP/1.1 200 OK\r\n\r\nuntil the end');
    });
    const http = client(server);
    const get = (method: string, path: string) => http.send({ method, path, headers: { host: '127.0.0.1' }, chunks: [] });

    // Act
    const head = await get('HEAD', '/');
    const empty = await get('DELETE', '/no-content');
    const closing = await get('GET', '/close');
    const old = await get('GET', '/old');
    const toEnd = await get('GET', '/stream');

    // Assess: HEAD and 204 kept the first socket; `connection: close`, an HTTP/1.0 answer and the unframed body each ended theirs
    expect([head.status, head.body.length, empty.status, empty.body.length]).toEqual([200, 0, 204, 0]);
    expect(closing.body.toString()).toBe('bye');
    expect(old.body.toString()).toBe('old');
    expect(toEnd.body.toString()).toBe('until the end');
    expect(server.connections).toBe(3);
  });

  it('drops a kept-alive socket the server closed while it was idle, and sends the next request on a new one', async () => {
    // Prepare
    const server = await rawServer((socket) => socket.write(ok('{}')));
    const http = client(server);
    await http.send(post());
    const closed = new Promise<void>((resolve) => (server.sockets[0] as Socket).once('close', () => resolve()));
    (server.sockets[0] as Socket).end();
    await closed;
    // The client sees the end on a later turn of the event loop: poll, with a deadline.
    const deadline = Date.now() + 5_000;
    while (http.sockets.open > 0 && Date.now() < deadline) await new Promise((r) => setImmediate(r));
    expect(http.sockets).toEqual({ open: 0, idle: 0 });

    // Act
    const answer = await http.send(post());

    // Assess
    expect(answer.status).toBe(200);
    expect(server.connections).toBe(2);
  });

  it('holds to maxSockets: requests beyond wait for a socket, first come first served', async () => {
    // Prepare: each answer 20 ms after its request
    const server = await rawServer((socket, _r, index) => setTimeout(() => socket.write(ok(String(index))), 20));
    const http = client(server, 1);

    // Act
    const answers = await Promise.all([http.send(post('a')), http.send(post('b')), http.send(post('c'))]);

    // Assess
    expect(answers.map((a) => a.body.toString())).toEqual(['0', '1', '2']);
    expect(server.requests.map((r) => r.slice(-1))).toEqual(['a', 'b', 'c']);
    expect(server.connections).toBe(1);
  });

  it('fails a request whose answer is cut off, with a code callers retry on, and recovers', async () => {
    // Prepare
    const server = await rawServer((socket, _r, index) => {
      if (index === 0) socket.end('HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nabc');
      else socket.write(ok('{}'));
    });
    const http = client(server);

    // Act
    const cut = await http.send(post()).catch((e: unknown) => e as Error & { code?: string });
    const next = await http.send(post());

    // Assess
    expect(cut).toBeInstanceOf(Error);
    expect(cut).toMatchObject({ code: 'ECONNRESET', message: expect.stringMatching(/cut off/) });
    expect(next.status).toBe(200);
  });

  it('ends a call with the reason given to abort, closes its socket, and serves the next call', async () => {
    // Prepare: the first request gets no answer
    const server = await rawServer((socket, _r, index) => {
      if (index > 0) socket.write(ok('{}'));
    });
    const http = client(server, 1);
    const call: Http1Call = {};
    const first = http.send(post(), call);
    const queued = http.send(post());
    const deadline = Date.now() + 5_000;
    while (server.requests.length === 0 && Date.now() < deadline) await new Promise((r) => setImmediate(r));

    // Act
    call.abort?.(Object.assign(new Error('too slow'), { name: 'TimeoutError' }));

    // Assess
    await expect(first).rejects.toMatchObject({ name: 'TimeoutError', message: 'too slow' });
    expect((await queued).status).toBe(200);
    expect(server.connections).toBe(2);
  });

  it('refuses an answer that is not HTTP/1.x, and header values that would split the request', async () => {
    // Prepare
    const server = await rawServer((socket) => socket.write('SSH-2.0-OpenSSH\r\n\r\n'));
    const http = client(server);

    // Act
    const garbled = (await http.send(post()).then(() => new Error('answered'), (e: unknown) => e)) as Error;
    const injected = await http.send({ method: 'GET', path: '/', headers: { host: '127.0.0.1', 'x-a': 'b\r\nx-evil: 1' }, chunks: [] }).catch((e: unknown) => e as Error);
    const badName = await http.send({ method: 'GET', path: '/', headers: { host: '127.0.0.1', 'x a': 'b' }, chunks: [] }).catch((e: unknown) => e as Error);

    // Assess
    expect(garbled.message).toMatch(/not an HTTP\/1\.x answer/);
    expect(injected).toBeInstanceOf(TypeError);
    expect(badName).toBeInstanceOf(TypeError);
    expect(server.requests).toHaveLength(1);
  });

  it('lets a process end once its work is done, idle kept-alive sockets and all', async () => {
    // Prepare: a server that keeps every connection open, and a child process that makes one call
    const server = await rawServer((socket) => socket.write(ok('{}')));
    cleanup.push(() => server.close());
    const dir = mkdtempSync(join(tmpdir(), 'http1-exit-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const script = join(dir, 'one-call.mts');
    writeFileSync(script, [
      `import { Http1Client } from ${JSON.stringify(join(ROOT, 'functions/adapters/http1-client.ts'))};`,
      `const client = new Http1Client({ url: new URL(${JSON.stringify(server.url.href)}), maxSockets: 2 });`,
      `const answer = await client.send({ method: 'POST', path: '/', headers: { host: '127.0.0.1', 'content-length': '2' }, chunks: [Buffer.from('{}')] });`,
      'console.log(answer.status);',
    ].join('\n'));
    const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));

    // Act: it must exit on its own, long before a server would close an idle connection
    const code = await new Promise<number | null>((resolve) => {
      const deadline = setTimeout(() => {
        child.kill();
        resolve(-1);
      }, 20_000);
      child.on('exit', (c) => {
        clearTimeout(deadline);
        resolve(c);
      });
    });

    // Assess
    expect(output.trim()).toBe('200');
    expect(code).toBe(0);
    expect(server.connections).toBe(1);
  });

  it('names a refused connection by its code', async () => {
    // Prepare: a port nobody listens on
    const server = await rawServer(() => undefined);
    await server.close();
    const http = new Http1Client({ url: server.url, maxSockets: 1 });

    // Act
    const error = await http.send(post()).catch((e: unknown) => e as Error & { code?: string });

    // Assess
    expect(error).toMatchObject({ code: 'ECONNREFUSED' });
    http.destroy();
  });

  it('speaks TLS to an https endpoint, verifying its certificate', async () => {
    // Prepare: a throwaway self-signed certificate for 127.0.0.1 (made here, never stored)
    const dir = mkdtempSync(join(tmpdir(), 'http1-tls-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    const cert = readFileSync(join(dir, 'cert.pem'));
    const server = createHttpsServer({ key: readFileSync(join(dir, 'key.pem')), cert }, (req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => res.end(`echo ${body}`));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanup.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const port = (server.address() as { port: number }).port;
    const url = new URL(`https://127.0.0.1:${port}`);
    const trusting = new Http1Client({ url, maxSockets: 2, ca: cert });
    const wary = new Http1Client({ url, maxSockets: 2 });
    cleanup.push(() => trusting.destroy(), () => wary.destroy());

    // Act
    const first = await trusting.send(post('hello'));
    const second = await trusting.send(post('again'));
    const refused = (await wary.send(post()).then(() => new Error('answered'), (e: unknown) => e)) as Error & { code?: string };

    // Assess
    expect(first.body.toString()).toBe('echo hello');
    expect(second.body.toString()).toBe('echo again');
    expect(refused.code).toMatch(/SELF_SIGNED|UNABLE_TO_VERIFY|CERT/);
  });
});
