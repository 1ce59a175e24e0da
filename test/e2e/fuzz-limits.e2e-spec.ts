// Fuzz (see test/e2e/fuzz-bodies.e2e-spec.ts for what every case must satisfy): body sizes around the limit, GET /users queries, path ids, stored text read back.
import fc from 'fast-check';
import { describeOnEachStore } from '../support/stores';
import { login, PASSWORD, signup, uniqueName } from '../support/users';
import { Body, BODY_LIMIT, Case, codePoints, FuzzFailure, Method, own, stored, TIMEOUT } from '../fuzz/oracle';
import { bodyFor, oddString, pct } from '../fuzz/arbitraries';
import { pathId } from '../fuzz/cookie-arbitraries';
import { fuzzSession } from '../fuzz/session';

describeOnEachStore('fuzz: sizes, queries, ids, stored text', (store) => {
  const f = fuzzSession(store);

  it('bodies up to ~90 kB are refused cleanly; over the 100 kB limit they are a 413', async () => {
    const targets: { endpoint: string; method: Method; path: () => string; fields: string[]; cookie: () => string | undefined }[] = [
      { endpoint: 'POST /auth/signup', method: 'post', path: () => '/auth/signup', fields: ['username', 'password', 'name'], cookie: () => undefined },
      { endpoint: 'POST /auth/login', method: 'post', path: () => '/auth/login', fields: ['username', 'password'], cookie: () => undefined },
      { endpoint: 'PATCH /users/:id', method: 'patch', path: () => `/users/${f.fx.id}`, fields: ['name', 'password', 'currentPassword'], cookie: () => f.asCookie(f.fx.a1) },
      { endpoint: 'POST /auth/refresh', method: 'post', path: () => '/auth/refresh', fields: ['refreshToken'], cookie: () => undefined },
    ];
    const chunk = fc.constantFrom('x', 'é', '\u200B', '\u202E', '💩', '\\u0000', '\\ud800', 'ab"');
    const big = fc.record({
      target: fc.constantFrom(...targets),
      field: fc.nat(),
      chunk,
      bytes: fc.integer({ min: 2_000, max: 90_000 }),
      over: fc.boolean(),
      urlencoded: fc.boolean(),
    });
    await f.property('huge-bodies', big, 0.6, async ({ target, field, chunk, bytes, over, urlencoded }) => {
      const name = target.fields[field % target.fields.length];
      const unit = urlencoded ? pct(chunk) : chunk.replace('"', '\\"');
      const size = over ? BODY_LIMIT + bytes : bytes;
      const filler = unit.repeat(Math.max(1, Math.floor(size / Buffer.byteLength(unit))));
      const raw = urlencoded ? `${name}=${filler}` : `{${JSON.stringify(name)}:"${filler}"}`;
      const c: Case = {
        endpoint: target.endpoint,
        method: target.method,
        path: target.path(),
        cookie: target.cookie(),
        body: { contentType: urlencoded ? 'application/x-www-form-urlencoded' : 'application/json', raw },
      };
      const res = await f.fire(c);
      const length = Buffer.byteLength(raw);
      if (length > BODY_LIMIT && res.status !== 413) throw new FuzzFailure(`a ${length}-byte body must be a 413`, c, res);
      if (length <= BODY_LIMIT && res.status === 413) throw new FuzzFailure(`a ${length}-byte body is under the limit`, c, res);
      await f.bookkeep(c, res);
    });
  }, TIMEOUT);

  it('GET /users: random query strings give a 200 page or a 400, never more than 100 items', async () => {
    const key = fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom('page', 'limit') },
      { weight: 2, arbitrary: fc.tuple(fc.constantFrom('page', 'limit'), fc.constantFrom('[$gt]', '[$ne]', '[]', '[0]', '[__proto__]', '.$gt', '[constructor][prototype]')).map(([k, s]) => k + s) },
      { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', 'prototype', 'offset', 'sort', '$where', 'PAGE', '') },
      { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
    );
    const value = fc.oneof(
      { weight: 4, arbitrary: fc.integer({ min: -5, max: 120 }).map(String) },
      { weight: 2, arbitrary: fc.constantFrom('', '0', '1e2', '1e999', '-0', '0x10', '1.5', ' 1', '1 ', '+1', 'Infinity', 'NaN', 'null', '[]', '{}', '9007199254740993', '1000000', '1000001', '%', '%zz', '%00', '%E0%A4%A', '٣', '１') },
      { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
      { weight: 1, arbitrary: fc.integer({ min: 100, max: 6000 }).map((n) => '9'.repeat(n)) },
    );
    const arb = fc.array(fc.tuple(key, value, fc.boolean()), { maxLength: 5 });
    await f.property('users-query', arb, 2, async (params) => {
      const query = params
        .map(([k, v, raw]) => {
          const rawSafe = raw && /^[\x21-\x7e]*$/.test(v) && !/[&#]/.test(v);
          return `${pct(k).replace(/%5B/g, '[').replace(/%5D/g, ']')}=${rawSafe ? v : pct(v)}`;
        })
        .join('&');
      const c: Case = { endpoint: 'GET /users', method: 'get', path: `/users${query ? `?${query}` : ''}`, cookie: f.asCookie(f.fx.a1) };
      const res = await f.fire(c);
      if (res.status === 200) {
        const page = res.body as { items: Record<string, unknown>[]; total: number; page: number; limit: number };
        if (!Array.isArray(page.items) || page.items.length > 100 || typeof page.limit !== 'number' || page.limit > 100 || page.limit < 1) {
          throw new FuzzFailure('page shape broken', c, res);
        }
        for (const user of page.items) {
          if (Object.keys(user).sort().join() !== 'createdAt,id,name,username') throw new FuzzFailure('a listed user has non-public fields', c, res);
        }
      } else if (res.status !== 400 && res.status !== 414 && res.status !== 431) {
        throw new FuzzFailure(`expected 200 or 400, got ${res.status}`, c, res);
      }
    });
  }, TIMEOUT);

  it('path ids on GET/PATCH/DELETE /users/:id and DELETE /auth/sessions/:id: never a 5xx, nothing deleted', async () => {
    const routes = [
      { endpoint: 'GET /users/:id', method: 'get' as const, prefix: '/users/' },
      { endpoint: 'PATCH /users/:id', method: 'patch' as const, prefix: '/users/' },
      { endpoint: 'DELETE /users/:id', method: 'delete' as const, prefix: '/users/' },
      { endpoint: 'DELETE /auth/sessions/:id', method: 'delete' as const, prefix: '/auth/sessions/' },
    ];
    const arb = fc.record({
      route: fc.constantFrom(...routes),
      // the victim's real ids too: A may read C, but never change or end C
      id: fc.oneof({ weight: 6, arbitrary: pathId }, { weight: 1, arbitrary: fc.constantFrom('VICTIM_USER', 'VICTIM_SESSION') }),
      body: fc.oneof(fc.constant<Body>({ contentType: 'application/json', raw: '{"name":"renamed by fuzz"}' }), bodyFor(['name', 'password', 'currentPassword'])),
    });
    await f.property('path-ids', arb, 3, async ({ route, id, body }) => {
      const realId = id === 'VICTIM_USER' ? f.fx.c.id : id === 'VICTIM_SESSION' ? f.fx.c.sessionId : id;
      const c: Case = {
        endpoint: route.endpoint,
        method: route.method,
        path: route.prefix + realId,
        cookie: f.asCookie(f.fx.a1),
        body: route.method === 'patch' ? body : undefined,
      };
      const res = await f.fire(c);
      if (route.method === 'get') {
        // an empty id or a dot segment lands on the list: its items are profiles too
        const body = res.body as { items?: unknown };
        const profiles = (Array.isArray(body.items) ? body.items : [body]) as object[];
        if (res.status === 200 && profiles.some((p) => Object.keys(p).sort().join() !== 'createdAt,id,name,username')) {
          throw new FuzzFailure('a profile with non-public fields', c, res);
        }
        return;
      }
      // none of these ids is A's own, so no change or deletion may be accepted
      await f.bookkeep(c, res);
    });
  }, TIMEOUT);

  it('stored text round-trips: an accepted display name reads back exactly as sent (odd Unicode included)', async () => {
    const name = fc
      .oneof(
        { weight: 3, arbitrary: oddString },
        { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 8 }) },
        { weight: 2, arbitrary: fc.constantFrom('\uD800', '\uDFFF', 'a\uDBFFb', '\uDC00\uD800', '😀'.slice(0, 1), '😀'.slice(1)) },
      )
      .filter((n) => n.length >= 1 && n.length <= 64);
    await f.property('round-trip', fc.record({ via: fc.constantFrom('patch' as const, 'signup' as const), name }), 0.5, async ({ via, name: sentName }) => {
      if (via === 'patch') {
        const c: Case = { endpoint: 'PATCH /users/:id', method: 'patch', path: `/users/${f.fx.id}`, cookie: f.asCookie(f.fx.a1), body: { contentType: 'application/json', raw: JSON.stringify({ name: sentName }) } };
        const res = await f.fire(c);
        const me = res.status === 200 ? await f.app.http().get('/auth/me').set('Cookie', f.asCookie(f.fx.a1)) : undefined;
        f.baseline = await f.snapshot();
        if (res.status >= 400) return; // refusing a name is always allowed
        if ((res.body as { name: unknown }).name !== sentName || (me?.body as { name: unknown }).name !== sentName) {
          throw new FuzzFailure(`name accepted but stored as ${codePoints((me?.body as { name: unknown }).name)} (sent ${codePoints(sentName)})`, c, res);
        }
        return;
      }
      const c: Case = { endpoint: 'POST /auth/signup', method: 'post', path: '/auth/signup', body: { contentType: 'application/json', raw: JSON.stringify({ username: uniqueName('rt'), password: PASSWORD, name: sentName }) } };
      const res = await f.fire(c);
      f.baseline = await f.snapshot();
      if (res.status >= 400) return;
      const user = (res.body as { user: { id: string; name: unknown } }).user;
      const read = await f.app.http().get(`/users/${user.id}`).set('Cookie', f.asCookie(f.fx.a1));
      if (user.name !== sentName || (read.body as { name: unknown }).name !== sentName) {
        throw new FuzzFailure(`name accepted but stored as ${codePoints((read.body as { name: unknown }).name)} (sent ${codePoints(sentName)})`, c, res);
      }
    });
  }, TIMEOUT);


  it('after all of it: the fixture is intact, A2 still refreshes, A’s password is unchanged, no prototype pollution', () => f.expectFixtureIntact(), TIMEOUT);
});
