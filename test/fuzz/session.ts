// The app and fixture every fuzz spec runs against, and the bookkeeping that proves a refused
// request changed nothing (see the doc comment of test/e2e/fuzz-bodies.e2e-spec.ts).
import fc from 'fast-check';
import { isDeepStrictEqual } from 'node:util';
import type { Response } from 'supertest';
import { startTestApp, TestApp } from '../support/app';
import { authCookieOf, AuthCookieValue, cookieHeader } from '../support/cookies';
import { StoreUnderTest } from '../support/stores';
import { login, PASSWORD, signup, uniqueName } from '../support/users';
import { Case, checkResponse, CLEAN_PROTO_KEYS, cut, describeCase, FuzzFailure, ownText, runs, SEED, Snapshot, stats, stored, trace } from './oracle';
import { decodeJwtPart, Fixture } from './cookie-arbitraries';

export interface Fuzz {
  readonly app: TestApp;
  readonly fx: Fixture;
  baseline: Snapshot;
  /** src/pages (HTML forms) may or may not be part of the build under test. */
  readonly pagesPresent: boolean;
  asCookie(value: AuthCookieValue): string;
  fire(c: Case): Promise<Response>;
  snapshot(): Promise<Snapshot>;
  expectStore(expected: Snapshot, why: string, c: Case, res: Response): Promise<void>;
  bookkeep(c: Case, res: Response, accepted?: (res: Response) => Snapshot): Promise<void>;
  property<T>(name: string, arb: fc.Arbitrary<T>, weight: number, run: (value: T) => Promise<void>): Promise<void>;
  /** The closing check of every fuzz spec file: the fixture survived everything the file threw. */
  expectFixtureIntact(): Promise<void>;
}

/**
 * One fuzz run's app and fixture (inside a describe): boots the app on `store` before the tests,
 * signs up A (sessions A1, A2), the victim C and B, records the baseline, and closes after them.
 */
