import { TestApp, startTestApp } from '../support/app';
import { deviceCookieOf } from '../support/device-cookie';
import { describeOnEachStore } from '../support/stores';
import { PASSWORD, asCookie, signup, uniqueName } from '../support/users';

describeOnEachStore('every password check is counted, and every refresh', (store) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp(store, {
      TRUST_PROXY: '1',
      RATE_LIMIT_LOGIN: '5',
      RATE_LIMIT_REFRESH: '3',
      RATE_LIMIT_WINDOW: '60s',
      LOGIN_MAX_FAILURES: '3',
      LOGIN_FAILURE_WINDOW: '60s',
      LOGIN_LOCKOUT: '60s',
    });
  });
  afterAll(() => app.close());

  let address = 0;
  const newAddress = () => `203.0.113.${++address % 250}`;

  it("shares the account's failure count between PATCH /users/:id currentPassword and login", async () => {
    const user = await signup(app);
    const patch = (currentPassword: string) =>
      app.http().patch(`/users/${user.id}`).set('X-Forwarded-For', newAddress()).set(...asCookie(user.cookie)).send({ password: 'a brand new password', currentPassword });
    for (let i = 0; i < 3; i++) expect((await patch(`stolen-cookie guess ${i}`)).status).toBe(403);
    const locked = await patch(PASSWORD);
    expect(locked.status).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    expect(locked.body.message).toMatch(/Too many wrong passwords for this account/);
    // The same count: a login without the owner's device cookie is locked too.
    const login = await app.http().post('/auth/login').set('X-Forwarded-For', newAddress()).send({ username: user.username, password: PASSWORD });
    expect(login.status).toBe(401);
    // The owner's browser still proves the password with its device cookie, and nothing was changed meanwhile.
    const owner = await app.http().post('/auth/login').set('X-Forwarded-For', newAddress()).set('Cookie', deviceCookieOf(user.res)).send({ username: user.username, password: PASSWORD });
    expect(owner.status).toBe(200);
  });

  it('counts PATCH /users/:id in the credential rate limit of its client address', async () => {
    const user = await signup(app);
    const from = newAddress();
    const statuses = [];
    for (let i = 0; i < 6; i++) {
      statuses.push((await app.http().patch(`/users/${user.id}`).set('X-Forwarded-For', from).set(...asCookie(user.cookie)).send({ name: `Name ${i}` })).status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    expect((await app.http().post('/auth/login').set('X-Forwarded-For', from).send({ username: uniqueName(), password: PASSWORD })).status).toBe(429);
  });

  it('counts refreshes that fail (no cookie, a garbled one) toward the refresh limit', async () => {
    const from = newAddress();
    const refresh = () => app.http().post('/auth/refresh').set('X-Forwarded-For', from).set('Cookie', 'auth-cookie=garbage; __Host-access=garbage');
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await refresh()).status);
    statuses.push((await app.http().post('/auth/refresh').set('X-Forwarded-For', from)).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
  });
});

describeOnEachStore('bounded password work', (store) => {
  let app: TestApp;
  beforeAll(async () => {
    // Real bcrypt cost, so that checks overlap; one at a time at most.
    app = await startTestApp(store, { TRUST_PROXY: '1', BCRYPT_COST: '12', MAX_PENDING_PASSWORD_CHECKS: '1', LOGIN_MAX_FAILURES: '8' });
  });
  afterAll(() => app.close());

  it('answers 503 with Retry-After at once past MAX_PENDING_PASSWORD_CHECKS, never queues without end or fails with 500', async () => {
    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        app.http().post('/auth/login').set('X-Forwarded-For', `192.0.2.${i + 1}`).send({ username: uniqueName(), password: PASSWORD }),
      ),
    );
    const statuses = answers.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 401).length).toBeGreaterThanOrEqual(1);
    const busy = answers.filter((r) => r.status === 503);
    expect(busy.length).toBeGreaterThanOrEqual(1);
    expect(statuses.every((s) => s === 401 || s === 503)).toBe(true);
    for (const res of busy) {
      expect(res.headers['retry-after']).toBe('1');
      expect(res.body).toEqual({ statusCode: 503, error: 'Service Unavailable', message: 'Too many sign-ins in progress; try again in a moment' });
    }
  });

  it("gives back the lockout slot of a check that a 503 kept from running: busy answers do not lock the owner's account", async () => {
    const owner = await signup(app);
    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        app.http().post('/auth/login').set('X-Forwarded-For', `192.0.2.${i + 101}`).send({ username: owner.username, password: `guess ${i}` }),
      ),
    );
    expect(answers.filter((r) => r.status === 503).length).toBeGreaterThanOrEqual(1);
    expect(answers.every((r) => r.status === 401 || r.status === 503)).toBe(true);
    // Only the checks that ran count (cap 8): at most 5 of the 6, plus 2 more, plus the right one fit;
    // had the 503s kept their slots too, the right password would be the 9th take: locked.
    const login = (password: string, i: number) =>
      app.http().post('/auth/login').set('X-Forwarded-For', `192.0.2.${i + 201}`).send({ username: owner.username, password });
    for (let i = 0; i < 2; i++) expect((await login(`later guess ${i}`, i)).status).toBe(401);
    expect((await login(PASSWORD, 2)).status).toBe(200);
  });
});
