import { setTimeout as sleep } from 'node:timers/promises';
import { TestApp, startTestApp } from '../support/app';
import { authCookieOf, isCleared } from '../support/cookies';
import { describeOnEachStore } from '../support/stores';
import { AuthCookieValue } from '../support/cookies';
import { asCookie, login, signup } from '../support/users';


/** Grace of 1 s so that "after the window" is quick to reach. */
const GRACE_MS = 1000;

describeOnEachStore('refresh rotation', (store) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp(store, { REFRESH_REUSE_GRACE: `${GRACE_MS / 1000}s` });
  });
  afterAll(() => app.close());

  const refresh = (cookie: AuthCookieValue) => app.http().post('/auth/refresh').set(...asCookie(cookie));
  const me = (cookie: AuthCookieValue) => app.http().get('/auth/me').set(...asCookie(cookie));

  it('rotates: a new refresh token and access token in the same session, with the user in the body', async () => {
    const { cookie, id } = await signup(app);
    const res = await refresh(cookie);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ user: expect.objectContaining({ id }) });
    expect(res.headers['cache-control']).toBe('no-store');
    const next = authCookieOf(res);
    expect(next.refreshToken).not.toBe(cookie.refreshToken);
    const sid = (token: string) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).sid;
    expect(sid(next.token)).toBe(sid(cookie.token));
    expect((await me(next)).status).toBe(200);
    expect((await refresh(next)).status).toBe(200);
  });

  it('gives concurrent refreshes with one token all a 200 and the same successor, leaving one live token', async () => {
    const { cookie } = await signup(app);
    const answers = await Promise.all(Array.from({ length: 5 }, () => refresh(cookie)));
    expect(answers.map((res) => res.status)).toEqual([200, 200, 200, 200, 200]);
    const successors = new Set(answers.map((res) => authCookieOf(res).refreshToken));
    expect(successors.size).toBe(1);
    const [successor] = successors;
    expect(successor).not.toBe(cookie.refreshToken);
    const sessions = await app.http().get('/auth/sessions').set(...asCookie(authCookieOf(answers[0])));
    expect(sessions.body).toHaveLength(1);
    // The one successor keeps rotating normally.
    expect((await refresh(authCookieOf(answers[0]))).status).toBe(200);
  });

  it('lets the previous token in again inside the grace window, getting the same successor', async () => {
    const { cookie } = await signup(app);
    const first = authCookieOf(await refresh(cookie));
    const again = await refresh(cookie);
    expect(again.status).toBe(200);
    expect(authCookieOf(again).refreshToken).toBe(first.refreshToken);
  });

  it('treats the previous token after the grace window as theft: 401, cookie cleared, session revoked at once', async () => {
    const { cookie } = await signup(app);
    const current = authCookieOf(await refresh(cookie));
    await sleep(GRACE_MS + 200);
    const replay = await refresh(cookie);
    expect(replay.status).toBe(401);
    expect(replay.body.message).toMatch(/already used; the session has been revoked/);
    expect(isCleared(replay)).toBe(true);
    expect((await me(current)).status).toBe(401); // the newest access token, still unexpired, is refused
    expect((await refresh(current)).status).toBe(401);
  });

  it('treats a grandparent token inside the window as theft', async () => {
    const { cookie: grandparent } = await signup(app);
    const parent = authCookieOf(await refresh(grandparent));
    const current = authCookieOf(await refresh(parent));
    const replay = await refresh(grandparent);
    expect(replay.status).toBe(401);
    expect(isCleared(replay)).toBe(true);
    expect((await me(current)).status).toBe(401);
    expect((await refresh(current)).status).toBe(401);
  });

  it('revokes only the session whose token was replayed', async () => {
    const { cookie, username } = await signup(app);
    const other = await login(app, username);
    const parent = authCookieOf(await refresh(cookie));
    await refresh(parent);
    expect((await refresh(cookie)).status).toBe(401);
    expect((await me(other)).status).toBe(200);
  });

  it('clears the cookie on every failed refresh', async () => {
    const res = await app.http().post('/auth/refresh');
    expect(res.status).toBe(401);
    expect(isCleared(res)).toBe(true);
  });
});

describeOnEachStore('session lifetimes', (store) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp(store, { REFRESH_TTL: '2s', SESSION_MAX_AGE: '3s', MAX_SESSIONS_PER_USER: '3' });
  });
  afterAll(() => app.close());

  const refresh = (cookie: AuthCookieValue) => app.http().post('/auth/refresh').set(...asCookie(cookie));
  const maxAge = (res: Awaited<ReturnType<typeof refresh>>) => Number(/Max-Age=(\d+)/.exec(String(res.headers['set-cookie']))![1]);

  it('slides the idle lifetime with each refresh but never past the absolute lifetime', async () => {
    const { cookie, res: signupRes } = await signup(app);
    expect(maxAge(signupRes)).toBeLessThanOrEqual(2);
    await sleep(1500);
    const first = await refresh(cookie); // idle expiry would be t+3.5 s: capped at the 3 s absolute one
    expect(first.status).toBe(200);
    expect(maxAge(first)).toBeLessThanOrEqual(1);
    await sleep(1000);
    const second = await refresh(authCookieOf(first)); // t = 2.5 s: past the first idle window, alive thanks to the slide
    expect(second.status).toBe(200);
    await sleep(700);
    const late = await refresh(authCookieOf(second)); // t = 3.2 s: absolute lifetime over
    expect(late.status).toBe(401);
    expect(isCleared(late)).toBe(true);
  });

  it('ends an idle session after REFRESH_TTL', async () => {
    const { cookie } = await signup(app);
    await sleep(2200);
    expect((await refresh(cookie)).status).toBe(401);
    expect((await app.http().get('/auth/me').set(...asCookie(cookie))).status).toBe(401);
  });

  it('keeps at most MAX_SESSIONS_PER_USER live sessions, evicting the oldest', async () => {
    const { cookie: oldest, username } = await signup(app);
    const second = await login(app, username);
    const third = await login(app, username);
    const newest = await login(app, username);
    expect((await app.http().get('/auth/me').set(...asCookie(oldest))).status).toBe(401);
    for (const cookie of [second, third, newest]) {
      expect((await app.http().get('/auth/me').set(...asCookie(cookie))).status).toBe(200);
    }
    const sessions = await app.http().get('/auth/sessions').set(...asCookie(newest));
    expect(sessions.body).toHaveLength(3);
  });
});
