import { TestApp, startTestApp } from '../support/app';
import { describeOnEachStore } from '../support/stores';
import { PASSWORD, asCookie, signup, uniqueName } from '../support/users';

const SPA_ORIGIN = 'http://localhost:5173';

describeOnEachStore('CSRF defence', (store) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp(store, { ALLOWED_ORIGINS: SPA_ORIGIN });
  });
  afterAll(() => app.close());

  const refused = { statusCode: 403, error: 'Forbidden', message: 'Cross-site request refused: this origin may not change state here' };

  it('refuses a cross-site POST and leaves the session working', async () => {
    const me = await signup(app);
    const logout = await app.http().post('/auth/logout').set(...asCookie(me.cookie)).set('Origin', 'https://evil.example');
    expect(logout.status).toBe(403);
    expect(logout.body).toEqual(refused);
    const fetchMeta = await app.http().post('/auth/logout-all').set(...asCookie(me.cookie)).set('Sec-Fetch-Site', 'cross-site');
    expect(fetchMeta.status).toBe(403);
    expect((await app.http().get('/auth/me').set(...asCookie(me.cookie))).status).toBe(200);
  });

  it('refuses cross-site login and signup (login CSRF)', async () => {
    const username = uniqueName();
    const signupRes = await app.http().post('/auth/signup').set('Origin', 'https://evil.example').send({ username, password: PASSWORD });
    expect(signupRes.status).toBe(403);
    const loginRes = await app.http().post('/auth/login').set('Sec-Fetch-Site', 'cross-site').send({ username, password: PASSWORD });
    expect(loginRes.status).toBe(403);
    expect((await app.http().post('/auth/login').send({ username, password: PASSWORD })).status).toBe(401); // nothing was created
  });

  it('refuses PATCH and DELETE from another origin, and the "null" origin', async () => {
    const me = await signup(app);
    const patch = await app.http().patch(`/users/${me.id}`).set(...asCookie(me.cookie)).set('Origin', 'null').send({ name: 'x' });
    expect(patch.status).toBe(403);
    const del = await app.http().delete(`/users/${me.id}`).set(...asCookie(me.cookie)).set('Origin', 'http://127.0.0.1:9999');
    expect(del.status).toBe(403);
    expect((await app.http().get('/auth/me').set(...asCookie(me.cookie))).body.name).toBe(me.username);
  });

  it('allows the service’s own origin, an allowed origin, same-site fetches and clients without Origin', async () => {
    const me = await signup(app);
    const host = 'auth.example.test:8443';
    const own = await app.http().post('/auth/refresh').set(...asCookie(me.cookie)).set('Host', host).set('Origin', `https://${host}`);
    expect(own.status).toBe(200);
    const spa = await app.http().post('/auth/login').set('Origin', SPA_ORIGIN).set('Sec-Fetch-Site', 'same-site').send({ username: me.username, password: PASSWORD });
    expect(spa.status).toBe(200);
    expect(spa.headers['access-control-allow-origin']).toBe(SPA_ORIGIN);
    expect(spa.headers['access-control-allow-credentials']).toBe('true');
    const curl = await app.http().post('/auth/login').send({ username: me.username, password: PASSWORD });
    expect(curl.status).toBe(200);
  });

  it('never grants CORS to an origin that is not allowed', async () => {
    const res = await app.http().options('/auth/login').set('Origin', 'https://evil.example').set('Access-Control-Request-Method', 'POST');
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('lets safe methods through from anywhere (they change nothing)', async () => {
    const me = await signup(app);
    const res = await app.http().get('/auth/me').set(...asCookie(me.cookie)).set('Sec-Fetch-Site', 'cross-site');
    expect(res.status).toBe(200);
  });
});
