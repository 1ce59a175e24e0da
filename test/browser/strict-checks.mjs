// Check 7 and its parts: COOKIE_LAYOUT=split with CSRF_MODE=double-submit, in Chromium, on a
// second service over plain http://localhost (a secure context for cookies, so the __Host- and
// __Secure- names must be accepted there exactly as over https).
import assert from 'node:assert/strict';
import { sleep } from '../../scripts/lib/service.mjs';
import { PASSWORD_FOR_TESTS } from './users.mjs';

const ACCESS = '__Host-access';
const REFRESH = '__Secure-refresh';
const CSRF = '__Host-csrf';

export async function strictChecks({ check, browser, api, shot, accessTtlSeconds }) {
  const context = await browser.newContext();
  const cookie = async (name, url = api) => (await context.cookies(url)).find((c) => c.name === name);
  try {
    const page = await context.newPage();
    const username = `strict_${Date.now().toString(36)}`;

    await check('7. split layout + double-submit: the signup form (hidden _csrf) lands on /account; Chromium keeps __Host-access and __Secure-refresh', async () => {
      await page.goto(`${api}/signup`);
      assert.ok(await page.inputValue('input[name="_csrf"]'), 'the form carries no CSRF token');
      await page.fill('input[name="username"]', username);
      await page.fill('input[name="password"]', PASSWORD_FOR_TESTS);
      await Promise.all([page.waitForURL(`${api}/account`), page.click('button[type="submit"]')]);
      assert.equal(await page.textContent('#username'), username);
      const access = await cookie(ACCESS);
      const refresh = await cookie(REFRESH, `${api}/auth/refresh`);
      assert.deepEqual(
        { path: access?.path, secure: access?.secure, httpOnly: access?.httpOnly, sameSite: access?.sameSite },
        { path: '/', secure: true, httpOnly: true, sameSite: 'Lax' },
      );
      assert.deepEqual(
        { path: refresh?.path, secure: refresh?.secure, httpOnly: refresh?.httpOnly, sameSite: refresh?.sameSite },
        { path: '/auth/refresh', secure: true, httpOnly: true, sameSite: 'Strict' },
      );
      assert.equal(await cookie('auth-cookie'), undefined);
      await shot(page, 'strict-account');
    });

    await check('7a. the browser sends __Secure-refresh to /auth/refresh only: /account gets the access cookie alone', async () => {
      const [request] = await Promise.all([page.waitForRequest(`${api}/account`), page.reload()]);
      const sent = (await request.allHeaders()).cookie ?? '';
      assert.match(sent, new RegExp(`${ACCESS}=`));
      assert.doesNotMatch(sent, new RegExp(`${REFRESH}=`));
    });

    await check('7b. once the access token expires, /account renews through /auth/refresh/page and comes back rotated', async () => {
      const before = (await cookie(REFRESH, `${api}/auth/refresh`)).value;
      await sleep((accessTtlSeconds + 1) * 1000);
      const response = await page.goto(`${api}/account`);
      assert.equal(response.status(), 200);
      const hops = [];
      for (let r = response.request().redirectedFrom(); r; r = r.redirectedFrom()) hops.unshift(new URL(r.url()).pathname);
      assert.deepEqual(hops, ['/account', '/auth/refresh/page']);
      assert.equal(await page.textContent('#username'), username);
      assert.notEqual((await cookie(REFRESH, `${api}/auth/refresh`)).value, before, 'the refresh token did not rotate');
    });

    await check('7c. a same-origin script cannot POST without the token (403), and can with the one from GET /auth/csrf', async () => {
      await page.goto(`${api}/health/live`); // a JSON page: the HTML pages' CSP allows no fetch at all
      const outcome = await page.evaluate(async () => {
        const without = await fetch('/auth/logout-all', { method: 'POST' });
        const { csrfToken } = await (await fetch('/auth/csrf')).json();
        const me = await fetch('/auth/me');
        const refreshed = await fetch('/auth/refresh', { method: 'POST', headers: { 'X-CSRF-Token': csrfToken } });
        return { without: without.status, message: (await without.json()).message, me: me.status, refreshed: refreshed.status };
      });
      assert.deepEqual(
        { without: outcome.without, me: outcome.me, refreshed: outcome.refreshed },
        { without: 403, me: 200, refreshed: 200 },
      );
      assert.match(outcome.message, /CSRF token missing or invalid/);
      const csrf = await cookie(CSRF);
      assert.deepEqual({ secure: csrf?.secure, httpOnly: csrf?.httpOnly, sameSite: csrf?.sameSite }, { secure: true, httpOnly: true, sameSite: 'Strict' });
    });

    await check('7d. the sign-out form (with its token) ends the session and removes both cookies', async () => {
      await page.goto(`${api}/account`);
      await Promise.all([page.waitForURL(`${api}/login`), page.click('#logout')]);
      assert.equal(await cookie(ACCESS), undefined);
      assert.equal(await cookie(REFRESH, `${api}/auth/refresh`), undefined);
      await page.goto(`${api}/account`);
      assert.equal(new URL(page.url()).pathname, '/login');
    });
  } finally {
    await context.close();
  }
}
