import { TestApp, startTestApp } from '../support/app';
import { isCleared, setCookieLine } from '../support/cookies';
import { describeOnEachStore } from '../support/stores';
import { PASSWORD, asCookie, uniqueName } from '../support/users';

// The production flags (Secure on) and a configured cookie name and SameSite, asserted exactly.
describeOnEachStore('cookie flags', (store) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp(store, { COOKIE_SECURE: 'true', COOKIE_SAMESITE: 'strict', REFRESH_TTL: '1h' });
  });
  afterAll(() => app.close());

  it('sets HttpOnly, Secure, SameSite=Strict, Path=/ and Max-Age from the refresh lifetime', async () => {
    const res = await app.http().post('/auth/signup').send({ username: uniqueName(), password: PASSWORD });
    expect(setCookieLine(res)).toMatch(
      /^auth-cookie=j%3A[^;]+; Max-Age=(3599|3600); Path=\/; Expires=[^;]+ GMT; HttpOnly; Secure; SameSite=Strict$/,
    );
  });

  it('clears with the same flags', async () => {
    const res = await app.http().post('/auth/logout');
    expect(isCleared(res)).toBe(true);
    expect(setCookieLine(res)).toMatch(/^auth-cookie=; Path=\/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Secure; SameSite=Strict$/);
  });

  it('ignores a cookie under another name', async () => {
    const signup = await app.http().post('/auth/signup').send({ username: uniqueName(), password: PASSWORD });
    const [, value] = asCookie({ token: 'x', refreshToken: 'y' });
    expect(value.startsWith('auth-cookie=')).toBe(true);
    const renamed = setCookieLine(signup)!.split(';')[0].replace('auth-cookie=', 'other-cookie=');
    expect((await app.http().get('/auth/me').set('Cookie', renamed)).status).toBe(401);
  });
});
