// A user made through the API from Node (no Origin header: a non-browser client, like curl),
// whose sign-up session is ended at once so that the browser's logins are its only sessions.
import assert from 'node:assert/strict';

export const PASSWORD_FOR_TESTS = 'correct horse battery';

export async function createUser(api, username, name) {
  const res = await fetch(`${api}/auth/signup`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password: PASSWORD_FOR_TESTS, name }),
  });
  const body = await res.json();
  assert.equal(res.status, 201, `signup of ${username}: ${res.status} ${JSON.stringify(body)}`);
  const cookie = res.headers.getSetCookie().find((line) => line.startsWith('auth-cookie='))?.split(';')[0];
  const logout = await fetch(`${api}/auth/logout`, { method: 'POST', headers: { Cookie: cookie ?? '' } });
  assert.equal(logout.status, 204);
  return body.user;
}

/**
 * A user with an authenticator app (TOTP) on, set up through the API from Node as a script would:
 * the key it answers and the recovery codes. Signed out afterwards.
 */
export async function createUserWithTotp(api, username, codeAt) {
  const signup = await fetch(`${api}/auth/signup`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password: PASSWORD_FOR_TESTS }),
  });
  assert.equal(signup.status, 201);
  const cookie = signup.headers.getSetCookie().find((line) => line.startsWith('auth-cookie='))?.split(';')[0] ?? '';
  const call = async (path, body) => {
    const res = await fetch(`${api}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json', Cookie: cookie }, body: JSON.stringify(body) });
    const text = await res.text();
    assert.ok(res.ok, `${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : null;
  };
  const { secret } = await call('/auth/mfa/totp', {});
  const { recoveryCodes } = await call('/auth/mfa/totp/confirm', { code: codeAt(secret, Date.now()) });
  await call('/auth/logout', {});
  return { key: secret, recoveryCodes };
}
