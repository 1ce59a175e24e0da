import { TestApp, startTestApp } from '../support/app';
import { COOKIE_NAME, expectSessionCookies, expectSessionCookiesCleared, isCleared, setCookieLine } from '../support/cookies';
import { describeOnEachStore } from '../support/stores';
import { PASSWORD, uniqueName } from '../support/users';

// The production flags (Secure on) and a configured cookie name and SameSite, asserted exactly.
describeOnEachStore('cookie flags', (store) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp(store, { COOKIE_SECURE: 'true', COOKIE_SAMESITE: 'strict', REFRESH_TTL: '1h' });
  });
  afterAll(() => app.close());

  it('sets HttpOnly, Secure, SameSite=Strict, Path=/ and Max-Age from the refresh lifetime', async () => {
    const res = await app.http().post('/auth/signup').send({ username: uniqueName(), password: PASSWORD });
    expectSessionCookies(res, { maxAge: '(3599|3600)', sameSite: 'Strict', secure: true });
  });

  it('clears with the same flags', async () => {
    const res = await app.http().post('/auth/logout');
    expect(isCleared(res)).toBe(true);
    expectSessionCookiesCleared(res, { sameSite: 'Strict', secure: true });
  });

  it('reads the session only from the configured cookie name: the same value under another name is a 401', async () => {
    const signup = await app.http().post('/auth/signup').send({ username: uniqueName(), password: PASSWORD });
    const value = setCookieLine(signup)!.split(';')[0].slice(`${COOKIE_NAME}=`.length);
    expect((await app.http().get('/auth/me').set('Cookie', `${COOKIE_NAME}=${value}`)).status).toBe(200);
    expect((await app.http().get('/auth/me').set('Cookie', `other-cookie=${value}`)).status).toBe(401);
  });
});
