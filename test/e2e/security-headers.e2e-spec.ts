import type { Response } from 'supertest';
import { TestApp, startTestApp } from '../support/app';
import { describeOnEachStore } from '../support/stores';
import { PASSWORD, uniqueName } from '../support/users';

/** What every answer carries, whoever gives it: a route, a guard, the router's 404, a body parser. */
function expectSecurityHeaders(res: Response): void {
  expect(res.headers['content-security-policy']).toContain("default-src 'self'");
  expect(res.headers['x-content-type-options']).toBe('nosniff');
  expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
  expect(res.headers['referrer-policy']).toBe('no-referrer');
  expect(res.headers['cross-origin-opener-policy']).toBe('same-origin');
  expect(res.headers['cache-control']).toBe('no-store');
  expect(res.headers).not.toHaveProperty('x-powered-by');
}

describeOnEachStore('security headers on every answer', (store) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp(store);
  });
  afterAll(() => app.close());

  it('on a success, a refusal by a guard and a refusal by validation', async () => {
    const signup = await app.http().post('/auth/signup').send({ username: uniqueName('headers'), password: PASSWORD });
    expect(signup.status).toBe(201);
    expectSecurityHeaders(signup);
    const me = await app.http().get('/auth/me');
    expect(me.status).toBe(401);
    expectSecurityHeaders(me);
    const invalid = await app.http().post('/auth/login').send({ username: 42 });
    expect(invalid.status).toBe(400);
    expectSecurityHeaders(invalid);
  });

  it("on the router's 404s, a path that does not decode included", async () => {
    for (const path of ['/no/such/route', '/a%ZZ']) {
      const res = await app.http().get(path);
      expect(res.status).toBe(404);
      expectSecurityHeaders(res);
    }
  });

  it('on bodies refused before any route: malformed JSON and too large', async () => {
    const malformed = await app.http().post('/auth/login').set('Content-Type', 'application/json').send('{"username":');
    expect(malformed.status).toBe(400);
    expectSecurityHeaders(malformed);
    const large = await app.http().post('/auth/login').set('Content-Type', 'application/json').send(JSON.stringify({ username: 'x'.repeat(200_000) }));
    expect(large.status).toBe(413);
    expectSecurityHeaders(large);
  });
});
