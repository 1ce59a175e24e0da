import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestApp, startTestApp } from '../support/app';
import { AuthCookieValue, SESSION_COOKIE_NAMES, authCookieOf } from '../support/cookies';
import { CSRF_COOKIE } from '../support/csrf';
import { describeOnEachStore } from '../support/stores';
import { PASSWORD, asCookie, uniqueName } from '../support/users';

const AGENT = 'security-log-test/1.0';
const NEW_PASSWORD = 'an entirely new passphrase';
const sidOf = (cookie: AuthCookieValue) => JSON.parse(Buffer.from(cookie.token.split('.')[1], 'base64url').toString()).sid as string;

describeOnEachStore('security events in the log', (store) => {
  let app: TestApp;
  let logDir: string;
  let lines: Record<string, unknown>[];
  let raw: string;
  const secrets: string[] = [PASSWORD, NEW_PASSWORD];
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    logDir = mkdtempSync(join(tmpdir(), 'nca-log-'));
    app = await startTestApp(store, { LOG_LEVEL: 'info', LOG_FILE: join(logDir, 'app.log'), REFRESH_REUSE_GRACE: '0s' });
    const http = () => app.http();
    const keep = (cookie: AuthCookieValue) => (secrets.push(cookie.token, cookie.refreshToken), cookie);

    const username = uniqueName('audit');
    const signup = await http().post('/auth/signup').set('User-Agent', AGENT).send({ username, password: PASSWORD });
    const first = keep(authCookieOf(signup));
    ids.user = signup.body.user.id;
    await http().post('/auth/login').set('User-Agent', AGENT).send({ username, password: 'wrong guess' }).expect(401);
    const second = keep(authCookieOf(await http().post('/auth/login').set('User-Agent', AGENT).send({ username, password: PASSWORD })));
    keep(authCookieOf(await http().post('/auth/refresh').set('User-Agent', AGENT).set(...asCookie(first)).expect(200)));
    await http().post('/auth/refresh').set('User-Agent', AGENT).set(...asCookie(first)).expect(401); // replay: theft
    ids.stolen = sidOf(first);
    const third = keep(authCookieOf(await http().post('/auth/login').set('User-Agent', AGENT).send({ username, password: PASSWORD })));
    ids.revoked = sidOf(third);
    await http().delete(`/auth/sessions/${ids.revoked}`).set('User-Agent', AGENT).set(...asCookie(second)).expect(204);
    await http().patch(`/users/${ids.user}`).set('User-Agent', AGENT).set(...asCookie(second)).send({ password: NEW_PASSWORD, currentPassword: PASSWORD }).expect(200);
    ids.second = sidOf(second);
    await http().post('/auth/logout').set('User-Agent', AGENT).set(...asCookie(second)).expect(204);

    await app.close();
    raw = readFileSync(join(logDir, 'app.log'), 'utf8');
    lines = raw.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
  });
  afterAll(() => rmSync(logDir, { recursive: true, force: true }));

  const event = (name: string) => lines.filter((line) => line.event === name);

  it('writes one structured line per security event, with user, session, ip and user agent', () => {
    const expected: [string, Record<string, unknown>][] = [
      ['signup', { userId: ids.user }],
      ['login_failed', {}],
      ['login', { userId: ids.user, sessionId: ids.second }],
      ['refresh', { userId: ids.user, sessionId: ids.stolen }],
      ['refresh_token_reuse', { userId: ids.user, sessionId: ids.stolen }],
      ['session_revoked', { userId: ids.user, sessionId: ids.revoked }],
      ['password_changed', { userId: ids.user, sessionId: ids.second }],
      ['logout', { userId: ids.user, sessionId: ids.second }],
    ];
    for (const [name, fields] of expected) {
      const found = event(name);
      expect(found.length).toBeGreaterThan(0);
      expect(found).toContainEqual(expect.objectContaining({ ...fields, context: 'Security', ip: expect.any(String), userAgent: AGENT }));
    }
    expect(event('refresh_token_reuse')[0].level).toBe(40); // pino's warn
  });

  it("names the request of each event by its request line's id", () => {
    const requestLines = new Map(lines.filter((line) => line.res !== undefined).map((line) => [(line.req as { id: unknown }).id, line]));
    expect(requestLines.size).toBeGreaterThan(5);
    const urlOf = (name: string) => event(name).map((line) => {
      const request = requestLines.get(line.requestId);
      return request && `${(request.req as { method: string }).method} ${(request.req as { url: string }).url}`;
    });
    expect(urlOf('signup')).toEqual(['POST /auth/signup']);
    expect(urlOf('login_failed')).toEqual(['POST /auth/login']);
    expect(urlOf('refresh_token_reuse')).toEqual(['POST /auth/refresh']);
    expect(urlOf('session_revoked')).toEqual([`DELETE /auth/sessions/${ids.revoked}`]);
    expect(urlOf('logout')).toEqual(['POST /auth/logout']);
  });

  it('never writes a password, token, hash or cookie value', () => {
    expect(raw.length).toBeGreaterThan(0);
    for (const secret of secrets) expect(raw).not.toContain(secret);
    expect(raw).not.toMatch(/\$2[aby]\$/); // bcrypt hashes
    for (const name of [...SESSION_COOKIE_NAMES, CSRF_COOKIE]) expect(raw).not.toContain(`${name}=`); // raw cookie headers
    expect(raw).not.toContain(encodeURIComponent(secrets[2]).slice(0, 40));
  });

  it('logs each request with id, method, url, client address and status only: no header (so no cookie, set-cookie, authorization or x-csrf-token), no body', () => {
    const requests = lines.filter((line) => line.req !== undefined && line.res !== undefined);
    expect(requests.map((line) => (line.req as { url: string }).url)).toEqual(expect.arrayContaining(['/auth/signup', '/auth/login', '/auth/refresh', '/auth/logout']));
    for (const line of requests) {
      expect(Object.keys(line.req as object).sort()).toEqual(['id', 'method', 'remoteAddress', 'url']);
      expect(Object.keys(line.res as object)).toEqual(['statusCode']);
    }
    expect(raw).not.toMatch(/"(headers|cookie|set-cookie|authorization|x-csrf-token)"/i);
  });
});
