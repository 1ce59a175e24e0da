import { setTimeout as sleep } from 'node:timers/promises';
import type { Response } from 'supertest';
import { TestApp, startTestApp } from '../support/app';
import { describeOnEachStore } from '../support/stores';
import { PASSWORD, uniqueName } from '../support/users';

// COOKIE_LAYOUT=split whatever layout the rest of the run uses, so the cookie lines are read
// here by hand rather than through test/support/cookies (which follows TEST_COOKIE_LAYOUT).
const ACCESS = '__Host-access';
const REFRESH = '__Secure-refresh';
const ACCESS_TTL_SECONDS = 2;

interface Pair {
  access: string;
  refresh: string;
}

const lineOf = (res: Response, name: string) =>
  (res.headers['set-cookie'] as unknown as string[] | undefined)?.find((line) => line.startsWith(`${name}=`));
const valueOf = (res: Response, name: string) => lineOf(res, name)!.slice(name.length + 1).split(';')[0];
const pairOf = (res: Response): Pair => ({ access: valueOf(res, ACCESS), refresh: valueOf(res, REFRESH) });
/** What a browser sends to /auth/refresh (both) and to any other path (the access cookie only). */
const toRefresh = (pair: Pair) => `${ACCESS}=${pair.access}; ${REFRESH}=${pair.refresh}`;
const elsewhere = (pair: Pair) => `${ACCESS}=${pair.access}`;
const expectRedirect = (res: Response, to: string) => expect([res.status, res.headers.location]).toEqual([303, to]);
const clearedBoth = (res: Response) =>
  lineOf(res, ACCESS) === `${ACCESS}=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Secure; SameSite=Lax` &&
  lineOf(res, REFRESH) === `${REFRESH}=; Path=/auth/refresh; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Secure; SameSite=Strict`;

