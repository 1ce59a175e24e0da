import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AFTER_ANSWER_MS, Mailer } from '../../src/mail/mailer';
import { issueOneTimeToken } from '../../src/auth/tokens/one-time-tokens';
import { OneTimeTokensRepository } from '../../src/users/one-time-tokens.repository';
import { TestApp, startTestApp } from '../support/app';
import { CSRF_COOKIE } from '../support/csrf';
import { authCookieOf } from '../support/cookies';
import { TestSmtpServer, linkIn } from '../support/mail';
import { storeDump } from '../support/store-dump';
import { describeOnEachStore } from '../support/stores';
import { PASSWORD, asCookie, uniqueName } from '../support/users';
const PUBLIC_URL = 'https://auth.example.test';

const NEW_PASSWORD = 'a brand new passphrase';
const ATTACKER_PASSWORD = 'the attacker chose this one';
/** The store without the abuse counters, which a refused request may still advance. */
const storeState = async (app: TestApp) => (await storeDump(app.env)).replace(/,?\{[^{}]*"key":"(rate|reset_confirm|mail_[a-z_]+):[^{}]*\}/g, '');

/**
 * Account takeover through recovery, as an outside review tried it: a reset link that outlives
 * the owner's own defences (a new address, a new password, sign-out everywhere), an address
 * changed in silence with a copied cookie, mail sent on an attacker's demand, and work after the
 * answer that a following request could time.
 */
describeOnEachStore('recovery under attack', (store) => {
  let smtp: TestSmtpServer;
  let app: TestApp;
  let logDir: string;

  beforeAll(async () => {
    smtp = await TestSmtpServer.start();
    logDir = mkdtempSync(join(tmpdir(), 'nca-log-'));
    app = await startTestApp(store, { SMTP_URL: smtp.url, PUBLIC_URL, SMTP_TIMEOUT: '2s', LOG_LEVEL: 'info', LOG_FILE: join(logDir, 'app.log') });
  });
  afterAll(async () => {
    await app.close();
    await smtp.close();
    rmSync(logDir, { recursive: true, force: true });
  });

  const http = () => app.http();
  const email = () => `${uniqueName('m')}@example.org`;
  /** Every mail job started so far has run: what was not sent by now never will be. */
  const mailSettled = () => app.app.get(Mailer).settled();
  const mailsTo = (address: string, subject: RegExp, since: number) =>
    smtp.delivered.slice(since).filter((m) => m.to.toLowerCase().includes(address.toLowerCase()) && subject.test(m.subject));

  async function verifiedUser(address = email()) {
    const username = uniqueName();
    const since = smtp.delivered.length;
    const res = await http().post('/auth/signup').send({ username, password: PASSWORD, email: address }).expect(201);
    const { token } = linkIn(await smtp.waitFor(address, /confirm your e-mail/, { since }), '/verify');
    await http().post('/auth/verify-email').send({ token }).expect(204);
    return { id: res.body.user.id as string, username, email: address, cookie: authCookieOf(res) };
  }

  async function resetLink(username: string, to: string): Promise<string> {
    const since = smtp.delivered.length;
    await http().post('/auth/password-reset').send({ username }).expect(202);
    return linkIn(await smtp.waitFor(to, /reset your password/, { since }), '/reset').token;
  }

  async function secureLink(to: string, since: number): Promise<{ url: URL; token: string }> {
    const mail = await smtp.waitFor(to, /address of your account was changed/, { since });
    const match = /(https?:\/\/\S+\/secure-account\?token=[A-Za-z0-9_-]+)/.exec(mail.text);
    if (!match) throw new Error(`no /secure-account link in: ${mail.text}`);
    const url = new URL(match[1]);
    return { url, token: url.searchParams.get('token')! };
  }

  const signsIn = async (username: string, password: string) => (await http().post('/auth/login').send({ username, password })).status === 200;

  describe('a reset link outlives none of the owner’s defences', () => {
    it.each([
      ['a new address', async (user: Awaited<ReturnType<typeof verifiedUser>>) => {
        await http().patch(`/users/${user.id}`).set(...asCookie(user.cookie)).send({ email: email(), currentPassword: PASSWORD }).expect(200);
      }],
      ['a new password', async (user: Awaited<ReturnType<typeof verifiedUser>>) => {
        await http().patch(`/users/${user.id}`).set(...asCookie(user.cookie)).send({ password: NEW_PASSWORD, currentPassword: PASSWORD }).expect(200);
      }],
      ['sign-out everywhere', async (user: Awaited<ReturnType<typeof verifiedUser>>) => {
        await http().post('/auth/logout-all').set(...asCookie(user.cookie)).expect(204);
      }],
    ])('%s retires the link mailed before', async (_case, defence) => {
      const user = await verifiedUser();
      const token = await resetLink(user.username, user.email);
      await defence(user);
      const res = await http().post('/auth/password-reset/confirm').send({ token, password: ATTACKER_PASSWORD });
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(/invalid, used or expired/);
      expect(await signsIn(user.username, ATTACKER_PASSWORD)).toBe(false);
    });

    it('account deletion retires it too', async () => {
      const user = await verifiedUser();
      const token = await resetLink(user.username, user.email);
      await http().delete(`/users/${user.id}`).set(...asCookie(user.cookie)).send({ currentPassword: PASSWORD }).expect(204);
      await http().post('/auth/password-reset/confirm').send({ token, password: ATTACKER_PASSWORD }).expect(400);
    });

    it('resets only while the link’s address is the account’s current, verified one (a link written as the address changed)', async () => {
      const user = await verifiedUser();
      const next = email();
      await http().patch(`/users/${user.id}`).set(...asCookie(user.cookie)).send({ email: next, currentPassword: PASSWORD }).expect(200);
      // A reset composed after the answer may write its token just after the change retired the
      // others: a link to the old address, live in the store.
      const late = await issueOneTimeToken(app.app.get(OneTimeTokensRepository), { purpose: 'password_reset', userId: user.id, email: user.email, ttlSeconds: 600 });
      await mailSettled(); // the new address's verification link, written after the answer
      const before = await storeState(app);
      await http().post('/auth/password-reset/confirm').send({ token: late, password: ATTACKER_PASSWORD }).expect(400);
      expect(await storeState(app)).toBe(before);
      // Nor to the new address while it is unverified.
      const unverified = await issueOneTimeToken(app.app.get(OneTimeTokensRepository), { purpose: 'password_reset', userId: user.id, email: next, ttlSeconds: 600 });
      await http().post('/auth/password-reset/confirm').send({ token: unverified, password: ATTACKER_PASSWORD }).expect(400);
      expect(await signsIn(user.username, PASSWORD)).toBe(true);
    });

    it('a verification token at the reset confirmation is a 400 and changes nothing', async () => {
      // A verification link live for the account's verified address: the one a purpose mix-up would honour.
      const user = await verifiedUser();
      const token = await issueOneTimeToken(app.app.get(OneTimeTokensRepository), { purpose: 'email_verification', userId: user.id, email: user.email, ttlSeconds: 600 });
      const before = await storeState(app);
      const res = await http().post('/auth/password-reset/confirm').send({ token, password: ATTACKER_PASSWORD });
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(/invalid, used or expired/);
      expect(await storeState(app)).toBe(before);
      expect(await signsIn(user.username, PASSWORD)).toBe(true);
      // The token still does what it was made for.
      await http().post('/auth/verify-email').send({ token }).expect(204);
    });
  });

  describe('an address change is never silent', () => {
    it('leaving a verified address needs the current password, even right after signing in (a copied cookie)', async () => {
      const user = await verifiedUser();
      const since = smtp.delivered.length;
      const before = await storeState(app);
      const res = await http().patch(`/users/${user.id}`).set(...asCookie(user.cookie)).send({ email: email() });
      expect(res.status).toBe(403);
      expect(res.body.message).toBe('Changing a verified e-mail address needs currentPassword in this request (a recent sign-in is not enough)');
      expect(await storeState(app)).toBe(before);
      const wrong = await http().patch(`/users/${user.id}`).set(...asCookie(user.cookie)).send({ email: email(), currentPassword: 'not the password' });
      expect(wrong.status).toBe(403);
      await mailSettled();
      expect(smtp.delivered.slice(since)).toEqual([]);
    });

    it('tells the address it left, with a link that takes the account back and ends every session (the attacker’s too)', async () => {
      const owner = await verifiedUser();
      // The attacker has the password (phished) and a cookie of their own.
      const attacker = authCookieOf(await http().post('/auth/login').send({ username: owner.username, password: PASSWORD }).expect(200));
      const theirs = email();
      const since = smtp.delivered.length;
      await http().patch(`/users/${owner.id}`).set(...asCookie(attacker)).send({ email: theirs, currentPassword: PASSWORD }).expect(200);
      const notice = await smtp.waitFor(owner.email, /address of your account was changed/, { since });
      expect(notice.text).not.toContain(theirs);
      const { url, token } = await secureLink(owner.email, since);
      expect(url.origin + url.pathname).toBe(`${PUBLIC_URL}/secure-account`);
      // The attacker verifies their address, changes it once more, and asks for a reset link.
      const verify = linkIn(await smtp.waitFor(theirs, /confirm your e-mail/, { since }), '/verify');
      await http().post('/auth/verify-email').send({ token: verify.token }).expect(204);
      const third = email();
      const again = smtp.delivered.length;
      await http().patch(`/users/${owner.id}`).set(...asCookie(attacker)).send({ email: third, currentPassword: PASSWORD }).expect(200);
      await secureLink(theirs, again); // their own "not me" link: the owner's must survive it
      const verifyThird = linkIn(await smtp.waitFor(third, /confirm your e-mail/, { since: again }), '/verify');
      await http().post('/auth/verify-email').send({ token: verifyThird.token }).expect(204);
      const attackersReset = await resetLink(owner.username, third);

      // Opening the link changes nothing; the owner presses the button.
      const page = await http().get(`/secure-account?token=${token}`).expect(200);
      expect(page.text).toContain('This was not me');
      await http().get('/auth/me').set(...asCookie(attacker)).expect(200);
      await http().post('/auth/secure-account').send({ token }).expect(204);

      await http().get('/auth/me').set(...asCookie(attacker)).expect(401);
      await http().get('/auth/me').set(...asCookie(owner.cookie)).expect(401);
      await http().post('/auth/password-reset/confirm').send({ token: attackersReset, password: ATTACKER_PASSWORD }).expect(400);
      const used = await http().post('/auth/secure-account').send({ token });
      expect(used.status).toBe(400);
      expect(used.body.message).toMatch(/invalid, used or expired/);
      // The address is the account's again: reset links go to the owner, and only there.
      const sinceSecured = smtp.delivered.length;
      const ownersReset = await resetLink(owner.username, owner.email);
      expect(mailsTo(third, /reset your password/, sinceSecured)).toEqual([]);
      await http().post('/auth/password-reset/confirm').send({ token: ownersReset, password: NEW_PASSWORD }).expect(204);
      expect(await signsIn(owner.username, NEW_PASSWORD)).toBe(true);
    });

    it('refuses an unknown, malformed or other-purpose token at /auth/secure-account, changing nothing', async () => {
      const user = await verifiedUser();
      const reset = await resetLink(user.username, user.email);
      const before = await storeState(app);
      for (const token of ['A'.repeat(43), reset]) {
        const res = await http().post('/auth/secure-account').send({ token });
        expect(res.status).toBe(400);
        expect(res.body.message).toMatch(/invalid, used or expired/);
      }
      const malformed = await http().post('/auth/secure-account').send({ token: { $gt: '' } });
      expect(malformed.status).toBe(400);
      expect(await storeState(app)).toBe(before);
      await http().get('/auth/me').set(...asCookie(user.cookie)).expect(200);
    });

    it('secures through the page as well, which then leads to a password reset', async () => {
      const owner = await verifiedUser();
      const since = smtp.delivered.length;
      await http().patch(`/users/${owner.id}`).set(...asCookie(owner.cookie)).send({ email: email(), currentPassword: PASSWORD }).expect(200);
      const { token } = await secureLink(owner.email, since);
      const agent = app.agent();
      const form = await agent.get(`/secure-account?token=${token}`).expect(200);
      const csrf = /name="_csrf" value="([^"]+)"/.exec(form.text)?.[1];
      const done = await agent.post('/pages/secure-account').type('form').send({ token, ...(csrf ? { _csrf: csrf } : {}) });
      expect(done.status).toBe(200);
      expect(done.text).toContain('href="/forgot"');
      await http().get('/auth/me').set(...asCookie(owner.cookie)).expect(401);
      const me = await http().post('/auth/login').send({ username: owner.username, password: PASSWORD }).expect(200);
      expect(me.body.user).toMatchObject({ email: owner.email, emailVerified: true });
    });

    it('mails every password change to the verified address', async () => {
      const user = await verifiedUser();
      const since = smtp.delivered.length;
      await http().patch(`/users/${user.id}`).set(...asCookie(user.cookie)).send({ password: NEW_PASSWORD }).expect(200);
      const mail = await smtp.waitFor(user.email, /your password was changed/, { since });
      expect(mail.text).toMatch(/was just changed/);
    });
  });

  describe('mail on demand is bounded per account and per address', () => {
    it('sends the same unverified address at most MAIL_LIMIT verification links, however often it is given', async () => {
      const username = uniqueName();
      const address = email();
      const since = smtp.delivered.length;
      const res = await http().post('/auth/signup').send({ username, password: PASSWORD, email: address }).expect(201);
      const cookie = authCookieOf(res);
      for (let i = 0; i < 14; i++) await http().patch(`/users/${res.body.user.id}`).set(...asCookie(cookie)).send({ email: address }).expect(200);
      await mailSettled();
      expect(mailsTo(address, /confirm your e-mail/, since)).toHaveLength(app.config.mail.limit.points);
    });

    it('tells a verified address at most MAIL_LIMIT times that signups gave it, and never names their usernames', async () => {
      const owner = await verifiedUser();
      const since = smtp.delivered.length;
      const usernames = Array.from({ length: 5 }, (_, i) => `www.evil-login-${i}-${uniqueName('x').slice(-6)}.example`);
      for (const username of usernames) await http().post('/auth/signup').send({ username, password: PASSWORD, email: owner.email.toUpperCase() }).expect(201);
      await mailSettled();
      const notices = mailsTo(owner.email, /given for another account/, since);
      expect(notices).toHaveLength(app.config.mail.limit.points);
      for (const mail of smtp.delivered.slice(since)) for (const username of usernames) expect(mail.text).not.toContain(username);
    });
  });

  it('starts the reset’s after-answer work well after the answer, past the request that follows on the same connection', async () => {
    const user = await verifiedUser();
    const log = join(logDir, 'app.log');
    for (const body of [{ username: user.username }, { username: uniqueName('ghost') }]) {
      const before = readFileSync(log, 'utf8').length;
      const json = JSON.stringify(body);
      // Pipelined on one connection: the probe is read with the request and answered right after it.
      const answers = await rawExchange(
        `POST /auth/password-reset HTTP/1.1\r\nHost: localhost\r\n${await csrfHeaders()}Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(json)}\r\n\r\n${json}` +
          'GET /health/live HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n',
      );
      expect(answers.match(/HTTP\/1\.1 \d+/g)).toEqual(['HTTP/1.1 202', 'HTTP/1.1 200']);
      await mailSettled();
      const lines = readFileSync(log, 'utf8')
        .slice(before)
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { time: number; event?: string; req?: { url?: string } });
      const answered = lines.find((line) => line.req?.url === '/auth/password-reset')!;
      const probe = lines.find((line) => line.req?.url === '/health/live')!;
      const work = lines.find((line) => line.event === 'password_reset_requested')!;
      expect(lines.indexOf(work)).toBeGreaterThan(lines.indexOf(probe));
      expect(work.time - answered.time).toBeGreaterThanOrEqual(AFTER_ANSWER_MS);
    }
  });

  /** CSRF_MODE=double-submit: the token and its cookie, as header lines, as a client sends them (none in the default mode). */
  async function csrfHeaders(): Promise<string> {
    if (app.config.csrf.mode !== 'double-submit') return '';
    const res = await app.http({ csrfTokens: false }).get('/auth/csrf').expect(200);
    const cookie = ((res.headers['set-cookie'] as unknown as string[]) ?? []).find((line) => line.startsWith(`${CSRF_COOKIE}=`))!.split(';')[0];
    return `X-CSRF-Token: ${res.body.csrfToken as string}\r\nCookie: ${cookie}\r\n`;
  }

  /**
   * Writes `raw` on one connection to the app's server, listening just for this exchange (supertest
   * listens per request by itself; a server left listening would keep jest from exiting), and
   * resolves with everything it answers.
   */
  async function rawExchange(raw: string): Promise<string> {
    const server = app.server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as { port: number };
      return await new Promise<string>((resolve, reject) => {
        const socket = connect(port, '127.0.0.1', () => socket.write(raw));
        const chunks: Buffer[] = [];
        socket.on('data', (chunk: Buffer) => chunks.push(chunk));
        socket.on('end', () => resolve(Buffer.concat(chunks).toString('latin1')));
        socket.on('error', reject);
      });
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }
});
