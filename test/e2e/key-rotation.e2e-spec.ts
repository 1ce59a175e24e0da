import { createHash } from 'node:crypto';
import { TestApp, startTestApp } from '../support/app';
import { authCookieOf, isCleared } from '../support/cookies';
import { headerOf, payloadOf } from '../support/jwt';
import { describeOnEachStore } from '../support/stores';
import { PASSWORD, asCookie, signup } from '../support/users';

const OLD = `old:${'o'.repeat(40)}`;
const NEW = `new:${'n'.repeat(40)}`;
const kid = (token: string) => headerOf(token).kid;
const EXPIRED = 'Access token expired; call POST /auth/refresh';

/** The README's rotation procedure, step by step, through the API and through the pages. */
describeOnEachStore('signing-key rotation', (store) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp(store, { JWT_ACCESS_KEYS: OLD });
  });
  afterAll(() => app.close());

  const backToOnlyOld = async () => {
    app = await app.restart({ JWT_ACCESS_KEYS: OLD, JWT_RETIRED_KEYS: undefined });
  };

  it('rotates keys through the API without signing anyone out, and a retired key refreshes only', async () => {
    await backToOnlyOld();
    const me = await signup(app);
    expect(kid(me.cookie.token)).toBe('old');

    // 1. A new key in front: new tokens use it, old tokens keep working until they expire.
    app = await app.restart({ JWT_ACCESS_KEYS: `${NEW},${OLD}` });
    expect((await app.http().get('/auth/me').set(...asCookie(me.cookie))).status).toBe(200);
    const fresh = await app.http().post('/auth/login').send({ username: me.username, password: PASSWORD });
    expect(kid(authCookieOf(fresh).token)).toBe('new');

    // 2. The old key retired: no access route takes its tokens (they read as expired), refresh does.
    app = await app.restart({ JWT_ACCESS_KEYS: NEW, JWT_RETIRED_KEYS: OLD });
    const refused = await app.http().get('/auth/me').set(...asCookie(me.cookie));
    expect(refused.status).toBe(401);
    expect(refused.body.message).toBe(EXPIRED);
    const refreshed = await app.http().post('/auth/refresh').set(...asCookie(me.cookie));
    expect(refreshed.status).toBe(200);
    const renewed = authCookieOf(refreshed);
    expect(kid(renewed.token)).toBe('new');
    expect(payloadOf(renewed.token).auth_time).toBe(payloadOf(me.cookie.token).auth_time);
    expect((await app.http().get('/auth/me').set(...asCookie(renewed))).status).toBe(200);

    // 3. The retired key removed (after REFRESH_TTL): a token it signed refreshes nothing any more.
    const straggler = await signupUnder(OLD);
    app = await app.restart({ JWT_ACCESS_KEYS: NEW, JWT_RETIRED_KEYS: undefined });
    const gone = await app.http().post('/auth/refresh').set(...asCookie(straggler));
    expect(gone.status).toBe(401);
    expect(isCleared(gone)).toBe(true);
    expect((await app.http().get('/auth/me').set(...asCookie(renewed))).status).toBe(200);
  });

  /** A session signed in while only `key` was in use. */
  const signupUnder = async (key: string) => {
    const before = app.env;
    app = await app.restart({ JWT_ACCESS_KEYS: key, JWT_RETIRED_KEYS: undefined });
    const { cookie } = await signup(app);
    app = await app.restart({ JWT_ACCESS_KEYS: before.JWT_ACCESS_KEYS, JWT_RETIRED_KEYS: before.JWT_RETIRED_KEYS });
    return cookie;
  };

  it('keeps a page session rendering through the same procedure (form sign-in, new key in front, old key retired)', async () => {
    await backToOnlyOld();
    const { username } = await signup(app);
    let browser = app.agent();
    const signedIn = await browser.post('/pages/login').type('form').send({ username, password: PASSWORD });
    expect(signedIn.status).toBe(303);

    const accountRenders = async () => {
      let res = await browser.get('/account');
      // COOKIE_LAYOUT=split: the refresh cookie only reaches /auth/refresh, so the page renews there and comes back.
      if (res.status === 303 && res.headers.location === '/auth/refresh/page') {
        const renewed = await browser.get('/auth/refresh/page');
        expect(renewed.headers.location).toBe('/account');
        res = await browser.get('/account');
      }
      expect(res.status).toBe(200);
      expect(res.text).toContain(username);
    };

    /** A restart is a new server: the same browser (its cookie jar) carries on against it. */
    const restart = async (env: Parameters<TestApp['restart']>[0]) => {
      app = await app.restart(env);
      const { jar } = browser as unknown as { jar: unknown };
      browser = app.agent();
      (browser as unknown as { jar: unknown }).jar = jar;
    };

    await accountRenders();
    await restart({ JWT_ACCESS_KEYS: `${NEW},${OLD}` });
    await accountRenders();
    await restart({ JWT_ACCESS_KEYS: NEW, JWT_RETIRED_KEYS: OLD });
    await accountRenders();
    // The page refreshed onto the new key, so the retired one can go.
    await restart({ JWT_ACCESS_KEYS: NEW, JWT_RETIRED_KEYS: undefined });
    await accountRenders();
  });

  it('still refuses a retired key’s token beside another session’s real refresh token', async () => {
    await backToOnlyOld();
    const me = await signup(app);
    const other = await signup(app);
    app = await app.restart({ JWT_ACCESS_KEYS: NEW, JWT_RETIRED_KEYS: OLD });
    const mixed = await app.http().post('/auth/refresh').set(...asCookie({ token: me.cookie.token, refreshToken: other.cookie.refreshToken }));
    expect(mixed.status).toBe(401);
    expect(isCleared(mixed)).toBe(true);
    // Neither session was touched: each still refreshes with its own cookie.
    expect((await app.http().post('/auth/refresh').set(...asCookie(me.cookie))).status).toBe(200);
    expect((await app.http().post('/auth/refresh').set(...asCookie(other.cookie))).status).toBe(200);
  });

  it('refuses a token whose kid names no key, on every access route', async () => {
    const me = await signup(app);
    const [, payload, signature] = me.cookie.token.split('.');
    const header = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: 'nobody' })).toString('base64url');
    const forged = { ...me.cookie, token: `${header}.${payload}.${signature}` };
    for (const path of ['/auth/me', '/auth/sessions', '/users', `/users/${me.id}`]) {
      expect({ path, status: (await app.http().get(path).set(...asCookie(forged))).status }).toEqual({ path, status: 401 });
    }
  });

  it('rolls a new key out in two phases so that no instance meets a kid it does not hold', async () => {
    await backToOnlyOld();
    const me = await signup(app);
    // Phase 1, on every instance: the new key verifies but does not sign yet.
    app = await app.restart({ JWT_ACCESS_KEYS: `${OLD},${NEW}` });
    expect(kid(authCookieOf(await app.http().post('/auth/login').send({ username: me.username, password: PASSWORD })).token)).toBe('old');
    // Phase 2, instance by instance: the new key in front. Its tokens reach instances still in phase 1.
    app = await app.restart({ JWT_ACCESS_KEYS: `${NEW},${OLD}` });
    const underNew = authCookieOf(await app.http().post('/auth/login').send({ username: me.username, password: PASSWORD }));
    expect(kid(underNew.token)).toBe('new');
    app = await app.restart({ JWT_ACCESS_KEYS: `${OLD},${NEW}` });
    expect((await app.http().get('/auth/me').set(...asCookie(underNew))).status).toBe(200);
    expect((await app.http().get('/auth/me').set(...asCookie(me.cookie))).status).toBe(200);
  });

  it('keeps sessions signed with a single JWT_ACCESS_SECRET when it becomes a listed key under its derived kid', async () => {
    const secret = 's'.repeat(40);
    app = await app.restart({ JWT_ACCESS_KEYS: undefined, JWT_RETIRED_KEYS: undefined, JWT_ACCESS_SECRET: secret });
    const me = await signup(app);
    const derived = kid(me.cookie.token) as string;
    expect(derived).toBe(`k-${createHash('sha256').update(secret).digest('base64url').slice(0, 8)}`);
    app = await app.restart({ JWT_ACCESS_SECRET: undefined, JWT_ACCESS_KEYS: `${derived}:${secret},${NEW}` });
    expect((await app.http().get('/auth/me').set(...asCookie(me.cookie))).status).toBe(200);
    app = await app.restart({ JWT_ACCESS_KEYS: `${NEW},${derived}:${secret}` });
    expect((await app.http().post('/auth/refresh').set(...asCookie(me.cookie))).status).toBe(200);
    await backToOnlyOld();
  });
});