describeOnEachStore('COOKIE_LAYOUT=split', (store) => {
  let app: TestApp;
  beforeAll(async () => {
    // NODE_ENV=test and COOKIE_SECURE unset: the split cookies are Secure all the same.
    app = await startTestApp(store, { COOKIE_LAYOUT: 'split', ACCESS_TTL: `${ACCESS_TTL_SECONDS}s`, REFRESH_TTL: '1h' });
  });
  afterAll(() => app.close());

  async function signup(): Promise<{ res: Response; pair: Pair }> {
    const res = await app.http().post('/auth/signup').send({ username: uniqueName(), password: PASSWORD });
    expect(res.status).toBe(201);
    return { res, pair: pairOf(res) };
  }

  it('sets exactly two session cookies: __Host-access (Path=/) and __Secure-refresh (Path=/auth/refresh, Strict), both HttpOnly and Secure, beside the device cookie', async () => {
    const { res, pair } = await signup();
    const lines = res.headers['set-cookie'] as unknown as string[];
    expect(lines).toHaveLength(3);
    expect(lineOf(res, '__Host-device')).toMatch(/^__Host-device=[\w-]{22}\.[\w-]{43}; Max-Age=31536000; Path=\/; Expires=[^;]+ GMT; HttpOnly; Secure; SameSite=Strict$/);
    expect(lineOf(res, ACCESS)).toMatch(/^__Host-access=[\w-]+\.[\w-]+\.[\w-]+; Max-Age=(3599|3600); Path=\/; Expires=[^;]+ GMT; HttpOnly; Secure; SameSite=Lax$/);
    expect(lineOf(res, REFRESH)).toMatch(/^__Secure-refresh=[0-9A-Za-z]{43}; Max-Age=(3599|3600); Path=\/auth\/refresh; Expires=[^;]+ GMT; HttpOnly; Secure; SameSite=Strict$/);
    expect(lineOf(res, 'auth-cookie')).toBeUndefined();
    expect(JSON.stringify(res.body)).not.toContain(pair.refresh);
  });

  it('serves protected routes from the access cookie alone, as a browser sends it outside /auth/refresh', async () => {
    const { pair } = await signup();
    expect((await app.http().get('/auth/me').set('Cookie', elsewhere(pair))).status).toBe(200);
    expect((await app.http().get('/auth/me').set('Cookie', `${REFRESH}=${pair.refresh}`)).status).toBe(401);
  });

  it('refreshes only with both cookies, and rotates both', async () => {
    const { pair } = await signup();
    const accessOnly = await app.http().post('/auth/refresh').set('Cookie', elsewhere(pair));
    expect(accessOnly.status).toBe(401);
    expect(clearedBoth(accessOnly)).toBe(true);
    const { pair: fresh } = await signup();
    const refreshed = await app.http().post('/auth/refresh').set('Cookie', toRefresh(fresh));
    expect(refreshed.status).toBe(200);
    const next = pairOf(refreshed);
    expect(next.refresh).not.toBe(fresh.refresh);
    expect((await app.http().get('/auth/me').set('Cookie', elsewhere(next))).status).toBe(200);
  });

  it('ignores the single layout cookie and swapped values', async () => {
    const { pair } = await signup();
    const single = `auth-cookie=${encodeURIComponent(`j:${JSON.stringify({ token: pair.access, refreshToken: pair.refresh })}`)}`;
    expect((await app.http().get('/auth/me').set('Cookie', single)).status).toBe(401);
    expect((await app.http().post('/auth/refresh').set('Cookie', single)).status).toBe(401);
    const swapped = `${ACCESS}=${pair.refresh}; ${REFRESH}=${pair.access}`;
    expect((await app.http().post('/auth/refresh').set('Cookie', swapped)).status).toBe(401);
  });

  it('clears both cookies, each on its own path, on logout', async () => {
    const { pair } = await signup();
    const res = await app.http().post('/auth/logout').set('Cookie', elsewhere(pair));
    expect(res.status).toBe(204);
    expect(clearedBoth(res)).toBe(true);
    expect((await app.http().post('/auth/refresh').set('Cookie', toRefresh(pair))).status).toBe(401);
  });

  it('works with a cookie jar that honours Path and Secure like a browser on localhost', async () => {
    const agent = app.agent();
    expect((await agent.post('/auth/signup').send({ username: uniqueName(), password: PASSWORD })).status).toBe(201);
    await sleep(ACCESS_TTL_SECONDS * 1000 + 200);
    expect((await agent.get('/auth/me')).body.message).toMatch(/expired/);
    expect((await agent.post('/auth/refresh')).status).toBe(200);
    expect((await agent.get('/auth/me')).status).toBe(200);
  });

  describe('pages: GET /auth/refresh/page', () => {
    it('sends an expired page session there, rotates, and returns to /account', async () => {
      const { pair } = await signup();
      await sleep(ACCESS_TTL_SECONDS * 1000 + 200);
      const page = await app.http().get('/account').set('Cookie', elsewhere(pair));
      expectRedirect(page, '/auth/refresh/page');
      expect(page.headers['set-cookie']).toBeUndefined();
      const renewed = await app.http().get('/auth/refresh/page').set('Cookie', toRefresh(pair));
      expectRedirect(renewed, '/account');
      const next = pairOf(renewed);
      expect(next.refresh).not.toBe(pair.refresh);
      expect((await app.http().get('/account').set('Cookie', elsewhere(next))).status).toBe(200);
    });

    it('does not rotate while the access token is valid', async () => {
      const { pair } = await signup();
      const res = await app.http().get('/auth/refresh/page').set('Cookie', toRefresh(pair));
      expectRedirect(res, '/account');
      expect(res.headers['set-cookie']).toBeUndefined();
    });

    it('without the refresh cookie (a navigation from another site) goes to /login and clears nothing', async () => {
      const { pair } = await signup();
      await sleep(ACCESS_TTL_SECONDS * 1000 + 200);
      const res = await app.http().get('/auth/refresh/page').set('Cookie', elsewhere(pair));
      expectRedirect(res, '/login');
      expect(res.headers['set-cookie']).toBeUndefined();
      expect((await app.http().post('/auth/refresh').set('Cookie', toRefresh(pair))).status).toBe(200); // still alive
    });

    it('clears both cookies when the session has ended', async () => {
      const { pair } = await signup();
      await app.http().post('/auth/logout').set('Cookie', elsewhere(pair));
      const res = await app.http().get('/auth/refresh/page').set('Cookie', toRefresh(pair));
      expectRedirect(res, '/login');
      expect(clearedBoth(res)).toBe(true);
    });
  });

  it('GET /auth/refresh/page is a 404 in the single layout, where pages refresh in place', async () => {
    app = await app.restart({ COOKIE_LAYOUT: 'single' });
    const res = await app.http().get('/auth/refresh/page');
    expect(res.status).toBe(404);
    expect(res.text).toContain('Pages refresh in place with COOKIE_LAYOUT=single');
  });
});
