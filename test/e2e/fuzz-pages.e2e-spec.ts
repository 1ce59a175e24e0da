// Fuzz (see test/e2e/fuzz-bodies.e2e-spec.ts for what every case must satisfy): the HTML form pages: form posts, cookies, ids and queries.
import fc from 'fast-check';
import { authCookieOf } from '../support/cookies';
import { describeOnEachStore } from '../support/stores';
import { login, PASSWORD, signup } from '../support/users';
import { Case, FuzzFailure, isString, own, parsedOwn, stored, TIMEOUT, wellFormed } from '../fuzz/oracle';
import { formBodyFor, headerString, MARKUP, oddString, pct, PROTO_KEYS, sometimesHeaders } from '../fuzz/arbitraries';
import { CookieCase, cookieCases, pathId } from '../fuzz/cookie-arbitraries';
import { fuzzSession } from '../fuzz/session';

describeOnEachStore('fuzz: pages', (store) => {
  const f = fuzzSession(store);

  it('pages: form posts to /pages/signup and /pages/login (urlencoded, bracket keys, JSON, anything)', async () => {
    if (!f.pagesPresent) return;
    const arb = fc.oneof(
      fc.record({ route: fc.constant('signup' as const), body: formBodyFor(['username', 'password', 'name'], { username: [f.fx.username] }), headers: sometimesHeaders }),
      fc.record({ route: fc.constant('login' as const), body: formBodyFor(['username', 'password'], { username: [f.fx.username, f.fx.username.toUpperCase()] }), headers: sometimesHeaders }),
    );
    await f.property('pages-forms', arb, 1.5, async ({ route, body, headers }) => {
      const c: Case = { endpoint: `POST /pages/${route}`, method: 'post', path: `/pages/${route}`, body, headers };
      const res = await f.fire(c);
      if (route === 'login') return f.bookkeep(c, res);
      await f.bookkeep(c, res, (ok) => {
        const sent = parsedOwn(body);
        const username = sent && own(sent, 'username');
        const password = sent && own(sent, 'password');
        const name = sent && own(sent, 'name');
        const okShape =
          ok.status === 303 && ok.headers.location === '/account' && sent !== null && isString(username) && /^[A-Za-z0-9_.-]{3,32}$/.test(username) &&
          isString(password) && Buffer.byteLength(password) <= 72 && (name === undefined || isString(name)) &&
          Object.keys(sent).every((k) => ['username', 'password', 'name', ...PROTO_KEYS].includes(k));
        if (!okShape) throw new FuzzFailure('page signup accepted input the DTO forbids', c, ok);
        return { ...f.baseline, total: f.baseline.total + 1 };
      });
    });
  }, TIMEOUT);

  it('pages: cookies, ids and queries on GET /login, /signup, /account and the logout and revoke forms', async () => {
    if (!f.pagesPresent) return;
    const page = fc.oneof(
      { weight: 3, arbitrary: fc.record({ kind: fc.constant('account' as const), cookie: cookieCases(f.fx) }) },
      { weight: 3, arbitrary: fc.record({ kind: fc.constant('logout' as const), cookie: cookieCases(f.fx).filter((k) => !k.realJwt) }) },
      {
        weight: 3,
        arbitrary: fc.record({
          kind: fc.constant('revoke' as const),
          // A's real cookie may ride along: none of these ids is one of A's sessions
          cookie: fc.oneof(fc.constant<CookieCase>({ header: f.asCookie(f.fx.a1), realJwt: true, note: 'A1' }), cookieCases(f.fx)),
          id: fc.oneof({ weight: 6, arbitrary: pathId }, { weight: 1, arbitrary: fc.constant('VICTIM_SESSION') }),
        }),
      },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('login-query' as const), query: fc.array(fc.tuple(fc.constantFrom('error', 'error[]', 'error[$ne]', '__proto__', 'next'), oddString), { maxLength: 3 }) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('signup-page' as const), cookie: cookieCases(f.fx) }) },
      // stored hostile text rendered back: A's display name, and the user agent of a session of C's
      { weight: 2, arbitrary: fc.record({ kind: fc.constant('rename-and-view' as const), name: fc.oneof(oddString, fc.constantFrom(...MARKUP)).filter((n) => n.length >= 1 && n.length <= 64) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('agent-and-view' as const), userAgent: fc.oneof(headerString(120), fc.constantFrom(...MARKUP)) }) },
    );
    await f.property('pages-cookies', page, 2, async (p) => {
      let c: Case = { endpoint: 'GET /account', method: 'get', path: '/account' };
      if (p.kind === 'account') c = { endpoint: 'GET /account', method: 'get', path: '/account', cookie: p.cookie.header };
      else if (p.kind === 'logout') c = { endpoint: 'POST /pages/logout', method: 'post', path: '/pages/logout', cookie: p.cookie.header };
      else if (p.kind === 'revoke') {
        const id = p.id === 'VICTIM_SESSION' ? f.fx.c.sessionId : p.id;
        c = { endpoint: 'POST /pages/sessions/:id/revoke', method: 'post', path: `/pages/sessions/${id}/revoke`, cookie: p.cookie.header };
      } else if (p.kind === 'login-query') {
        const query = p.query.map(([k, v]) => `${pct(k).replace(/%5B/g, '[').replace(/%5D/g, ']')}=${pct(v)}`).join('&');
        c = { endpoint: 'GET /login', method: 'get', path: `/login${query ? `?${query}` : ''}` };
      } else if (p.kind === 'signup-page') c = { endpoint: 'GET /signup', method: 'get', path: '/signup', cookie: p.cookie.header };
      if (p.kind === 'rename-and-view') {
        const rename: Case = { endpoint: 'PATCH /users/:id', method: 'patch', path: `/users/${f.fx.id}`, cookie: f.asCookie(f.fx.a1), body: { contentType: 'application/json', raw: JSON.stringify({ name: p.name }) } };
        const renamed = await f.fire(rename);
        await f.bookkeep(rename, renamed, (ok) => ({ ...f.baseline, me: { ...f.baseline.me, name: wellFormed(p.name) ? p.name : (ok.body as { name: unknown }).name } }));
        const view = await f.fire({ endpoint: 'GET /account', method: 'get', path: '/account', cookie: f.asCookie(f.fx.a1) });
        if (view.status !== 200) throw new FuzzFailure('the account page does not render a valid display name', rename, view);
        return;
      }
      if (p.kind === 'agent-and-view') {
        const signIn: Case = { endpoint: 'POST /auth/login', method: 'post', path: '/auth/login', headers: { 'User-Agent': p.userAgent }, body: { contentType: 'application/json', raw: JSON.stringify({ username: f.fx.c.username, password: PASSWORD }) } };
        const signedIn = await f.fire(signIn);
        if (signedIn.status !== 200) throw new FuzzFailure('victim C could not sign in', signIn, signedIn);
        const extra = authCookieOf(signedIn);
        try {
          const view = await f.fire({ endpoint: 'GET /account', method: 'get', path: '/account', cookie: f.asCookie(f.fx.c.cookie) });
          if (view.status !== 200) throw new FuzzFailure('the account page does not render', signIn, view);
        } finally {
          await f.app.http().post('/auth/logout').set('Cookie', f.asCookie(extra));
        }
        return f.expectStore(f.baseline, 'a second session of C, signed in and out', signIn, signedIn);
      }
      const res = await f.fire(c);
      if (c.method === 'get') return;
      // no cookie here ends a session of A's or C's, whatever the status (a 303 to /login included)
      await f.expectStore(f.baseline, `${c.endpoint} (${res.status})`, c, res);
    });
  }, TIMEOUT);


  it('after all of it: the fixture is intact, A2 still refreshes, A’s password is unchanged, no prototype pollution', () => f.expectFixtureIntact(), TIMEOUT);
});
