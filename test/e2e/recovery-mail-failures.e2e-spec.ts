import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTestApp } from '../support/app';
import { TestSmtpServer, linkIn } from '../support/mail';
import { describeOnEachStore } from '../support/stores';
import { PASSWORD, uniqueName } from '../support/users';

const PUBLIC_URL = 'https://auth.example.test';
const NEW_PASSWORD = 'a brand new passphrase';
const SAME_ANSWER = {
  message: 'If that account exists and has a verified e-mail address, a reset link is on its way. It works once, for 30 minutes.',
};

describeOnEachStore('account recovery when mail cannot go out', (store) => {
  it('answers the same 202 at once when the SMTP server is down or refuses, and logs the error', async () => {
    const refusing = await TestSmtpServer.start({ refuse: true });
    const down = await TestSmtpServer.start();
    await down.close();
    const logDir = mkdtempSync(join(tmpdir(), 'nca-log-'));
    // One file for both apps: the logging module keeps the first destination for the process.
    const logFile = join(logDir, 'app.log');
    for (const smtp of [refusing, down]) {
      const app = await startTestApp(store, { SMTP_URL: smtp.url, PUBLIC_URL, SMTP_TIMEOUT: '1s', LOG_LEVEL: 'info', LOG_FILE: logFile });
      try {
        const address = `${uniqueName('m')}@example.org`;
        const started = Date.now();
        const signup = await app.http().post('/auth/signup').send({ username: uniqueName(), password: PASSWORD, email: address });
        expect(signup.status).toBe(201);
        const res = await app.http().post('/auth/password-reset').send({ email: address });
        expect({ status: res.status, body: res.body }).toEqual({ status: 202, body: SAME_ANSWER });
        expect(Date.now() - started).toBeLessThan(1000);
      } finally {
        await app.close(); // waits for the sends in flight, each bounded by SMTP_TIMEOUT
      }
    }
    const failures = readFileSync(logFile, 'utf8').split('\n').filter((line) => line.includes('"event":"mail_failed"'));
    expect(failures.some((line) => line.includes('550'))).toBe(true);
    expect(failures.some((line) => line.includes('ECONNREFUSED'))).toBe(true);
    await refusing.close();
    rmSync(logDir, { recursive: true, force: true });
  });

  it('answers 503 with what to set in production without SMTP_URL or PUBLIC_URL', async () => {
    const app = await startTestApp(store, { NODE_ENV: 'production', JWT_ACCESS_SECRET: 'p'.repeat(40), REFRESH_TOKEN_SECRET: 'q'.repeat(40) });
    try {
      const res = await app.http().post('/auth/password-reset').send({ username: 'ada' });
      expect(res.status).toBe(503);
      expect(res.body.message).toMatch(/SMTP_URL and PUBLIC_URL not set/);
      await app.http().post('/auth/password-reset/confirm').send({ token: 'A'.repeat(43), password: NEW_PASSWORD }).expect(503);
      await app.http().post('/auth/verify-email').send({ token: 'A'.repeat(43) }).expect(503);
      const signup = await app.http().post('/auth/signup').send({ username: uniqueName(), password: PASSWORD, email: 'a@example.org' });
      expect(signup.status).toBe(503);
    } finally {
      await app.close();
    }
  });

  it('writes mail as .eml files under DATA_DIR/outbox in development without SMTP_URL', async () => {
    const app = await startTestApp(store, { NODE_ENV: 'development' });
    try {
      const address = `${uniqueName('m')}@example.org`;
      await app.http().post('/auth/signup').send({ username: uniqueName(), password: PASSWORD, email: address }).expect(201);
      const outbox = join(app.env.DATA_DIR!, 'outbox');
      let files: string[] = [];
      for (let i = 0; i < 100 && files.length === 0; i++) {
        await sleep(20);
        try {
          files = readdirSync(outbox).filter((f) => f.endsWith('.eml'));
        } catch {
          files = [];
        }
      }
      expect(files).toHaveLength(1);
      const eml = readFileSync(join(outbox, files[0]), 'utf8');
      expect(eml).toContain(`To: ${address}`);
      expect(eml).toMatch(new RegExp(`http://localhost:${app.config.http.port}/verify\\?token=`));
    } finally {
      await app.close();
    }
  });

  it('refuses an expired reset link with a 400, and a newer link still works', async () => {
    const smtp = await TestSmtpServer.start();
    const app = await startTestApp(store, { SMTP_URL: smtp.url, PUBLIC_URL, PASSWORD_RESET_TTL: '1s' });
    try {
      const address = `${uniqueName('m')}@example.org`;
      const username = uniqueName();
      await app.http().post('/auth/signup').send({ username, password: PASSWORD, email: address }).expect(201);
      const verify = linkIn(await smtp.waitFor(address, /confirm your e-mail/), '/verify');
      await app.http().post('/auth/verify-email').send({ token: verify.token }).expect(204);
      await app.http().post('/auth/password-reset').send({ username }).expect(202);
      const { token } = linkIn(await smtp.waitFor(address, /reset your password/), '/reset');
      await sleep(1100);
      const expired = await app.http().post('/auth/password-reset/confirm').send({ token, password: NEW_PASSWORD });
      expect(expired.status).toBe(400);
      expect(expired.body.message).toMatch(/invalid, used or expired/);
      await app.http().post('/auth/login').send({ username, password: PASSWORD }).expect(200);
    } finally {
      await app.close();
      await smtp.close();
    }
  });
});
