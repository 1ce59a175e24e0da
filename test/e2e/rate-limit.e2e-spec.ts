import { TestApp, startTestApp } from '../support/app';
import { storesUnderTest } from '../support/stores';
import { PASSWORD, asCookie, signup } from '../support/users';

describe.each(storesUnderTest().map((store) => [store.name, store] as const))('rate limits on %s', (_name, store) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp(store, { RATE_LIMIT_LOGIN: '3', RATE_LIMIT_REFRESH: '2', RATE_LIMIT_WINDOW: '60s' });
  });
  afterAll(() => app.close());

  it('answers 429 with Retry-After once a client passes the login limit', async () => {
    const statuses: number[] = [];
    let last;
    for (let i = 0; i < 4; i++) {
      last = await app.http().post('/auth/login').send({ username: 'nobody-here', password: PASSWORD });
      statuses.push(last.status);
    }
    expect(statuses).toEqual([401, 401, 401, 429]);
    expect(Number(last!.headers['retry-after'])).toBeGreaterThan(0);
    expect(last!.body).toEqual({ statusCode: 429, error: 'Too Many Requests', message: expect.stringMatching(/Too many attempts/) });
  });

  it('limits refresh separately, and leaves other routes alone', async () => {
    const me = await signup(app);
    let cookie = me.cookie;
    const first = await app.http().post('/auth/refresh').set(...asCookie(cookie));
    expect(first.status).toBe(200);
    const second = await app.http().post('/auth/refresh').set(...asCookie(cookie));
    expect(second.status).toBe(200); // grace: same successor
    const third = await app.http().post('/auth/refresh').set(...asCookie(cookie));
    expect(third.status).toBe(429);
    expect(third.headers['retry-after']).toBeDefined();
    for (let i = 0; i < 5; i++) expect((await app.http().get('/auth/me').set(...asCookie(cookie))).status).toBe(200);
    cookie = me.cookie;
  });
});
