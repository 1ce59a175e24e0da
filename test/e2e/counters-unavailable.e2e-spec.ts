import Database from 'better-sqlite3';
import { join } from 'node:path';
import { TestApp, startTestApp } from '../support/app';
import { storesUnderTest } from '../support/stores';
import { PASSWORD, asCookie, signup, uniqueName } from '../support/users';

const sqlite = storesUnderTest().find((store) => store.name === 'sqlite');

// The counters table vanishing under a running service (someone's manual clean-up, a bad
// migration) stands for any failure of the counters alone: SQLite is the store where one table
// can fail while the rest answers. A MongoDB outage as a whole is the faults suite's scenario.
(sqlite ? describe : describe.skip)('when the counters cannot be reached, on sqlite (the MongoDB run: faults suite)', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp(sqlite!);
  });
  afterAll(() => app.close());

  it('fails closed on the credential routes and refresh (503, never 500) and keeps access routes working', async () => {
    const user = await signup(app);
    const file = new Database(join(app.env.DATA_DIR!, 'nest-cookie-auth.sqlite'));
    file.exec('DROP TABLE counters');
    file.close();

    const unavailable = { statusCode: 503, error: 'Service Unavailable', message: 'The data store is unavailable; try again shortly' };
    const login = await app.http().post('/auth/login').send({ username: user.username, password: PASSWORD });
    expect([login.status, login.body]).toEqual([503, unavailable]);
    expect(login.headers['set-cookie']).toBeUndefined();
    const signupAttempt = await app.http().post('/auth/signup').send({ username: uniqueName(), password: PASSWORD });
    expect([signupAttempt.status, signupAttempt.body]).toEqual([503, unavailable]);
    const form = await app.http().post('/pages/login').type('form').send({ username: user.username, password: PASSWORD });
    expect(form.status).toBe(503);
    const patch = await app.http().patch(`/users/${user.id}`).set(...asCookie(user.cookie)).send({ password: 'another password', currentPassword: PASSWORD });
    expect([patch.status, patch.body]).toEqual([503, unavailable]);

    expect((await app.http().get('/auth/me').set(...asCookie(user.cookie))).status).toBe(200);
    const refresh = await app.http().post('/auth/refresh').set(...asCookie(user.cookie));
    expect([refresh.status, refresh.body]).toEqual([503, unavailable]);
    expect(refresh.headers['set-cookie']).toBeUndefined(); // the session is not thrown away for our outage
  });
});

describe('the OpenAPI UI and document in production', () => {
  const production = { NODE_ENV: 'production', JWT_ACCESS_SECRET: 'p'.repeat(40), REFRESH_TOKEN_SECRET: 'q'.repeat(40) };
  let app: TestApp;
  afterEach(() => app.close());

  it('are off by default', async () => {
    app = await startTestApp(storesUnderTest()[0], production);
    expect((await app.http().get('/docs-json')).status).toBe(404);
    expect((await app.http().get('/docs')).status).toBe(404);
  });

  it('are on with OPENAPI_DOCS=true', async () => {
    app = await startTestApp(storesUnderTest()[0], { ...production, OPENAPI_DOCS: 'true' });
    expect((await app.http().get('/docs-json')).status).toBe(200);
  });
});
