/**
 * Fuzz: property-based tests that throw random and hostile bodies, query
 * strings, path ids and cookie values at every endpoint of the real app (the JSON API, and the
 * HTML form pages when src/pages is part of the build), over HTTP, no mocks.
 *
 * For every case: the status is never >= 500; the body never carries a stack trace, "Error:",
 * a bcrypt hash or "passwordHash" (unless it merely quotes text the fuzz itself sent or stored);
 * an HTML page never carries live markup from the input; and a refused request (>= 400) never
 * changes the store. The store check is real and cheap: a fixture user A stays signed in
 * (session A1); before the run we record GET /users total, A's GET /auth/me, A's GET
 * /auth/sessions (full records, so a rotation shows in lastUsedAt) and a victim user C (profile
 * and live session); after every mutating case, and after every batch of read-only cases, they
 * must be what the bookkeeping says (a valid signup adds exactly one user, a valid rename
 * renames, nothing else changes). A second session A2 feeds the refresh/logout cookie fuzzing
 * (flipped tokens; never its real refresh token) and must still refresh at the end; A's
 * password must still be the original; Object.prototype must stay clean. Accepted input must
 * also be input the DTOs allow, and an accepted display name must read back as sent.
 *
 * FUZZ_SEED (default 4242) seeds every property (each adds a stable offset from its name).
 * FUZZ_RUNS (default 120) is the run count of a standard property; the others run a multiple
 * or a fraction of it. FUZZ_VERBOSE=1 adds status counts per endpoint; FUZZ_TRACE=<file>
 * appends every case and its answer to that file. The suite ends with one plain line,
 * `fuzz: N cases across M endpoints (seed S)`, N counting the requests actually fired
 * (shrinking included).
 */
// This file: hostile bodies on signup, login, PATCH /users/:id and every other route. The fuzz is split by theme over test/e2e/fuzz-*.e2e-spec.ts; the
// generators are in test/fuzz/arbitraries.ts and cookie-arbitraries.ts, the oracle in test/fuzz/oracle.ts,
// the app, fixture and store bookkeeping in test/fuzz/session.ts.
import fc from 'fast-check';
import { describeOnEachStore } from '../support/stores';
import { login, PASSWORD, signup } from '../support/users';
import { Body, Case, FuzzFailure, isString, Method, own, parsedOwn, stored, TIMEOUT, wellFormed } from '../fuzz/oracle';
import { bodyFor, PROTO_KEYS, sometimesHeaders } from '../fuzz/arbitraries';
import { fuzzSession } from '../fuzz/session';

