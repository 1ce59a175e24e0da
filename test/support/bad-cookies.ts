import type { Response } from 'supertest';
import { TestApp, startTestApp } from './app';
import { AuthCookieValue, COOKIE_LAYOUT, authCookieOf, cookieHeader, isCleared, setCookieLine } from './cookies';
import { LeakCheck } from './leak-check';
import { StoreUnderTest } from './stores';
import { PASSWORD, uniqueName } from './users';

/** The shared setup of the bad-cookies suites (test/e2e/bad-cookies-*.e2e-spec.ts). */

const ISSUER = 'nest-cookie-auth';
const AUDIENCE = 'nest-cookie-auth';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const unb64 = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;

export interface Jwt {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  signature: string;
}

export function partsOf(token: string): Jwt {
  const [header, payload, signature] = token.split('.');
  return { header: unb64(header), payload: unb64(payload), signature };
}

export const joinJwt = (header: unknown, payload: unknown, signature: string) => `${b64(header)}.${b64(payload)}.${signature}`;

/** One fresh login: a live session of its own, so a test never depends on another's leftovers. */
export interface Live {
  userId: string;
  cookie: AuthCookieValue;
  /** The raw Set-Cookie line it came in. */
  line: string;
  jwt: Jwt;
  sid: string;
  kid: string;
}

/**
 * Registers the suite's hooks (an app on `store`, two signed-up users, alice and bob, filled in by
 * beforeAll) and returns the tools the tests share. Every response goes through the leak check.
 */
export function badCookiesApp(store: StoreUnderTest) {
  const leaks = new LeakCheck();
  let app: TestApp;
  const alice = { id: '', username: '' };
  const bob = { id: '', username: '' };

  const http = () => leaks.http(app);

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
    for (const [who, user] of [['alice', alice], ['bob', bob]] as const) {
      const username = uniqueName(who);
      const res = await http().post('/auth/signup').send({ username, password: PASSWORD });
      expect(res.status).toBe(201);
      Object.assign(user, { id: res.body.user.id as string, username });
    }
  });
  afterAll(async () => {
    await app.close();
  });

  return { alice, bob, liveSession, me, refresh, accessHalfIntact, expect401, refusedOnBoth, stillWorks, appKey, claimsOf };
}
