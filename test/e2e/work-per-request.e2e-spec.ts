import { jest } from '@jest/globals';
import { AuthCookie } from '../../src/auth/cookies/auth-cookie';
import { AccessTokens } from '../../src/auth/tokens/access-tokens';
import { TestApp, startTestApp } from '../support/app';
import { AuthCookieValue, CSRF_MODE, authCookieOf, setCookieLine } from '../support/cookies';
import { CSRF_COOKIE } from '../support/csrf';
import { describeOnEachStore } from '../support/stores';
import { asCookie, login, signup } from '../support/users';

/**
 * The hot paths do each piece of work once: a request's JWT is checked (its header parsed for the
 * kid, its signature verified) at most once, and the cookie is read once, whichever guards ask
 * about it (the CSRF token's session binding, the access or refresh guard, the handler).
 */
describeOnEachStore('work per request', (store) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp(store);
  });
  afterAll(() => app.close());

  /** Calls of AccessTokens.verify, and parses of the session cookies, during `request`. */
  async function counting(request: () => Promise<unknown>) {
    const verify = jest.spyOn(AccessTokens.prototype, 'verify');
    // The private reader behind AuthCookie.read() and accessToken(), which remember per request.
    const parse = jest.spyOn(AuthCookie.prototype as unknown as Record<'parse', () => unknown>, 'parse');
    try {
      await request();
      return { verifies: verify.mock.calls.length, reads: parse.mock.calls.length };
    } finally {
      jest.restoreAllMocks();
    }
  }

  it('a cache-missing access request: one cookie read, one JWT check', async () => {
    const user = await signup(app);
    const cookie = await login(app, user.username); // a token this process has not verified yet
    const counted = await counting(() => app.http().get('/auth/me').set(...asCookie(cookie)).expect(200));
    expect(counted).toEqual({ verifies: 1, reads: 1 });
    const again = await counting(() => app.http().get('/auth/me').set(...asCookie(cookie)).expect(200));
    expect(again).toEqual({ verifies: 0, reads: 1 }); // remembered
  });

  /** The refresh request's headers; with CSRF_MODE=double-submit its token is fetched first, outside the count. */
  async function refreshHeaders(cookie: AuthCookieValue): Promise<Record<string, string>> {
    const [, sent] = asCookie(cookie);
    if (CSRF_MODE !== 'double-submit') return { Cookie: sent };
    const csrf = await app.http().get('/auth/csrf').set('Cookie', sent).expect(200);
    return { Cookie: `${sent}; ${setCookieLine(csrf, CSRF_COOKIE)!.split(';')[0]}`, 'X-CSRF-Token': csrf.body.csrfToken as string };
  }

  it('a refresh: one cookie read, one JWT check (the kid parsed once), in either CSRF mode', async () => {
    const user = await signup(app);
    const headers = await refreshHeaders(user.cookie);
    let refreshed;
    const counted = await counting(async () => {
      refreshed = await app.http().post('/auth/refresh').set(headers).expect(200);
    });
    expect(authCookieOf(refreshed!).refreshToken).not.toBe(user.cookie.refreshToken);
    // With CSRF_MODE=double-submit, fetching the CSRF token (bound to the session) checked it already.
    expect(counted).toEqual({ verifies: CSRF_MODE === 'double-submit' ? 0 : 1, reads: 1 });
  });
});
