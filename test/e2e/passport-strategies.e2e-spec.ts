import passport from 'passport';
import { TestApp, startTestApp } from '../support/app';
import { AuthCookieValue, COOKIE_LAYOUT, COOKIE_NAME, REFRESH_COOKIE_NAME } from '../support/cookies';
import { payloadOf } from '../support/jwt';
import { describeOnEachStore } from '../support/stores';
import { signup } from '../support/users';

/** What cookie-parser makes of the cookie the service set, in either layout. */
function parsedCookies(value: AuthCookieValue): Record<string, unknown> {
  return COOKIE_LAYOUT === 'split' ? { [COOKIE_NAME]: value.token, [REFRESH_COOKIE_NAME]: value.refreshToken } : { [COOKIE_NAME]: value };
}

/** Runs a registered passport strategy on a request, as `AuthGuard(name)` would. */
function authenticate(name: string, cookies: Record<string, unknown>): Promise<{ error?: Error; user?: unknown }> {
  return new Promise((resolve) => {
    passport.authenticate(name, { session: false }, (error: Error | null, user: unknown) => resolve({ error: error ?? undefined, user }))(
      { cookies, headers: {} },
      {},
      () => undefined,
    );
  });
}

/**
 * The `jwt` and `jwt-refresh` passport strategies, for apps that guard routes with
 * AuthGuard('jwt') or AuthGuard('jwt-refresh'): they answer exactly what the Authenticator does.
 */
describeOnEachStore('passport strategies', (store) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp(store);
  });
  afterAll(() => app.close());

  it("'jwt' gives the caller of a live session, and the Authenticator's reason otherwise", async () => {
    const me = await signup(app);
    const { sid, auth_time: authTime } = payloadOf(me.cookie.token);
    expect(await authenticate('jwt', parsedCookies(me.cookie))).toEqual({ error: undefined, user: { userId: me.id, sessionId: sid, authTime } });

    const forged = await authenticate('jwt', parsedCookies({ ...me.cookie, token: `${me.cookie.token.slice(0, -4)}AAAA` }));
    expect(forged.error?.message).toBe('Not signed in: the auth cookie is missing or invalid');
    expect((await authenticate('jwt', {})).error?.message).toBe('Not signed in');
  });

  it("'jwt-refresh' finds the refresh record's caller, and refuses a refresh token that is not the session's", async () => {
    const me = await signup(app);
    const found = await authenticate('jwt-refresh', parsedCookies(me.cookie));
    expect(found.user).toEqual(expect.objectContaining({ userId: me.id, sessionId: payloadOf(me.cookie.token).sid, refreshToken: me.cookie.refreshToken }));
    const other = await signup(app);
    const mixed = await authenticate('jwt-refresh', parsedCookies({ ...me.cookie, refreshToken: other.cookie.refreshToken }));
    expect(mixed.error?.message).toBe('Your session has ended; sign in again');
  });
});
