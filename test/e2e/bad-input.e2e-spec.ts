/**
 * Bad input (issue 2, points 9 and 10): every body field of every endpoint that takes a body,
 * given an operator object, an array, a number or null, is a 400 in the standard error shape that
 * names the field, and nothing is stored; passwords over bcrypt's 72 bytes are refused, never
 * truncated; unknown fields, malformed or non-object JSON and oversized bodies are clear 4xx;
 * forms, query strings and path ids are checked the same way.
 *
 * Every response in this file goes through `noLeaks`: no stack trace, no password hash, no token.
 */
import { randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import { TestApp, startTestApp } from '../support/app';
import { AuthCookieValue, authCookieOf, isCleared, setCookieLine } from '../support/cookies';
import { LeakCheck } from '../support/leak-check';
import { describeOnEachStore } from '../support/stores';
import { PASSWORD, asCookie, uniqueName } from '../support/users';

const leaks = new LeakCheck();
const noLeaks = leaks.noLeaks;

/** Operator objects and the wrong JSON types, for a field that must be a string. */
const BAD_VALUES: [string, unknown][] = [
  ['an operator object {"$gt": ""}', { $gt: '' }],
  ['an operator object {"$ne": null}', { $ne: null }],
  ['an array', ['x', 'y']],
  ['a number', 12345678],
  ['null', null],
];

/** A message that names `field` as a word of its own ("password" is not "currentPassword"). */
const names = (field: string) => new RegExp(`(^|[^A-Za-z])${field}([^A-Za-z]|$)`);

const A72 = 'p'.repeat(72);
const A73 = `${A72}x`;
const EURO = '\u20ac'; // 3 bytes of UTF-8
const E24 = EURO.repeat(24); // 72 bytes
const E25 = EURO.repeat(25); // 75 bytes, 25 characters

describeOnEachStore('bad input', (store) => {
  let app: TestApp;
  /** A signed-in user who reads GET /users to see whether anything was stored. */
  let observer: AuthCookieValue;

  const http = () => leaks.http(app);


  interface Account {
    id: string;
    username: string;
    name: string;
    cookie: AuthCookieValue;
  }

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
    observer = (await newAccount()).cookie;
  });
  afterAll(async () => {
    await app.close();
  });

  it('has a leak check that can fail', () => {
    const fake = (text: string) => ({ status: 400, text, headers: {} }) as unknown as Response;
    expect(() => noLeaks(fake('{"message":"x","stack":"Error: at foo"}'))).toThrow();
    expect(() => noLeaks(fake('{"passwordHash":"x"}'))).toThrow();
    expect(() => noLeaks(fake('{"h":"$2b$04$abcdefghijklmnopqrstuv"}'))).toThrow();
    expect(() => noLeaks(fake(JSON.stringify({ echoed: observer.refreshToken })))).toThrow();
    expect(() => noLeaks(fake('{"statusCode":400}'))).not.toThrow();
    expect(() => noLeaks({ ...fake('{}'), status: 500 } as unknown as Response)).toThrow();
  });

  describe('POST /auth/signup: a field that is not a string', () => {
    const cases = (['username', 'password', 'name'] as const).flatMap((field) =>
      BAD_VALUES.map(([label, value]) => [field, label, value] as const),
    );

    it.each(cases)('%s as %s is a 400 naming the field, and nothing is stored', async (field, _label, value) => {
      const before = await userCount();
      const username = uniqueName('nope');
      const body: Record<string, unknown> = { username, password: PASSWORD, name: 'Someone', [field]: value };
      const res = await http().post('/auth/signup').send(body);
      expect(await userCount()).toBe(before);
      expect(await loginStatus(username, PASSWORD)).toBe(401);
      expectBadRequest(res, field);
    });
  });

  describe('POST /auth/login: a field that is not a string', () => {
    const cases = (['username', 'password'] as const).flatMap((field) => BAD_VALUES.map(([label, value]) => [field, label, value] as const));

    it.each(cases)('%s as %s is a 400 naming the field, and no session starts', async (field, _label, value) => {
      const account = await newAccount();
      const sessions = await sessionCount(account.cookie);
      const res = await http().post('/auth/login').send({ username: account.username, password: PASSWORD, [field]: value });
      expectBadRequest(res, field);
      expect(await sessionCount(account.cookie)).toBe(sessions);
    });
  });

  describe('PATCH /users/:id: a field that is not a string', () => {
    const NEW_PASSWORD = 'a brand new secret';
    const bodies: Record<'name' | 'password' | 'currentPassword', (value: unknown) => object> = {
      name: (value) => ({ name: value }),
      password: (value) => ({ password: value, currentPassword: PASSWORD }),
      currentPassword: (value) => ({ password: NEW_PASSWORD, currentPassword: value }),
    };
    const cases = (Object.keys(bodies) as (keyof typeof bodies)[]).flatMap((field) =>
      BAD_VALUES.map(([label, value]) => [field, label, value] as const),
    );

    it.each(cases)('%s as %s is a 400 naming the field, and the account is unchanged', async (field, _label, value) => {
      const me = await newAccount();
      const res = await http().patch(`/users/${me.id}`).set(...asCookie(me.cookie)).send(bodies[field](value));
      // What was stored first (the worse failure), then the answer.
      expect(await profileName(me.id)).toBe(me.name);
      expect(await loginStatus(me.username, NEW_PASSWORD)).toBe(401);
      expect(await loginStatus(me.username, PASSWORD)).toBe(200);
      expect((await http().get('/auth/me').set(...asCookie(me.cookie))).status).toBe(200);
      expectBadRequest(res, field);
    });
  });

  describe('passwords over 72 bytes of UTF-8', () => {
    it.each([
      ['73 ASCII characters', A73, A72],
      ['25 three-byte characters (75 bytes, 25 characters)', E25, E24],
    ])('signup with %s is a 400, and nothing is stored (not even under the 72-byte prefix)', async (_label, password, prefix) => {
      const before = await userCount();
      const username = uniqueName('long');
      const res = await http().post('/auth/signup').send({ username, password });
      expectBadRequest(res, 'password');
      expect(res.body.message).toMatch(/72 bytes/);
      expect(await userCount()).toBe(before);
      expect(await loginStatus(username, prefix)).toBe(401);
    });

    it.each([
      ['73 ASCII characters', A73],
      ['25 three-byte characters', E25],
    ])('login with %s is a 400', async (_label, password) => {
      const me = await newAccount();
      const res = await http().post('/auth/login').send({ username: me.username, password });
      expectBadRequest(res, 'password');
    });

    it('exactly 72 bytes is accepted (ASCII and three-byte characters alike)', async () => {
      for (const password of [A72, E24]) {
        const me = await newAccount(password);
        expect(await loginStatus(me.username, password)).toBe(200);
      }
    });

    it('is refused, not truncated: a 72-byte password does not also open with a longer one that starts with it', async () => {
      const ascii = await newAccount(A72);
      const asciiLogin = await http().post('/auth/login').send({ username: ascii.username, password: A73 });
      expect(asciiLogin.status).not.toBe(200);
      expectBadRequest(asciiLogin, 'password');

      const multi = await newAccount(E24);
      const multiLogin = await http().post('/auth/login').send({ username: multi.username, password: E25 });
      expect(multiLogin.status).not.toBe(200);
      expectBadRequest(multiLogin, 'password');
    });

    it.each([
      ['password of 73 ASCII characters', { password: A73, currentPassword: PASSWORD }, 'password'],
      ['password of 25 three-byte characters', { password: E25, currentPassword: PASSWORD }, 'password'],
      ['currentPassword of 73 bytes', { password: 'a brand new secret', currentPassword: A73 }, 'currentPassword'],
    ])('PATCH with a %s is a 400, and the password is unchanged and not truncated', async (_label, body, field) => {
      const me = await newAccount();
      const res = await http().patch(`/users/${me.id}`).set(...asCookie(me.cookie)).send(body);
      expectBadRequest(res, field);
      expect(await loginStatus(me.username, A72)).toBe(401);
      expect(await loginStatus(me.username, 'a brand new secret')).toBe(401);
      expect(await loginStatus(me.username, PASSWORD)).toBe(200);
    });
  });

  describe('unknown fields', () => {
    it('signup with isAdmin is a 400 naming it, and nothing is stored', async () => {
      const before = await userCount();
      const username = uniqueName('admin');
      const res = await http().post('/auth/signup').send({ username, password: PASSWORD, isAdmin: true });
      expectBadRequest(res, 'isAdmin');
      expect(await userCount()).toBe(before);
      expect(await loginStatus(username, PASSWORD)).toBe(401);
    });

    it('login with isAdmin is a 400 naming it, and no session starts', async () => {
      const me = await newAccount();
      const res = await http().post('/auth/login').send({ username: me.username, password: PASSWORD, isAdmin: true });
      expectBadRequest(res, 'isAdmin');
      expect(await sessionCount(me.cookie)).toBe(1);
    });

    it('PATCH with isAdmin is a 400 naming it, and the name is unchanged', async () => {
      const me = await newAccount();
      const res = await http().patch(`/users/${me.id}`).set(...asCookie(me.cookie)).send({ name: 'Renamed', isAdmin: true });
      expectBadRequest(res, 'isAdmin');
      expect(await profileName(me.id)).toBe(me.name);
    });
  });

  describe('bodies that are not a JSON object', () => {
    it('malformed JSON is a 400 "Request body is not valid JSON", without echo or parser detail', async () => {
      const before = await userCount();
      const marker = `Marker${randomUUID().slice(0, 8)}`;
      const raws = [
        `{"username": ${marker}, "password": "${PASSWORD}"}`, // a bare word: JSON.parse quotes part of the body in its message
        `{"username": "${marker}", "password": "${PASSWORD}",`, // cut short
      ];
      for (const path of ['/auth/signup', '/auth/login']) {
        for (const raw of raws) {
          const res = await http().post(path).set('Content-Type', 'application/json').send(raw);
          expect(res.status).toBe(400);
          expect(res.text).not.toContain('Marker');
          expect(res.text).not.toMatch(/SyntaxError|Unexpected|position|at .*\.js/);
          expect(res.body).toEqual({ statusCode: 400, error: 'Bad Request', message: 'Request body is not valid JSON' });
        }
      }
      const me = await newAccount();
      const patch = await http()
        .patch(`/users/${me.id}`)
        .set(...asCookie(me.cookie))
        .set('Content-Type', 'application/json')
        .send(`{"name": "${marker}"`);
      expect(patch.body).toEqual({ statusCode: 400, error: 'Bad Request', message: 'Request body is not valid JSON' });
      expect(await profileName(me.id)).toBe(me.name);
      expect(await userCount()).toBe(before + 1);
    });

    it('a JSON array body is a 400 and stores nothing', async () => {
      const before = await userCount();
      const username = uniqueName('array');
      const body = JSON.stringify([{ username, password: PASSWORD }]);
      const signup = await http().post('/auth/signup').set('Content-Type', 'application/json').send(body);
      expectBadRequest(signup);
      const me = await newAccount();
      const login = await http()
        .post('/auth/login')
        .set('Content-Type', 'application/json')
        .send(JSON.stringify([{ username: me.username, password: PASSWORD }]));
      expectBadRequest(login);
      const patch = await http()
        .patch(`/users/${me.id}`)
        .set(...asCookie(me.cookie))
        .set('Content-Type', 'application/json')
        .send(JSON.stringify([{ name: 'Renamed' }]));
      expectBadRequest(patch);
      expect(await profileName(me.id)).toBe(me.name);
      expect(await sessionCount(me.cookie)).toBe(1);
      expect(await userCount()).toBe(before + 1);
      expect(await loginStatus(username, PASSWORD)).toBe(401);
    });

    it.each(['"just a string"', '42', 'true', 'null'])('a JSON %s body is a 400', async (raw) => {
      const before = await userCount();
      for (const path of ['/auth/signup', '/auth/login']) {
        const res = await http().post(path).set('Content-Type', 'application/json').send(raw);
        expectBadRequest(res);
      }
      expect(await userCount()).toBe(before);
    });

    it('a body over 100 kB is a 413 in the standard shape, and nothing is stored', async () => {
      const before = await userCount();
      const username = uniqueName('big');
      const res = await http().post('/auth/signup').send({ username, password: PASSWORD, name: 'x'.repeat(101 * 1024) });
      expect(res.status).toBe(413);
      expect(res.body).toEqual({ statusCode: 413, error: 'Payload Too Large', message: expect.any(String) });
      expect(res.text).not.toContain('xxxxxxxxxx');
      expect(setCookieLine(res)).toBeUndefined();
      const form = await http()
        .post('/auth/login')
        .type('form')
        .send(`username=${username}&password=${'y'.repeat(101 * 1024)}`);
      expect(form.status).toBe(413);
      expect(form.body).toEqual({ statusCode: 413, error: 'Payload Too Large', message: expect.any(String) });
      expect(form.text).not.toContain('yyyyyyyyyy');
      expect(await userCount()).toBe(before);
      expect(await loginStatus(username, PASSWORD)).toBe(401);
    });

    it('a body just under 100 kB is not refused for its size', async () => {
      const me = await newAccount();
      const res = await http()
        .post('/auth/login')
        .send({ username: me.username, password: PASSWORD, padding: 'x'.repeat(99 * 1024) });
      expectBadRequest(res, 'padding');
    });
  });

  describe('urlencoded forms (extended: false)', () => {
    it('a login form works', async () => {
      const me = await newAccount();
      const res = await http().post('/auth/login').type('form').send({ username: me.username, password: PASSWORD });
      expect(res.status).toBe(200);
      expect(res.body.user.id).toBe(me.id);
      expect(authCookieOf(res).refreshToken).toMatch(/^[0-9A-Za-z]{43}$/);
    });

    it('username[$gt]= arrives as an unknown field "username[$gt]": a 400, never an operator, never a 500', async () => {
      const me = await newAccount();
      const sessions = await sessionCount(me.cookie);
      const res = await http().post('/auth/login').type('form').send('username[$gt]=&password[$ne]=');
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expectBadRequest(res, 'username');
      expect(res.body.message).toContain('username[$gt]');
      const mixed = await http().post('/auth/login').type('form').send(`username=${me.username}&password[$ne]=x`);
      expectBadRequest(mixed, 'password');
      expect(await sessionCount(me.cookie)).toBe(sessions);
    });

    it('a repeated form field (an array) is a 400, and a signup form stores nothing', async () => {
      const before = await userCount();
      const a = uniqueName('form');
      const b = uniqueName('form');
      const res = await http().post('/auth/signup').type('form').send(`username=${a}&username=${b}&password=${encodeURIComponent(PASSWORD)}`);
      expectBadRequest(res, 'username');
      const operator = await http().post('/auth/signup').type('form').send(`username[$gt]=&password=${encodeURIComponent(PASSWORD)}`);
      expectBadRequest(operator, 'username');
      expect(await userCount()).toBe(before);
      expect(await loginStatus(a, PASSWORD)).toBe(401);
      expect(await loginStatus(b, PASSWORD)).toBe(401);
    });
  });

  describe('query strings on GET /users', () => {
    it('accepts the bounds: page=1, limit=100', async () => {
      const res = await http().get('/users?page=1&limit=100').set(...asCookie(observer));
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ page: 1, limit: 100 });
    });

    it.each([
      ['limit=101', 'limit'],
      ['limit=0', 'limit'],
      ['page=0', 'page'],
      ['page=-1', 'page'],
      ['limit=abc', 'limit'],
      ['page=1.5', 'page'],
      ['limit=', 'limit'],
    ])('%s is a 400 naming the parameter', async (query, field) => {
      const res = await http().get(`/users?${query}`).set(...asCookie(observer));
      expectBadRequest(res, field);
    });

    it.each(['limit[$gt]=1', 'page[$ne]=', 'limit=1&limit=2', 'limit[]=5', 'sort=passwordHash'])('%s is a 4xx, never a 500', async (query) => {
      const res = await http().get(`/users?${query}`).set(...asCookie(observer));
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.body).toEqual({ statusCode: res.status, error: expect.any(String), message: expect.any(String) });
    });
  });

  describe('ids in the path', () => {
    it('GET /users/not-a-uuid is a 404', async () => {
      const res = await http().get('/users/not-a-uuid').set(...asCookie(observer));
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ statusCode: 404, error: 'Not Found', message: 'No such user' });
    });

    it('GET /users/<a random uuid> is a 404', async () => {
      const res = await http().get(`/users/${randomUUID()}`).set(...asCookie(observer));
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ statusCode: 404, error: 'Not Found', message: 'No such user' });
    });

    it('DELETE /auth/sessions/not-a-uuid (and a random uuid) is a 404, and the session lives on', async () => {
      const me = await newAccount();
      for (const id of ['not-a-uuid', randomUUID(), "1' OR '1'='1"]) {
        const res = await http().delete(`/auth/sessions/${encodeURIComponent(id)}`).set(...asCookie(me.cookie));
        expect(res.status).toBe(404);
        expect(res.body).toEqual({ statusCode: 404, error: 'Not Found', message: 'No such session' });
        expect(isCleared(res)).toBe(false);
      }
      expect(await sessionCount(me.cookie)).toBe(1);
      expect((await http().get('/auth/me').set(...asCookie(me.cookie))).status).toBe(200);
    });
  });

  it('checked every response of this file for leaks', () => {
    expect(leaks.responsesChecked).toBeGreaterThan(100);
  });
});
