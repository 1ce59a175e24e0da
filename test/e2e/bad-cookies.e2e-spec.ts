/**
 * Bad cookies (issue 2, point 10): on GET /auth/me (access strategy) and POST /auth/refresh
 * (refresh strategy), a missing, garbled, truncated, mistyped, tampered, `alg: none`,
 * foreign-key, wrong-algorithm or mismatched cookie is a 401 in the standard shape, never a 500;
 * every refused refresh clears the cookie. An expired access token is a 401 with a hint on
 * /auth/me, yet refreshes (expiry is ignored there, the signature is not).
 *
 * Each forged cookie is paired with a *live* refresh token of the session it imitates, and each
 * test ends by showing that the genuine cookie still works: the 401 comes from the forgery.
 */
import { JwtService } from '@nestjs/jwt';
import { randomBytes } from 'node:crypto';
import type { Response } from 'supertest';
import { TestApp, startTestApp } from '../support/app';
import { AuthCookieValue, COOKIE_LAYOUT, COOKIE_NAME, authCookieOf, cookieHeader, isCleared, rawCookieHeader, setCookieLine } from '../support/cookies';
import { LeakCheck } from '../support/leak-check';
import { describeOnEachStore } from '../support/stores';
import { PASSWORD, uniqueName } from '../support/users';

const ISSUER = 'nest-cookie-auth';
const AUDIENCE = 'nest-cookie-auth';

const leaks = new LeakCheck();
const noLeaks = leaks.noLeaks;

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const unb64 = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;

interface Jwt {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  signature: string;
}

function partsOf(token: string): Jwt {
  const [header, payload, signature] = token.split('.');
  return { header: unb64(header), payload: unb64(payload), signature };
}

const joinJwt = (header: unknown, payload: unknown, signature: string) => `${b64(header)}.${b64(payload)}.${signature}`;

/** {"a":{"a":{…}}} `depth` levels deep, with `leaf` at the bottom. */
function nested(depth: number, leaf: unknown): unknown {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

describeOnEachStore('bad cookies', (store) => {
  let app: TestApp;
  let alice: { id: string; username: string };
  let bob: { id: string; username: string };

  const http = () => leaks.http(app);


  /** One fresh login: a live session of its own, so a test never depends on another's leftovers. */
  interface Live {
    userId: string;
    cookie: AuthCookieValue;
    /** The raw Set-Cookie line it came in. */
    line: string;
    jwt: Jwt;
    sid: string;
    kid: string;
  }

  async function liveSession(user: { id: string; username: string }): Promise<Live> {
    const res = await http().post('/auth/login').send({ username: user.username, password: PASSWORD });
    expect(res.status).toBe(200);
    const cookie = authCookieOf(res);
    // Used once for real first, so any cache of verified tokens already holds it when forgeries come.
    expect((await me(cookieHeader(cookie))).status).toBe(200);
    const jwt = partsOf(cookie.token);
    return { userId: user.id, cookie, line: setCookieLine(res)!, jwt, sid: jwt.payload.sid as string, kid: jwt.header.kid as string };
  }

  const me = (cookie?: string) => {
    const req = http().get('/auth/me');
    return cookie === undefined ? req : req.set('Cookie', cookie);
  };
  const refresh = (cookie?: string) => {
    const req = http().post('/auth/refresh');
    return cookie === undefined ? req : req.set('Cookie', cookie);
  };

  /** In the split layout a value whose token is the live one still makes a valid access cookie. */
  function accessHalfIntact(value: unknown, live: Live): boolean {
    const token = typeof value === 'string' ? value : (value as { token?: unknown } | null)?.token;
    return COOKIE_LAYOUT === 'split' && token === live.cookie.token;
  }

  function expect401(res: Response): void {
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ statusCode: 401, error: 'Unauthorized', message: expect.any(String) });
  }

  /** A 401 on both endpoints, and the refused refresh clears the cookie. */
  async function refusedOnBoth(cookie: string | undefined, meMessage?: string): Promise<void> {
    const onMe = await me(cookie);
    expect401(onMe);
    if (meMessage) expect(onMe.body.message).toBe(meMessage);
    expect(setCookieLine(onMe)).toBeUndefined();
    const onRefresh = await refresh(cookie);
    expect401(onRefresh);
    expect(isCleared(onRefresh)).toBe(true);
  }

  /** The genuine cookie still reads /auth/me and still refreshes: the forgery was the only fault. */
  async function stillWorks(live: Live): Promise<void> {
    const res = await me(cookieHeader(live.cookie));
    expect(res.status).toBe(200);
    expect(res.body.id).toBe(live.userId);
    const rotated = await refresh(cookieHeader(live.cookie));
    expect(rotated.status).toBe(200);
    expect(rotated.body.user.id).toBe(live.userId);
  }

  /** The right key and kid, as the app holds them. */
  function appKey(): { kid: string; key: Buffer } {
    const { kid, key } = app.config.tokens.accessKeys[0];
    return { kid, key: key.export() };
  }

  function claimsOf(live: Live, extra: Record<string, unknown> = {}): Record<string, unknown> {
    return { sub: live.userId, sid: live.sid, iss: ISSUER, aud: AUDIENCE, ...extra };
  }

  beforeAll(async () => {
    app = await startTestApp(store);
    for (const who of ['alice', 'bob']) {
      const username = uniqueName(who);
      const res = await http().post('/auth/signup').send({ username, password: PASSWORD });
      expect(res.status).toBe(201);
      const user = { id: res.body.user.id as string, username };
      if (who === 'alice') alice = user;
      else bob = user;
    }
  });
  afterAll(async () => {
    await app.close();
  });

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
