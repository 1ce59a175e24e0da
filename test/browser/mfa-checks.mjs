// Check 9 and its parts: an authenticator app (TOTP) set up on the account page and used to sign in,
// in Chromium, with no script on any page. The code an app would show is computed here from the
// key the page shows, as a person would type it into their phone.
import assert from 'node:assert/strict';
import { Secret, TOTP } from 'otpauth';
import { authCookie } from './harness.mjs';
import { PASSWORD_FOR_TESTS, createUser } from './users.mjs';

const codeAt = (key, ms) => new TOTP({ secret: Secret.fromBase32(key), algorithm: 'SHA1', digits: 6, period: 30 }).generate({ timestamp: ms });

export async function mfaChecks({ check, browser, api, shot }) {
  const username = `mfa_${Date.now().toString(36)}`;
  const context = await browser.newContext({ viewport: { width: 1000, height: 900 } });
  const page = await context.newPage();
  const cspViolations = [];
  page.on('console', (msg) => msg.type() === 'error' && /Content Security Policy|Refused to/i.test(msg.text()) && cspViolations.push(msg.text()));
  let key;
  let recoveryCodes;
  const signInWithPassword = async () => {
    await page.goto(`${api}/login`);
    await page.fill('input[name="username"]', username);
    await page.fill('input[name="password"]', PASSWORD_FOR_TESTS);
    await Promise.all([page.waitForResponse((res) => res.url() === `${api}/pages/login`), page.click('button[type="submit"]')]);
    await page.waitForLoadState();
  };
  try {
    await createUser(api, username, 'Ada Lovelace');

    await check('9a. /account sets up an authenticator app: a QR code drawn as SVG, the key as text, no script', async () => {
      await signInWithPassword();
      assert.equal(new URL(page.url()).pathname, '/account');
      assert.equal(await page.textContent('#totp-status'), 'off');
      await Promise.all([page.waitForURL(`${api}/account/totp`), page.click('#totp-on')]);
      assert.equal(await page.locator('figure.qr svg').count(), 1);
      assert.equal(await page.locator('script').count(), 0);
      key = (await page.textContent('#totp-secret')).replace(/\s/g, '');
      assert.match(key, /^[A-Z2-7]{32}$/);
      await shot(page, 'totp-setup');
    });

    await check('9b. a code from the key turns it on and shows ten recovery codes once', async () => {
      await page.fill('input[name="code"]', codeAt(key, Date.now()));
      await Promise.all([page.waitForResponse((res) => res.url() === `${api}/pages/account/totp/confirm`), page.click('button[type="submit"]')]);
      recoveryCodes = await page.locator('#recovery-codes code').allTextContents();
      assert.equal(recoveryCodes.length, 10);
      await shot(page, 'recovery-codes');
      await page.goto(`${api}/account/totp`);
      assert.equal(new URL(page.url()).pathname, '/account', 'the set-up page is gone once the app is on');
      assert.equal(await page.textContent('#totp-status'), 'on');
    });

    await check('9c. signing in asks for the second step after the password; the session cookie waits for it', async () => {
      await Promise.all([page.waitForURL(`${api}/login`), page.click('#logout')]);
      await signInWithPassword();
      assert.equal(await page.locator('input[name="code"]').count(), 1);
      assert.equal(await page.getAttribute('input[name="code"]', 'autocomplete'), 'one-time-code');
      assert.equal(await authCookie(context, api), undefined);
      await shot(page, 'second-step');
      await page.goto(`${api}/account`);
      assert.equal(new URL(page.url()).pathname, '/login', 'the pending cookie opened /account');
    });

    await check('9d. a recovery code finishes the sign-in; nine are left', async () => {
      await signInWithPassword();
      await page.click('summary');
      await page.fill('input[name="recoveryCode"]', recoveryCodes[0]);
      await Promise.all([page.waitForURL(`${api}/account`), page.click('form:has(input[name="recoveryCode"]) button[type="submit"]')]);
      assert.equal(await page.textContent('#recovery-codes-left'), '9');
      assert.ok(await authCookie(context, api));
    });

    await check('9e. the code from the app finishes a sign-in too', async () => {
      await Promise.all([page.waitForURL(`${api}/login`), page.click('#logout')]);
      await signInWithPassword();
      await page.fill('input[name="code"]', codeAt(key, Date.now() + 30_000)); // the next step: the current one turned it on
      await Promise.all([page.waitForURL(`${api}/account`), page.click('form:has(input[name="code"]) button[type="submit"]')]);
      assert.equal(await page.textContent('#username'), username);
      assert.deepEqual(cspViolations, []);
    });
  } finally {
    await context.close();
  }
}
