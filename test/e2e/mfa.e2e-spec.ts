import { createHash, randomBytes } from 'node:crypto';
import type { Response } from 'supertest';
import { AccessTokens } from '../../src/auth/tokens/access-tokens';
import { SecondFactorsRepository } from '../../src/mfa/second-factors.repository';
import { codeAt } from '../../src/mfa/totp';
import { TestApp, startTestApp } from '../support/app';
import { COOKIE_LAYOUT, COOKIE_NAME, authCookieOf, setCookieLine } from '../support/cookies';
import { TestSmtpServer, linkIn } from '../support/mail';
import { describeOnEachStore } from '../support/stores';
import { PASSWORD, SignedUp, asCookie, signup, uniqueName } from '../support/users';

const STEP_MS = 30_000;
/** Where cookies are Secure (the split layout makes them so) the pending cookie is `__Host-` prefixed. */
const SECURE = COOKIE_LAYOUT === 'split';
const PENDING = SECURE ? '__Host-pending' : 'pending';
const PENDING_FLAGS = `; Path=/; Expires=[^;]+ GMT; HttpOnly${SECURE ? '; Secure' : ''}; SameSite=Strict$`;

const pendingCookieOf = (res: Response): string => {
  const line = setCookieLine(res, PENDING);
  if (!line) throw new Error(`no pending cookie in ${res.status} ${JSON.stringify(res.body)}`);
  return line.split(';')[0];
};
const base32Decode = (text: string): Buffer => {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of text) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  return Buffer.from(bits.match(/.{8}/g)!.map((b) => parseInt(b, 2)));
};

/**
 * TOTP and recovery codes, attacked: codes replayed in sequence and in parallel, guessed past the
 * lockout, the pending cookie replayed, expired, paired with another user's code or shown to
 * routes it must not open, a factor removed without a recent sign-in, a reset that would skip it.
 */
