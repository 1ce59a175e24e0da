// Fuzz (see test/e2e/fuzz-bodies.e2e-spec.ts for what every case must satisfy): cookie values on every cookie route, forged JWTs beside a real refresh token.
import fc from 'fast-check';
import { isDeepStrictEqual } from 'node:util';
import { describeOnEachStore } from '../support/stores';
import { login, PASSWORD } from '../support/users';
import { Body, Case, FuzzFailure, Method, own, TIMEOUT } from '../fuzz/oracle';
import { b64urlString } from '../fuzz/arbitraries';
import { b64json, cookieCases, decodeJwtPart, flip, flipJwt } from '../fuzz/cookie-arbitraries';
import { fuzzSession } from '../fuzz/session';

describeOnEachStore('fuzz: cookies', (store) => {
  const f = fuzzSession(store);

  it('cookies: raw, j: JSON with non-string fields, flipped and forged tokens, on every cookie route', async () => {
    // route, and whether an unmodified real access token of A may ride along (it would legitimately act)
    const routes: { endpoint: string; method: Method; path: () => string; realJwtOk: boolean; body?: Body }[] = [
      { endpoint: 'GET /auth/me', method: 'get', path: () => '/auth/me', realJwtOk: true },
      { endpoint: 'GET /auth/sessions', method: 'get', path: () => '/auth/sessions', realJwtOk: true },
      { endpoint: 'GET /users', method: 'get', path: () => '/users', realJwtOk: true },
      { endpoint: 'GET /users/:id', method: 'get', path: () => `/users/${f.fx.c.id}`, realJwtOk: true },
      { endpoint: 'POST /auth/refresh', method: 'post', path: () => '/auth/refresh', realJwtOk: true },
      { endpoint: 'POST /auth/logout', method: 'post', path: () => '/auth/logout', realJwtOk: false },
      { endpoint: 'POST /auth/logout-all', method: 'post', path: () => '/auth/logout-all', realJwtOk: false },
      { endpoint: 'DELETE /auth/sessions/:id', method: 'delete', path: () => `/auth/sessions/${f.fx.c.sessionId}`, realJwtOk: true },
      { endpoint: 'PATCH /users/:id', method: 'patch', path: () => `/users/${f.fx.c.id}`, realJwtOk: true, body: { contentType: 'application/json', raw: '{"name":"cookie fuzz"}' } },
      { endpoint: 'DELETE /users/:id', method: 'delete', path: () => `/users/${f.fx.c.id}`, realJwtOk: true },
    ];
    const weighted = (endpoint: string, weight: number) => ({ weight, arbitrary: fc.constant(routes.find((r) => r.endpoint === endpoint)!) });
    const route = fc.oneof(
      weighted('GET /auth/me', 3), weighted('POST /auth/refresh', 3), weighted('POST /auth/logout', 3), weighted('GET /auth/sessions', 3),
      weighted('GET /users', 1), weighted('GET /users/:id', 1), weighted('POST /auth/logout-all', 1), weighted('DELETE /auth/sessions/:id', 1),
      weighted('PATCH /users/:id', 1), weighted('DELETE /users/:id', 1),
    );
    const arb = fc.tuple(route, cookieCases(f.fx)).filter(([r, cookie]) => r.realJwtOk || !cookie.realJwt);
    await f.property('cookies', arb, 4, async ([r, cookie]) => {
      const c: Case = { endpoint: r.endpoint, method: r.method, path: r.path(), cookie: cookie.header, body: r.body };
      const res = await f.fire(c);
      if (r.method === 'get') return;
      // no real refresh token is ever in these cookies: no refresh may succeed; logout is a 204 that ends nothing
      if (r.endpoint === 'POST /auth/logout') return f.expectStore(f.baseline, `logout (${res.status}) with a cookie that is not A's`, c, res);
      await f.bookkeep(c, res);
    });
  }, TIMEOUT);

  it('POST /auth/refresh: a real refresh token beside a JWT we never signed is refused and rotates nothing', async () => {
    // Its own user B and a fresh session per case: whatever happens here disturbs nothing else.
    const headers = fc.oneof(
      fc.constantFrom<unknown>(
        { alg: 'none', typ: 'JWT' },
        { alg: 'none', typ: 'JWT', kid: f.fx.kid },
        { alg: 'NONE', kid: f.fx.kid },
        { alg: 'HS512', typ: 'JWT', kid: f.fx.kid },
        { alg: 'RS256', typ: 'JWT', kid: 'k-dropped1' },
        { alg: 'HS256', typ: 'JWT' },
        { alg: 'HS256', typ: 'JWT', kid: f.fx.kid },
        { alg: 'HS256', typ: 'JWT', kid: 'k-dropped1' },
        { alg: 'HS256', typ: 'JWT', kid: { $ne: null } },
        { alg: ['HS256'], kid: 'k-dropped1' },
        'not an object',
        null,
      ),
      fc.jsonValue({ maxDepth: 2 }),
    );
    const recipe = fc.oneof(
      fc.record({ kind: fc.constant('forged' as const), header: headers, claims: fc.constantFrom('same' as const, 'other-sid' as const, 'other-sub' as const, 'garbage' as const), sig: b64urlString(20, 86) }),
      fc.record({ kind: fc.constant('flip' as const), part: fc.integer({ min: 0, max: 2 }), index: fc.nat(600), shift: fc.nat(63) }),
      fc.constant({ kind: 'other-session' as const }),
    );
    const otherSid = (decodeJwtPart(f.fx.b.cookie.token.split('.')[1]) as { sid: string }).sid;
    await f.property('refresh-binding', recipe, 0.6, async (r) => {
      const session = await login(f.app, f.fx.b.username, PASSWORD, 'fuzz-binding');
      const [, payload] = session.token.split('.');
      const claims = decodeJwtPart(payload) as Record<string, unknown>;
      let token: string;
      if (r.kind === 'flip') token = flipJwt(session.token, r.part, r.index, r.shift);
      else if (r.kind === 'other-session') token = f.fx.c.cookie.token;
      else {
        const body =
          r.claims === 'same' ? payload
          : r.claims === 'other-sid' ? b64json({ ...claims, sid: otherSid })
          : r.claims === 'other-sub' ? b64json({ ...claims, sub: f.fx.c.id })
          : r.sig.slice(0, 20);
        token = `${b64json(r.header)}.${body}.${r.sig}`;
      }
      // A well-formed HS256 header naming a kid we do not hold, with this very session's claims, is
      // what a cookie signed under a since-dropped key looks like (issue 6, point 1: such sessions
      // survive by refresh): it cannot be told from a forgery, so it is no counterexample.
      const header = decodeJwtPart(token.split('.')[0]) as { alg?: unknown; kid?: unknown } | null | undefined;
      const sent = decodeJwtPart(token.split('.')[1]) as { sub?: unknown; sid?: unknown } | null | undefined;
      const droppedKeyLookalike =
        typeof header === 'object' && header !== null && header.alg === 'HS256' && typeof header.kid === 'string' && header.kid !== f.fx.kid &&
        sent?.sub === claims.sub && sent?.sid === claims.sid;
      try {
        if (droppedKeyLookalike || token === session.token) return;
        const before = await f.app.http().get('/auth/sessions').set('Cookie', f.asCookie(session));
        const c: Case = { endpoint: 'POST /auth/refresh', method: 'post', path: '/auth/refresh', cookie: f.asCookie({ token, refreshToken: session.refreshToken }) };
        const res = await f.fire(c);
        if (res.status < 400) {
          throw new FuzzFailure(`refresh accepted (and rotated the session) with a JWT we never signed; header ${JSON.stringify(header)}, claims ${JSON.stringify(sent)}`, c, res);
        }
        const after = await f.app.http().get('/auth/sessions').set('Cookie', f.asCookie(session));
        if (!isDeepStrictEqual(before.body, after.body)) throw new FuzzFailure('refused refresh changed the session', c, res);
      } finally {
        await f.app.http().post('/auth/logout').set('Cookie', f.asCookie(session));
      }
    });
  }, TIMEOUT);


  it('after all of it: the fixture is intact, A2 still refreshes, A’s password is unchanged, no prototype pollution', () => f.expectFixtureIntact(), TIMEOUT);
});
