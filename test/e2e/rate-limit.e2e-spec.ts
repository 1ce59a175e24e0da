import { TestApp, startTestApp } from '../support/app';
import { authCookieOf } from '../support/cookies';
import { describeOnEachStore } from '../support/stores';
import { PASSWORD, asCookie, signup } from '../support/users';

describeOnEachStore('rate limits', (store) => {
  let app: TestApp;
  let me: Awaited<ReturnType<typeof signup>>;
  beforeAll(async () => {
    app = await startTestApp(store, { RATE_LIMIT_LOGIN: '4', RATE_LIMIT_REFRESH: '2', RATE_LIMIT_WINDOW: '60s' });
    me = await signup(app); // signup and login share one "credentials" counter: this is 1 of 4
  });
  afterAll(() => app.close());

  it('answers 429 with Retry-After once a client passes the login limit, on every route that checks a password', async () => {
    const statuses: number[] = [];
    let last;
    for (let i = 0; i < 4; i++) {
      last = await app.http().post('/auth/login').send({ username: 'nobody-here', password: PASSWORD });
      statuses.push(last.status);
    }
    expect(statuses).toEqual([401, 401, 401, 429]);
    expect(Number(last!.headers['retry-after'])).toBeGreaterThan(0);
    expect(last!.body).toEqual({ statusCode: 429, error: 'Too Many Requests', message: expect.stringMatching(/Too many attempts/) });
    expect((await app.http().post('/auth/signup').send({ username: 'late-comer', password: PASSWORD })).status).toBe(429);
    expect((await app.http().post('/pages/login').type('form').send({ username: 'x', password: PASSWORD })).status).toBe(429);
    // Signed in, yet a password check all the same: re-authentication and a password change.
    expect((await app.http().post('/auth/reauth').set(...asCookie(me.cookie)).send({ password: PASSWORD })).status).toBe(429);
    expect((await app.http().patch(`/users/${me.id}`).set(...asCookie(me.cookie)).send({ password: 'another long one', currentPassword: PASSWORD })).status).toBe(429);
  });

  it('limits refresh on a counter of its own, per client whatever the cookie, and leaves other routes alone', async () => {
    // The test above spent this client's credentials limit; refresh is not held back by it.
    expect((await app.http().post('/auth/login').send({ username: me.username, password: PASSWORD })).status).toBe(429);
    const first = await app.http().post('/auth/refresh').set(...asCookie(me.cookie));
    expect(first.status).toBe(200);
    const rotated = authCookieOf(first);
    const second = await app.http().post('/auth/refresh').set(...asCookie(rotated));
    expect(second.status).toBe(200);
    const newest = authCookieOf(second);
    // A fresh cookie does not reset the count: the limit is the client's, not the session's.
    const third = await app.http().post('/auth/refresh').set(...asCookie(newest));
    expect(third.status).toBe(429);
    expect(Number(third.headers['retry-after'])).toBeGreaterThan(0);
    for (let i = 0; i < 5; i++) expect((await app.http().get('/auth/me').set(...asCookie(newest))).status).toBe(200);
  });
});
