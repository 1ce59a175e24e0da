/**
 * Bad cookies, mismatched: on POST /auth/refresh the refresh record decides, and the JWT beside it
 * must match it. Another user's or another session's refresh token, or one that was never issued
 * or has the wrong shape, is a 401 that clears the cookie, and the genuine sessions are unharmed.
 * Shared setup: test/support/bad-cookies.ts.
 */
import { randomBytes } from 'node:crypto';
import { badCookiesApp } from '../support/bad-cookies';
import { cookieHeader, isCleared } from '../support/cookies';
import { describeOnEachStore } from '../support/stores';

describeOnEachStore('bad cookies', (store) => {
  const { alice, bob, liveSession, refresh, expect401, stillWorks } = badCookiesApp(store);

  describe('the refresh record decides, and the JWT must match it', () => {
    it('a valid JWT of user A beside the refresh token of user B is a 401, and neither session is harmed', async () => {
      const a = await liveSession(alice);
      const b = await liveSession(bob);
      for (const mixed of [
        { token: a.cookie.token, refreshToken: b.cookie.refreshToken },
        { token: b.cookie.token, refreshToken: a.cookie.refreshToken },
      ]) {
        const res = await refresh(cookieHeader(mixed));
        expect401(res);
        expect(isCleared(res)).toBe(true);
      }
      await stillWorks(a);
      await stillWorks(b);
    });

    it('a valid JWT beside the refresh token of another session of the same user is a 401', async () => {
      const first = await liveSession(alice);
      const second = await liveSession(alice);
      const res = await refresh(cookieHeader({ token: first.cookie.token, refreshToken: second.cookie.refreshToken }));
      expect401(res);
      expect(isCleared(res)).toBe(true);
      await stillWorks(first);
      await stillWorks(second);
    });

    it('a refresh token of the right shape that was never issued is a 401', async () => {
      const a = await liveSession(alice);
      const neverIssued = randomBytes(64).toString('base64').replace(/[^0-9A-Za-z]/g, '').slice(0, 43);
      expect(neverIssued).toMatch(/^[0-9A-Za-z]{43}$/);
      for (const refreshToken of [neverIssued, 'Z'.repeat(43), `${a.cookie.refreshToken.slice(0, -1)}${a.cookie.refreshToken.endsWith('A') ? 'B' : 'A'}`]) {
        const res = await refresh(cookieHeader({ token: a.cookie.token, refreshToken }));
        expect401(res);
        expect(isCleared(res)).toBe(true);
      }
      await stillWorks(a);
    });

    it('a refresh token of the wrong shape is a 401', async () => {
      const a = await liveSession(alice);
      for (const refreshToken of ['', 'x', `${a.cookie.refreshToken}A`, a.cookie.refreshToken.replace(/.$/, '-'), ' '.repeat(43), 'Z'.repeat(4096)]) {
        const res = await refresh(cookieHeader({ token: a.cookie.token, refreshToken }));
        expect401(res);
        expect(isCleared(res)).toBe(true);
      }
      await stillWorks(a);
    });
  });
});