export function fuzzSession(store: StoreUnderTest): Fuzz {

  let app: TestApp;
  let fx: Fixture;
  let baseline: Snapshot;
  /** src/pages (HTML forms) may or may not be part of the build under test. */
  let pagesPresent = false;

  const asCookie = (value: AuthCookieValue) => cookieHeader(value);

  async function fire(c: Case): Promise<Response> {
    stats.cases++;
    stats.endpoints.add(c.endpoint);
    let req = app.http()[c.method](c.path);
    if (c.cookie !== undefined) req = req.set('Cookie', c.cookie);
    for (const [k, v] of Object.entries(c.headers ?? {})) req = req.set(k, v);
    if (c.body) {
      if (c.body.contentType !== undefined) req = req.set('Content-Type', c.body.contentType);
      req = req.send(c.body.raw);
    }
    let res: Response;
    try {
      res = await req;
    } catch (error) {
      throw new FuzzFailure(`transport error: ${(error as Error).message}`, c);
    }
    const byStatus = stats.statuses.get(c.endpoint) ?? new Map<number, number>();
    byStatus.set(res.status, (byStatus.get(res.status) ?? 0) + 1);
    stats.statuses.set(c.endpoint, byStatus);
    trace(`${describeCase(c, res)}`);
    if (res.status < 400 && c.method !== 'get') stored.text += `\n${ownText(c)}`;
    checkResponse(c, res);
    return res;
  }

  async function snapshot(): Promise<Snapshot> {
    const a1 = asCookie(fx.a1);
    const [users, me, sessions, victim, victimLive] = await Promise.all([
      app.http().get('/users?limit=1').set('Cookie', a1),
      app.http().get('/auth/me').set('Cookie', a1),
      app.http().get('/auth/sessions').set('Cookie', a1),
      app.http().get(`/users/${fx.c.id}`).set('Cookie', a1),
      app.http().get('/auth/sessions').set('Cookie', asCookie(fx.c.cookie)),
    ]);
    for (const res of [users, me, sessions, victim]) {
      if (res.status !== 200) throw new Error(`fixture session A1 no longer works: ${res.status} ${res.text}`);
    }
    const victimSessions = victimLive.status === 200 ? (victimLive.body as { id: string }[]) : [];
    return {
      total: (users.body as { total: number }).total,
      me: me.body as Record<string, unknown>,
      sessions: sessions.body as unknown[],
      victim: victim.body,
      victimLive: victimSessions.filter((s) => s.id === fx.c.sessionId).length,
    };
  }

  /** The store must now be `expected`; on a mismatch the baseline follows reality, so shrinking starts clean. */
  async function expectStore(expected: Snapshot, why: string, c: Case, res: Response): Promise<void> {
    const now = await snapshot();
    baseline = now;
    if (!isDeepStrictEqual(now, expected)) {
      throw new FuzzFailure(`${why}: store changed\nexpected ${cut(JSON.stringify(expected), 1500)}\nfound    ${cut(JSON.stringify(now), 1500)}`, c, res);
    }
  }

  /** A refused request changes nothing; an accepted one only what `accepted` says it may. */
  async function bookkeep(c: Case, res: Response, accepted?: (res: Response) => Snapshot): Promise<void> {
    if (res.status >= 400) return expectStore(baseline, 'refused request', c, res);
    let expected: Snapshot;
    try {
      if (!accepted) throw new FuzzFailure(`accepted (${res.status}) a request that no valid input could have made`, c, res);
      expected = accepted(res);
    } catch (error) {
      baseline = await snapshot(); // whatever it did, the next case starts from what is there now
      throw error;
    }
    return expectStore(expected, 'accepted request', c, res);
  }

  async function property<T>(name: string, arb: fc.Arbitrary<T>, weight: number, run: (value: T) => Promise<void>): Promise<void> {
    let seed = SEED;
    for (const ch of name) seed = (Math.imul(seed, 31) + ch.charCodeAt(0)) | 0;
    await fc.assert(fc.asyncProperty(arb, run), { seed, numRuns: runs(weight) });
    // the read-only properties leave it to here: after each batch, nothing changed
    const now = await snapshot();
    if (!isDeepStrictEqual(now, baseline)) {
      throw new Error(`store changed during "${name}"\nexpected ${JSON.stringify(baseline)}\nfound    ${JSON.stringify(now)}`);
    }
  }

  beforeAll(async () => {
    // long FUZZ_RUNS must not outlive the fixture's access tokens
    // Wrong currentPasswords are part of the fuzz: the account lockout (brute-force.e2e-spec) must not end the run.
    // REAUTH_MAX_AGE=0: no session is ever recent, so a new password always needs currentPassword
    // (the oracle's rule); the recent-sign-in path has its own spec (reauth.e2e-spec).
    app = await startTestApp(store, { ACCESS_TTL: '6h', LOGIN_MAX_FAILURES: '100000', REAUTH_MAX_AGE: '0' });
    const a = await signup(app, uniqueName('fuzzA'));
    const a2 = await login(app, a.username, PASSWORD, 'fuzz-refresh-fixture');
    const c = await signup(app, uniqueName('fuzzC'));
    const b = await signup(app, uniqueName('fuzzB'));
    const cSessions = await app.http().get('/auth/sessions').set('Cookie', asCookie(c.cookie));
    const header = decodeJwtPart(a.cookie.token.split('.')[0]) as { kid: string };
    fx = {
      id: a.id,
      username: a.username,
      a1: a.cookie,
      a2,
      c: { id: c.id, username: c.username, cookie: c.cookie, sessionId: (cSessions.body as { id: string }[])[0].id },
      b: { id: b.id, username: b.username, cookie: b.cookie },
      kid: header.kid,
    };
    const loginPage = await app.http().get('/login');
    pagesPresent = loginPage.status === 200 && /html/.test(String(loginPage.headers['content-type']));
    if (!pagesPresent) process.stdout.write('fuzz: no HTML pages (GET /login is not a page): the page properties are skipped\n');
    baseline = await snapshot();
    expect(baseline.sessions).toHaveLength(2);
    expect(baseline.victimLive).toBe(1);
  });
  afterAll(() => app.close());

  async function expectFixtureIntact(): Promise<void> {
  expect(await snapshot()).toEqual(baseline);
  const refreshed = await app.http().post('/auth/refresh').set('Cookie', asCookie(fx.a2));
  expect(refreshed.status).toBe(200);
  authCookieOf(refreshed);
  const victim = await app.http().get('/auth/me').set('Cookie', asCookie(fx.c.cookie));
  expect(victim.status).toBe(200);
  const repassword = await app.http().patch(`/users/${fx.id}`).set('Cookie', asCookie(fx.a1)).send({ password: 'a fresh password 2', currentPassword: PASSWORD });
  expect(repassword.status).toBe(200);
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(CLEAN_PROTO_KEYS);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  }

  afterAll(() => {
    if (process.env.FUZZ_VERBOSE) {
      for (const [endpoint, byStatus] of [...stats.statuses].sort()) {
        const counts = [...byStatus].sort(([a], [b]) => a - b).map(([status, n]) => `${status}×${n}`).join(' ');
        process.stdout.write(`fuzz:   ${endpoint.padEnd(26)} ${counts}\n`);
      }
    }
    process.stdout.write(`fuzz: ${stats.cases} cases across ${stats.endpoints.size} endpoints (seed ${SEED})\n`);
  });

  return {
    get app() {
      return app;
    },
    get fx() {
      return fx;
    },
    get baseline() {
      return baseline;
    },
    set baseline(value: Snapshot) {
      baseline = value;
    },
    get pagesPresent() {
      return pagesPresent;
    },
    asCookie,
    fire,
    snapshot,
    expectStore,
    bookkeep,
    property,
    expectFixtureIntact,
  };
}
