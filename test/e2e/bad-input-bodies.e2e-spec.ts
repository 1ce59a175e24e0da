/**
 * Bad input in the body as a whole (issue 2, point 10): malformed or non-object JSON and oversized
 * bodies are clear 4xx that store nothing; urlencoded forms are checked like JSON (no operators
 * from `field[$gt]=`, no arrays from a repeated field).
 *
 * Every response goes through the leak check: no stack trace, no password hash, no token.
 * Shared setup: test/support/bad-input.ts.
 */
import { randomUUID } from 'node:crypto';
import { badInputApp } from '../support/bad-input';
import { authCookieOf, setCookieLine } from '../support/cookies';
import { describeOnEachStore } from '../support/stores';
import { PASSWORD, asCookie, uniqueName } from '../support/users';

describeOnEachStore('bad input', (store) => {
  const { http, newAccount, userCount, loginStatus, sessionCount, profileName, expectBadRequest } = badInputApp(store);

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

  it('a JSON body is read in the UTF charset it declares (UTF-16 with its byte-order mark too); an unknown one is a 415', async () => {
    const signup = (charset: string, bytes: Buffer) =>
      http()
        .post('/auth/signup')
        .set('Content-Type', `application/json; charset=${charset}`)
        .serialize((raw: Buffer) => raw as unknown as string)
        .send(bytes);
    const body = () => JSON.stringify({ username: uniqueName('utf16'), password: PASSWORD, name: 'Zo\u00eb \u263a' });
    const le = await signup('utf-16le', Buffer.from(body(), 'utf16le'));
    expect([le.status, le.body.user?.name]).toEqual([201, 'Zo\u00eb \u263a']);
    const withBom = await signup('utf-16', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(body(), 'utf16le')]));
    expect([withBom.status, withBom.body.user?.name]).toEqual([201, 'Zo\u00eb \u263a']);
    const unknown = await signup('utf-99', Buffer.from(body()));
    expect([unknown.status, unknown.body.message]).toEqual([415, 'Unsupported charset']);
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

    it('a form is read in the charset it declares: UTF-8 by default, ISO-8859-1 (bytes and %-escapes) when it says so', async () => {
      // Raw bytes: supertest would serialize the Buffer as an object of its indices.
      const signup = (contentType: string, name: Buffer) =>
        http()
          .post('/auth/signup')
          .set('Content-Type', contentType)
          .serialize((bytes: Buffer) => bytes as unknown as string)
          .send(Buffer.concat([Buffer.from(`username=${uniqueName('charset')}&password=${encodeURIComponent(PASSWORD)}&name=`), name]));
      const utf8 = await signup('application/x-www-form-urlencoded', Buffer.from('Jos\u00e9 %C3%A9', 'utf8'));
      expect([utf8.status, utf8.body.user?.name]).toEqual([201, 'Jos\u00e9 \u00e9']);
      const latin1 = await signup('application/x-www-form-urlencoded; charset=ISO-8859-1', Buffer.from('Jos\u00e9 %E9', 'latin1'));
      expect([latin1.status, latin1.body.user?.name]).toEqual([201, 'Jos\u00e9 \u00e9']);
      const other = await signup('application/x-www-form-urlencoded; charset=koi8-r', Buffer.from('x'));
      expect([other.status, other.body.message]).toEqual([415, 'Unsupported charset']);
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
});
