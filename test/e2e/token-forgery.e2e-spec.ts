import { TestApp, startTestApp } from '../support/app';
import { AuthCookieValue, authCookieOf, isCleared } from '../support/cookies';
import { handMadeJwt, headerOf, payloadOf } from '../support/jwt';
import { describeOnEachStore } from '../support/stores';
import { asCookie, signup } from '../support/users';

const SECRET = 'k'.repeat(40);
const RETIRED_SECRET = 'r'.repeat(40);
const ISSUER = 'nest-cookie-auth';

/**
 * JWTs nobody holding our keys could have signed, or that we would never sign, each presented
 * with the session's real refresh token: none may refresh (401, cookie cleared) or pass an access
 * route, and none may disturb the real session.
 */
describeOnEachStore('forged and malformed access tokens', (store) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp(store, { JWT_ACCESS_KEYS: `cur:${SECRET}`, JWT_RETIRED_KEYS: `was:${RETIRED_SECRET}` });
  });
  afterAll(() => app.close());

  /** The session's real claims, re-signed (or not) as the case says. */
  const claimsOf = (cookie: AuthCookieValue) => {
    const { sub, sid, iat, exp, auth_time: authTime } = payloadOf(cookie.token) as Record<string, number | string>;
    return { sub, sid, iat, exp, auth_time: authTime, iss: ISSUER, aud: ISSUER };
  };

  const expectRefused = async (me: { cookie: AuthCookieValue }, token: string) => {
    const refresh = await app.http().post('/auth/refresh').set(...asCookie({ token, refreshToken: me.cookie.refreshToken }));
    expect({ status: refresh.status, cleared: isCleared(refresh) }).toEqual({ status: 401, cleared: true });
    const access = await app.http().get('/auth/me').set(...asCookie({ token, refreshToken: me.cookie.refreshToken }));
    expect(access.status).toBe(401);
    // The real session is untouched: nothing was rotated, nothing revoked.
    expect((await app.http().post('/auth/refresh').set(...asCookie(me.cookie))).status).toBe(200);
  };

  it('refuses an unsigned JWT naming an attacker-chosen kid, iss and aud, even beside a real refresh token', async () => {
    const me = await signup(app);
    const claims = { ...claimsOf(me.cookie), iss: 'evil', aud: 'evil' };
    await expectRefused(me, handMadeJwt({ alg: 'HS256', typ: 'JWT', kid: 'attacker-chosen' }, claims, null));
  });

  it.each([
    ['alg none', { alg: 'none', typ: 'JWT', kid: 'cur' }, null],
    ['no kid', { alg: 'HS256', typ: 'JWT' }, SECRET],
    ['a kid we never held', { alg: 'HS256', typ: 'JWT', kid: 'gone' }, SECRET],
    ['the right kid but another secret', { alg: 'HS256', typ: 'JWT', kid: 'cur' }, 'x'.repeat(40)],
    ['a retired kid but another secret', { alg: 'HS256', typ: 'JWT', kid: 'was' }, 'x'.repeat(40)],
    ['alg HS512 under the right secret', { alg: 'HS512', typ: 'JWT', kid: 'cur' }, SECRET],
    ['the kid named twice', '{"alg":"HS256","typ":"JWT","kid":"gone","kid":"cur"}', SECRET],
    ['a header that is not JSON', '{"alg":"HS256","kid":"cur"', SECRET],
    ['a header field we do not know (jku)', { alg: 'HS256', typ: 'JWT', kid: 'cur', jku: 'https://evil.example/keys' }, SECRET],
    ['a crit header', { alg: 'HS256', typ: 'JWT', kid: 'cur', crit: ['exp'] }, SECRET],
    ['alg in lower case', { alg: 'hs256', typ: 'JWT', kid: 'cur' }, SECRET],
    ['an escaped second kid', '{"alg":"HS256","typ":"JWT","kid":"gone","k\\u0069d":"cur"}', SECRET],
  ])('refuses a JWT with %s', async (_case, header, secret) => {
    const me = await signup(app);
    await expectRefused(me, handMadeJwt(header, claimsOf(me.cookie), secret));
  });

  it.each([
    ['iss', { iss: 'evil' }],
    ['aud', { aud: 'evil' }],
    ['auth_time in the future', { auth_time: Math.floor(Date.now() / 1000) + 3600 }],
    ['auth_time as a string', { auth_time: 'yesterday' }],
    ['sid as a number', { sid: 42 }],
    ['nbf in the future', { nbf: Math.floor(Date.now() / 1000) + 3600 }],
    ['an audience list that includes ours', { aud: ['evil', ISSUER] }],
  ])('refuses a JWT signed with our own key but a wrong %s', async (_case, change) => {
    const me = await signup(app);
    await expectRefused(me, handMadeJwt({ alg: 'HS256', typ: 'JWT', kid: 'cur' }, { ...claimsOf(me.cookie), ...change }, SECRET));
  });

  it('refreshes a genuine JWT under a retired key, and signs the new one with the current key', async () => {
    const me = await signup(app);
    const underRetired = handMadeJwt({ alg: 'HS256', typ: 'JWT', kid: 'was' }, claimsOf(me.cookie), RETIRED_SECRET);
    const access = await app.http().get('/auth/me').set(...asCookie({ ...me.cookie, token: underRetired }));
    expect(access.status).toBe(401);
    const refresh = await app.http().post('/auth/refresh').set(...asCookie({ ...me.cookie, token: underRetired }));
    expect(refresh.status).toBe(200);
    expect(headerOf(authCookieOf(refresh).token).kid).toBe('cur');
  });
});
