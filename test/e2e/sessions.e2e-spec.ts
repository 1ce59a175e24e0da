import { TestApp, startTestApp } from '../support/app';
import { isCleared } from '../support/cookies';
import { describeOnEachStore } from '../support/stores';
import { asCookie, login, signup } from '../support/users';

describeOnEachStore('session endpoints', (store) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp(store);
  });
  afterAll(() => app.close());

  it('lists the user’s live sessions with the current one marked', async () => {
    const me = await signup(app);
    await login(app, me.username, undefined, 'Firefox on the laptop');
    const res = await app.http().get('/auth/sessions').set(...asCookie(me.cookie));
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toHaveLength(2);
    for (const session of res.body) {
      expect(Object.keys(session).sort()).toEqual(['createdAt', 'current', 'expiresAt', 'id', 'ip', 'lastUsedAt', 'userAgent']);
    }
    expect(res.body.filter((s: { current: boolean }) => s.current)).toHaveLength(1);
    expect(res.body.map((s: { userAgent: string }) => s.userAgent)).toContain('Firefox on the laptop');
    expect(JSON.stringify(res.body)).not.toMatch(/hash|token/i);
  });

  it('revokes one of one’s own sessions at once', async () => {
    const me = await signup(app);
    const phone = await login(app, me.username, undefined, 'phone');
    const list = await app.http().get('/auth/sessions').set(...asCookie(me.cookie));
    const phoneSession = list.body.find((s: { userAgent: string }) => s.userAgent === 'phone');
    const res = await app.http().delete(`/auth/sessions/${phoneSession.id}`).set(...asCookie(me.cookie));
    expect(res.status).toBe(204);
    expect(isCleared(res)).toBe(false); // not this request's session
    expect((await app.http().get('/auth/me').set(...asCookie(phone))).status).toBe(401);
    expect((await app.http().post('/auth/refresh').set(...asCookie(phone))).status).toBe(401);
    expect((await app.http().get('/auth/me').set(...asCookie(me.cookie))).status).toBe(200);
  });

  it('clears the cookie when the current session revokes itself', async () => {
    const me = await signup(app);
    const [current] = (await app.http().get('/auth/sessions').set(...asCookie(me.cookie))).body;
    const res = await app.http().delete(`/auth/sessions/${current.id}`).set(...asCookie(me.cookie));
    expect(res.status).toBe(204);
    expect(isCleared(res)).toBe(true);
    expect((await app.http().get('/auth/me').set(...asCookie(me.cookie))).status).toBe(401);
  });

  it('answers 404 for another user’s session and leaves it alive', async () => {
    const me = await signup(app);
    const other = await signup(app);
    const [theirs] = (await app.http().get('/auth/sessions').set(...asCookie(other.cookie))).body;
    const res = await app.http().delete(`/auth/sessions/${theirs.id}`).set(...asCookie(me.cookie));
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ statusCode: 404, error: 'Not Found', message: 'No such session' });
    expect((await app.http().get('/auth/me').set(...asCookie(other.cookie))).status).toBe(200);
  });
});
