/**
 * Bad cookies, by shape: on GET /auth/me (access strategy) and POST /auth/refresh (refresh
 * strategy), a missing, garbled, truncated or mistyped cookie is a 401 in the standard shape, never
 * a 500; every refused refresh clears the cookie. Each test ends by showing that the genuine cookie
 * still works: the 401 comes from the bad cookie. Shared setup: test/support/bad-cookies.ts.
 */
import { badCookiesApp, Live } from '../support/bad-cookies';
import { COOKIE_NAME, cookieHeader, isCleared, rawCookieHeader } from '../support/cookies';
import { describeOnEachStore } from '../support/stores';

/** {"a":{"a":{…}}} `depth` levels deep, with `leaf` at the bottom. */
function nested(depth: number, leaf: unknown): unknown {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

describeOnEachStore('bad cookies', (store) => {
  const { alice, liveSession, me, refresh, accessHalfIntact, expect401, refusedOnBoth, stillWorks } = badCookiesApp(store);

  describe('missing, garbled and truncated cookies', () => {
    it('no cookie at all is a 401 "Not signed in"', async () => {
      await refusedOnBoth(undefined, 'Not signed in');
      await refusedOnBoth('other-cookie=1; theme=dark', 'Not signed in');
    });

    it.each([
      ['garbage', 'garbage'],
      ['j%3A%7Bnot-json', 'j%3A%7Bnot-json'],
      ['j:{not-json (unencoded)', 'j:{not-json'],
      ['j%3A (nothing after j:)', 'j%3A'],
      ['j%3Anull', 'j%3Anull'],
      ['j%3A%22a-string%22', 'j%3A%22a-string%22'],
      ['%E0%A4%A (broken percent-encoding)', '%E0%A4%A'],
      ['%00%00%00', '%00%00%00'],
      ['empty', ''],
      ['j: followed by 2000 "{"', `j%3A${'%7B'.repeat(2000)}`],
    ])('auth-cookie=%s is a 401', async (_label, raw) => {
      const a = await liveSession(alice);
      await refusedOnBoth(rawCookieHeader(raw));
      await stillWorks(a);
    });

    it('a real Set-Cookie value cut in half is a 401', async () => {
      const a = await liveSession(alice);
      const value = a.line.slice(`${COOKIE_NAME}=`.length).split(';')[0];
      await refusedOnBoth(rawCookieHeader(value.slice(0, Math.floor(value.length / 2))));
      // cut in other places: mid-escape, just before the end, and with the JSON cut but well encoded
      await refusedOnBoth(rawCookieHeader(value.slice(0, value.indexOf('%', 20) + 2)));
      await refusedOnBoth(rawCookieHeader(value.slice(0, -3)));
      const json = `j:${JSON.stringify(a.cookie)}`;
      await refusedOnBoth(rawCookieHeader(encodeURIComponent(json.slice(0, Math.floor(json.length / 2)))));
      await stillWorks(a);
    });

    it('a token or refresh token cut short inside well-formed JSON is a 401', async () => {
      const a = await liveSession(alice);
      const { token, refreshToken } = a.cookie;
      await refusedOnBoth(cookieHeader({ token: token.slice(0, -1), refreshToken }));
      await refusedOnBoth(cookieHeader({ token: token.slice(0, Math.floor(token.length / 2)), refreshToken }));
      await refusedOnBoth(cookieHeader({ token: token.split('.').slice(0, 2).join('.'), refreshToken }));
      const onRefresh = await refresh(cookieHeader({ token, refreshToken: refreshToken.slice(0, -1) }));
      expect401(onRefresh);
      expect(isCleared(onRefresh)).toBe(true);
      await stillWorks(a);
    });
  });

  describe('a j: cookie whose token or refreshToken is not a string', () => {
    type Make = (live: Live) => unknown;
    const cases: [string, Make][] = [
      ['token {"$ne": null}', (l) => ({ token: { $ne: null }, refreshToken: 'x' })],
      ['token {"$ne": null} beside the live refresh token', (l) => ({ token: { $ne: null }, refreshToken: l.cookie.refreshToken })],
      ['refreshToken {"$gt": ""}', (l) => ({ token: l.cookie.token, refreshToken: { $gt: '' } })],
      ['refreshToken {"$ne": null}', (l) => ({ token: l.cookie.token, refreshToken: { $ne: null } })],
      ['token as an array', (l) => ({ token: [l.cookie.token], refreshToken: l.cookie.refreshToken })],
      ['refreshToken as an array', (l) => ({ token: l.cookie.token, refreshToken: [l.cookie.refreshToken] })],
      ['token as a number', (l) => ({ token: 12345, refreshToken: l.cookie.refreshToken })],
      ['refreshToken as a number', (l) => ({ token: l.cookie.token, refreshToken: 12345 })],
      ['refreshToken as null', (l) => ({ token: l.cookie.token, refreshToken: null })],
      ['refreshToken as true', (l) => ({ token: l.cookie.token, refreshToken: true })],
      ['token missing', (l) => ({ refreshToken: l.cookie.refreshToken })],
      ['refreshToken missing', (l) => ({ token: l.cookie.token })],
      ['an empty object', () => ({})],
      ['a JSON array of the two', (l) => [l.cookie.token, l.cookie.refreshToken]],
      ['a JSON array holding the object', (l) => [l.cookie]],
      ['a JSON string', (l) => l.cookie.token],
      ['JSON null', () => null],
      ['a number', () => 42],
      ['token nested 200 objects deep', (l) => ({ token: nested(200, l.cookie.token), refreshToken: l.cookie.refreshToken })],
      ['refreshToken nested 200 objects deep', (l) => ({ token: l.cookie.token, refreshToken: nested(200, l.cookie.refreshToken) })],
      ['the whole cookie nested 200 objects deep', (l) => nested(200, l.cookie)],
      ['the two tokens hidden under "__proto__"', (l) => JSON.parse(`{"__proto__": ${JSON.stringify(l.cookie)}}`)],
    ];

    it.each(cases)('%s is a 401, never a 500', async (_label, make) => {
      const a = await liveSession(alice);
      const value = make(a);
      if (accessHalfIntact(value, a)) {
        // Split layout: the access cookie stands alone, so only the refresh is refused.
        expect((await me(cookieHeader(value))).status).toBe(200);
        const onRefresh = await refresh(cookieHeader(value));
        expect401(onRefresh);
        expect(isCleared(onRefresh)).toBe(true);
      } else {
        await refusedOnBoth(cookieHeader(value));
      }
      await stillWorks(a);
    });
  });
});
