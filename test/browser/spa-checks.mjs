// Checks 1-5a: the SPA on http://localhost:<spaPort> against the API on http://localhost:<apiPort>
// (same site, another origin), and pages on origins the API does not allow.
import assert from 'node:assert/strict';
import { Secret, TOTP } from 'otpauth';
import { PASSWORD_FOR_TESTS, createUserWithTotp } from './users.mjs';
import { sleep } from '../../scripts/lib/service.mjs';
import { COOKIE_NAME, authCookie, decodeAuthCookie, waitUntil } from './harness.mjs';

export async function spaChecks({ check, browser, api, spaOrigin, otherOrigin, crossSiteOrigin, shot, accessTtlSeconds, reauthMaxAgeSeconds }) {
  const context = await browser.newContext();
  try {
    const spa = await context.newPage();
    const username = `spa_${Date.now().toString(36)}`;
    const traffic = [];
    spa.on('response', (res) => traffic.push(`${res.request().method()} ${new URL(res.url()).pathname} ${res.status()}`));

    /** Clicks an SPA button and waits for its result in #status. */
    const act = async (id) => {
      const before = Number(await spa.getAttribute('#status', 'data-seq'));
      await spa.click(`#${id}`);
      await spa.waitForFunction((n) => Number(document.getElementById('status').dataset.seq) > n, before);
      return spa.textContent('#status');
    };
    const signIn = async (how) => {
      await spa.fill('#username', username);
      await spa.fill('#password', PASSWORD_FOR_TESTS);
      assert.equal(await act(how), `signed in as ${username}`);
    };
    const stillSignedIn = async () => {
      assert.equal(await act('me'), `me: ${username}`);
    };

    await check('1. SPA (other port, same site) signs up and logs in with credentials; auth-cookie is HttpOnly, SameSite=Lax, Path=/', async () => {
      await spa.goto(`${spaOrigin}/?api=${encodeURIComponent(api)}`);
      await signIn('signup');
      await signIn('login');
      const cookie = await authCookie(context, api);
      assert.ok(cookie, 'the browser stored auth-cookie from the cross-origin response');
      assert.deepEqual(
        { httpOnly: cookie.httpOnly, sameSite: cookie.sameSite, path: cookie.path, domain: cookie.domain, secure: cookie.secure },
        { httpOnly: true, sameSite: 'Lax', path: '/', domain: 'localhost', secure: false },
      );
      // Cookies are per host, not per port: the SPA's own origin holds it too, yet script cannot see it.
      assert.ok(await authCookie(context, spaOrigin), 'the cookie is in scope for the SPA origin');
      const visible = await spa.evaluate(() => document.cookie);
      assert.ok(!visible.includes(COOKIE_NAME), `document.cookie exposed it: ${visible}`);
      assert.ok(!(await spa.textContent('#user')).includes(decodeAuthCookie(cookie).refreshToken), 'a token reached the page');
      await shot(spa, 'spa-signed-in');
    });

    await check(`2. access token expiry: /auth/me 401 (expired) → POST /auth/refresh → retry succeeds, refresh token rotated`, async () => {
      await stillSignedIn();
      const before = decodeAuthCookie(await authCookie(context, api));
      await sleep((accessTtlSeconds + 1) * 1000);
      traffic.length = 0;
      await stillSignedIn();
      assert.equal(await spa.textContent('#refreshes'), '1');
      assert.deepEqual(
        traffic.filter((line) => !line.startsWith('OPTIONS')),
        ['GET /auth/me 401', 'POST /auth/refresh 200', 'GET /auth/me 200'],
      );
      const after = decodeAuthCookie(await authCookie(context, api));
      assert.notEqual(after.refreshToken, before.refreshToken, 'refresh token did not change');
      assert.notEqual(after.token, before.token, 'access token did not change');
      await shot(spa, 'spa-after-refresh');
    });

    await check('3. SPA lists sessions (exactly one current) and logs out; then /auth/me is 401 and the cookie is gone', async () => {
      assert.equal(await act('sessions'), '2 sessions'); // the sign-up's and the login's
      assert.equal(await spa.locator('#session-list tbody tr[data-current="true"]').count(), 1);
      await shot(spa, 'spa-sessions');
      assert.equal(await act('logout'), 'logged out');
      assert.equal(await authCookie(context, api), undefined, 'cookie still in the browser after logout');
      assert.equal(await act('me'), 'signed out (401: Not signed in)');
      assert.equal(await spa.textContent('#state'), 'signed out');
      await shot(spa, 'spa-signed-out');
    });

    await check('4. credentialed CORS only for allowed origins: another origin cannot read /auth/me, and its POST /auth/logout-all does not take effect', async () => {
      await signIn('login');
      const page = await context.newPage();
      const seen = await networkStatuses(context, page);
      await page.goto(`${otherOrigin}/other.html`);
      const attempts = await page.evaluate(async (apiUrl) => {
        const attempt = (init) => fetch(`${apiUrl}${init.path}`, { credentials: 'include', ...init }).then((res) => `read ${res.type} ${res.status}`, (error) => error.name);
        return {
          me: await attempt({ path: '/auth/me' }),
          logoutAll: await attempt({ path: '/auth/logout-all', method: 'POST' }),
          logoutAllNoCors: await attempt({ path: '/auth/logout-all', method: 'POST', mode: 'no-cors' }),
        };
      }, api);
      // All three fail in the page: no CORS grant for this origin, and the no-cors answer is
      // withheld too (helmet's Cross-Origin-Resource-Policy: same-origin).
      assert.deepEqual(attempts, { me: 'TypeError', logoutAll: 'TypeError', logoutAllNoCors: 'TypeError' });
      // The two POSTs did reach the API (a simple request needs no preflight) and were refused there.
      // Playwright hides answers the page may not read; the DevTools protocol still shows them.
      await waitUntil(() => seen.filter((line) => line.includes('/auth/')).length >= 3);
      assert.deepEqual(seen.filter((line) => line.includes('/auth/')), ['GET /auth/me 200', 'POST /auth/logout-all 403', 'POST /auth/logout-all 403']);
      await page.close();
      await stillSignedIn(); // the allowed SPA origin still reads it, and the session survived
    });

    await check('5. a page on another site (127.0.0.1 vs localhost) cannot log the user out with an auto-posting form', async () => {
      const before = decodeAuthCookie(await authCookie(context, api));
      const page = await context.newPage();
      for (const [path, name] of [['/auth/logout-all', 'cross-site-logout-all'], ['/pages/logout', 'cross-site-pages-logout']]) {
        await page.goto(`${crossSiteOrigin}/other.html`);
        const target = `${api}${path}`;
        const [response] = await Promise.all([
          page.waitForResponse((res) => res.url() === target && res.request().method() === 'POST'),
          page.evaluate((action) => {
            const form = Object.assign(document.createElement('form'), { method: 'post', action });
            document.body.append(form);
            form.submit();
          }, target),
        ]);
        const headers = await response.request().allHeaders();
        assert.equal(headers['sec-fetch-site'], 'cross-site');
        assert.equal(headers.cookie, undefined, 'SameSite=Lax should keep the cookie off a cross-site POST');
        assert.equal(response.status(), 403, `${path} answered ${response.status()}`);
        await page.waitForLoadState();
        await shot(page, name);
      }
      await page.close();
      const after = decodeAuthCookie(await authCookie(context, api));
      assert.equal(after.refreshToken, before.refreshToken, 'the cookie was changed by the cross-site posts');
      await stillSignedIn();
    });

    await check('5a. deleting the account once the sign-in is older than REAUTH_MAX_AGE: 403 → POST /auth/reauth → retried DELETE 204; then the login fails', async () => {
      await sleep((reauthMaxAgeSeconds + 1) * 1000);
      traffic.length = 0;
      assert.equal(await act('deleteAccount'), 'account deleted');
      const dangerous = traffic.filter((line) => /^(DELETE \/users\/|POST \/auth\/reauth)/.test(line)).map((line) => line.replace(/\/users\/[\w-]+/, '/users/:id'));
      assert.deepEqual(dangerous, ['DELETE /users/:id 403', 'POST /auth/reauth 200', 'DELETE /users/:id 204']);
      assert.equal(await authCookie(context, api), undefined, 'cookie still in the browser after the account was deleted');
      assert.equal(await act('login'), '401: Invalid credentials');
    });

    await check('5b. with an authenticator app on, the SPA gets mfaRequired and only a pending cookie, then signs in with the code; "don\'t ask again" skips it once that session is over', async () => {
      const codeAt = (key, ms) => new TOTP({ secret: Secret.fromBase32(key), algorithm: 'SHA1', digits: 6, period: 30 }).generate({ timestamp: ms });
      const owner = `${username}_totp`;
      const { key } = await createUserWithTotp(api, owner, codeAt);
      await spa.fill('#username', owner);
      await spa.fill('#password', PASSWORD_FOR_TESTS);
      assert.equal(await act('login'), 'second step needed: totp, recovery-code');
      assert.equal(await spa.isVisible('#second-step'), true);
      assert.equal(await authCookie(context, api), undefined, 'a session cookie before the second step');
      assert.equal(await act('me'), 'signed out (401: Not signed in)');
      await spa.fill('#code', codeAt(key, Date.now() + 30_000)); // the next step: the current one turned it on
      await spa.check('#rememberDevice');
      assert.equal(await act('secondStep'), `signed in as ${owner}`);
      assert.ok(await authCookie(context, api));
      // The session ends without a sign-out (it expired; here its cookie is dropped): a sign-out's
      // Clear-Site-Data would take the device cookie with it, and the browser with its memory.
      await context.clearCookies({ name: COOKIE_NAME });
      assert.equal(await act('login'), `signed in as ${owner}`, 'the remembered browser was asked again');
      // An explicit sign-out clears the site's cookies, the device cookie with them: asked again.
      assert.equal(await act('logout'), 'logged out');
      assert.equal(await act('login'), 'second step needed: totp, recovery-code');
    });
  } finally {
    await context.close();
  }
}

/** "METHOD /path status" of every response the page's network saw, including those CORS or CORP withheld. */
async function networkStatuses(context, page) {
  const cdp = await context.newCDPSession(page);
  const requests = new Map();
  const seen = [];
  cdp.on('Network.requestWillBeSent', ({ requestId, request }) => requests.set(requestId, `${request.method} ${new URL(request.url).pathname}`));
  cdp.on('Network.responseReceivedExtraInfo', ({ requestId, statusCode }) => seen.push({ requestId, statusCode }));
  await cdp.send('Network.enable');
  return {
    filter: (predicate) => seen.map(({ requestId, statusCode }) => `${requests.get(requestId)} ${statusCode}`).filter(predicate),
  };
}
