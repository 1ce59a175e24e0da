import { setTimeout as sleep } from 'node:timers/promises';
import { hashRefreshToken } from '../../src/auth/tokens/refresh-tokens';
import { SessionsRepository } from '../../src/sessions/sessions.repository';
import { TestApp, startTestApp } from '../support/app';
import { AuthCookieValue, authCookieOf } from '../support/cookies';
import { payloadOf } from '../support/jwt';
import { storeDump } from '../support/store-dump';
import { describeOnEachStore } from '../support/stores';
import { asCookie, signup } from '../support/users';

const SESSION_MAX_AGE_SECONDS = 1800;

/** Two rules nothing else would notice breaking: through HTTP, and in the store itself. */
describeOnEachStore('session invariants', (store) => {
  let app: TestApp;
  beforeAll(async () => {
    // The idle lifetime is longer than the absolute one, so every refresh would overshoot it if not capped.
    // ACCESS_TTL 2 s (not 1: exp is whole seconds after iat) for the access token's own expiry.
    app = await startTestApp(store, { REFRESH_TTL: '1h', SESSION_MAX_AGE: `${SESSION_MAX_AGE_SECONDS}s`, ACCESS_TTL: '2s' });
  });
  afterAll(() => app.close());

  const refresh = (cookie: AuthCookieValue) => app.http().post('/auth/refresh').set(...asCookie(cookie));
  const maxAgeOf = (res: { headers: Record<string, unknown> }) => Number(/Max-Age=(\d+)/.exec(String(res.headers['set-cookie']))![1]);

  it('never lets a refresh extend a session past SESSION_MAX_AGE: the cookie and the stored record both stop there', async () => {
    const started = Date.now();
    const { cookie, res } = await signup(app);
    expect(maxAgeOf(res)).toBeLessThanOrEqual(SESSION_MAX_AGE_SECONDS);
    const refreshed = await refresh(cookie);
    expect(refreshed.status).toBe(200);
    expect(maxAgeOf(refreshed)).toBeLessThanOrEqual(SESSION_MAX_AGE_SECONDS);

    const repository = app.app.get(SessionsRepository);
    const record = await repository.findRefreshRecord(hashRefreshToken(authCookieOf(refreshed).refreshToken));
    const session = await repository.findLive(payloadOf(cookie.token).sid as string, new Date());
    const latest = started + SESSION_MAX_AGE_SECONDS * 1000 + 1000;
    expect(record!.expiresAt.getTime()).toBeLessThanOrEqual(latest);
    expect(session!.expiresAt.getTime()).toBeLessThanOrEqual(session!.absoluteExpiresAt.getTime());
    expect(session!.absoluteExpiresAt.getTime()).toBeLessThanOrEqual(latest);
  });

  it('refuses an access token it verified (and remembered) before, once that token expires', async () => {
    const { cookie } = await signup(app);
    expect((await app.http().get('/auth/me').set(...asCookie(cookie))).status).toBe(200);
    await sleep(2200);
    const expired = await app.http().get('/auth/me').set(...asCookie(cookie));
    expect(expired.status).toBe(401);
    expect(expired.body.message).toBe('Access token expired; call POST /auth/refresh');
  });

  it('never stores a refresh token, current or retired: only its hash', async () => {
    const { cookie } = await signup(app);
    const rotated = authCookieOf(await refresh(cookie));
    const again = authCookieOf(await refresh(cookie)); // the previous token inside the grace window
    const dump = await storeDump(app.env);
    for (const token of [cookie.refreshToken, rotated.refreshToken, again.refreshToken]) {
      expect(dump).not.toContain(token);
    }
    // The dump does read the records: the hashes are there.
    expect(dump).toContain(hashRefreshToken(cookie.refreshToken));
    expect(dump).toContain(hashRefreshToken(rotated.refreshToken));
  });
});
