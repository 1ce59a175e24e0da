import { setTimeout as sleep } from 'node:timers/promises';
import { TestApp, startTestApp } from '../support/app';
import { AuthCookieValue, COOKIE_LAYOUT, COOKIE_NAME, REFRESH_COOKIE_NAME, accessTokenOf, authCookieOf, setCookieLine } from '../support/cookies';
import { payloadOf } from '../support/jwt';
import { describeOnEachStore } from '../support/stores';
import { PASSWORD, SignedUp, asCookie, login, signup } from '../support/users';

const REAUTH_MAX_AGE_SECONDS = 2;
const MAX_FAILURES = 3;
const GRACE_SECONDS = 1;
const NOT_RECENT = /^This needs a recent sign-in: send currentPassword with this request, or POST \/auth\/reauth/;

/** Sudo mode: the password change and the account deletion need a recent sign-in or the password. */
describeOnEachStore('re-authentication for dangerous actions', (store) => {
  let app: TestApp;
  /** Signed up before the window passed: their sessions are no longer recent. */
  const stale: SignedUp[] = [];
  beforeAll(async () => {
    app = await startTestApp(store, {
      REAUTH_MAX_AGE: `${REAUTH_MAX_AGE_SECONDS}s`,
      LOGIN_MAX_FAILURES: String(MAX_FAILURES),
      REFRESH_REUSE_GRACE: `${GRACE_SECONDS}s`,
    });
    for (let i = 0; i < 8; i++) stale.push(await signup(app));
    // The one real-time proof of the window; every test below starts with these sessions stale.
    await sleep(REAUTH_MAX_AGE_SECONDS * 1000 + 1100);
  });
  afterAll(() => app.close());

  const changePassword = (me: { id: string }, cookie: AuthCookieValue, body: object = {}) =>
    app.http().patch(`/users/${me.id}`).set(...asCookie(cookie)).send({ password: 'a brand new secret', ...body });
  const deleteAccount = (me: { id: string }, cookie: AuthCookieValue, body?: object) => {
    const req = app.http().delete(`/users/${me.id}`).set(...asCookie(cookie));
    return body ? req.send(body) : req;
  };
  /** What a browser sends to /auth/reauth: in the split layout the refresh cookie's Path keeps it away. */
  const sentToReauth = (cookie: AuthCookieValue): [string, string] =>
    COOKIE_LAYOUT === 'split' ? ['Cookie', `${COOKIE_NAME}=${cookie.token}`] : asCookie(cookie);
  const reauth = (cookie: AuthCookieValue, password: unknown) => app.http().post('/auth/reauth').set(...sentToReauth(cookie)).send({ password });

  it('lets a fresh session change the password and delete the account without the password', async () => {
    const me = await signup(app);
    expect((await changePassword(me, me.cookie)).status).toBe(200);
    expect((await deleteAccount(me, me.cookie)).status).toBe(204);
  });

  it('refuses a stale session with a 403 that says what to do, and changes nothing', async () => {
    const me = stale[0];
    for (const res of [await changePassword(me, me.cookie), await deleteAccount(me, me.cookie)]) {
      expect(res.status).toBe(403);
      expect(res.body).toEqual({ statusCode: 403, error: 'Forbidden', message: expect.stringMatching(NOT_RECENT) });
    }
    expect((await app.http().get('/auth/me').set(...asCookie(me.cookie))).status).toBe(200);
    expect((await app.http().post('/auth/login').send({ username: me.username, password: PASSWORD })).status).toBe(200);
  });

  it('keeps auth_time through rotation: a stolen cookie older than the window cannot delete the account', async () => {
    const victim = stale[1];
    const stolen = authCookieOf(await app.http().post('/auth/refresh').set(...asCookie(victim.cookie)));
    expect(payloadOf(stolen.token).auth_time).toBe(payloadOf(victim.cookie.token).auth_time);
    expect((await deleteAccount(victim, stolen)).status).toBe(403);
    expect((await deleteAccount(victim, stolen, { currentPassword: 'a guess at it' })).status).toBe(403);
    expect((await app.http().get(`/users/${victim.id}`).set(...asCookie(stolen))).status).toBe(200);
  });

  it('accepts the current password in the same request instead, and refuses a wrong one', async () => {
    const me = stale[2];
    const wrong = await changePassword(me, me.cookie, { currentPassword: 'not it at all' });
    expect(wrong.status).toBe(403);
    expect(wrong.body.message).toBe('currentPassword is not correct');
    expect((await changePassword(me, me.cookie, { currentPassword: PASSWORD })).status).toBe(200);
    expect((await deleteAccount(me, me.cookie, { currentPassword: 'a brand new secret' })).status).toBe(204);
  });

  it('POST /auth/reauth makes this session recent again with a fresh cookie; a wrong password does not', async () => {
    const me = stale[3];
    const wrong = await reauth(me.cookie, 'not it at all');
    expect(wrong.status).toBe(403);
    expect(wrong.body.message).toBe('password is not correct');
    expect(wrong.headers['set-cookie']).toBeUndefined();

    const proved = await reauth(me.cookie, PASSWORD);
    expect(proved.status).toBe(200);
    expect(proved.body.user).toEqual(expect.objectContaining({ id: me.id, username: me.username }));
    // The same session with a new access token (and auth_time). The single layout rotates the
    // refresh token as a refresh would; the split layout never sends it here, and leaves it alone.
    const maxAge = Number(/Max-Age=(\d+)/.exec(setCookieLine(proved, COOKIE_NAME) ?? '')?.[1]);
    expect(maxAge).toBeGreaterThan(7 * 24 * 3600 - 60);
    if (COOKIE_LAYOUT === 'split') expect(setCookieLine(proved, REFRESH_COOKIE_NAME)).toBeUndefined();
    else expect(authCookieOf(proved).refreshToken).not.toBe(me.cookie.refreshToken);
    const fresh = COOKIE_LAYOUT === 'split' ? { ...me.cookie, token: accessTokenOf(proved) } : authCookieOf(proved);
    expect(payloadOf(fresh.token).sid).toBe(payloadOf(me.cookie.token).sid);
    expect(payloadOf(fresh.token).auth_time).toBeGreaterThan(payloadOf(me.cookie.token).auth_time as number);
    expect((await changePassword(me, fresh)).status).toBe(200);
    const rotated = await app.http().post('/auth/refresh').set(...asCookie(fresh));
    expect(rotated.status).toBe(200);
    expect(payloadOf(authCookieOf(rotated).token).auth_time).toBe(payloadOf(fresh.token).auth_time);
  });

  it('ends on one refresh token when a refresh and a reauth race (no false theft after the grace window)', async () => {
    const me = stale[6];
    const [refreshed, proved] = await Promise.all([
      app.http().post('/auth/refresh').set(...asCookie(me.cookie)),
      reauth(me.cookie, PASSWORD),
    ]);
    expect([refreshed.status, proved.status]).toEqual([200, 200]);
    // The browser applies the reauth's answer last (bcrypt makes it the slower one).
    const jar = COOKIE_LAYOUT === 'split' ? { token: accessTokenOf(proved), refreshToken: authCookieOf(refreshed).refreshToken } : authCookieOf(proved);
    await sleep(GRACE_SECONDS * 1000 + 300);
    expect((await app.http().post('/auth/refresh').set(...asCookie(jar))).status).toBe(200);
  });

  it('gives a right password’s slot back: only the wrong ones count toward the lockout', async () => {
    const me = stale[7];
    const statuses = [];
    for (const password of ['wrong one', PASSWORD, PASSWORD, PASSWORD, 'wrong two', 'wrong three']) {
      statuses.push((await reauth(me.cookie, password)).status);
    }
    expect(statuses).toEqual([403, 200, 200, 200, 403, 403]);
  });

  it('never carries one session’s freshness over to another session of the same user', async () => {
    const me = stale[4];
    const laptop = await login(app, me.username);
    expect((await reauth(laptop, PASSWORD)).status).toBe(200);
    expect((await deleteAccount(me, me.cookie)).status).toBe(403);
    expect((await app.http().get('/auth/me').set(...asCookie(laptop))).status).toBe(200);
  });

  it('counts reauth as a password check: the account locks after too many wrong ones', async () => {
    const me = stale[5];
    for (let i = 0; i < MAX_FAILURES; i++) expect((await reauth(me.cookie, `wrong guess ${i}`)).status).toBe(403);
    const locked = await reauth(me.cookie, PASSWORD);
    expect(locked.status).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    expect((await app.http().post('/auth/login').send({ username: me.username, password: PASSWORD })).status).toBe(401);
  });

  it('answers bad input with a clear 4xx', async () => {
    const me = await signup(app);
    for (const password of [undefined, '', { $ne: null }, 'x'.repeat(73)]) {
      const res = await reauth(me.cookie, password);
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(/password/);
    }
    expect((await app.http().post('/auth/reauth').send({ password: PASSWORD })).status).toBe(401);
    const objectPassword = await deleteAccount(me, me.cookie, { currentPassword: { $gt: '' } });
    expect(objectPassword.status).toBe(400);
    expect((await deleteAccount(me, me.cookie, { somethingElse: 1 })).status).toBe(400);
  });
});
