import { TestApp, startTestApp } from '../support/app';
import { authCookieOf, isCleared } from '../support/cookies';
import { describeOnEachStore } from '../support/stores';
import { PASSWORD, asCookie, signup } from '../support/users';

const OLD = `old:${'o'.repeat(40)}`;
const NEW = `new:${'n'.repeat(40)}`;
const kid = (token: string) => JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString()).kid as string;

describeOnEachStore('signing-key rotation', (store) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp(store, { JWT_ACCESS_KEYS: OLD });
  });
  afterAll(() => app.close());

  it('rotates keys without signing anyone out', async () => {
    const me = await signup(app);
    expect(kid(me.cookie.token)).toBe('old');

    // 1. A new key in front: new tokens use it, old tokens keep working until they expire.
    app = await app.restart({ JWT_ACCESS_KEYS: `${NEW},${OLD}` });
    expect((await app.http().get('/auth/me').set(...asCookie(me.cookie))).status).toBe(200);
    const fresh = await app.http().post('/auth/login').send({ username: me.username, password: PASSWORD });
    expect(kid(authCookieOf(fresh).token)).toBe('new');

    // 2. The old key dropped: its tokens are refused, but the session survives a refresh.
    app = await app.restart({ JWT_ACCESS_KEYS: NEW });
    const refused = await app.http().get('/auth/me').set(...asCookie(me.cookie));
    expect(refused.status).toBe(401);
    const refreshed = await app.http().post('/auth/refresh').set(...asCookie(me.cookie));
    expect(refreshed.status).toBe(200);
    const renewed = authCookieOf(refreshed);
    expect(kid(renewed.token)).toBe('new');
    expect((await app.http().get('/auth/me').set(...asCookie(renewed))).status).toBe(200);
  });

  it('still refuses a dropped key’s refresh when the refresh token is not the session’s', async () => {
    app = await app.restart({ JWT_ACCESS_KEYS: OLD });
    const me = await signup(app);
    const rotated = authCookieOf(await app.http().post('/auth/refresh').set(...asCookie(me.cookie)));
    app = await app.restart({ JWT_ACCESS_KEYS: NEW });
    const bogus = await app.http().post('/auth/refresh').set(...asCookie({ token: me.cookie.token, refreshToken: 'Z'.repeat(43) }));
    expect(bogus.status).toBe(401);
    expect(isCleared(bogus)).toBe(true);
    expect((await app.http().post('/auth/refresh').set(...asCookie(rotated))).status).toBe(200);
  });

  it('never lets an unsigned or kid-less JWT ride along with a real refresh token', async () => {
    const me = await signup(app);
    const [, payload] = me.cookie.token.split('.');
    const header = (h: object) => Buffer.from(JSON.stringify(h)).toString('base64url');
    const forgeries = [
      `${header({ alg: 'none', typ: 'JWT' })}.${payload}.`,
      `${header({ alg: 'none', typ: 'JWT', kid: 'gone' })}.${payload}.${'A'.repeat(43)}`,
      `${header({ alg: 'HS256', typ: 'JWT' })}.${payload}.${'A'.repeat(43)}`,
    ];
    for (const token of forgeries) {
      const res = await app.http().post('/auth/refresh').set(...asCookie({ token, refreshToken: me.cookie.refreshToken }));
      expect(res.status).toBe(401);
    }
    expect((await app.http().get('/auth/me').set(...asCookie(me.cookie))).status).toBe(200);
  });

  it('refuses a dropped-key JWT that names another session than the refresh token’s', async () => {
    const me = await signup(app);
    const other = await signup(app);
    const [, otherPayload] = other.cookie.token.split('.');
    const header = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: 'gone' })).toString('base64url');
    const mixed = { token: `${header}.${otherPayload}.${'A'.repeat(43)}`, refreshToken: me.cookie.refreshToken };
    expect((await app.http().post('/auth/refresh').set(...asCookie(mixed))).status).toBe(401);
  });

  it('refuses a token whose kid names no key, on every access route', async () => {
    const me = await signup(app);
    const [, payload, signature] = me.cookie.token.split('.');
    const header = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: 'nobody' })).toString('base64url');
    const forged = { ...me.cookie, token: `${header}.${payload}.${signature}` };
    const res = await app.http().get('/auth/me').set(...asCookie(forged));
    expect(res.status).toBe(401);
  });
});
