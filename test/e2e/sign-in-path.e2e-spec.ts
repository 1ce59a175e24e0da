import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Response } from 'supertest';
import { TestApp, startTestApp } from '../support/app';
import { expectSessionCookies } from '../support/cookies';
import { describeOnEachStore } from '../support/stores';
import { PASSWORD, uniqueName } from '../support/users';

/** Every Set-Cookie line of an answer with the values and dates taken out: what a client is told to keep, and how. */
const cookieShapes = (res: Response) =>
  ((res.headers['set-cookie'] as unknown as string[]) ?? [])
    .map((line) => line.replace(/=[^;]*/, '=…').replace(/Expires=[^;]+/, 'Expires=…').replace(/Max-Age=\d+/, 'Max-Age=…'))
    .sort();

/**
 * Password login and signup, through the API and through the forms, end in one place (SignIn):
 * the same session cookies, the same device cookie, the same security event. A step added to
 * one way in and not the other would show here.
 */
describeOnEachStore('one sign-in path for the API and the pages', (store) => {
  let app: TestApp;
  let logDir: string;
  beforeAll(async () => {
    logDir = mkdtempSync(join(tmpdir(), 'nca-log-'));
    app = await startTestApp(store, { LOG_LEVEL: 'info', LOG_FILE: join(logDir, 'app.log') });
  });
  afterAll(async () => {
    await app.close();
    rmSync(logDir, { recursive: true, force: true });
  });

  const events = () =>
    readFileSync(join(logDir, 'app.log'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { event?: string; userId?: string; method?: string; sessionId?: string })
      .filter((line) => line.event === 'login' || line.event === 'signup');

  /** The form as a browser posts it, with the page's CSRF field when the mode has one. */
  async function postForm(path: '/pages/login' | '/pages/signup', body: Record<string, string>) {
    const agent = app.agent();
    const form = await agent.get(path === '/pages/login' ? '/login' : '/signup').expect(200);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(form.text)?.[1];
    return agent.post(path).type('form').send({ ...body, ...(csrf ? { _csrf: csrf } : {}) });
  }

  it('signs up alike: the same cookies and the same event, with a session', async () => {
    const viaApi = await app.http().post('/auth/signup').send({ username: uniqueName(), password: PASSWORD }).expect(201);
    const formUser = uniqueName();
    const viaForm = await postForm('/pages/signup', { username: formUser, password: PASSWORD });
    expect(viaForm.status).toBe(303);
    expectSessionCookies(viaApi);
    expectSessionCookies(viaForm);
    expect(cookieShapes(viaForm)).toEqual(cookieShapes(viaApi));
    const [api, form] = events().slice(-2);
    expect(api).toMatchObject({ event: 'signup', userId: viaApi.body.user.id, method: 'signup', sessionId: expect.any(String) });
    expect(form).toMatchObject({ event: 'signup', method: 'signup', sessionId: expect.any(String) });
  });

  it('signs in with a password alike: the same cookies and the same event', async () => {
    const username = uniqueName();
    const created = await app.http().post('/auth/signup').send({ username, password: PASSWORD }).expect(201);
    const viaApi = await app.http().post('/auth/login').send({ username, password: PASSWORD }).expect(200);
    const viaForm = await postForm('/pages/login', { username, password: PASSWORD });
    expect(viaForm.status).toBe(303);
    expectSessionCookies(viaForm);
    expect(cookieShapes(viaForm)).toEqual(cookieShapes(viaApi));
    expect(cookieShapes(viaApi).some((line) => /^(__Host-)?device=…/.test(line))).toBe(true);
    const logins = events().filter((line) => line.event === 'login' && line.userId === created.body.user.id);
    expect(logins).toEqual([expect.objectContaining({ method: 'password' }), expect.objectContaining({ method: 'password' })]);
    expect(new Set(logins.map((line) => line.sessionId)).size).toBe(2);
  });

  it('refuses a wrong password alike: no cookie either way', async () => {
    const username = uniqueName();
    await app.http().post('/auth/signup').send({ username, password: PASSWORD }).expect(201);
    const viaApi = await app.http().post('/auth/login').send({ username, password: 'not the password' }).expect(401);
    const viaForm = await postForm('/pages/login', { username, password: 'not the password' });
    expect(cookieShapes(viaApi)).toEqual([]);
    expect(cookieShapes(viaForm).filter((line) => !/csrf/i.test(line))).toEqual([]);
  });
});
