// Check 8: account recovery in Chromium over the pages: verify the address, forgot, the mail, reset,
// the old session gone, sign in with the new password. Mail goes to the service's outbox (no
// SMTP_URL in development): each message an .eml file, read back with mailparser.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { sleep } from '../../scripts/lib/service.mjs';
import { authCookie } from './harness.mjs';
import { PASSWORD_FOR_TESTS } from './users.mjs';

const NEW_PASSWORD = 'a fresh passphrase for recovery';

/** The link to `path` in the first outbox message to `to` whose subject matches, waiting for it. */
async function linkFromOutbox(outbox, to, subject, path, seen) {
  for (let i = 0; i < 100; i++) {
    let files = [];
    try {
      files = readdirSync(outbox).filter((f) => f.endsWith('.eml') && !seen.has(f)).sort();
    } catch {
      files = [];
    }
    for (const file of files) {
      const mail = await simpleParser(readFileSync(join(outbox, file)));
      if (mail.to?.text.includes(to) && subject.test(mail.subject ?? '')) {
        seen.add(file);
        const match = new RegExp(`(https?://\\S+${path}\\?token=[A-Za-z0-9_-]+)`).exec(mail.text ?? '');
        assert.ok(match, `no ${path} link in ${file}`);
        return match[1];
      }
    }
    await sleep(50);
  }
  throw new Error(`no mail to ${to} matching ${subject} in ${outbox}`);
}

export async function recoveryChecks({ check, browser, api, shot, outbox }) {
  const username = `rec_${Date.now().toString(36)}`;
  const address = `${username}@example.org`;
  const seen = new Set();
  const owner = await browser.newContext();
  const helper = await browser.newContext();
  try {
    const res = await fetch(`${api}/auth/signup`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username, password: PASSWORD_FOR_TESTS, email: address }),
    });
    assert.equal(res.status, 201);
    const a = await owner.newPage();
    const b = await helper.newPage();

    await check('8a. the verification link opens a page that changes nothing until its button is pressed', async () => {
      const link = await linkFromOutbox(outbox, address, /confirm your e-mail/, '/verify', seen);
      assert.ok(link.startsWith(`${api}/verify?token=`), link);
      const response = await b.goto(link);
      assert.equal(response.headers()['referrer-policy'], 'no-referrer');
      await Promise.all([b.waitForURL(`${api}/pages/verify`), b.click('button[type="submit"]')]);
      assert.match(await b.textContent('h1'), /Address confirmed/);
    });

    await a.goto(`${api}/login`);
    await a.fill('input[name="username"]', username);
    await a.fill('input[name="password"]', PASSWORD_FOR_TESTS);
    await Promise.all([a.waitForURL(`${api}/account`), a.click('button[type="submit"]')]);

    await check('8b. "Forgot password?" on /login leads to a form whose answer reveals nothing', async () => {
      await b.goto(`${api}/login`);
      await Promise.all([b.waitForURL(`${api}/forgot`), b.click('#forgot')]);
      await b.fill('input[name="account"]', username);
      await Promise.all([b.waitForURL(`${api}/pages/forgot`), b.click('button[type="submit"]')]);
      assert.match(await b.textContent('[role="status"]'), /If that account exists/);
      await shot(b, 'forgot-sent');
    });

    await check('8c. the mailed reset link opens a no-referrer form; posting it sets the password', async () => {
      const link = await linkFromOutbox(outbox, address, /reset your password/, '/reset', seen);
      const response = await b.goto(link);
      assert.equal(response.headers()['referrer-policy'], 'no-referrer');
      assert.equal(await b.locator('script, img, link[rel="stylesheet"]').count(), 0);
      await b.fill('input[name="password"]', NEW_PASSWORD);
      const [posted] = await Promise.all([b.waitForResponse((r) => r.url() === `${api}/pages/reset`), b.click('button[type="submit"]')]);
      assert.equal(posted.status(), 200);
      assert.equal((await posted.request().allHeaders()).origin, 'null'); // no-referrer: accepted with Sec-Fetch-Site: same-origin
      assert.match(await b.textContent('h1'), /Password changed/);
      await shot(b, 'reset-done');
    });

    await check('8d. the session signed in before the reset is gone', async () => {
      await a.goto(`${api}/account`);
      assert.equal(new URL(a.url()).pathname, '/login');
      assert.equal(await authCookie(owner, api), undefined);
    });

    await check('8e. the new password signs in; the old one does not', async () => {
      await a.fill('input[name="username"]', username);
      await a.fill('input[name="password"]', PASSWORD_FOR_TESTS);
      await Promise.all([a.waitForResponse((r) => r.url() === `${api}/pages/login`), a.click('button[type="submit"]')]);
      assert.equal(new URL(a.url()).pathname, '/pages/login');
      await a.fill('input[name="password"]', NEW_PASSWORD);
      await Promise.all([a.waitForURL(`${api}/account`), a.click('button[type="submit"]')]);
      assert.equal(await a.textContent('#username'), username);
      assert.match(await a.textContent('#email-status'), /verified/);
    });
  } finally {
    await owner.close();
    await helper.close();
  }
}
