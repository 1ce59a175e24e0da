/**
 * Bad input in the URL (issue 2, point 10): query strings on GET /users and ids in the path are
 * checked like bodies: a 400 naming the parameter or a 404, never a 500.
 *
 * Every response goes through the leak check: no stack trace, no password hash, no token.
 * Shared setup: test/support/bad-input.ts.
 */
import { randomUUID } from 'node:crypto';
import { badInputApp } from '../support/bad-input';
import { isCleared } from '../support/cookies';
import { describeOnEachStore } from '../support/stores';
import { asCookie } from '../support/users';

describeOnEachStore('bad input', (store) => {
  const { observer, http, newAccount, sessionCount, expectBadRequest } = badInputApp(store);

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
});
