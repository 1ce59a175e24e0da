import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../src/app.factory';
import { TestApp, startTestApp } from '../support/app';
import { authCookieOf } from '../support/cookies';
import { describeOnEachStore } from '../support/stores';
import { PASSWORD, asCookie, signup } from '../support/users';

describeOnEachStore('health and restarts', (store) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp(store);
  });
  afterAll(() => app.close());

  it('reports the store as up', async () => {
    const res = await app.http().get('/health');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ok', info: { store: { status: 'up' } } });
  });

  it('keeps users, sessions and secrets across a restart on the same data', async () => {
    const me = await signup(app);
    const before = await app.http().get('/auth/me').set(...asCookie(me.cookie));
    expect(before.status).toBe(200);

    app = await app.restart();

    expect((await app.http().get('/auth/me').set(...asCookie(me.cookie))).body).toEqual(before.body); // same secret verifies the JWT
    const rotated = await app.http().post('/auth/refresh').set(...asCookie(me.cookie)); // same session record
    expect(rotated.status).toBe(200);
    expect((await app.http().get('/auth/me').set(...asCookie(authCookieOf(rotated)))).status).toBe(200);
    expect((await app.http().post('/auth/login').send({ username: me.username, password: PASSWORD })).status).toBe(200);
  });
});

describe('start-up in production', () => {
  it('refuses to start without strong secrets, naming the variables', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'nca-prod-'));
    try {
      await expect(createApp({ env: { NODE_ENV: 'production', DATA_DIR: dataDir, MONGODB_URI: '' }, ignoreEnvFile: true })).rejects.toThrow(
        /Invalid configuration:[\s\S]*JWT_ACCESS_SECRET \(or JWT_ACCESS_KEYS\) is required[\s\S]*REFRESH_TOKEN_SECRET is required/,
      );
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
