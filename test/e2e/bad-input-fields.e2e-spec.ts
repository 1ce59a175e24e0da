/**
 * Bad input in the fields (issue 2, points 9 and 10): every body field of every endpoint that
 * takes a body, given an operator object, an array, a number or null, is a 400 in the standard
 * error shape that names the field, and nothing is stored; passwords over bcrypt's 72 bytes are
 * refused, never truncated; unknown fields are a 400 naming them.
 *
 * Every response goes through the leak check: no stack trace, no password hash, no token.
 * Shared setup: test/support/bad-input.ts.
 */
import type { Response } from 'supertest';
import { badInputApp } from '../support/bad-input';
import { describeOnEachStore } from '../support/stores';
import { PASSWORD, asCookie, uniqueName } from '../support/users';

/** Operator objects and the wrong JSON types, for a field that must be a string. */
const BAD_VALUES: [string, unknown][] = [
  ['an operator object {"$gt": ""}', { $gt: '' }],
  ['an operator object {"$ne": null}', { $ne: null }],
  ['an array', ['x', 'y']],
  ['a number', 12345678],
  ['null', null],
];

const A72 = 'p'.repeat(72);
const A73 = `${A72}x`;
const EURO = '\u20ac'; // 3 bytes of UTF-8
const E24 = EURO.repeat(24); // 72 bytes
const E25 = EURO.repeat(25); // 75 bytes, 25 characters

describeOnEachStore('bad input', (store) => {
  const { leaks, observer, http, newAccount, userCount, loginStatus, sessionCount, profileName, expectBadRequest } = badInputApp(store);
  const noLeaks = leaks.noLeaks;

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

  describe('display names: no character that acts on the text around it unseen', () => {
    // Bidi embeddings, overrides and isolates; line and paragraph separators; C0, DEL and C1 controls.
    const REFUSED = ['\u202A', '\u202B', '\u202C', '\u202D', '\u202E', '\u2066', '\u2067', '\u2068', '\u2069', '\u2028', '\u2029', '\u0000', '\u0009', '\u000A', '\u001B', '\u007F', '\u0080', '\u0085', '\u009B', '\u009F'];
    const codePoint = (c: string) => `U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
    const refusal = (c: string) => ({ statusCode: 400, error: 'Bad Request', message: `name must not contain control, line-separator or bidi-override characters (found ${codePoint(c)})` });

    it.each(REFUSED.map((c) => [codePoint(c), c]))('%s in a name is a 400 naming the field and the character, at signup and on PATCH; nothing is stored', async (_label, c) => {
      const before = await userCount();
      const username = uniqueName('bidi');
      const signup = await http().post('/auth/signup').send({ username, password: PASSWORD, name: `ada${c}gnp.exe` });
      expect(signup.status).toBe(400);
      expect(signup.body).toEqual(refusal(c));
      expect(await userCount()).toBe(before);
      const me = await newAccount();
      const patch = await http().patch(`/users/${me.id}`).set(...asCookie(me.cookie)).send({ name: `${c}Renamed` });
      expect(patch.status).toBe(400);
      expect(patch.body).toEqual(refusal(c));
      expect(await profileName(me.id)).toBe(me.name);
    });

    it('keeps names in every script, with accents, emoji sequences and the implicit direction marks', async () => {
      for (const name of ['Zo\u00eb Ren\u00e9e', '\u05e9\u05dc\u05d5\u05dd \u200fAda', '\u0645\u0631\u062d\u0628\u0627', '\ud83d\udc69\u200d\ud83d\udcbb dev', '\u674e\u534e']) {
        const me = await newAccount();
        const res = await http().patch(`/users/${me.id}`).set(...asCookie(me.cookie)).send({ name });
        expect(res.status).toBe(200);
        expect(await profileName(me.id)).toBe(name);
      }
    });
  });

  it('checked every response of this file for leaks', () => {
    expect(leaks.responsesChecked).toBeGreaterThan(100);
  });
});
