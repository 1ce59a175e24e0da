/**
 * Bad cookies, forged: a tampered, `alg: none`, foreign-key, wrong-algorithm or wrong-issuer access
 * token is a 401 on GET /auth/me and POST /auth/refresh, never a 500, and every refused refresh
 * clears the cookie. An expired access token is a 401 with a hint on /auth/me, yet refreshes
 * (expiry is ignored there, the signature is not). The controls show that the forging tools make
 * tokens the app accepts. Each forged cookie is paired with a *live* refresh token of the session
 * it imitates, and each test ends by showing that the genuine cookie still works.
 * Shared setup: test/support/bad-cookies.ts.
 */
import { JwtService } from '@nestjs/jwt';
import { randomBytes } from 'node:crypto';
import { badCookiesApp, joinJwt, partsOf } from '../support/bad-cookies';
import { authCookieOf, cookieHeader, isCleared } from '../support/cookies';
import { describeOnEachStore } from '../support/stores';

describeOnEachStore('bad cookies', (store) => {
  const { alice, bob, liveSession, me, refresh, expect401, refusedOnBoth, stillWorks, appKey, claimsOf } = badCookiesApp(store);

  describe('controls (the forging tools make tokens the app accepts)', () => {
    it('the genuine cookie works on both endpoints', async () => {
      const a = await liveSession(alice);
      await stillWorks(a);
    });

    it('a token we sign ourselves with the right key, HS256 and the kid is accepted', async () => {
      const a = await liveSession(alice);
      const { kid, key } = appKey();
      const token = new JwtService().sign(claimsOf(a), { secret: key, algorithm: 'HS256', keyid: kid, expiresIn: 900 });
      const cookie = cookieHeader({ token, refreshToken: a.cookie.refreshToken });
      expect((await me(cookie)).status).toBe(200);
      const res = await refresh(cookie);
      expect(res.status).toBe(200);
      expect(res.body.user.id).toBe(alice.id);
    });
  });

  describe('forged and foreign access tokens', () => {
    it('a tampered payload (sub and sid of another real user, original signature) is a 401', async () => {
      const a = await liveSession(alice);
      const b = await liveSession(bob);
      const asBobSub = joinJwt(a.jwt.header, { ...a.jwt.payload, sub: bob.id }, a.jwt.signature);
      await refusedOnBoth(cookieHeader({ token: asBobSub, refreshToken: a.cookie.refreshToken }));
      // Bob's whole identity (sub and sid of his live session) under Alice's signature, beside
      // Bob's live refresh token: only the signature check can stop this one.
      const asBob = joinJwt(a.jwt.header, { ...a.jwt.payload, sub: bob.id, sid: b.sid }, a.jwt.signature);
      await refusedOnBoth(cookieHeader({ token: asBob, refreshToken: b.cookie.refreshToken }));
      // The same payload change on Bob's own token, with a later exp: still his signature over other bytes.
      const longer = joinJwt(b.jwt.header, { ...b.jwt.payload, exp: (b.jwt.payload.exp as number) + 86_400 }, b.jwt.signature);
      await refusedOnBoth(cookieHeader({ token: longer, refreshToken: b.cookie.refreshToken }));
      await stillWorks(a);
      await stillWorks(b);
    });

    it.each([
      ['{"alg":"none","typ":"JWT"}', (_kid: string) => ({ alg: 'none', typ: 'JWT' })],
      ['{"alg":"none"} with the real kid', (kid: string) => ({ alg: 'none', typ: 'JWT', kid })],
      ['{"alg":"None"} with the real kid', (kid: string) => ({ alg: 'None', typ: 'JWT', kid })],
      ['{"alg":"none"} with an unknown kid', (_kid: string) => ({ alg: 'none', typ: 'JWT', kid: 'dropped-key' })],
    ])('alg: none (%s), with an empty and with a copied signature, is a 401', async (_label, header) => {
      const a = await liveSession(alice);
      for (const signature of ['', a.jwt.signature]) {
        const token = joinJwt(header(a.kid), a.jwt.payload, signature);
        await refusedOnBoth(cookieHeader({ token, refreshToken: a.cookie.refreshToken }));
      }
      await stillWorks(a);
    });

    it('a JWT signed with another key (same claims) is a 401, with no kid and with the real kid', async () => {
      const a = await liveSession(alice);
      const foreign = new JwtService();
      const secret = randomBytes(32);
      const withoutKid = foreign.sign(claimsOf(a), { secret, algorithm: 'HS256', expiresIn: 900 });
      const withKid = foreign.sign(claimsOf(a), { secret, algorithm: 'HS256', expiresIn: 900, keyid: a.kid });
      for (const token of [withoutKid, withKid]) {
        await refusedOnBoth(cookieHeader({ token, refreshToken: a.cookie.refreshToken }));
      }
      await stillWorks(a);
    });

    it('a JWT naming a kid we do not hold, with another session’s claims, cannot refresh this session', async () => {
      const a = await liveSession(alice);
      const b = await liveSession(bob);
      const secret = randomBytes(32);
      const token = new JwtService().sign(claimsOf(b), { secret, algorithm: 'HS256', expiresIn: 900, keyid: 'retired-key' });
      await refusedOnBoth(cookieHeader({ token, refreshToken: a.cookie.refreshToken }));
      await stillWorks(a);
    });

    it.each(['HS512', 'HS384'] as const)('a JWT signed with the right key but %s is a 401', async (algorithm) => {
      const a = await liveSession(alice);
      const { kid, key } = appKey();
      const signer = new JwtService();
      const withKid = signer.sign(claimsOf(a), { secret: key, algorithm, keyid: kid, expiresIn: 900 });
      const withoutKid = signer.sign(claimsOf(a), { secret: key, algorithm, expiresIn: 900 });
      expect(partsOf(withKid).header).toEqual({ alg: algorithm, typ: 'JWT', kid });
      for (const token of [withKid, withoutKid]) {
        await refusedOnBoth(cookieHeader({ token, refreshToken: a.cookie.refreshToken }));
      }
      await stillWorks(a);
    });

    it('a JWT with the right key but the wrong iss or aud is a 401', async () => {
      const a = await liveSession(alice);
      const { kid, key } = appKey();
      const signer = new JwtService();
      for (const extra of [{ iss: 'someone-else' }, { aud: 'someone-else' }]) {
        const token = signer.sign(claimsOf(a, extra), { secret: key, algorithm: 'HS256', keyid: kid, expiresIn: 900 });
        await refusedOnBoth(cookieHeader({ token, refreshToken: a.cookie.refreshToken }));
      }
      await stillWorks(a);
    });
  });

  describe('expired access tokens', () => {
    it('is a 401 with a hint on /auth/me, yet refreshes beside the live refresh token (expiry is ignored there)', async () => {
      const a = await liveSession(alice);
      const { kid, key } = appKey();
      const now = Math.floor(Date.now() / 1000);
      const token = new JwtService().sign(claimsOf(a, { iat: now - 1000, exp: now - 100 }), { secret: key, algorithm: 'HS256', keyid: kid });
      expect(partsOf(token).payload.exp).toBe(now - 100);
      const cookie = cookieHeader({ token, refreshToken: a.cookie.refreshToken });

      const onMe = await me(cookie);
      expect(onMe.status).toBe(401);
      expect(onMe.body).toEqual({ statusCode: 401, error: 'Unauthorized', message: 'Access token expired; call POST /auth/refresh' });

      const refreshed = await refresh(cookie);
      expect(refreshed.status).toBe(200);
      expect(refreshed.body.user.id).toBe(alice.id);
      const renewed = authCookieOf(refreshed);
      expect(renewed.refreshToken).not.toBe(a.cookie.refreshToken);
      expect((await me(cookieHeader(renewed))).status).toBe(200);
    });

    it('an expired token signed with another key does not refresh (the signature is still checked)', async () => {
      const a = await liveSession(alice);
      const now = Math.floor(Date.now() / 1000);
      const token = new JwtService().sign(claimsOf(a, { iat: now - 1000, exp: now - 100 }), {
        secret: randomBytes(32),
        algorithm: 'HS256',
        keyid: a.kid,
      });
      const cookie = cookieHeader({ token, refreshToken: a.cookie.refreshToken });
      const onMe = await me(cookie);
      expect401(onMe);
      expect(onMe.body.message).not.toMatch(/expired/i);
      const onRefresh = await refresh(cookie);
      expect401(onRefresh);
      expect(isCleared(onRefresh)).toBe(true);
      await stillWorks(a);
    });
  });
});