describeOnEachStore('fuzz: bodies', (store) => {
  const f = fuzzSession(store);

  it('POST /auth/signup: hostile bodies are refused and create nobody; valid ones create exactly one user', async () => {
    const arb = fc.record({ body: bodyFor(['username', 'password', 'name'], { username: [f.fx.username] }), headers: sometimesHeaders });
    await f.property('signup', arb, 2, async ({ body, headers }) => {
      const c: Case = { endpoint: 'POST /auth/signup', method: 'post', path: '/auth/signup', body, headers };
      const res = await f.fire(c);
      await f.bookkeep(c, res, (ok) => {
        const sent = parsedOwn(body);
        const username = sent && own(sent, 'username');
        const name = sent && own(sent, 'name');
        const password = sent && own(sent, 'password');
        const user = (ok.body as { user: Record<string, unknown> }).user;
        const okShape =
          ok.status === 201 && sent !== null && isString(username) && /^[A-Za-z0-9_.-]{3,32}$/.test(username) && isString(password) &&
          Buffer.byteLength(password) <= 72 && (name === undefined || isString(name)) &&
          Object.keys(sent).every((k) => ['username', 'password', 'name', ...PROTO_KEYS].includes(k)) &&
          user.username === username.toLowerCase() && (user.name === (name ?? username.toLowerCase()) || !wellFormed(name)) && !('passwordHash' in user);
        if (!okShape) throw new FuzzFailure('signup accepted input the DTO forbids (or stored something else)', c, ok);
        return { ...f.baseline, total: f.baseline.total + 1 };
      });
    });
  }, TIMEOUT);

  it('POST /auth/login: hostile bodies never sign anyone in and change nothing', async () => {
    const arb = fc.record({ body: bodyFor(['username', 'password'], { username: [f.fx.username, f.fx.username.toUpperCase()] }), headers: sometimesHeaders });
    await f.property('login', arb, 1.5, async ({ body, headers }) => {
      const c: Case = { endpoint: 'POST /auth/login', method: 'post', path: '/auth/login', body, headers };
      const res = await f.fire(c);
      // no generated password is anyone's: every login must be refused
      await f.bookkeep(c, res);
    });
  }, TIMEOUT);

  it('PATCH /users/:id (own account): hostile bodies never rename, re-password or end sessions', async () => {
    const arb = fc.record({
      body: bodyFor(['name', 'password', 'currentPassword'], { currentPassword: [PASSWORD] }),
      headers: sometimesHeaders,
    });
    // A valid new password beside the right current one would really change it (and end A2): not fuzz.
    const changesPassword = (body: Body) => {
      const sent = parsedOwn(body);
      const password = sent && own(sent, 'password');
      return sent !== null && own(sent, 'currentPassword') === PASSWORD && isString(password) && password.length >= 8 && Buffer.byteLength(password) <= 72;
    };
    await f.property('patch-own', arb.filter(({ body }) => !changesPassword(body)), 2, async ({ body, headers }) => {
      const c: Case = { endpoint: 'PATCH /users/:id', method: 'patch', path: `/users/${f.fx.id}`, cookie: f.asCookie(f.fx.a1), body, headers };
      const res = await f.fire(c);
      await f.bookkeep(c, res, (ok) => {
        const sent = parsedOwn(body);
        const name = sent && own(sent, 'name');
        const keysOk = sent !== null && Object.keys(sent).every((k) => ['name', 'password', 'currentPassword', ...PROTO_KEYS].includes(k));
        const stored = (ok.body as { name?: unknown }).name;
        // a name that is not well-formed UTF-16 has its own f.property ("stored text round-trips")
        if (!keysOk || !isString(name) || own(sent, 'password') !== undefined || (stored !== name && wellFormed(name))) {
          throw new FuzzFailure('PATCH accepted input the DTO forbids (or stored something else)', c, ok);
        }
        return { ...f.baseline, me: { ...f.baseline.me, name: stored } };
      });
    });
  }, TIMEOUT);

  it('every endpoint: hostile bodies, content types and encodings on any route', async () => {
    const routes: { endpoint: string; method: Method; path: () => string; authed: boolean }[] = [
      { endpoint: 'POST /auth/signup', method: 'post', path: () => '/auth/signup', authed: false },
      { endpoint: 'POST /auth/login', method: 'post', path: () => '/auth/login', authed: false },
      { endpoint: 'POST /auth/refresh', method: 'post', path: () => '/auth/refresh', authed: false },
      { endpoint: 'POST /auth/logout', method: 'post', path: () => '/auth/logout', authed: false },
      { endpoint: 'POST /auth/logout-all', method: 'post', path: () => '/auth/logout-all', authed: false },
      { endpoint: 'GET /auth/me', method: 'get', path: () => '/auth/me', authed: true },
      { endpoint: 'GET /auth/sessions', method: 'get', path: () => '/auth/sessions', authed: true },
      { endpoint: 'DELETE /auth/sessions/:id', method: 'delete', path: () => `/auth/sessions/${f.fx.c.sessionId}`, authed: true },
      { endpoint: 'GET /users', method: 'get', path: () => '/users', authed: true },
      { endpoint: 'GET /users/:id', method: 'get', path: () => `/users/${f.fx.c.id}`, authed: true },
      { endpoint: 'PATCH /users/:id', method: 'patch', path: () => `/users/${f.fx.c.id}`, authed: true },
      { endpoint: 'DELETE /users/:id', method: 'delete', path: () => `/users/${f.fx.c.id}`, authed: true },
      { endpoint: 'GET /health', method: 'get', path: () => '/health', authed: false },
      { endpoint: 'GET /health/live', method: 'get', path: () => '/health/live', authed: false },
      ...(f.pagesPresent
        ? [
            { endpoint: 'GET /login', method: 'get' as const, path: () => '/login', authed: false },
            { endpoint: 'GET /signup', method: 'get' as const, path: () => '/signup', authed: false },
            { endpoint: 'GET /account', method: 'get' as const, path: () => '/account', authed: true },
            { endpoint: 'POST /pages/signup', method: 'post' as const, path: () => '/pages/signup', authed: false },
            { endpoint: 'POST /pages/login', method: 'post' as const, path: () => '/pages/login', authed: false },
            { endpoint: 'POST /pages/logout', method: 'post' as const, path: () => '/pages/logout', authed: false },
            { endpoint: 'POST /pages/sessions/:id/revoke', method: 'post' as const, path: () => `/pages/sessions/${f.fx.c.sessionId}/revoke`, authed: true },
          ]
        : []),
    ];
    const arb = fc.record({
      route: fc.constantFrom(...routes),
      body: bodyFor(['username', 'password', 'name', 'currentPassword', 'token', 'refreshToken', 'page', 'limit', 'id']),
      // A's real cookie where it cannot end or change anything (reads, and acts on the victim C: must be refused)
      withCookie: fc.boolean(),
    });
    await f.property('any-endpoint-body', arb, 1.5, async ({ route, body, withCookie }) => {
      const c: Case = { endpoint: route.endpoint, method: route.method, path: route.path(), body, cookie: withCookie && route.authed ? f.asCookie(f.fx.a1) : undefined };
      const res = await f.fire(c);
      if (route.method === 'get') return;
      if (route.endpoint === 'POST /auth/signup' || route.endpoint === 'POST /pages/signup') {
        return f.bookkeep(c, res, () => ({ ...f.baseline, total: f.baseline.total + 1 }));
      }
      // logout without a cookie is a 204 that must change nothing
      await f.expectStore(f.baseline, `${route.endpoint} (${res.status})`, c, res);
    });
  }, TIMEOUT);


  it('after all of it: the fixture is intact, A2 still refreshes, A’s password is unchanged, no prototype pollution', () => f.expectFixtureIntact(), TIMEOUT);
});
