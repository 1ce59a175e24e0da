import type { Response } from 'supertest';
import { TestApp, startTestApp } from './app';
import { AuthCookieValue, authCookieOf, setCookieLine } from './cookies';
import { LeakCheck } from './leak-check';
import { StoreUnderTest } from './stores';
import { PASSWORD, asCookie, uniqueName } from './users';

/** The shared setup of the bad-input suites (test/e2e/bad-input-*.e2e-spec.ts). */

/** A message that names `field` as a word of its own ("password" is not "currentPassword"). */
const names = (field: string) => new RegExp(`(^|[^A-Za-z])${field}([^A-Za-z]|$)`);

export interface Account {
  id: string;
  username: string;
  name: string;
  cookie: AuthCookieValue;
}

/**
 * Registers the suite's hooks (an app on `store` and a signed-in `observer`, filled in by
 * beforeAll, who reads GET /users to see whether anything was stored) and returns the tools the
 * tests share. Every response goes through `leaks`: no stack trace, no password hash, no token.
 */
export function badInputApp(store: StoreUnderTest) {
  const leaks = new LeakCheck();
  let app: TestApp;
  const observer: AuthCookieValue = { token: '', refreshToken: '' };

  const http = () => leaks.http(app);

  async function newAccount(password = PASSWORD): Promise<Account> {
    const username = uniqueName('bad');
    const name = `Name ${username}`;
    const res = await http().post('/auth/signup').send({ username, password, name });
    expect(res.status).toBe(201);
    return { id: res.body.user.id as string, username, name, cookie: authCookieOf(res) };
  }

  async function userCount(): Promise<number> {
    const res = await http().get('/users?limit=1').set(...asCookie(observer));
    expect(res.status).toBe(200);
    return res.body.total as number;
  }

  async function loginStatus(username: string, password: string): Promise<number> {
    return (await http().post('/auth/login').send({ username, password })).status;
  }

  async function sessionCount(cookie: AuthCookieValue): Promise<number> {
    const res = await http().get('/auth/sessions').set(...asCookie(cookie));
    expect(res.status).toBe(200);
    return (res.body as unknown[]).length;
  }

  async function profileName(id: string): Promise<string> {
    const res = await http().get(`/users/${id}`).set(...asCookie(observer));
    expect(res.status).toBe(200);
    return res.body.name as string;
  }

  /** A 400 in the standard shape, whose message names `field`; and no cookie set. */
  function expectBadRequest(res: Response, field?: string): void {
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ statusCode: 400, error: 'Bad Request', message: expect.any(String) });
    if (field) expect(res.body.message).toMatch(names(field));
    expect(setCookieLine(res)).toBeUndefined();
  }

  beforeAll(async () => {
    app = await startTestApp(store);
    Object.assign(observer, (await newAccount()).cookie);
  });
  afterAll(async () => {
    await app.close();
  });

  return { leaks, observer, http, newAccount, userCount, loginStatus, sessionCount, profileName, expectBadRequest };
}