describeOnEachStore('second factors: TOTP and recovery codes', (store) => {
  let app: TestApp;
  let smtp: TestSmtpServer;
  beforeAll(async () => {
    smtp = await TestSmtpServer.start();
    app = await startTestApp(store, { SMTP_URL: smtp.url, PUBLIC_URL: 'https://auth.example.test', LOGIN_MAX_FAILURES: '6' });
  });
  afterAll(async () => {
    await app.close();
    await smtp.close();
  });

  const http = () => app.http();

  /** A user with TOTP on: its secret (as the app would hold it) and recovery codes. */
  async function enrolled(user?: SignedUp) {
    const owner = user ?? (await signup(app));
    const started = await http().post('/auth/mfa/totp').set(...asCookie(owner.cookie)).send({}).expect(200);
    const secret = base32Decode(started.body.secret);
    const confirmed = await http()
      .post('/auth/mfa/totp/confirm')
      .set(...asCookie(owner.cookie))
      .send({ code: codeAt(secret, new Date()) })
      .expect(200);
    return { ...owner, secret, recoveryCodes: confirmed.body.recoveryCodes as string[] };
  }

  /** A user with a verified address (so that resets reach it) and TOTP on; `since`: the mail count before the signup. */
  async function enrolledWithVerifiedAddress() {
    const address = `${uniqueName('m')}@example.org`;
    const username = uniqueName();
    const since = smtp.delivered.length;
    const created = await http().post('/auth/signup').send({ username, password: PASSWORD, email: address }).expect(201);
    const { token } = linkIn(await smtp.waitFor(address, /confirm your e-mail/, { since }), '/verify');
    await http().post('/auth/verify-email').send({ token }).expect(204);
    const user = await enrolled({ id: created.body.user.id, username, cookie: authCookieOf(created), res: created });
    return { user, username, address, since };
  }

  /** The whole reset: the request, the link from the mail, the new password. */
  async function resetThroughMail(username: string, address: string, password: string) {
    const since = smtp.delivered.length;
    await http().post('/auth/password-reset').send({ username }).expect(202);
    const reset = linkIn(await smtp.waitFor(address, /reset your password/, { since }), '/reset');
    await http().post('/auth/password-reset/confirm').send({ token: reset.token, password }).expect(204);
  }

  const passwordStep = (username: string, password = PASSWORD) => http().post('/auth/login').send({ username, password });
  const secondStep = (pending: string, body: object) => http().post('/auth/login/mfa').set('Cookie', pending).send(body);
  /** A code of a step no earlier code has used: the next one (still inside the window of one step). */
  const nextCode = (secret: Buffer, steps = 1) => codeAt(secret, new Date(Date.now() + steps * STEP_MS));

  describe('enrolment', () => {
    it('gives a secret and its otpauth URI, active only once a code confirms it; a wrong code changes nothing', async () => {
      const user = await signup(app);
      const started = await http().post('/auth/mfa/totp').set(...asCookie(user.cookie)).send({}).expect(200);
      expect(Object.keys(started.body).sort()).toEqual(['secret', 'uri']);
      expect(started.body.secret).toMatch(/^[A-Z2-7]{32}$/);
      const uri = new URL(started.body.uri);
      expect(`${uri.protocol}//${uri.host}`).toBe('otpauth://totp');
      expect(uri.searchParams.get('issuer')).toBe('Nest Cookie Auth');
      expect(uri.searchParams.get('secret')).toBe(started.body.secret);
      expect(decodeURIComponent(uri.pathname)).toBe(`/Nest Cookie Auth:${user.username}`);
      // Not active yet: a password alone still signs in.
      expect((await passwordStep(user.username).expect(200)).body.user).toBeDefined();
      const wrong = await http().post('/auth/mfa/totp/confirm').set(...asCookie(user.cookie)).send({ code: '000000' });
      expect(wrong.status).toBe(400);
      expect(wrong.body.message).toMatch(/not right/);
      expect((await http().get('/auth/me').set(...asCookie(user.cookie)).expect(200)).body.mfa).toEqual({ totp: false, passkeys: 0, recoveryCodesLeft: 0 });
      const secret = base32Decode(started.body.secret);
      const confirmed = await http().post('/auth/mfa/totp/confirm').set(...asCookie(user.cookie)).send({ code: codeAt(secret, new Date()) }).expect(200);
      expect(confirmed.body.recoveryCodes).toHaveLength(10);
      for (const code of confirmed.body.recoveryCodes) expect(code).toMatch(/^[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}$/);
      expect((await http().get('/auth/me').set(...asCookie(user.cookie)).expect(200)).body.mfa).toEqual({ totp: true, passkeys: 0, recoveryCodesLeft: 10 });
      // Never returned again, and never stored in clear.
      await http().post('/auth/mfa/totp').set(...asCookie(user.cookie)).send({}).expect(409);
      const stored = await app.app.get(SecondFactorsRepository).findTotp(user.id);
      expect(Buffer.from(stored!.secret.sealed, 'base64url').includes(secret)).toBe(false);
    });

    it('needs a recent sign-in (or the password) to start, to turn off and to replace the codes', async () => {
      const user = await enrolled();
      const stale = { ...user.cookie, token: app.app.get(AccessTokens).sign({ sub: user.id, sid: authSid(user), authTime: Math.floor(Date.now() / 1000) - 3600 }) };
      for (const [method, path] of [['delete', '/auth/mfa/totp'], ['post', '/auth/mfa/recovery-codes']] as const) {
        const res = await http()[method](path).set(...asCookie(stale)).send({});
        expect(res.status).toBe(403);
        expect(res.body.message).toMatch(/recent sign-in/);
        await http()[method](path).set(...asCookie(stale)).send({ currentPassword: 'not the password' }).expect(403);
      }
      expect((await http().get('/auth/me').set(...asCookie(stale)).expect(200)).body.mfa).toMatchObject({ totp: true, recoveryCodesLeft: 10 });
      const fresh = await signup(app);
      const staleFresh = { ...fresh.cookie, token: app.app.get(AccessTokens).sign({ sub: fresh.id, sid: authSid(fresh), authTime: Math.floor(Date.now() / 1000) - 3600 }) };
      await http().post('/auth/mfa/totp').set(...asCookie(staleFresh)).send({}).expect(403);
      await http().post('/auth/mfa/totp').set(...asCookie(staleFresh)).send({ currentPassword: PASSWORD }).expect(200);
    });

    it('turns off (recovery codes too), after which a password alone signs in again', async () => {
      const user = await enrolled();
      await http().delete('/auth/mfa/totp').set(...asCookie(user.cookie)).send({}).expect(204);
      expect((await http().get('/auth/me').set(...asCookie(user.cookie))).body.mfa).toEqual({ totp: false, passkeys: 0, recoveryCodesLeft: 0 });
      expect((await passwordStep(user.username).expect(200)).body.user.id).toBe(user.id);
    });
  });

  describe('signing in', () => {
    it('answers the password with mfaRequired and a pending cookie only: no session, nothing opened', async () => {
      const user = await enrolled();
      const res = await passwordStep(user.username).expect(200);
      expect(res.body).toEqual({ mfaRequired: true, methods: ['totp', 'recovery-code'] });
      expect(setCookieLine(res, COOKIE_NAME)).toBeUndefined();
      expect(setCookieLine(res, PENDING)).toMatch(new RegExp(`^${PENDING}=[\\w-]{43}; Max-Age=300${PENDING_FLAGS}`));
      const pending = pendingCookieOf(res);
      await http().get('/auth/me').set('Cookie', pending).expect(401);
      await http().post('/auth/refresh').set('Cookie', pending).expect(401);
      const page = await http().get('/account').set('Cookie', pending);
      expect(page.status).toBe(303);
      expect(page.headers.location).toBe('/login');
    });

    it('completes with a code: the session cookie, the pending cookie cleared and dead', async () => {
      const user = await enrolled();
      const pending = pendingCookieOf(await passwordStep(user.username).expect(200));
      const done = await secondStep(pending, { code: nextCode(user.secret) }).expect(200);
      expect(done.body.user.id).toBe(user.id);
      expect(setCookieLine(done, PENDING)).toMatch(new RegExp(`^${PENDING}=${PENDING_FLAGS}`));
      expect(setCookieLine(done, PENDING)).toContain('Expires=Thu, 01 Jan 1970 00:00:00 GMT');
      await http().get('/auth/me').set(...asCookie(authCookieOf(done))).expect(200);
      // Replayed with a proof that would otherwise work (an unused recovery code): the sign-in is over.
      const replayed = await secondStep(pending, { recoveryCode: user.recoveryCodes[0] });
      expect(replayed.status).toBe(401);
      expect(replayed.body.message).toMatch(/No sign-in is waiting/);
      expect((await http().get('/auth/me').set(...asCookie(authCookieOf(done)))).body.mfa.recoveryCodesLeft).toBe(10);
    });

    it('takes each code once: the same code again, in sequence or in parallel, signs in once', async () => {
      const user = await enrolled();
      const code = nextCode(user.secret);
      const first = pendingCookieOf(await passwordStep(user.username).expect(200));
      await secondStep(first, { code }).expect(200);
      const second = pendingCookieOf(await passwordStep(user.username).expect(200));
      const again = await secondStep(second, { code });
      expect(again.status).toBe(401);
      expect(again.body.message).toMatch(/not right/);

      const other = await enrolled();
      const parallelCode = nextCode(other.secret);
      const pendings = await Promise.all(Array.from({ length: 4 }, async () => pendingCookieOf(await passwordStep(other.username).expect(200))));
      const results = await Promise.all(pendings.map((pending) => secondStep(pending, { code: parallelCode })));
      expect(results.map((r) => r.status).sort()).toEqual([200, 401, 401, 401]);
    });

    it('refuses another user’s code with this pending cookie', async () => {
      const alice = await enrolled();
      const bob = await enrolled();
      const pending = pendingCookieOf(await passwordStep(alice.username).expect(200));
      await secondStep(pending, { code: nextCode(bob.secret) }).expect(401);
      await secondStep(pending, { recoveryCode: bob.recoveryCodes[0] }).expect(401);
      expect((await http().get('/auth/me').set(...asCookie(bob.cookie))).body.mfa.recoveryCodesLeft).toBe(10);
      expect((await secondStep(pending, { code: nextCode(alice.secret) }).expect(200)).body.user.id).toBe(alice.id);
    });

    it('ends a pending sign-in after 5 wrong codes', async () => {
      const user = await enrolled();
      const res = await passwordStep(user.username).expect(200);
      const pending = pendingCookieOf(res);
      for (let i = 0; i < 4; i++) await secondStep(pending, { code: '000000' }).expect(401);
      const fifth = await secondStep(pending, { code: '000000' }).expect(401);
      expect(setCookieLine(fifth, PENDING)).toMatch(new RegExp(`^${PENDING}=;`));
      const after = await secondStep(pending, { code: nextCode(user.secret) });
      expect(after.status).toBe(401);
      expect(after.body.message).toMatch(/No sign-in is waiting/);
    });

    it('counts codes like passwords: parallel guesses meet the account lockout (429), and the right code then waits too', async () => {
      const user = await enrolled();
      const pendings = await Promise.all(Array.from({ length: 3 }, async () => pendingCookieOf(await passwordStep(user.username).expect(200))));
      const guesses = await Promise.all(pendings.flatMap((pending) => Array.from({ length: 3 }, (_, i) => secondStep(pending, { code: String(100000 + i) }))));
      const statuses = guesses.map((r) => r.status);
      expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(6);
      expect(statuses).toContain(429);
      // Locked: the right code is not even checked (its step stays unused), and the password step is locked too.
      const locked = await secondStep(pendings[0], { code: nextCode(user.secret) });
      expect(locked.status).toBe(429);
      expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
      expect((await app.app.get(SecondFactorsRepository).findTotp(user.id))!.lastStep).toBeLessThan(Math.floor(Date.now() / STEP_MS) + 1);
      expect((await passwordStep(user.username)).status).toBe(401);
    });

    it('refuses an expired pending sign-in', async () => {
      const user = await enrolled();
      const token = randomBytes(32).toString('base64url');
      await app.app.get(SecondFactorsRepository).startPending(createHash('sha256').update(token).digest('base64url'), {
        userId: user.id,
        failures: 0,
        expiresAt: new Date(Date.now() - 1000),
      });
      const res = await secondStep(`${PENDING}=${token}`, { code: nextCode(user.secret) });
      expect(res.status).toBe(401);
      expect(res.body.message).toMatch(/No sign-in is waiting/);
    });

    it('takes a recovery code once, in any case and with spaces, and says how many are left', async () => {
      const user = await enrolled();
      const code = user.recoveryCodes[3];
      const pending = pendingCookieOf(await passwordStep(user.username).expect(200));
      const since = smtp.delivered.length;
      const done = await secondStep(pending, { recoveryCode: ` ${code.toUpperCase().replace(/-/g, ' ')} ` }).expect(200);
      expect((await http().get('/auth/me').set(...asCookie(authCookieOf(done)))).body.mfa.recoveryCodesLeft).toBe(9);
      const again = pendingCookieOf(await passwordStep(user.username).expect(200));
      await secondStep(again, { recoveryCode: code }).expect(401);
      expect(smtp.delivered.slice(since)).toEqual([]); // the account has no verified address: nobody to tell
    });

    it('refuses a body with both, neither or malformed proofs (400), before any check', async () => {
      const user = await enrolled();
      const pending = pendingCookieOf(await passwordStep(user.username).expect(200));
      for (const body of [{}, { code: '123456', recoveryCode: 'abcd-efgh-jk01' }, { code: '12345' }, { code: { $gt: '' } }, { recoveryCode: 'x'.repeat(40) }]) {
        const res = await secondStep(pending, body);
        expect(res.status).toBe(400);
      }
      await secondStep(pending, { code: nextCode(user.secret) }).expect(200);
    });

    it('keeps the second step through a password reset: the new password alone opens nothing', async () => {
      const { user, username, address, since } = await enrolledWithVerifiedAddress();
      await smtp.waitFor(address, /sign-in methods of your account changed/, { since });
      await resetThroughMail(username, address, 'a brand new passphrase');
      const res = await passwordStep(username, 'a brand new passphrase').expect(200);
      expect(res.body).toEqual({ mfaRequired: true, methods: ['totp', 'recovery-code'] });
      expect(setCookieLine(res, COOKIE_NAME)).toBeUndefined();
      // A recovery code used is mailed to the owner.
      const beforeCode = smtp.delivered.length;
      await secondStep(pendingCookieOf(res), { recoveryCode: user.recoveryCodes[0] }).expect(200);
      expect((await smtp.waitFor(address, /sign-in methods/, { since: beforeCode })).text).toMatch(/recovery code was used/);
    });
  });

  describe('remember this device', () => {
    /** The device cookie a response set (`device=…` or `__Host-device=…`), as a Cookie header part. */
    const deviceCookieOf = (res: Response) => {
      const line = ((res.headers['set-cookie'] as unknown as string[]) ?? []).find((l) => /^(__Host-)?device=/.test(l));
      if (!line) throw new Error('no device cookie');
      return line.split(';')[0];
    };
    const loginWith = (username: string, cookie: string) => http().post('/auth/login').set('Cookie', cookie).send({ username, password: PASSWORD });

    it('skips the second step on that browser only, for that user only, until a factor changes', async () => {
      const user = await enrolled();
      const first = await passwordStep(user.username).expect(200);
      const done = await secondStep(pendingCookieOf(first), { code: nextCode(user.secret), rememberDevice: true }).expect(200);
      const device = deviceCookieOf(done);
      // This browser: the password alone completes the sign-in.
      const again = await loginWith(user.username, device).expect(200);
      expect(again.body.user.id).toBe(user.id);
      // Another browser (no device cookie) still gets the second step.
      expect((await passwordStep(user.username).expect(200)).body.mfaRequired).toBe(true);
      // Another user's second factor is not skipped with this device cookie.
      const other = await enrolled();
      expect((await loginWith(other.username, device).expect(200)).body.mfaRequired).toBe(true);
      // A device cookie that did not ask to be remembered skips nothing.
      const plain = await passwordStep(user.username).expect(200);
      const plainDone = await secondStep(pendingCookieOf(plain), { recoveryCode: user.recoveryCodes[0] }).expect(200);
      expect((await loginWith(user.username, deviceCookieOf(plainDone)).expect(200)).body.mfaRequired).toBe(true);
      // Turning the factor off and on again forgets every remembered browser.
      await http().delete('/auth/mfa/totp').set(...asCookie(authCookieOf(again))).send({}).expect(204);
      const again2 = await enrolled({ ...user, cookie: authCookieOf(again) });
      expect((await loginWith(user.username, device).expect(200)).body.mfaRequired).toBe(true);
      expect(again2.recoveryCodes).toHaveLength(10);
    });

    it('is forgotten by a password reset', async () => {
      const { user, username, address } = await enrolledWithVerifiedAddress();
      const done = await secondStep(pendingCookieOf(await passwordStep(username).expect(200)), { code: nextCode(user.secret), rememberDevice: true }).expect(200);
      const device = deviceCookieOf(done);
      expect((await loginWith(username, device).expect(200)).body.user).toBeDefined();
      await resetThroughMail(username, address, 'a brand new passphrase');
      const after = await http().post('/auth/login').set('Cookie', device).send({ username, password: 'a brand new passphrase' }).expect(200);
      expect(after.body.mfaRequired).toBe(true);
    });
  });

  describe('the pages', () => {
    it('ask for the second step after the password, and sign in with the code', async () => {
      const user = await enrolled();
      const agent = app.agent();
      const form = await agent.get('/login').expect(200);
      const csrf = /name="_csrf" value="([^"]+)"/.exec(form.text)?.[1];
      const withCsrf = (body: object) => ({ ...body, ...(csrf ? { _csrf: csrf } : {}) });
      const step = await agent.post('/pages/login').type('form').send(withCsrf({ username: user.username, password: PASSWORD }));
      expect(step.status).toBe(200);
      expect(step.text).toContain('action="/pages/login/mfa"');
      expect(step.text).toContain('autocomplete="one-time-code"');
      expect(setCookieLine(step, COOKIE_NAME)).toBeUndefined();
      const csrfStep = /name="_csrf" value="([^"]+)"/.exec(step.text)?.[1];
      const wrong = await agent.post('/pages/login/mfa').type('form').send({ code: '000000', ...(csrfStep ? { _csrf: csrfStep } : {}) });
      expect(wrong.status).toBe(401);
      expect(wrong.text).toContain('not right');
      await agent.get('/account').expect(303);
      const done = await agent.post('/pages/login/mfa').type('form').send({ code: nextCode(user.secret), ...(csrfStep ? { _csrf: csrfStep } : {}) });
      expect(done.status).toBe(303);
      expect(done.headers.location).toBe('/account');
      await agent.get('/account').expect(200);
    });
  });

  describe('the account page', () => {
    it('sets up an authenticator app from the QR code page, shows the recovery codes once, and signs in with one', async () => {
      const agent = app.agent();
      const csrfOf = (text: string) => /name="_csrf" value="([^"]+)"/.exec(text)?.[1];
      const post = async (path: string, body: Record<string, string>, from: string) => {
        const csrf = csrfOf((await agent.get(from)).text);
        return agent.post(path).type('form').send({ ...body, ...(csrf ? { _csrf: csrf } : {}) });
      };
      const username = uniqueName();
      expect((await post('/pages/signup', { username, password: PASSWORD }, '/signup')).status).toBe(303);
      const account = await agent.get('/account').expect(200);
      expect(account.text).toContain('id="totp-status">off<');
      const started = await post('/pages/account/totp', { currentPassword: '' }, '/account');
      expect(started.status).toBe(303);
      expect(started.headers.location).toBe('/account/totp');
      const setup = await agent.get('/account/totp').expect(200);
      expect(setup.text).toMatch(/<figure class="qr"><svg xmlns="http:\/\/www.w3.org\/2000\/svg" viewBox="0 0 \d+ \d+">/);
      const secret = base32Decode(/id="totp-secret">([A-Z2-7 ]+)</.exec(setup.text)![1].replace(/ /g, ''));
      const wrong = await post('/pages/account/totp/confirm', { code: '000000' }, '/account/totp');
      expect(wrong.status).toBe(400);
      expect(wrong.text).toContain('not right');
      expect(wrong.text).toContain('<svg');
      const codesPage = await post('/pages/account/totp/confirm', { code: codeAt(secret, new Date()) }, '/account/totp');
      expect(codesPage.status).toBe(200);
      const codes = [...codesPage.text.matchAll(/<li><code>([0-9a-z-]+)<\/code><\/li>/g)].map((m) => m[1]);
      expect(codes).toHaveLength(10);
      expect((await agent.get('/account/totp')).headers.location).toBe('/account'); // never shown again
      expect((await agent.get('/account')).text).toContain('id="totp-status">on<');

      const browser = app.agent();
      const form = await browser.get('/login');
      const csrf = csrfOf(form.text);
      const step = await browser.post('/pages/login').type('form').send({ username, password: PASSWORD, ...(csrf ? { _csrf: csrf } : {}) });
      expect(step.text).toContain('name="recoveryCode"');
      const csrfStep = csrfOf(step.text);
      const done = await browser.post('/pages/login/mfa').type('form').send({ recoveryCode: codes[1], ...(csrfStep ? { _csrf: csrfStep } : {}) });
      expect(done.status).toBe(303);
      expect((await browser.get('/account').expect(200)).text).toContain('id="recovery-codes-left">9<');
    });

    it('turns the app off only with a recent sign-in or the password typed in', async () => {
      const user = await enrolled();
      const stale = { ...user.cookie, token: app.app.get(AccessTokens).sign({ sub: user.id, sid: authSid(user), authTime: Math.floor(Date.now() / 1000) - 3600 }) };
      const refused = await http().post('/pages/account/totp/delete').set(...asCookie(stale)).type('form').send({ currentPassword: '' });
      expect(refused.status).toBe(403);
      expect(refused.text).toContain('recent sign-in');
      const done = await http().post('/pages/account/totp/delete').set(...asCookie(stale)).type('form').send({ currentPassword: PASSWORD });
      expect(done.status).toBe(303);
      expect((await http().get('/auth/me').set(...asCookie(stale))).body.mfa.totp).toBe(false);
    });
  });

  /** The session id of a signed-up user's access token. */
  function authSid(user: SignedUp): string {
    return JSON.parse(Buffer.from(user.cookie.token.split('.')[1], 'base64url').toString('utf8')).sid as string;
  }
});
