import { TestApp, startTestApp } from '../support/app';
import { authCookieOf, cookieHeader, expectSessionCookies, isCleared, rawCookieHeader, setCookieLine } from '../support/cookies';
import { describeOnEachStore } from '../support/stores';
import { PASSWORD, asCookie, login, signup, uniqueName } from '../support/users';

describeOnEachStore('auth endpoints', (store) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp(store);
  });
  afterAll(() => app.close());

  describe('POST /auth/signup', () => {
    it('creates the user, starts a session and sets exactly the designed cookie', async () => {
      const username = uniqueName('Signup');
      const res = await app.http().post('/auth/signup').send({ username, password: PASSWORD, name: 'Ada' });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        user: { id: expect.any(String), username: username.toLowerCase(), name: 'Ada', createdAt: expect.any(String), email: null, emailVerified: false },
      });
      expect(res.headers['cache-control']).toBe('no-store');
      expectSessionCookies(res, { maxAge: '60479[89]' });
      const cookie = authCookieOf(res);
      expect(cookie.token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
      expect(cookie.refreshToken).toMatch(/^[0-9A-Za-z]{43}$/);
      expect(JSON.stringify(res.body)).not.toContain(cookie.refreshToken);
      expect(JSON.stringify(res.body)).not.toContain(cookie.token);
    });

    it('puts sub, sid, iat, exp, iss, aud and auth_time in an HS256 access token of about 15 minutes', async () => {
      const { cookie, id } = await signup(app);
      const [header, payload] = cookie.token.split('.').slice(0, 2).map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()));
      expect(header).toEqual({ alg: 'HS256', typ: 'JWT', kid: expect.stringMatching(/^k-[\w-]{8}$/) });
      expect(payload).toEqual({
        sub: id,
        sid: expect.any(String),
        iat: expect.any(Number),
        exp: expect.any(Number),
        iss: 'nest-cookie-auth',
        aud: 'nest-cookie-auth',
        auth_time: expect.any(Number),
      });
      expect(payload.exp - payload.iat).toBe(900);
      // Signed at sign-up, so the password was proved when the token was issued (to the second).
      expect(payload.iat - payload.auth_time).toBeGreaterThanOrEqual(0);
      expect(payload.iat - payload.auth_time).toBeLessThanOrEqual(1);
    });

    it('answers 409 when the username is taken, whatever its case', async () => {
      const { username } = await signup(app);
      const res = await app.http().post('/auth/signup').send({ username: username.toUpperCase(), password: PASSWORD });
      expect(res.status).toBe(409);
      expect(res.body).toEqual({ statusCode: 409, error: 'Conflict', message: 'That username is taken' });
      expect(setCookieLine(res)).toBeUndefined();
    });
  });

  describe('POST /auth/login', () => {
    it('signs in with the right password, in any case of the username', async () => {
      const { username, id } = await signup(app);
      const res = await app.http().post('/auth/login').send({ username: username.toUpperCase(), password: PASSWORD });
      expect(res.status).toBe(200);
      expect(res.body.user.id).toBe(id);
      expect(res.body.user).not.toHaveProperty('passwordHash');
      expect(res.headers['cache-control']).toBe('no-store');
      expect(authCookieOf(res).refreshToken).toMatch(/^[0-9A-Za-z]{43}$/);
    });

    it('gives the same 401 and message for a wrong password and for an unknown user', async () => {
      const { username } = await signup(app);
      const wrong = await app.http().post('/auth/login').send({ username, password: 'not the password' });
      const unknown = await app.http().post('/auth/login').send({ username: uniqueName('ghost'), password: PASSWORD });
      for (const res of [wrong, unknown]) {
        expect(res.status).toBe(401);
        expect(res.body).toEqual({ statusCode: 401, error: 'Unauthorized', message: 'Invalid credentials' });
        expect(setCookieLine(res)).toBeUndefined();
      }
    });
  });

  describe('GET /auth/me', () => {
    it('returns the current user through the cookie jar', async () => {
      const agent = app.agent();
      const username = uniqueName();
      await agent.post('/auth/signup').send({ username, password: PASSWORD }).expect(201);
      const res = await agent.get('/auth/me').expect(200);
      expect(res.body).toEqual({ id: expect.any(String), username, name: username, createdAt: expect.any(String), email: null, emailVerified: false, mfa: { totp: false, passkeys: 0, recoveryCodesLeft: 0 } });
    });

    it('is a 401 without a cookie', async () => {
      const res = await app.http().get('/auth/me');
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ statusCode: 401, error: 'Unauthorized', message: 'Not signed in' });
    });
  });

  describe('POST /auth/logout', () => {
    it('kills this session at once (access and refresh), clears the cookie, and leaves other sessions working', async () => {
      const { username, cookie } = await signup(app);
      const other = await login(app, username);
      const res = await app.http().post('/auth/logout').set(...asCookie(cookie));
      expect(res.status).toBe(204);
      expect(res.headers['clear-site-data']).toBe('"cookies"');
      expect(res.headers['cache-control']).toBe('no-store');
      expect(isCleared(res)).toBe(true);
      expect((await app.http().get('/auth/me').set(...asCookie(cookie))).status).toBe(401);
      expect((await app.http().post('/auth/refresh').set(...asCookie(cookie))).status).toBe(401);
      expect((await app.http().get('/auth/me').set(...asCookie(other))).status).toBe(200);
    });

    it('is a 204 with no cookie and with a garbled one', async () => {
      expect((await app.http().post('/auth/logout')).status).toBe(204);
      const garbled = await app.http().post('/auth/logout').set('Cookie', rawCookieHeader('j%3A%7Bnot-json'));
      expect(garbled.status).toBe(204);
      expect(isCleared(garbled)).toBe(true);
    });
  });

  describe('POST /auth/logout-all', () => {
    it('revokes every session of the user', async () => {
      const { username, cookie } = await signup(app);
      const second = await login(app, username);
      const res = await app.http().post('/auth/logout-all').set(...asCookie(cookie));
      expect(res.status).toBe(204);
      expect(isCleared(res)).toBe(true);
      for (const c of [cookie, second]) {
        expect((await app.http().get('/auth/me').set(...asCookie(c))).status).toBe(401);
        expect((await app.http().post('/auth/refresh').set(...asCookie(c))).status).toBe(401);
      }
    });

    it('needs a session', async () => {
      expect((await app.http().post('/auth/logout-all')).status).toBe(401);
    });
  });

  it('never puts a token in a body: the jar works from the cookie alone', async () => {
    const agent = app.agent();
    const signupRes = await agent.post('/auth/signup').send({ username: uniqueName(), password: PASSWORD });
    const refreshRes = await agent.post('/auth/refresh').expect(200);
    const { refreshToken, token } = authCookieOf(refreshRes);
    for (const res of [signupRes, refreshRes]) {
      expect(JSON.stringify(res.body)).not.toMatch(/refreshToken|token/i);
    }
    expect(token).toBeTruthy();
    expect(refreshToken).toBeTruthy();
    expect((await agent.get('/auth/me')).status).toBe(200);
  });
});
