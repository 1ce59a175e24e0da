/**
 * Deeply nested JSON: `{"username": [[[… 50,000 levels …]]]}` (about 100 kB) used to reach
 * class-transformer, whose recursion overflowed the stack: a 500 with a stack in the log, and
 * hundreds of milliseconds of CPU each. The body parser now refuses it (400) before anything walks it,
 * on both platforms (TEST_HTTP_PLATFORM), in every charset the JSON parser takes.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JSON_MAX_DEPTH } from '../../src/http/bodies';
import { TestApp, startTestApp } from '../support/app';
import { setCookieLine } from '../support/cookies';
import { describeOnEachStore } from '../support/stores';
import { PASSWORD, asCookie, signup, uniqueName } from '../support/users';

const LEVELS = 50_000;
const TOO_DEEP = {
  statusCode: 400,
  error: 'Bad Request',
  message: `Request body nests arrays or objects more than ${JSON_MAX_DEPTH} levels deep; send the fields as the API documents them`,
};

/** A username field nested `levels` arrays deep, as the review sent it. */
const nested = (levels: number, password = 'x') => `{"username": ${'['.repeat(levels)}${']'.repeat(levels)}, "password": "${password}"}`;

describeOnEachStore('deeply nested JSON bodies', (store) => {
  let app: TestApp;
  let logDir: string;
  beforeAll(async () => {
    logDir = mkdtempSync(join(tmpdir(), 'nca-log-'));
    app = await startTestApp(store, { LOG_LEVEL: 'info', LOG_FILE: join(logDir, 'app.log'), RATE_LIMIT_LOGIN: '1000', RATE_LIMIT_RECOVERY: '1000' });
  });
  afterAll(async () => {
    await app.close();
    rmSync(logDir, { recursive: true, force: true });
  });

  const post = (path: string, body: string, contentType = 'application/json') => app.http().post(path).set('Content-Type', contentType).send(body);

  it(`is a 400 naming the limit on every body route, before any guard or validation`, async () => {
    const me = await signup(app);
    const answers = await Promise.all([
      post('/auth/signup', nested(LEVELS)),
      post('/auth/login', nested(LEVELS)),
      post('/auth/reauth', nested(LEVELS)).set(...asCookie(me.cookie)),
      post('/auth/password-reset', nested(LEVELS)),
      post('/auth/password-reset/confirm', nested(LEVELS)),
      post('/auth/verify-email', nested(LEVELS)),
      app.http().patch(`/users/${me.id}`).set(...asCookie(me.cookie)).set('Content-Type', 'application/json').send(`{"name": ${'{"a":'.repeat(LEVELS / 5)}1${'}'.repeat(LEVELS / 5)}}`),
      post('/auth/login', `[${nested(LEVELS)}]`),
    ]);
    for (const res of answers) {
      expect(res.status).toBe(400);
      expect(res.body).toEqual(TOO_DEEP);
      expect(setCookieLine(res)).toBeUndefined();
    }
  });

  it('is refused in any charset the JSON parser reads (the bound counts characters, not bytes)', async () => {
    const body = Buffer.from(nested(LEVELS / 5), 'utf16le'); // two bytes a character: within BODY_LIMIT
    const res = await app
      .http()
      .post('/auth/login')
      .set('Content-Type', 'application/json; charset=utf-16le')
      .serialize((raw: Buffer) => raw as unknown as string)
      .send(body);
    expect(res.status).toBe(400);
    expect(res.body).toEqual(TOO_DEEP);
  });

  it(`takes ${JSON_MAX_DEPTH} levels (then validation speaks), and brackets inside strings do not count`, async () => {
    const atBound = await post('/auth/login', nested(JSON_MAX_DEPTH - 1));
    expect(atBound.status).toBe(400);
    expect(atBound.body.message).toMatch(/username must be a string/);
    const inStrings = await post('/auth/login', JSON.stringify({ username: uniqueName(), password: `${'['.repeat(30)}\\"{{{{${'{'.repeat(30)}` }));
    expect(inStrings.status).toBe(401);
    const username = uniqueName('brackets');
    const signedUp = await post('/auth/signup', JSON.stringify({ username, password: PASSWORD, name: '[[[[{{{{ \\" ]]]]' }));
    expect(signedUp.status).toBe(201);
  });

  it('leaves the process responsive and writes no error (no 500, no stack) to the log', async () => {
    const flood = Array.from({ length: 5 }, () => post('/auth/login', nested(LEVELS)));
    const started = Date.now();
    const live = await app.http().get('/health/live');
    const liveMs = Date.now() - started;
    expect(live.status).toBe(200);
    for (const res of await Promise.all(flood)) expect(res.status).toBe(400);
    // Before the bound, each of these held the event loop while class-transformer recursed.
    expect(liveMs).toBeLessThan(500);
    const lines = readFileSync(join(logDir, 'app.log'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { level: number; msg?: string });
    expect(lines.filter((line) => line.level >= 50)).toEqual([]);
    expect(JSON.stringify(lines)).not.toMatch(/RangeError|Maximum call stack|"stack"/);
  });
});
