/**
 * Two instances of the app on one store (SQLite: the same data folder; MongoDB: the same
 * database), requests split between them as a load balancer would: every counter that protects
 * the service must count once for both. A counter kept in one process's memory would let each
 * instance allow its own share, so each check below alternates instances and expects the limit at
 * the same total as on one instance.
 */
import { codeAt } from '../../src/mfa/totp';
import { TestApp, startSecondInstance, startTestApp } from '../support/app';
import { authCookieOf, setCookieLine } from '../support/cookies';
import { TestSmtpServer, linkIn } from '../support/mail';
import { describeOnEachStore } from '../support/stores';
import { PASSWORD, asCookie, uniqueName } from '../support/users';

const RATE_LIMIT = 6;
const MAX_FAILURES = 4;
/** The per-account limit of reset confirmations (src/recovery/password-reset.service.ts). */
const RESET_CONFIRMATIONS = 5;

describeOnEachStore('two instances on one store', (store) => {
  let smtp: TestSmtpServer;
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    smtp = await TestSmtpServer.start();
    a = await startTestApp(store, {
      TRUST_PROXY: '1',
      RATE_LIMIT_LOGIN: String(RATE_LIMIT),
      LOGIN_MAX_FAILURES: String(MAX_FAILURES),
      SMTP_URL: smtp.url,
      PUBLIC_URL: 'https://auth.example.test',
    });
    b = await startSecondInstance(a);
  });
  afterAll(async () => {
    await b.close();
    await a.close();
    await smtp.close();
  });

  let clients = 0;
  /** A client address of its own (behind the one trusted proxy), so that each check has its own rate-limit bucket. */
  const newClient = () => `198.51.100.${++clients}`;
  /** Instance a for even turns, b for odd ones. */
  const either = (turn: number) => (turn % 2 === 0 ? a : b);
  const login = (app: TestApp, client: string, username: string, password: string) =>
    app.http().post('/auth/login').set('X-Forwarded-For', client).send({ username, password });

  it('are two apps on the same data: an account made on one signs in on the other', async () => {
    const username = uniqueName('both');
    await a.http().post('/auth/signup').set('X-Forwarded-For', newClient()).send({ username, password: PASSWORD }).expect(201);
    expect((await login(b, newClient(), username, PASSWORD)).status).toBe(200);
  });

  it(`share the per-client rate limit: ${RATE_LIMIT} requests split between them, then 429 on both`, async () => {
    const client = newClient();
    const statuses: number[] = [];
    for (let turn = 0; turn < RATE_LIMIT + 2; turn++) statuses.push((await login(either(turn), client, uniqueName('nobody'), 'a wrong password')).status);
    expect(statuses).toEqual([...Array(RATE_LIMIT).fill(401), 429, 429]);
  });

  it(`share the per-account lockout: ${MAX_FAILURES} wrong guesses split between them lock the account on both`, async () => {
    const username = uniqueName('locked');
    await a.http().post('/auth/signup').set('X-Forwarded-For', newClient()).send({ username, password: PASSWORD }).expect(201);
    for (let turn = 0; turn < MAX_FAILURES; turn++) expect((await login(either(turn), newClient(), username, `wrong guess ${turn}`)).status).toBe(401);
    // Each instance saw only half of the guesses: the right password is refused on both all the same.
    expect((await login(a, newClient(), username, PASSWORD)).status).toBe(401);
    expect((await login(b, newClient(), username, PASSWORD)).status).toBe(401);
  });

  it(`share the per-account reset confirmations: ${RESET_CONFIRMATIONS} split between them, then 429 on both`, async () => {
    const username = uniqueName('reset');
    const address = `${username}@example.org`;
    let since = smtp.delivered.length;
    await a.http().post('/auth/signup').set('X-Forwarded-For', newClient()).send({ username, password: PASSWORD, email: address }).expect(201);
    const verify = linkIn(await smtp.waitFor(address, /confirm your e-mail/, { since }), '/verify');
    await b.http().post('/auth/verify-email').send({ token: verify.token }).expect(204);
    since = smtp.delivered.length;
    await b.http().post('/auth/password-reset').send({ username }).expect(202);
    const { token } = linkIn(await smtp.waitFor(address, /reset your password/, { since }), '/reset');

    // A live token with a password the policy refuses: each attempt counts against the account and leaves the token live.
    const attempt = (app: TestApp) => app.http().post('/auth/password-reset/confirm').set('X-Forwarded-For', newClient()).send({ token, password: 'password123' });
    const statuses: number[] = [];
    for (let turn = 0; turn < RESET_CONFIRMATIONS; turn++) {
      const res = await attempt(either(turn));
      expect(res.body.message).toMatch(/commonly used passwords/);
      statuses.push(res.status);
    }
    statuses.push((await attempt(a)).status, (await attempt(b)).status);
    expect(statuses).toEqual([...Array(RESET_CONFIRMATIONS).fill(400), 429, 429]);
  });

  it('take each TOTP code once: the same code at both at once signs in once', async () => {
    const username = uniqueName('totp');
    const created = await a.http().post('/auth/signup').set('X-Forwarded-For', newClient()).send({ username, password: PASSWORD }).expect(201);
    const cookie = authCookieOf(created);
    const started = await a.http().post('/auth/mfa/totp').set(...asCookie(cookie)).send({}).expect(200);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
    const bits = [...(started.body.secret as string)].map((c) => alphabet.indexOf(c).toString(2).padStart(5, '0')).join('');
    const secret = Buffer.from(bits.match(/.{8}/g)!.map((byte) => parseInt(byte, 2)));
    await b.http().post('/auth/mfa/totp/confirm').set(...asCookie(cookie)).send({ code: codeAt(secret, new Date()) }).expect(200);
    // Two password sign-ins, one on each instance, then the same next code to both at once.
    const pendingOn = async (app: TestApp) => {
      const res = await login(app, newClient(), username, PASSWORD).expect(200);
      return setCookieLine(res, a.config.cookie.secure ? '__Host-pending' : 'pending')!.split(';')[0];
    };
    const [onA, onB] = [await pendingOn(a), await pendingOn(b)];
    const code = codeAt(secret, new Date(Date.now() + 30_000));
    const results = await Promise.all([
      a.http().post('/auth/login/mfa').set('Cookie', onA).send({ code }),
      b.http().post('/auth/login/mfa').set('Cookie', onB).send({ code }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 401]);
  });
});
