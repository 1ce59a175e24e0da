import { setTimeout as sleep } from 'node:timers/promises';
import type { Response } from 'supertest';
import { TestApp, startTestApp } from '../support/app';
import { COOKIE_LAYOUT, authCookieOf, cookieHeader, expectSessionCookies, isCleared, rawCookieHeader, setCookieLine } from '../support/cookies';
import { describeOnEachStore } from '../support/stores';
import { AuthCookieValue } from '../support/cookies';
import { PASSWORD, asCookie, login, signup, uniqueName } from '../support/users';


/**
 * 2 s, not 1 s: a token's exp is whole seconds after iat, so a 1 s token can expire at once
 * and "still valid right after login" would be a coin toss. 2.2 s of waiting always expires it.
 */
const ACCESS_TTL_SECONDS = 2;
const MAX_FAILURES = 3;
const PAGE_CSP = /^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/]+=*'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'$/;

const sidOf = (cookie: AuthCookieValue) => JSON.parse(Buffer.from(cookie.token.split('.')[1], 'base64url').toString()).sid as string;

describeOnEachStore('server-rendered pages', (store) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp(store, { ACCESS_TTL: `${ACCESS_TTL_SECONDS}s`, LOGIN_MAX_FAILURES: String(MAX_FAILURES) });
  });
  afterAll(() => app.close());

  const formLogin = (username: string, password = PASSWORD) =>
    app.http().post('/pages/login').type('form').send({ username, password });
  const account = (cookie: AuthCookieValue) => app.http().get('/account').set(...asCookie(cookie));
  const expectPage = (res: Response, status: number) => {
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['content-security-policy']).toMatch(PAGE_CSP);
    expect(res.headers['referrer-policy']).toBe('same-origin');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.text).not.toMatch(/<script/i);
  };

  describe('GET /login', () => {
    it('renders a script-free form posting urlencoded credentials to /pages/login', async () => {
      const res = await app.http().get('/login');
      expectPage(res, 200);
      expect(res.text).toContain('<form class="stack" method="post" action="/pages/login">');
      expect(res.text).toContain('name="username"');
      expect(res.text).toContain('name="password" type="password"');
      expect(res.text).not.toContain('class="error"');
    });

    it('shows an error message with ?error=1', async () => {
      const res = await app.http().get('/login?error=1');
      expectPage(res, 200);
      expect(res.text).toContain('<p class="error" role="alert">Sign-in failed; check your username and password.</p>');
    });
  });

  describe('POST /pages/login', () => {
    it('signs in: 303 to /account with the designed cookie, and /account renders the user and sessions', async () => {
      const { username } = await signup(app);
      const res = await formLogin(username.toUpperCase());
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/account');
      expectSessionCookies(res);
      const page = await account(authCookieOf(res));
      expectPage(page, 200);
      expect(page.text).toContain(`<strong id="username">${username}</strong>`);
      expect(page.text).toContain('<table class="sessions">');
      expect(page.text.match(/data-current="true"/g)).toHaveLength(1);
      expect(page.text).toContain('<form method="post" action="/pages/logout">');
    });

    it('answers a wrong password with a 401 page re-rendering the form, and no cookie', async () => {
      const { username } = await signup(app);
      const res = await formLogin(username, 'not the password');
      expectPage(res, 401);
      expect(res.text).toContain('Invalid credentials');
      expect(res.text).toContain('action="/pages/login"');
      expect(res.text).toContain(`value="${username}"`);
      expect(setCookieLine(res)).toBeUndefined();
    });

    it('shares the per-account lockout with POST /auth/login (one AuthService, one set of counters)', async () => {
      const { username } = await signup(app);
      for (let i = 0; i < MAX_FAILURES; i += 1) expect((await formLogin(username, 'not the password')).status).toBe(401);
      const locked = await app.http().post('/auth/login').send({ username, password: PASSWORD });
      expect(locked.status).toBe(401);
      expect(locked.body.message).toBe('Invalid credentials');
    });

    it.each([
      ['a missing password', 'username=someone'],
      ['an empty body', ''],
      ['a repeated field (an array)', 'username=a&username=b&password=correct+horse'],
      ['an unknown field', 'username=someone&password=correct+horse&admin=1'],
      ['a password past 72 bytes', `username=someone&password=${'x'.repeat(73)}`],
      ['an overlong username', `username=${'u'.repeat(65)}&password=correct+horse`],
    ])('re-renders the form with a 400 for %s, never a 500', async (_label, body) => {
      const res = await app.http().post('/pages/login').type('form').send(body);
      expectPage(res, 400);
      expect(res.text).toContain('<p class="error" role="alert">');
      expect(res.text).toContain('action="/pages/login"');
    });

    it('takes garbled percent-encoding as plain text: a 4xx page, never a 500', async () => {
      const res = await app.http().post('/pages/login').type('form').send('username=%E0%A4%A&password=%%%');
      expectPage(res, 401);
    });

    it('answers bodies the parser refuses (oversized, malformed JSON) with a 4xx, never a 500', async () => {
      const big = await app.http().post('/pages/login').type('form').send(`username=u&password=${'x'.repeat(200 * 1024)}`);
      expect(big.status).toBe(413);
      const malformed = await app.http().post('/pages/login').set('Content-Type', 'application/json').send('{"username": x');
      expect(malformed.status).toBe(400);
    });

    it('refuses an operator object sent as JSON with a 400 page', async () => {
      const res = await app.http().post('/pages/login').send({ username: { $gt: '' }, password: PASSWORD });
      expectPage(res, 400);
    });
  });

  describe('POST /pages/signup', () => {
    it('creates the account and lands on /account; a taken name re-renders the form with 409', async () => {
      const username = uniqueName('form');
      const res = await app.http().post('/pages/signup').type('form').send({ username, password: PASSWORD, name: 'Form User' });
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/account');
      expect((await account(authCookieOf(res))).text).toContain('<span id="display-name">Form User</span>');
      const again = await app.http().post('/pages/signup').type('form').send({ username, password: PASSWORD });
      expectPage(again, 409);
      expect(again.text).toContain('That username is taken');
    });

    it('takes the optional display name left empty, as a browser posts it (""), as not given', async () => {
      const username = uniqueName('blank');
      const res = await app.http().post('/pages/signup').type('form').send({ username, name: '', password: PASSWORD });
      expect(res.status).toBe(303);
      expect((await account(authCookieOf(res))).text).toContain(`<span id="display-name">${username}</span>`);
      // The JSON API keeps refusing an empty name: only the form's blank means "not given".
      expect((await app.http().post('/auth/signup').send({ username: uniqueName(), name: '', password: PASSWORD })).status).toBe(400);
    });
  });

  describe('GET /account', () => {
    it('redirects to /login without a cookie, and clears a garbled one', async () => {
      const none = await app.http().get('/account');
      expect(none.status).toBe(303);
      expect(none.headers.location).toBe('/login');
      expect(setCookieLine(none)).toBeUndefined();
      const garbled = await app.http().get('/account').set('Cookie', rawCookieHeader('j%3A%7Bnot-json'));
      expect(garbled.status).toBe(303);
      expect(garbled.headers.location).toBe('/login');
      expect(isCleared(garbled)).toBe(true);
    });

    it('renders without rotating while the access token is valid', async () => {
      const { cookie } = await signup(app);
      const res = await account(cookie);
      expectPage(res, 200);
      expect(setCookieLine(res)).toBeUndefined();
    });

    it(
      COOKIE_LAYOUT === 'single'
        ? 'refreshes server-side in the same 200 response when the access token has expired'
        : 'renews through GET /auth/refresh/page when the access token has expired (the refresh cookie never reaches /account)',
      async () => {
        const { cookie, username } = await signup(app);
        await sleep(ACCESS_TTL_SECONDS * 1000 + 200);
        expect((await app.http().get('/auth/me').set(...asCookie(cookie))).body.message).toMatch(/expired/);
        const first = await account(cookie);
        let page = first;
        let rotated: AuthCookieValue;
        if (COOKIE_LAYOUT === 'single') {
          rotated = authCookieOf(first);
        } else {
          expect(first.status).toBe(303);
          expect(first.headers.location).toBe('/auth/refresh/page');
          expect(setCookieLine(first)).toBeUndefined();
          const renewed = await app.http().get('/auth/refresh/page').set(...asCookie(cookie));
          expect(renewed.status).toBe(303);
          expect(renewed.headers.location).toBe('/account');
          rotated = authCookieOf(renewed);
          page = await account(rotated);
        }
        expectPage(page, 200);
        expect(page.text).toContain(`<strong id="username">${username}</strong>`);
        expect(rotated.refreshToken).not.toBe(cookie.refreshToken);
        expect(sidOf(rotated)).toBe(sidOf(cookie));
        expect((await app.http().get('/auth/me').set(...asCookie(rotated))).status).toBe(200);
      },
    );

    it('redirects to /login and clears the cookie once the session is revoked', async () => {
      const { cookie } = await signup(app);
      expect((await app.http().post('/auth/logout').set(...asCookie(cookie))).status).toBe(204);
      const res = await account(cookie);
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/login');
      expect(isCleared(res)).toBe(true);
    });

    it('HTML-escapes the display name and the user agent', async () => {
      const { id, username, cookie } = await signup(app);
      const name = `<script>alert(1)</script>"&'`;
      const patch = await app.http().patch(`/users/${id}`).set(...asCookie(cookie)).send({ name });
      expect(patch.status).toBe(200);
      await login(app, username, PASSWORD, '<img src=x onerror=alert(2)>');
      const res = await account(cookie);
      expectPage(res, 200);
      expect(res.text).toContain('<span id="display-name">&lt;script&gt;alert(1)&lt;/script&gt;&quot;&amp;&#39;</span>');
      expect(res.text).toContain('<td>&lt;img src=x onerror=alert(2)&gt;</td>');
      expect(res.text).not.toContain('<img');
    });
  });

  describe('POST /pages/sessions/:id/revoke', () => {
    it('revokes another own session (303 /account), which then lands on /login', async () => {
      const { username, cookie } = await signup(app);
      const other = await login(app, username);
      const res = await app.http().post(`/pages/sessions/${sidOf(other)}/revoke`).set(...asCookie(cookie));
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/account');
      expect((await account(other)).headers.location).toBe('/login');
      expect((await account(cookie)).status).toBe(200);
    });

    it('answers someone else’s session and a malformed id with a 404 page, revoking nothing', async () => {
      const me = await signup(app);
      const stranger = await signup(app);
      const res = await app.http().post(`/pages/sessions/${sidOf(stranger.cookie)}/revoke`).set(...asCookie(me.cookie));
      expectPage(res, 404);
      expect(res.text).toContain('No such session');
      expect((await app.http().post('/pages/sessions/not-a-uuid/revoke').set(...asCookie(me.cookie))).status).toBe(404);
      expect((await account(stranger.cookie)).status).toBe(200);
    });

    it('revoking the current session signs out: 303 /login with the cookie cleared', async () => {
      const { cookie } = await signup(app);
      const res = await app.http().post(`/pages/sessions/${sidOf(cookie)}/revoke`).set(...asCookie(cookie));
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/login');
      expect(isCleared(res)).toBe(true);
    });

    it('sends a signed-out caller to /login', async () => {
      const res = await app.http().post(`/pages/sessions/${sidOf((await signup(app)).cookie)}/revoke`);
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/login');
    });
  });

  describe('POST /pages/logout', () => {
    it('ends the session, clears the cookie and goes to /login, even with an expired access token', async () => {
      const { cookie } = await signup(app);
      await sleep(ACCESS_TTL_SECONDS * 1000 + 200);
      const res = await app.http().post('/pages/logout').set(...asCookie(cookie));
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/login');
      expect(isCleared(res)).toBe(true);
      expect((await app.http().post('/auth/refresh').set(...asCookie(cookie))).status).toBe(401);
    });
  });

  describe('CSRF', () => {
    it('refuses cross-site form posts with a 403 page, and the session survives', async () => {
      const { username, cookie } = await signup(app);
      const evil = { Origin: 'https://evil.example' };
      const posts = [
        app.http().post('/pages/logout').set(...asCookie(cookie)).set(evil),
        app.http().post(`/pages/sessions/${sidOf(cookie)}/revoke`).set(...asCookie(cookie)).set('Sec-Fetch-Site', 'cross-site'),
        app.http().post('/pages/login').type('form').set(evil).send({ username, password: PASSWORD }),
      ];
      for (const res of await Promise.all(posts)) {
        expectPage(res, 403);
        expect(res.text).toContain('Cross-site request refused');
        expect(setCookieLine(res)).toBeUndefined();
      }
      expect((await account(cookie)).status).toBe(200);
    });

    it('accepts a form post from the service’s own origin, as a browser sends it', async () => {
      const { username } = await signup(app);
      const res = await app.http().post('/pages/login').type('form')
        .set('Host', 'pages.example.test').set('Origin', 'http://pages.example.test').set('Sec-Fetch-Site', 'same-origin')
        .send({ username, password: PASSWORD });
      expect(res.status).toBe(303);
      expect(authCookieOf(res).token).toBeTruthy();
    });
  });

  it('never lets a crafted cookie object reach the store', async () => {
    const res = await app.http().get('/account').set('Cookie', cookieHeader({ token: { $ne: null }, refreshToken: { $gt: '' } }));
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/login');
  });
});
