import { Store } from '../../src/storage/store';
import { TestApp, startTestApp } from '../support/app';
import { AuthCookieValue, authCookieOf } from '../support/cookies';
import { StoreUnderTest, describeOnEachStore } from '../support/stores';
import { PASSWORD, asCookie, login, signup } from '../support/users';

const sidOf = (cookie: AuthCookieValue) => JSON.parse(Buffer.from(cookie.token.split('.')[1], 'base64url').toString()).sid as string;

/** Revoking behind the service's back, as another instance sharing the store would. */
async function revokeElsewhere(kind: StoreUnderTest, app: TestApp, userId: string, sessionId: string): Promise<void> {
  const store: Store = await kind.open(app.env);
  try {
    expect(await store.sessions.revoke(userId, sessionId)).toBe(true);
  } finally {
    await store.close();
  }
}

describeOnEachStore('session liveness cache', (kind) => {
  describe('with SESSION_CACHE_TTL=60s', () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await startTestApp(kind, { SESSION_CACHE_TTL: '60s', REFRESH_REUSE_GRACE: '0s' });
    });
    afterAll(() => app.close());
    const me = (cookie: AuthCookieValue) => app.http().get('/auth/me').set(...asCookie(cookie));

    it('still makes this instance’s own revocations bite at once', async () => {
      const user = await signup(app);
      const phone = await login(app, user.username);
      const laptop = await login(app, user.username);
      const tablet = await login(app, user.username);
      for (const c of [user.cookie, phone, laptop, tablet]) expect((await me(c)).status).toBe(200); // all cached as live

      await app.http().post('/auth/logout').set(...asCookie(phone)).expect(204);
      expect((await me(phone)).status).toBe(401);

      await app.http().delete(`/auth/sessions/${sidOf(laptop)}`).set(...asCookie(user.cookie)).expect(204);
      expect((await me(laptop)).status).toBe(401);

      await app.http().patch(`/users/${user.id}`).set(...asCookie(user.cookie)).send({ password: 'another long secret', currentPassword: PASSWORD }).expect(200);
      expect((await me(tablet)).status).toBe(401);
      expect((await me(user.cookie)).status).toBe(200);

      await app.http().post('/auth/logout-all').set(...asCookie(user.cookie)).expect(204);
      expect((await me(user.cookie)).status).toBe(401);
    });

    it('still makes theft detection bite at once', async () => {
      const user = await signup(app);
      const current = authCookieOf(await app.http().post('/auth/refresh').set(...asCookie(user.cookie)));
      expect((await me(current)).status).toBe(200);
      expect((await app.http().post('/auth/refresh').set(...asCookie(user.cookie))).status).toBe(401); // grace 0: replay
      expect((await me(current)).status).toBe(401);
    });

    it('sees another instance’s revocation only after the bound (documented staleness)', async () => {
      const user = await signup(app);
      expect((await me(user.cookie)).status).toBe(200);
      await revokeElsewhere(kind, app, user.id, sidOf(user.cookie));
      expect((await me(user.cookie)).status).toBe(200); // remembered as live for up to 60 s
      expect((await app.http().post('/auth/refresh').set(...asCookie(user.cookie))).status).toBe(401); // refresh always asks the store
    });
  });

  describe('with the default SESSION_CACHE_TTL=0', () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await startTestApp(kind);
    });
    afterAll(() => app.close());

    it('sees another instance’s revocation on the next request', async () => {
      const user = await signup(app);
      expect((await app.http().get('/auth/me').set(...asCookie(user.cookie))).status).toBe(200);
      await revokeElsewhere(kind, app, user.id, sidOf(user.cookie));
      expect((await app.http().get('/auth/me').set(...asCookie(user.cookie))).status).toBe(401);
    });
  });
});
