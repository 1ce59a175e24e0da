// Check 6 and its parts: the server-rendered pages (HTML forms, no client script) in Chromium.
import assert from 'node:assert/strict';
import { sleep } from '../../scripts/lib/service.mjs';
import { authCookie, decodeAuthCookie } from './harness.mjs';
import { PASSWORD_FOR_TESTS, createUser } from './users.mjs';

export async function pagesChecks({ check, browser, api, shot, accessTtlSeconds }) {
  const username = `ssr_${Date.now().toString(36)}`;
  const first = await browser.newContext({ viewport: { width: 1100, height: 640 } });
  const second = await browser.newContext({ userAgent: 'Second device (browser suite)' });
  const cspViolations = [];
  try {
    await createUser(api, username, 'Grace Hopper');
    const a = await first.newPage();
    const b = await second.newPage();
    for (const page of [a, b]) {
      page.on('console', (msg) => msg.type() === 'error' && /Content Security Policy|Refused to/i.test(msg.text()) && cspViolations.push(msg.text()));
    }
    const signInWithForm = async (page, password = PASSWORD_FOR_TESTS) => {
      await page.goto(`${api}/login`);
      await page.fill('input[name="username"]', username);
      await page.fill('input[name="password"]', password);
      const [response] = await Promise.all([
        page.waitForResponse((res) => res.url() === `${api}/pages/login`),
        page.click('button[type="submit"]'),
      ]);
      await page.waitForLoadState();
      return response;
    };
    const rows = (page) => page.locator('table.sessions tbody tr');

    await check('6a. /login is a script-free form under a no-script CSP', async () => {
      const response = await a.goto(`${api}/login`);
      assert.equal(response.status(), 200);
      assert.match(response.headers()['content-security-policy'], /^default-src 'none'; style-src 'sha256-/);
      assert.equal(await a.locator('script').count(), 0);
      assert.equal(await a.getAttribute('form', 'action'), '/pages/login');
      await shot(a, 'login');
    });

    await check('6b. a wrong password re-renders the form with 401 "Invalid credentials"', async () => {
      const response = await signInWithForm(a, 'not the password');
      assert.equal(response.status(), 401);
      assert.match(await a.textContent('.error'), /Invalid credentials/);
      assert.equal(await a.inputValue('input[name="username"]'), username);
      assert.equal(await authCookie(first, api), undefined);
      await shot(a, 'login-invalid');
    });

    await check('6. the login form posts (same-origin, passes CSRF) and lands on /account with the user and a sessions table', async () => {
      const response = await signInWithForm(a);
      assert.equal(response.status(), 303);
      assert.equal((await response.request().allHeaders()).origin, api); // the real Origin, not "null" (see Referrer-Policy)
      assert.equal(new URL(a.url()).pathname, '/account');
      assert.equal(await a.textContent('#username'), username);
      assert.equal(await a.textContent('#display-name'), 'Grace Hopper');
      assert.equal(await rows(a).count(), 1);
      assert.equal(await a.getAttribute('table.sessions tbody tr', 'data-current'), 'true');
      assert.ok(await authCookie(first, api));
      await shot(a, 'account');
    });

    await check('6c. revoking the second device from /account sends that device to /login', async () => {
      await signInWithForm(b);
      assert.equal(new URL(b.url()).pathname, '/account');
      await a.reload();
      assert.equal(await rows(a).count(), 2);
      await shot(a, 'account-two-devices'); // this session marked, a Revoke button on the other
      const [revoke] = await Promise.all([
        a.waitForRequest((req) => req.method() === 'POST' && req.url().endsWith('/revoke')),
        a.waitForResponse((res) => res.url() === `${api}/account` && res.request().method() === 'GET'), // after the 303
        a.click('tr[data-current="false"] button[type="submit"]'),
      ]);
      await a.waitForLoadState();
      assert.match((await revoke.allHeaders()).cookie ?? '', /auth-cookie=/, 'a same-origin form post carries the cookie');
      assert.equal(await rows(a).count(), 1);
      const response = await b.goto(`${api}/account`);
      assert.equal(new URL(b.url()).pathname, '/login');
      assert.equal(response.request().redirectedFrom()?.url(), `${api}/account`);
      assert.equal(await authCookie(second, api), undefined, 'the revoked device kept its cookie');
      await shot(a, 'account-after-revoke');
    });

    await check('6d. after the access token expires, reloading /account refreshes server-side in that same 200 response', async () => {
      const before = decodeAuthCookie(await authCookie(first, api));
      await sleep((accessTtlSeconds + 1) * 1000);
      const response = await a.reload();
      assert.equal(response.status(), 200);
      assert.equal(response.request().redirectedFrom(), null, 'the page was reached through a redirect');
      assert.equal(new URL(response.url()).pathname, '/account');
      assert.equal(await a.textContent('#username'), username);
      const after = decodeAuthCookie(await authCookie(first, api));
      assert.notEqual(after.refreshToken, before.refreshToken, 'refresh token did not change');
      assert.match((await response.allHeaders())['set-cookie'] ?? '', /^auth-cookie=j%3A/);
    });

    await check('6e. the logout button ends the session: /login, cookie gone, /account redirects', async () => {
      await Promise.all([a.waitForURL(`${api}/login`), a.click('#logout')]);
      assert.equal(await authCookie(first, api), undefined);
      await a.goto(`${api}/account`);
      assert.equal(new URL(a.url()).pathname, '/login');
      await shot(a, 'after-logout');
    });

    await check('6f. the signup form creates an account and lands on /account', async () => {
      const page = await second.newPage();
      await page.goto(`${api}/signup`);
      await page.fill('input[name="username"]', `${username}_new`);
      await page.fill('input[name="name"]', '<b>not bold</b>');
      await page.fill('input[name="password"]', PASSWORD_FOR_TESTS);
      await Promise.all([page.waitForURL(`${api}/account`), page.click('button[type="submit"]')]);
      assert.equal(await page.textContent('#display-name'), '<b>not bold</b>'); // shown as text, not markup
      assert.equal(await page.locator('#display-name b').count(), 0);
      await page.close();
    });

    await check('6g. the CSP lets exactly the inline stylesheet in: styles applied, no violations reported', async () => {
      const page = await first.newPage();
      await page.goto(`${api}/login`);
      assert.equal(await page.evaluate(() => getComputedStyle(document.querySelector('form')).display), 'grid');
      await page.close();
      assert.deepEqual(cspViolations, []);
    });
  } finally {
    await first.close();
    await second.close();
  }
}
