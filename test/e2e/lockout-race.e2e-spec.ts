import { jest } from '@jest/globals';
import bcrypt from 'bcrypt';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestApp, startTestApp } from '../support/app';
import { describeOnEachStore } from '../support/stores';
import { PASSWORD, signup } from '../support/users';

const CAP = 10;
const GUESSES = 50;

describeOnEachStore('per-account lockout under parallel guessing', (store) => {
  let app: TestApp;
  let logDir: string;
  beforeAll(async () => {
    logDir = mkdtempSync(join(tmpdir(), 'nca-log-'));
    app = await startTestApp(store, {
      TRUST_PROXY: '1',
      LOGIN_MAX_FAILURES: String(CAP),
      LOGIN_FAILURE_WINDOW: '15m',
      LOGIN_LOCKOUT: '15m',
      LOG_LEVEL: 'info',
      LOG_FILE: join(logDir, 'app.log'),
    });
  });
  afterAll(() => rmSync(logDir, { recursive: true, force: true }));

  let address = 0;
  const fromNewAddress = (username: string, password: string) =>
    app.http().post('/auth/login').set('X-Forwarded-For', `198.18.${Math.floor(++address / 250)}.${address % 250}`).send({ username, password });

  it(`runs at most ${CAP} password checks for ${GUESSES} parallel guesses plus the right password, then refuses the right one`, async () => {
    const victim = await signup(app);
    const rightAt = 17;
    const attempts = Array.from({ length: GUESSES + 1 }, (_, i) => fromNewAddress(victim.username, i === rightAt ? PASSWORD : `guess number ${i}`));
    const answers = await Promise.all(attempts);
    const wrong = answers.filter((_, i) => i !== rightAt);
    expect(new Set(wrong.map((r) => `${r.status} ${JSON.stringify(r.body)}`))).toEqual(new Set([`401 ${JSON.stringify({ statusCode: 401, error: 'Unauthorized', message: 'Invalid credentials' })}`]));
    expect([200, 401]).toContain(answers[rightAt].status); // it may or may not have won a slot in the race

    // The count is spent: the right password is refused, from yet another address.
    const afterwards = await fromNewAddress(victim.username, PASSWORD);
    expect(afterwards.status).toBe(401);
    expect(afterwards.body).toEqual(wrong[0].body);
    expect(afterwards.headers['set-cookie']).toBeUndefined();

    await app.close();
    const events = readFileSync(join(logDir, 'app.log'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => line.username === victim.username);
    const failed = events.filter((e) => e.event === 'login_failed');
    const checkedAndWrong = failed.filter((e) => e.locked === false);
    const refusedUnchecked = failed.filter((e) => e.locked === true);
    // Every guess left a login_failed line naming the username; at most CAP of them ran bcrypt.
    expect(failed).toHaveLength(answers[rightAt].status === 200 ? GUESSES + 1 : GUESSES + 2);
    expect(checkedAndWrong.length).toBeLessThanOrEqual(CAP);
    expect(checkedAndWrong.length + refusedUnchecked.length).toBe(failed.length);
    expect(events.filter((e) => e.event === 'account_locked')).toEqual([expect.objectContaining({ username: victim.username, device: false })]);
    expect(JSON.stringify(events)).not.toContain(PASSWORD);
  });
});

/**
 * The rule itself, counted where the cost is: bcrypt's own compare, the real one, spied on (called
 * through) while the guesses run. A check that ran bcrypt before taking its slot would still
 * answer every guess alike and log the same lines; only this count tells.
 */
describeOnEachStore('bcrypt work under parallel guessing', (store) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp(store, { TRUST_PROXY: '1', LOGIN_MAX_FAILURES: String(CAP), LOGIN_FAILURE_WINDOW: '15m', LOGIN_LOCKOUT: '15m' });
  });
  afterAll(() => app.close());

  let address = 0;
  const guess = (username: string, password: string) =>
    app.http().post('/auth/login').set('X-Forwarded-For', `198.19.${Math.floor(++address / 250)}.${address % 250}`).send({ username, password });

  /** bcrypt.compare calls made while `work` runs. */
  async function comparesDuring(work: () => Promise<unknown>): Promise<number> {
    const compare = jest.spyOn(bcrypt, 'compare');
    try {
      await work();
      return compare.mock.calls.length;
    } finally {
      compare.mockRestore();
    }
  }

  it(`runs bcrypt at most ${CAP} times for ${GUESSES + 1} parallel wrong guesses, and never for the locked subject`, async () => {
    const victim = await signup(app);
    // The spy sees the app's calls: one login, one compare.
    expect(await comparesDuring(() => guess(victim.username, PASSWORD).expect(200))).toBe(1);

    let answers: { status: number }[] = [];
    const flood = await comparesDuring(async () => {
      answers = await Promise.all(Array.from({ length: GUESSES + 1 }, (_, i) => guess(victim.username, `guess number ${i}`)));
    });
    expect(new Set(answers.map((r) => r.status))).toEqual(new Set([401]));
    expect(flood).toBeLessThanOrEqual(CAP);
    expect(flood).toBeGreaterThan(0);

    // Locked: wrong and right passwords alike are refused without any bcrypt work, for unknown names too.
    const locked = await comparesDuring(async () => {
      const later = await Promise.all([
        ...Array.from({ length: 5 }, (_, i) => guess(victim.username, `later guess ${i}`)),
        guess(victim.username, PASSWORD),
        guess(victim.username.toUpperCase(), PASSWORD),
      ]);
      expect(later.map((r) => r.status)).toEqual(later.map(() => 401));
    });
    expect(locked).toBe(0);
  });
});
