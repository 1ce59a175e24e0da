import { setTimeout as sleep } from 'node:timers/promises';
import { TestApp, startTestApp } from '../support/app';
import { describeOnEachStore } from '../support/stores';
import { PASSWORD, signup, uniqueName } from '../support/users';


describeOnEachStore('per-account brute-force defence', (store) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp(store, {
      TRUST_PROXY: '1', // one proxy hop: each attempt comes "from" another address via X-Forwarded-For
      RATE_LIMIT_LOGIN: '2',
      LOGIN_MAX_FAILURES: '3',
      LOGIN_FAILURE_WINDOW: '60s',
      LOGIN_LOCKOUT: '2s',
    });
  });
  afterAll(() => app.close());

  let ip = 0;
  const fromNewIp = (username: string, password: string) =>
    app.http().post('/auth/login').set('X-Forwarded-For', `203.0.113.${++ip % 250}`).send({ username, password });

  it('locks an account attacked from many IPs, answering exactly like a wrong password', async () => {
    const victim = await signup(app);
    const wrong = [];
    for (let i = 0; i < 3; i++) wrong.push(await fromNewIp(victim.username, `guess number ${i}`));
    expect(wrong.map((r) => r.status)).toEqual([401, 401, 401]); // the per-IP limit (2) never trips

    const rightButLocked = await fromNewIp(victim.username, PASSWORD);
    expect(rightButLocked.status).toBe(401);
    expect(rightButLocked.body).toEqual(wrong[0].body);
    expect(rightButLocked.headers['set-cookie']).toBeUndefined();

    await sleep(2100);
    expect((await fromNewIp(victim.username, PASSWORD)).status).toBe(200);
  });

  it('treats unknown accounts the same way, so locking reveals nothing about existence', async () => {
    const ghost = uniqueName('ghost');
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await fromNewIp(ghost, `guess ${i}`));
    expect(new Set(answers.map((r) => `${r.status} ${JSON.stringify(r.body)}`)).size).toBe(1);
  });

  it('gives back only the slot of a right password: earlier failures still count in the window', async () => {
    const user = await signup(app);
    for (let i = 0; i < 2; i++) expect((await fromNewIp(user.username, 'wrong password')).status).toBe(401);
    for (let i = 0; i < 3; i++) expect((await fromNewIp(user.username, PASSWORD)).status).toBe(200); // 2 failures + 1 slot, given back each time
    expect((await fromNewIp(user.username, 'wrong password')).status).toBe(401); // the third check: the cap
    expect((await fromNewIp(user.username, PASSWORD)).status).toBe(401); // past the cap: locked, the right password too
  });

  it('still applies the per-IP limit to one address', async () => {
    const statuses = [];
    for (let i = 0; i < 3; i++) {
      statuses.push((await app.http().post('/auth/login').set('X-Forwarded-For', '198.51.100.7').send({ username: uniqueName(), password: PASSWORD })).status);
    }
    expect(statuses).toEqual([401, 401, 429]);
  });
});
