import { TestApp, startTestApp } from '../support/app';
import { isCleared } from '../support/cookies';
import { describeOnEachStore } from '../support/stores';
import { PASSWORD, asCookie, login, signup, uniqueName } from '../support/users';

describeOnEachStore('users endpoints', (store) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp(store);
  });
  afterAll(() => app.close());

  it('lists public profiles only, paginated and oldest first', async () => {
    const me = await signup(app);
    await signup(app);
    await signup(app);
    const page = await app.http().get('/users?page=1&limit=2').set(...asCookie(me.cookie));
    expect(page.status).toBe(200);
    expect(page.body).toEqual({ items: expect.any(Array), total: expect.any(Number), page: 1, limit: 2 });
    expect(page.body.items).toHaveLength(2);
    expect(page.body.total).toBeGreaterThanOrEqual(3);
    for (const user of page.body.items) expect(Object.keys(user).sort()).toEqual(['createdAt', 'id', 'name', 'username']);
    const next = await app.http().get('/users?page=2&limit=2').set(...asCookie(me.cookie));
    expect(next.body.items[0].id).not.toBe(page.body.items[1].id);
    expect((await app.http().get('/users?limit=100').set(...asCookie(me.cookie))).status).toBe(200);
    expect((await app.http().get('/users?limit=101').set(...asCookie(me.cookie))).status).toBe(400);
  });

  it('needs a session to list or read users', async () => {
    expect((await app.http().get('/users')).status).toBe(401);
    const { id } = await signup(app);
    expect((await app.http().get(`/users/${id}`)).status).toBe(401);
  });

  it('reads one public profile, and 404s for an unknown id', async () => {
    const me = await signup(app);
    const other = await signup(app);
    const res = await app.http().get(`/users/${other.id}`).set(...asCookie(me.cookie));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id: other.id, username: other.username, name: other.username, createdAt: expect.any(String) });
    const missing = await app.http().get('/users/7b0a3a9e-4c1f-4c55-9d0a-2f3a1d1b0c9e').set(...asCookie(me.cookie));
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ statusCode: 404, error: 'Not Found', message: 'No such user' });
  });

  it('changes one’s own name', async () => {
    const me = await signup(app);
    const res = await app.http().patch(`/users/${me.id}`).set(...asCookie(me.cookie)).send({ name: 'Grace Hopper' });
    expect(res.status).toBe(200);
    expect(res.body.name).toBe('Grace Hopper');
    expect((await app.http().get('/auth/me').set(...asCookie(me.cookie))).body.name).toBe('Grace Hopper');
  });

  // Without currentPassword, and with a session that is not recent: reauth.e2e-spec.
  it('changes the password with the right current one, refuses a wrong one, and then revokes every other session', async () => {
    const me = await signup(app);
    const laptop = await login(app, me.username);
    const patch = (body: object) => app.http().patch(`/users/${me.id}`).set(...asCookie(me.cookie)).send(body);

    const wrong = await patch({ password: 'a brand new secret', currentPassword: 'not it at all' });
    expect(wrong.status).toBe(403);
    expect((await app.http().get('/auth/me').set(...asCookie(laptop))).status).toBe(200);

    const ok = await patch({ password: 'a brand new secret', currentPassword: PASSWORD });
    expect(ok.status).toBe(200);
    expect(ok.body).not.toHaveProperty('passwordHash');
    expect((await app.http().get('/auth/me').set(...asCookie(me.cookie))).status).toBe(200);
    expect((await app.http().get('/auth/me').set(...asCookie(laptop))).status).toBe(401);
    expect((await app.http().post('/auth/refresh').set(...asCookie(laptop))).status).toBe(401);
    expect((await app.http().post('/auth/login').send({ username: me.username, password: PASSWORD })).status).toBe(401);
    expect((await app.http().post('/auth/login').send({ username: me.username, password: 'a brand new secret' })).status).toBe(200);
  });

  it('refuses an empty change', async () => {
    const me = await signup(app);
    const res = await app.http().patch(`/users/${me.id}`).set(...asCookie(me.cookie)).send({});
    expect(res.status).toBe(400);
  });

  it('forbids PATCH and DELETE of another user, and changes nothing', async () => {
    const me = await signup(app);
    const other = await signup(app);
    const patch = await app.http().patch(`/users/${other.id}`).set(...asCookie(me.cookie)).send({ name: 'pwned' });
    expect(patch.status).toBe(403);
    expect(patch.body).toEqual({ statusCode: 403, error: 'Forbidden', message: 'You can only change your own account' });
    const del = await app.http().delete(`/users/${other.id}`).set(...asCookie(me.cookie));
    expect(del.status).toBe(403);
    const still = await app.http().get(`/users/${other.id}`).set(...asCookie(other.cookie));
    expect(still.status).toBe(200);
    expect(still.body.name).toBe(other.username);
  });

  it('deletes one’s own account with all its sessions', async () => {
    const me = await signup(app);
    const phone = await login(app, me.username);
    const res = await app.http().delete(`/users/${me.id}`).set(...asCookie(me.cookie));
    expect(res.status).toBe(204);
    expect(isCleared(res)).toBe(true);
    for (const cookie of [me.cookie, phone]) {
      expect((await app.http().get('/auth/me').set(...asCookie(cookie))).status).toBe(401);
      expect((await app.http().post('/auth/refresh').set(...asCookie(cookie))).status).toBe(401);
    }
    expect((await app.http().post('/auth/login').send({ username: me.username, password: PASSWORD })).status).toBe(401);
    const again = await app.http().post('/auth/signup').send({ username: me.username, password: PASSWORD });
    expect(again.status).toBe(201);
  });

  it('normalises usernames so that case cannot create look-alike accounts', async () => {
    const name = uniqueName('Case');
    expect((await app.http().post('/auth/signup').send({ username: name, password: PASSWORD })).status).toBe(201);
    expect((await app.http().post('/auth/signup').send({ username: name.toLowerCase(), password: PASSWORD })).status).toBe(409);
  });
});
