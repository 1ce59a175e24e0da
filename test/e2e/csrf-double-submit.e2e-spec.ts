import { setTimeout as sleep } from 'node:timers/promises';
import type { Response } from 'supertest';
import { TestApp, startTestApp } from '../support/app';
import { cookieHeader } from '../support/cookies';
import { CSRF_COOKIE } from '../support/csrf';
import { describeOnEachStore } from '../support/stores';
import { PASSWORD, SignedUp, asCookie, signup, uniqueName } from '../support/users';

const REFUSED = {
  statusCode: 403,
  error: 'Forbidden',
  message: 'CSRF token missing or invalid: GET /auth/csrf and send its csrfToken in the X-CSRF-Token header (forms: the _csrf field)',
};

interface CsrfPair {
  token: string;
  /** `__Host-csrf=<token>`, for a Cookie header. */
  cookie: string;
}

// Refusals are the point here, so every request below is sent exactly as written:
// `http({ csrfTokens: false })` never fetches a token on its own.
describeOnEachStore('CSRF_MODE=double-submit', (store) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp(store, { CSRF_MODE: 'double-submit', ACCESS_TTL: '2s' });
  });
  afterAll(() => app.close());

  const bare = () => app.http({ csrfTokens: false });
  const csrfCookieLine = (res: Response) => (res.headers['set-cookie'] as unknown as string[] | undefined)?.find((l) => l.startsWith(`${CSRF_COOKIE}=`));

  /** GET /auth/csrf with these cookies, as a client does. */
  async function csrfFor(cookies?: string): Promise<CsrfPair> {
    const res = await (cookies ? bare().get('/auth/csrf').set('Cookie', cookies) : bare().get('/auth/csrf'));
    expect(res.status).toBe(200);
    const cookie = csrfCookieLine(res)!.split(';')[0];
    return { token: res.body.csrfToken as string, cookie };
  }

  const withSession = (session: SignedUp, csrf: CsrfPair) => `${cookieHeader(session.cookie)}; ${csrf.cookie}`;
  const expectRefused = (res: Response) => {
    expect(res.status).toBe(403);
    expect(res.body).toEqual(REFUSED);
  };

  it('GET /auth/csrf sets an HttpOnly, Secure, SameSite=Strict __Host- cookie and returns the same token, uncached', async () => {
    const res = await bare().get('/auth/csrf');
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toEqual({ csrfToken: expect.stringMatching(/^[0-9a-f]{64}\.[0-9a-f]{64}$/) });
    expect(csrfCookieLine(res)).toBe(`${CSRF_COOKIE}=${res.body.csrfToken}; Path=/; HttpOnly; Secure; SameSite=Strict`);
  });

  it('refuses a signup without a token and stores nothing; with one it works', async () => {
    const username = uniqueName();
    expectRefused(await bare().post('/auth/signup').send({ username, password: PASSWORD }));
    const csrf = await csrfFor();
    const login = await bare().post('/auth/login').set('Cookie', csrf.cookie).set('X-CSRF-Token', csrf.token).send({ username, password: PASSWORD });
    expect(login.status).toBe(401); // no such user: the refused signup created nobody
    const created = await bare().post('/auth/signup').set('Cookie', csrf.cookie).set('X-CSRF-Token', csrf.token).send({ username, password: PASSWORD });
    expect(created.status).toBe(201);
  });

  it('needs both halves, equal and genuine: header alone, cookie alone, a mismatch or a forged HMAC are refused', async () => {
    const me = await signup(app);
    const csrf = await csrfFor(cookieHeader(me.cookie));
    const [hmac, random] = csrf.token.split('.');
    const forged = `${'0'.repeat(64)}.${random}`;
    const attempts = [
      bare().post('/auth/logout-all').set(...asCookie(me.cookie)).set('X-CSRF-Token', csrf.token),
      bare().post('/auth/logout-all').set('Cookie', withSession(me, csrf)),
      bare().post('/auth/logout-all').set('Cookie', withSession(me, csrf)).set('X-CSRF-Token', `${hmac}.${'0'.repeat(64)}`),
      bare().post('/auth/logout-all').set('Cookie', `${cookieHeader(me.cookie)}; ${CSRF_COOKIE}=${forged}`).set('X-CSRF-Token', forged),
      bare().post('/auth/logout-all').set('Cookie', withSession(me, csrf)).set('X-CSRF-Token', ''),
    ];
    for (const res of await Promise.all(attempts)) expectRefused(res);
    expect((await bare().get('/auth/me').set(...asCookie(me.cookie))).status).toBe(200); // nothing was revoked
  });

  it('gives a second tab the same token while the cookie holds a valid one, so open forms keep working', async () => {
    const me = await signup(app);
    const first = await csrfFor(cookieHeader(me.cookie));
    const second = await csrfFor(withSession(me, first));
    expect(second.token).toBe(first.token);
    expect(second.cookie).toBe(first.cookie);
  });

  it('binds the token to the session: one from another session, or from before sign-in, is refused', async () => {
    const alice = await signup(app);
    const bob = await signup(app);
    const bobs = await csrfFor(cookieHeader(bob.cookie));
    const anonymous = await csrfFor();
    const fromBob = await bare().patch(`/users/${alice.id}`).set('Cookie', withSession(alice, bobs)).set('X-CSRF-Token', bobs.token).send({ name: 'x' });
    expectRefused(fromBob);
    const fromBefore = await bare().patch(`/users/${alice.id}`).set('Cookie', withSession(alice, anonymous)).set('X-CSRF-Token', anonymous.token).send({ name: 'x' });
    expectRefused(fromBefore);
    const alices = await csrfFor(cookieHeader(alice.cookie));
    expect(alices.token).not.toBe(anonymous.token);
    const own = await bare().patch(`/users/${alice.id}`).set('Cookie', withSession(alice, alices)).set('X-CSRF-Token', alices.token).send({ name: 'Alice' });
    expect(own.status).toBe(200);
    expect(own.body.name).toBe('Alice');
  });

  it('keeps a token valid across refreshes (same session), even once the access token has expired', async () => {
    const me = await signup(app);
    const csrf = await csrfFor(cookieHeader(me.cookie));
    await sleep(2200);
    const refreshed = await bare().post('/auth/refresh').set('Cookie', withSession(me, csrf)).set('X-CSRF-Token', csrf.token);
    expect(refreshed.status).toBe(200);
  });

  it('checks Origin first: a cross-site request with a valid token is still refused as cross-site', async () => {
    const me = await signup(app);
    const csrf = await csrfFor(cookieHeader(me.cookie));
    const res = await bare().post('/auth/logout').set('Cookie', withSession(me, csrf)).set('X-CSRF-Token', csrf.token).set('Origin', 'https://evil.example');
    expect(res.status).toBe(403);
    expect(res.body.message).toMatch(/^Cross-site request refused/);
  });

  it('lets safe methods through without a token', async () => {
    const me = await signup(app);
    expect((await bare().get('/auth/me').set(...asCookie(me.cookie))).status).toBe(200);
    expect((await bare().get('/auth/sessions').set(...asCookie(me.cookie))).status).toBe(200);
  });

  it('replaces a csrf cookie that is not a plain string (a j: object) instead of failing', async () => {
    const res = await bare().get('/auth/csrf').set('Cookie', `${CSRF_COOKIE}=${encodeURIComponent('j:{"split":1}')}`);
    expect(res.status).toBe(200);
    expect(csrfCookieLine(res)).toContain(res.body.csrfToken as string);
    const post = await bare().post('/auth/logout').set('Cookie', `${CSRF_COOKIE}=${encodeURIComponent('j:{"a":1}')}`).set('X-CSRF-Token', '[object Object]');
    expectRefused(post);
  });

  describe('pages', () => {
    const fieldOf = (html: string) => /<input type="hidden" name="_csrf" value="([^"]+)">/.exec(html)?.[1];

    it('puts the token in every form, and a form post with it signs in (the field is not an unknown DTO property)', async () => {
      const { username } = await signup(app);
      const page = await bare().get('/login');
      const token = fieldOf(page.text);
      expect(token).toBeDefined();
      const cookie = csrfCookieLine(page)!.split(';')[0];
      const res = await bare().post('/pages/login').type('form').set('Cookie', cookie).send({ username, password: PASSWORD, _csrf: token });
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/account');
    });

    it('renders the account page forms with a token for the new session, which works for sign-out', async () => {
      const me = await signup(app);
      const page = await bare().get('/account').set(...asCookie(me.cookie));
      expect(page.status).toBe(200);
      const tokens = [...page.text.matchAll(/name="_csrf" value="([^"]+)"/g)].map((m) => m[1]);
      expect(tokens.length).toBeGreaterThanOrEqual(1);
      expect(new Set(tokens).size).toBe(1);
      const cookie = `${cookieHeader(me.cookie)}; ${csrfCookieLine(page)!.split(';')[0]}`;
      const out = await bare().post('/pages/logout').type('form').set('Cookie', cookie).send({ _csrf: tokens[0] });
      expect(out.status).toBe(303);
      expect(out.headers.location).toBe('/login');
      expect((await bare().get('/auth/me').set(...asCookie(me.cookie))).status).toBe(401);
    });

    it('answers a form post without the token with the form again (403) and a fresh token in it', async () => {
      const res = await bare().post('/pages/login').type('form').send({ username: 'someone', password: PASSWORD });
      expect(res.status).toBe(403);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.text).toContain('CSRF token missing or invalid');
      expect(fieldOf(res.text)).toBeDefined();
    });
  });

  it('GET /auth/csrf is a 404 that says why when CSRF_MODE=origin', async () => {
    app = await app.restart({ CSRF_MODE: 'origin' });
    const res = await bare().get('/auth/csrf');
    expect(res.status).toBe(404);
    expect(res.body.message).toBe('CSRF tokens are off here (CSRF_MODE=origin): unsafe requests need no token');
  });
});
