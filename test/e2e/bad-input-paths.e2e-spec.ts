/**
 * Paths and requests that only one platform used to answer its own way: a path that %-escapes a
 * letter (`/d%6Fcs`) reached its route on Fastify and was a 404 on Express, so a proxy rule such as
 * "deny /docs" held on one platform only; and a request whose headers pass node's limit was a 431
 * with an empty body (Express) or Fastify's own JSON, neither with the security headers. Both
 * platforms now give one answer (TEST_HTTP_PLATFORM runs this file on each).
 */
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { TestApp, startTestApp } from '../support/app';
import { setCookieLine } from '../support/cookies';
import { describeOnEachStore } from '../support/stores';
import { asCookie, signup } from '../support/users';

const notFound = (method: string, path: string) => ({ statusCode: 404, error: 'Not Found', message: `Cannot ${method} ${path}` });

/** What every answer carries (test/e2e/security-headers.e2e-spec.ts checks the same on the other kinds). */
function expectSecurityHeaders(headers: Record<string, string | string[] | undefined>): void {
  expect(headers['content-security-policy']).toContain("default-src 'self'");
  expect(headers['x-content-type-options']).toBe('nosniff');
  expect(headers['x-frame-options']).toBe('SAMEORIGIN');
  expect(headers['cache-control']).toBe('no-store');
}

/** One raw exchange over TCP: what node's HTTP client could not send (a header past the server's limit). */
function rawExchange(port: number, request: string): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [head, body = ''] = text.split('\r\n\r\n');
      const [statusLine, ...lines] = head.split('\r\n');
      const headers = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body });
    });
    socket.end(request);
  });
}

describeOnEachStore('paths and requests both platforms answer alike', (store) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp(store, { OPENAPI_DOCS: 'true' });
  });
  afterAll(() => app.close());

  it.each(['/auth/%6De', '/auth/%6de', '/%61uth/me', '/d%6Fcs', '/d%6Fcs-json', '/docs/%73wagger-ui.css', '/h%65alth/live', '/health/liv%65', '/auth/me%2e', '/docs/%2e%2e/auth/me', '/l%6Fgin'])(
    'GET %s (a letter spelt as a %%-escape) is a 404, signed in or not',
    async (path) => {
      const me = await signup(app);
      for (const res of [await app.http().get(path), await app.http().get(path).set(...asCookie(me.cookie))]) {
        expect(res.status).toBe(404);
        expect(res.body).toEqual(notFound('GET', path));
        expectSecurityHeaders(res.headers);
      }
    },
  );

  it('POST /auth/%72efresh is a 404 that rotates nothing; a parameter spelt so is refused too', async () => {
    const me = await signup(app);
    const refresh = await app.http().post('/auth/%72efresh').set(...asCookie(me.cookie));
    expect(refresh.status).toBe(404);
    expect(refresh.body).toEqual(notFound('POST', '/auth/%72efresh'));
    expect(setCookieLine(refresh)).toBeUndefined();
    const escapedId = `/users/%${me.id.charCodeAt(0).toString(16)}${me.id.slice(1)}`;
    expect((await app.http().get(escapedId).set(...asCookie(me.cookie))).body).toEqual(notFound('GET', escapedId));
  });

  it('keeps the paths as written, %-escapes elsewhere and in the query', async () => {
    const me = await signup(app);
    expect((await app.http().get('/auth/me').set(...asCookie(me.cookie))).status).toBe(200);
    expect((await app.http().get('/auth/me?x=%6D%65').set(...asCookie(me.cookie))).status).toBe(200);
    expect((await app.http().get('/health/live')).status).toBe(200);
    expect((await app.http().get('/docs')).status).toBe(200);
    // Escapes of other characters match no route on either platform: the router's own 404.
    for (const path of ['/auth/me%2F', '/auth%2Fme', '/auth/me%20', '/auth/m%C3%A9']) expect((await app.http().get(path)).body).toEqual(notFound('GET', path));
  });

  it('answers headers past the limit with a 431 in the standard shape, with the security headers, and closes', async () => {
    await app.app.listen(0, '127.0.0.1'); // Nest's listen, so that app.close() stops it on either platform
    const { port } = app.server.address() as AddressInfo;
    const res = await rawExchange(port, `GET /auth/me HTTP/1.1\r\nHost: localhost\r\nCookie: a=${'x'.repeat(20_000)}\r\n\r\n`);
    expect(res.status).toBe(431);
    expect(JSON.parse(res.body)).toEqual({ statusCode: 431, error: 'Request Header Fields Too Large', message: 'Request headers are too large' });
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.headers.connection).toBe('close');
    expectSecurityHeaders(res.headers);
    const malformed = await rawExchange(port, 'GET /auth/me HTTP/1.1\r\nHost localhost\r\n\r\n');
    expect(malformed.status).toBe(400);
    expect(JSON.parse(malformed.body)).toEqual({ statusCode: 400, error: 'Bad Request', message: 'Malformed HTTP request' });
    expectSecurityHeaders(malformed.headers);
    // The server goes on serving.
    expect((await app.http().get('/health/live')).status).toBe(200);
  });
});
