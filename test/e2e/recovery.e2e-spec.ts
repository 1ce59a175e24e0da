import { setTimeout as sleep } from 'node:timers/promises';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestApp, startTestApp } from '../support/app';
import { authCookieOf } from '../support/cookies';
import { TestSmtpServer, linkIn } from '../support/mail';
import { storeDump } from '../support/store-dump';
import { describeOnEachStore } from '../support/stores';
import { PASSWORD, asCookie, uniqueName } from '../support/users';

export const PUBLIC_URL = 'https://auth.example.test';
const NEW_PASSWORD = 'a brand new passphrase';
/**
 * The store as a string, without the abuse counters: a refused request still counts against its
 * client (rate:) and, for a confirmation with a live token, against its account (reset_confirm:).
 */
const storeState = async (app: TestApp) => (await storeDump(app.env)).replace(/,?\{[^{}]*"key":"(rate|reset_confirm):[^{}]*\}/g, '');

const SAME_ANSWER = {
  message: 'If that account exists and has a verified e-mail address, a reset link is on its way. It works once, for 30 minutes.',
};

describeOnEachStore('account recovery over e-mail', (store) => {
  let smtp: TestSmtpServer;
  let app: TestApp;
  let logDir: string;
  const tokensSeen: string[] = [];

  beforeAll(async () => {
    smtp = await TestSmtpServer.start();
    logDir = mkdtempSync(join(tmpdir(), 'nca-log-'));
    app = await startTestApp(store, {
      SMTP_URL: smtp.url,
      PUBLIC_URL,
      SMTP_TIMEOUT: '2s',
      LOG_LEVEL: 'info',
      LOG_FILE: join(logDir, 'app.log'),
      LOGIN_MAX_FAILURES: '3',
    });
  });
  afterAll(async () => {
    await app.close();
    await smtp.close();
    rmSync(logDir, { recursive: true, force: true });
  });

  const http = () => app.http();
  const email = () => `${uniqueName('m')}@Example.org`;

  /** Signs up with an address and opens the verification link: a user who can reset. */
  async function verifiedUser(address = email()) {
    const username = uniqueName();
    const since = smtp.delivered.length;
    const res = await http().post('/auth/signup').send({ username, password: PASSWORD, email: address }).expect(201);
    const { token } = linkIn(await smtp.waitFor(address, /confirm your e-mail/, { since }), '/verify');
    tokensSeen.push(token);
    await http().post('/auth/verify-email').send({ token }).expect(204);
    return { id: res.body.user.id as string, username, email: address, cookie: authCookieOf(res) };
  }

  async function resetLink(body: object, to: string) {
    const since = smtp.delivered.length;
    await http().post('/auth/password-reset').send(body).expect(202);
    const link = linkIn(await smtp.waitFor(to, /reset your password/, { since }), '/reset');
    tokensSeen.push(link.token);
    return link;
  }

  it('verifies an address through the link mailed to it; GET /auth/me says so, GET /users never shows it', async () => {
    const address = email();
    const since = smtp.delivered.length;
    const res = await http().post('/auth/signup').send({ username: uniqueName(), password: PASSWORD, email: address }).expect(201);
    expect(res.body.user).toMatchObject({ email: address, emailVerified: false });
    const mail = await smtp.waitFor(address, /confirm your e-mail/, { since });
    const { url, token } = linkIn(mail, '/verify');
    tokensSeen.push(token);
    expect(`${url.origin}${url.pathname}`).toBe(`${PUBLIC_URL}/verify`);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const cookie = authCookieOf(res);
    await http().post('/auth/verify-email').send({ token }).expect(204);
    expect((await http().get('/auth/me').set(...asCookie(cookie))).body).toMatchObject({ email: address, emailVerified: true });
    expect((await http().post('/auth/verify-email').send({ token })).body.message).toMatch(/invalid, used or expired/);
    const list = await http().get('/users?limit=100').set(...asCookie(cookie)).expect(200);
    expect(JSON.stringify(list.body)).not.toContain('@');
    expect(JSON.stringify((await http().get(`/users/${res.body.user.id}`).set(...asCookie(cookie))).body)).not.toContain('@');
  });

  it('answers a taken address at signup like any other, and tells the owner instead', async () => {
    const owner = await verifiedUser();
    const since = smtp.delivered.length;
    const taken = await http().post('/auth/signup').send({ username: uniqueName(), password: PASSWORD, email: owner.email.toUpperCase() }).expect(201);
    expect(taken.body.user).toMatchObject({ email: owner.email.toUpperCase(), emailVerified: false });
    expect((await smtp.waitFor(owner.email, /given for another account/, { since })).text).not.toContain('token=');
    await sleep(200);
    expect(smtp.delivered.slice(since).filter((m) => /confirm your e-mail/.test(m.subject))).toEqual([]);
  });

  it('changes the address only with a recent sign-in or the password; the new one starts unverified', async () => {
    const user = await verifiedUser();
    const wrong = await http().patch(`/users/${user.id}`).set(...asCookie(user.cookie)).send({ email: email(), currentPassword: 'not it at all' });
    expect(wrong.status).toBe(403);
    const next = email();
    const since = smtp.delivered.length;
    const res = await http().patch(`/users/${user.id}`).set(...asCookie(user.cookie)).send({ email: next, currentPassword: PASSWORD }).expect(200);
    expect(res.body).toMatchObject({ email: next, emailVerified: false });
    const first = linkIn(await smtp.waitFor(next, /confirm your e-mail/, { since }), '/verify');
    tokensSeen.push(first.token);
    // The same unverified address again: a fresh link, and the first one is retired.
    const again = smtp.delivered.length;
    await http().patch(`/users/${user.id}`).set(...asCookie(user.cookie)).send({ email: next }).expect(200);
    const { token } = linkIn(await smtp.waitFor(next, /confirm your e-mail/, { since: again }), '/verify');
    tokensSeen.push(token);
    await http().post('/auth/verify-email').send({ token: first.token }).expect(400);
    // The old address no longer resets anything; the new one does once verified.
    const before = smtp.delivered.length;
    await http().post('/auth/password-reset').send({ email: user.email }).expect(202, SAME_ANSWER);
    await http().post('/auth/verify-email').send({ token }).expect(204);
    await resetLink({ email: next }, next);
    expect(smtp.delivered.slice(before).filter((m) => m.to.toLowerCase().includes(user.email.toLowerCase()))).toEqual([]);
  });

  it('answers every reset request alike, and mails only a verified address', async () => {
    const verified = await verifiedUser();
    const unverified = uniqueName();
    await http().post('/auth/signup').send({ username: unverified, password: PASSWORD, email: `${unverified}@example.org` }).expect(201);
    const since = smtp.delivered.length;
    for (const body of [{ username: uniqueName('ghost') }, { email: 'nobody@example.org' }, { username: unverified }, { email: `${unverified}@example.org` }]) {
      const res = await http().post('/auth/password-reset').send(body);
      expect({ status: res.status, body: res.body }).toEqual({ status: 202, body: SAME_ANSWER });
    }
    await resetLink({ email: verified.email.toLowerCase() }, verified.email);
    await resetLink({ username: verified.username.toUpperCase() }, verified.email);
    expect(smtp.delivered.slice(since).filter((m) => /reset your password/.test(m.subject)).map((m) => m.to.toLowerCase())).toEqual([
      verified.email.toLowerCase(),
      verified.email.toLowerCase(),
    ]);
  });

  it('builds links from PUBLIC_URL only: a forged Host or X-Forwarded-Host changes nothing', async () => {
    const user = await verifiedUser();
    const since = smtp.delivered.length;
    await http().post('/auth/password-reset').set('Host', 'evil.example').set('X-Forwarded-Host', 'evil.example').set('X-Forwarded-Proto', 'http').send({ username: user.username }).expect(202);
    const mail = await smtp.waitFor(user.email, /reset your password/, { since });
    expect(mail.text).not.toContain('evil.example');
    expect(linkIn(mail, '/reset').url.origin).toBe(PUBLIC_URL);
    tokensSeen.push(linkIn(mail, '/reset').token);
  });

  it('resets: the new password works, every session ends, the lockout is cleared, a notice is mailed', async () => {
    const user = await verifiedUser();
    for (let i = 0; i < 4; i++) await http().post('/auth/login').send({ username: user.username, password: 'wrong guess!' }).expect(401);
    // Locked: even the right password is refused now.
    await http().post('/auth/login').send({ username: user.username, password: PASSWORD }).expect(401);
    const { token } = await resetLink({ username: user.username }, user.email);
    const since = smtp.delivered.length;
    await http().post('/auth/password-reset/confirm').send({ token, password: NEW_PASSWORD }).expect(204);
    await http().get('/auth/me').set(...asCookie(user.cookie)).expect(401);
    await http().post('/auth/refresh').set(...asCookie(user.cookie)).expect(401);
    await http().post('/auth/login').send({ username: user.username, password: PASSWORD }).expect(401);
    await http().post('/auth/login').send({ username: user.username, password: NEW_PASSWORD }).expect(200);
    await smtp.waitFor(user.email, /password was changed/, { since });
    const reused = await http().post('/auth/password-reset/confirm').send({ token, password: 'yet another passphrase' });
    expect(reused.status).toBe(400);
    expect(reused.body.message).toMatch(/invalid, used or expired/);
  });

  it('refuses a common password at reset through the password policy, keeping the link usable', async () => {
    const user = await verifiedUser();
    const { token } = await resetLink({ username: user.username }, user.email);
    const before = await storeState(app);
    const refused = await http().post('/auth/password-reset/confirm').send({ token, password: 'password' });
    expect(refused.status).toBe(400);
    expect(refused.body.message).toMatch(/commonly used passwords/);
    expect(refused.text).not.toContain('"password"');
    expect(await storeState(app)).toBe(before);
    await http().post('/auth/password-reset/confirm').send({ token, password: NEW_PASSWORD }).expect(204);
  });

  it('keeps one live link per account: a newer request retires the older', async () => {
    const user = await verifiedUser();
    const older = await resetLink({ username: user.username }, user.email);
    const newer = await resetLink({ email: user.email }, user.email);
    await http().post('/auth/password-reset/confirm').send({ token: older.token, password: NEW_PASSWORD }).expect(400);
    await http().post('/auth/password-reset/confirm').send({ token: newer.token, password: NEW_PASSWORD }).expect(204);
  });

  it('lets exactly one of many concurrent confirmations reset', async () => {
    const user = await verifiedUser();
    const { token } = await resetLink({ username: user.username }, user.email);
    const results = await Promise.all(Array.from({ length: 5 }, (_, i) => http().post('/auth/password-reset/confirm').send({ token, password: `${NEW_PASSWORD} ${i}` })));
    expect(results.map((r) => r.status).sort()).toEqual([204, 400, 400, 400, 400]);
  });

  it('mails one account at most 3 links in 15 minutes, and still answers 202', async () => {
    const user = await verifiedUser();
    const since = smtp.delivered.length;
    const answers = await Promise.all(Array.from({ length: 6 }, () => http().post('/auth/password-reset').send({ username: user.username })));
    expect(answers.map((r) => r.status)).toEqual([202, 202, 202, 202, 202, 202]);
    await smtp.waitFor(user.email, /reset your password/, { since });
    await sleep(500);
    const mails = smtp.delivered.slice(since).filter((m) => /reset your password/.test(m.subject));
    expect(mails).toHaveLength(3);
    for (const mail of mails) tokensSeen.push(linkIn(mail, '/reset').token);
  });

  it.each([
    ['a truncated token', { token: 'abc', password: NEW_PASSWORD }, /43-character token/],
    ['an unknown token', { token: 'A'.repeat(43), password: NEW_PASSWORD }, /invalid, used or expired/],
    ['an object token', { token: { $gt: '' }, password: NEW_PASSWORD }, /43-character token/],
    ['a short password', { token: 'A'.repeat(43), password: 'short' }, /password must be longer/],
    ['an unknown field', { token: 'A'.repeat(43), password: NEW_PASSWORD, userId: 'x' }, /should not exist/],
  ])('refuses %s with a 400 and changes nothing', async (_case, body, message) => {
    const before = await storeState(app);
    const res = await http().post('/auth/password-reset/confirm').send(body);
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(message);
    expect(await storeState(app)).toBe(before);
  });

  it('refuses a tampered token and a token for another purpose, changing nothing', async () => {
    const user = await verifiedUser();
    const { token } = await resetLink({ username: user.username }, user.email);
    const tampered = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');
    const before = await storeState(app);
    await http().post('/auth/password-reset/confirm').send({ token: tampered, password: NEW_PASSWORD }).expect(400);
    await http().post('/auth/verify-email').send({ token }).expect(400); // a reset token verifies nothing
    expect(await storeState(app)).toBe(before);
    await http().post('/auth/password-reset/confirm').send({ token, password: NEW_PASSWORD }).expect(204);
  });

  it.each([
    ['both fields', { username: 'ada', email: 'ada@example.org' }, /either username or email/],
    ['neither field', {}, /either username or email/],
    ['a header injection', { email: 'ada@example.org\r\nBcc: victim@example.org' }, /plain address/],
    ['an over-long address', { email: `${'a'.repeat(250)}@example.org` }, /at most 254/],
    ['not an address', { email: 'not an address' }, /plain address/],
    ['an object', { username: { $ne: null } }, /username must be a string/],
  ])('refuses a reset request with %s (400)', async (_case, body, message) => {
    const res = await http().post('/auth/password-reset').send(body);
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(message);
  });

  it('refuses a signup address with a header injection, changing nothing', async () => {
    const username = uniqueName();
    const res = await http().post('/auth/signup').send({ username, password: PASSWORD, email: 'x@example.org\nBcc: y@example.org' });
    expect(res.status).toBe(400);
    await http().post('/auth/login').send({ username, password: PASSWORD }).expect(401);
  });

  describe('the pages', () => {
    it('links "Forgot password?" from /login and answers /pages/forgot with the same page whatever exists', async () => {
      expect((await http().get('/login').expect(200)).text).toContain('href="/forgot"');
      await http().get('/forgot').expect(200);
      const known = await verifiedUser();
      const texts = [];
      for (const account of [known.username, uniqueName('ghost'), 'nobody@example.org']) {
        const res = await http().post('/pages/forgot').type('form').send({ account }).expect(200);
        texts.push(res.text);
      }
      expect(new Set(texts).size).toBe(1);
      tokensSeen.push(linkIn(await smtp.waitFor(known.email, /reset your password/), '/reset').token);
    });

    it('shows the reset form on GET (changing nothing), with no referrer and nothing from elsewhere; resets on POST', async () => {
      const user = await verifiedUser();
      const { token } = await resetLink({ username: user.username }, user.email);
      const before = await storeState(app);
      const page = await http().get(`/reset?token=${token}`).expect(200);
      expect(await storeState(app)).toBe(before);
      expect(page.headers['referrer-policy']).toBe('no-referrer');
      expect(page.headers['content-security-policy']).toMatch(/default-src 'none'/);
      expect(page.text).toContain(`name="token" value="${token}"`);
      expect(page.text).not.toMatch(/<(script|img|link|iframe)\b/);
      // The browser posts that form with Origin: null (no-referrer) and Sec-Fetch-Site: same-origin.
      await http().post('/pages/reset').set('Origin', 'null').type('form').send({ token, password: NEW_PASSWORD }).expect(403);
      for (const site of ['same-site', 'cross-site', 'none']) {
        await http().post('/pages/reset').set('Origin', 'null').set('Sec-Fetch-Site', site).type('form').send({ token, password: NEW_PASSWORD }).expect(403);
      }
      const done = await http().post('/pages/reset').set('Origin', 'null').set('Sec-Fetch-Site', 'same-origin').type('form').send({ token, password: NEW_PASSWORD });
      expect(done.status).toBe(200);
      expect(done.headers['referrer-policy']).toBe('no-referrer');
      expect(done.text).toContain('Password changed');
      const again = await http().post('/pages/reset').set('Sec-Fetch-Site', 'same-origin').type('form').send({ token, password: NEW_PASSWORD });
      expect(again.status).toBe(400);
      expect(again.text).toContain('invalid, used or expired');
      await http().post('/auth/login').send({ username: user.username, password: NEW_PASSWORD }).expect(200);
    });

    it('verifies an address with the button of /verify, never on the GET', async () => {
      const address = email();
      const since = smtp.delivered.length;
      const res = await http().post('/auth/signup').send({ username: uniqueName(), password: PASSWORD, email: address }).expect(201);
      const { token } = linkIn(await smtp.waitFor(address, /confirm your e-mail/, { since }), '/verify');
      tokensSeen.push(token);
      const page = await http().get(`/verify?token=${token}`).expect(200);
      expect(page.headers['referrer-policy']).toBe('no-referrer');
      expect((await http().get('/auth/me').set(...asCookie(authCookieOf(res)))).body.emailVerified).toBe(false);
      const done = await http().post('/pages/verify').set('Origin', 'null').set('Sec-Fetch-Site', 'same-origin').type('form').send({ token });
      expect(done.status).toBe(200);
      expect((await http().get('/auth/me').set(...asCookie(authCookieOf(res)))).body.emailVerified).toBe(true);
    });
  });

  it('never writes a token to the log or the store, and logs the recovery events', async () => {
    await sleep(300); // mails in flight
    const dump = await storeDump(app.env);
    const raw = readFileSync(join(logDir, 'app.log'), 'utf8');
    expect(tokensSeen.length).toBeGreaterThan(10);
    for (const token of tokensSeen) {
      expect(raw).not.toContain(token);
      expect(dump).not.toContain(token);
    }
    expect(raw).toContain('/reset?token=[redacted]');
    const events = raw.trim().split('\n').map((line) => (JSON.parse(line) as { event?: string }).event);
    for (const event of ['email_verification_sent', 'email_verified', 'email_in_use', 'password_reset_requested', 'password_reset', 'mail_limited', 'mail_sent']) {
      expect(events).toContain(event);
    }
  });
});
