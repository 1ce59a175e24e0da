import { TestApp, startTestApp } from '../support/app';
import { deviceCookieOf, withValue } from '../support/device-cookie';
import { describeOnEachStore } from '../support/stores';
import { PASSWORD, signup } from '../support/users';

const INVALID = JSON.stringify({ statusCode: 401, error: 'Unauthorized', message: 'Invalid credentials' });

describeOnEachStore('device cookies: owners keep signing in while an attacker locks their username', (store) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp(store, { TRUST_PROXY: '1', LOGIN_MAX_FAILURES: '3', LOGIN_FAILURE_WINDOW: '60s', LOGIN_LOCKOUT: '60s' });
  });
  afterAll(() => app.close());

  let address = 0;
  const login = (username: string, password: string, cookie?: string) => {
    const req = app.http().post('/auth/login').set('X-Forwarded-For', `198.51.100.${++address % 250}`);
    return (cookie ? req.set('Cookie', cookie) : req).send({ username, password });
  };
  /** An account whose owner signed in once from their browser (which kept the device cookie), then locked by an attacker. */
  async function lockedOwner() {
    const owner = await signup(app);
    const device = deviceCookieOf(await login(owner.username, PASSWORD).expect(200));
    for (let i = 0; i < 4; i++) await login(owner.username, `attacker guess ${i}`).expect(401);
    expect((await login(owner.username, PASSWORD)).status).toBe(401); // locked for everyone without the cookie
    return { owner, device };
  }

  it('gives a signed, HttpOnly, SameSite=Strict device cookie on signup and login, and only once per browser and user', async () => {
    const user = await signup(app);
    expect(deviceCookieOf(user.res)).toMatch(/^(__Host-)?device=[\w-]{22}\.[\w-]{43}$/);
    const line = (user.res.headers['set-cookie'] as unknown as string[]).find((l) => /^(__Host-)?device=/.test(l));
    expect(line).toMatch(/; Max-Age=31536000; Path=\/; Expires=[^;]+ GMT; HttpOnly(; Secure)?; SameSite=Strict$/);
    const again = await login(user.username, PASSWORD, deviceCookieOf(user.res)).expect(200);
    expect(((again.headers['set-cookie'] as unknown as string[]) ?? []).some((l) => /^(__Host-)?device=/.test(l))).toBe(false);
  });

  it("lets the owner's browser, with its device cookie, sign in while the username is locked", async () => {
    const { owner, device } = await lockedOwner();
    const res = await login(owner.username, PASSWORD, device);
    expect(res.status).toBe(200);
    expect(res.body.user.username).toBe(owner.username);
  });

  it('counts a device on its own: its own wrong guesses lock that device, not others', async () => {
    const { owner, device } = await lockedOwner();
    for (let i = 0; i < 4; i++) await login(owner.username, `typo ${i}`, device).expect(401);
    expect((await login(owner.username, PASSWORD, device)).status).toBe(401);
  });

  it('treats a device cookie of another user, a forged, garbled or truncated one as none at all', async () => {
    const { owner, device } = await lockedOwner();
    const other = await signup(app);
    const otherDevice = deviceCookieOf(other.res);
    const value = device.slice(device.indexOf('=') + 1);
    const forgedMac = value.slice(0, -1) + (value.endsWith('A') ? 'B' : 'A');
    const [id] = value.split('.');
    for (const cookie of [
      otherDevice,
      withValue(device, forgedMac),
      withValue(device, `${id}.${'A'.repeat(43)}`),
      withValue(device, value.slice(0, 30)),
      withValue(device, 'j%3A%7B%22%24ne%22%3Anull%7D'),
      withValue(device, '%%%garbage'),
      withValue(device, ''),
    ]) {
      const res = await login(owner.username, PASSWORD, cookie);
      expect(`${res.status} ${JSON.stringify(res.body)}`).toBe(`401 ${INVALID}`);
    }
  });

  it('never tells which case applied: failures with a valid, another user\'s, or no device cookie answer alike', async () => {
    const user = await signup(app);
    const device = deviceCookieOf(user.res);
    const answers = await Promise.all([
      login(user.username, 'wrong one', device),
      login(user.username, 'wrong one', deviceCookieOf((await signup(app)).res)),
      login(user.username, 'wrong one'),
    ]);
    for (const res of answers) {
      expect(`${res.status} ${JSON.stringify(res.body)}`).toBe(`401 ${INVALID}`);
      expect(res.headers['set-cookie']).toBeUndefined();
    }
    expect(new Set(answers.map((r) => Object.keys(r.headers).filter((h) => h !== 'date' && h !== 'x-request-id').sort().join()))).toHaveProperty('size', 1);
  });
});
