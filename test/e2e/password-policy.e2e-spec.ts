import { Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TestApp, startTestApp } from '../support/app';
import { describeOnEachStore } from '../support/stores';
import { PASSWORD, asCookie, signup, uniqueName } from '../support/users';

/** The 400 that says why, and that neither the body nor any header repeats the password. */
function expectRefused(res: { status: number; body: { message?: unknown }; text: string; headers: object }, reason: RegExp, password: string): void {
  expect(res.status).toBe(400);
  expect(res.body.message).toMatch(reason);
  expect(res.text).not.toContain(password);
  expect(JSON.stringify(res.headers)).not.toContain(password);
}

describeOnEachStore('new passwords nobody already knows', (store) => {
  let app: TestApp;
  beforeAll(async () => {
    // REAUTH_MAX_AGE=0: a new password always needs currentPassword, so the order of the checks shows.
    app = await startTestApp(store, { REAUTH_MAX_AGE: '0' });
  });
  afterAll(() => app.close());

  it('refuses a common password at signup with the reason, and creates nobody', async () => {
    const username = uniqueName('common');
    for (const password of ['P@ssw0rd', 'Password1', 'iloveyou!', '12345678']) {
      expectRefused(await app.http().post('/auth/signup').send({ username, password }), /list of commonly used passwords/, password);
    }
    expect((await app.http().post('/auth/login').send({ username, password: 'password' })).status).toBe(401);
    await signup(app, username); // the name is still free
  });

  it('refuses a signup password built from the username, the display name or the service name', async () => {
    const username = uniqueName('grace');
    const word = username.split('_')[1]; // the random part: not a common password itself
    expectRefused(await app.http().post('/auth/signup').send({ username, password: `${username}!!` }), /built from your username/, `${username}!!`);
    expectRefused(await app.http().post('/auth/signup').send({ username, password: `${word}2026` }), /built from your username/, `${word}2026`);
    const named = { username, name: 'Grace Brewster Hopper' };
    expectRefused(await app.http().post('/auth/signup').send({ ...named, password: 'Brewster-Hopper 1906' }), /built from your display name/, 'Brewster-Hopper 1906');
    expectRefused(await app.http().post('/auth/signup').send({ username, password: 'nest-cookie-auth 1' }), /built from the service's name/, 'nest-cookie-auth 1');
    const accepted = await app.http().post('/auth/signup').send({ ...named, password: `${username} wrote the first compiler` });
    expect(accepted.status).toBe(201);
  });

  it('refuses such a password on PATCH /users/:id, changes nothing, and only after currentPassword is proved', async () => {
    const user = await signup(app);
    const patch = (body: object) => app.http().patch(`/users/${user.id}`).set(...asCookie(user.cookie)).send(body);
    // A caller who cannot change the password learns nothing about the policy.
    expect((await patch({ password: 'password' })).status).toBe(403);
    expect((await patch({ password: 'password', currentPassword: 'not the password' })).status).toBe(403);
    expectRefused(await patch({ password: 'qwertyuiop', currentPassword: PASSWORD }), /list of commonly used passwords/, 'qwertyuiop');
    expectRefused(await patch({ password: `${user.username}.1234`, currentPassword: PASSWORD }), /built from your username/, `${user.username}.1234`);
    // A new display name in the same request counts as the name.
    expectRefused(await patch({ name: 'Marie Sklodowska', password: 'sklodowska!!', currentPassword: PASSWORD }), /built from your display name/, 'sklodowska!!');
    // Nothing changed: the name, the password and this session are as they were.
    const me = await app.http().get('/auth/me').set(...asCookie(user.cookie));
    expect(me.status).toBe(200);
    expect(me.body.name).toBe(user.username);
    expect((await app.http().post('/auth/login').send({ username: user.username, password: PASSWORD })).status).toBe(200);
    expect((await patch({ password: 'a kinder passphrase, unseen', currentPassword: PASSWORD })).status).toBe(200);
  });

  it('documents the refusals as the 400 of signup and of PATCH /users/:id in OpenAPI', async () => {
    const { paths } = (await app.http().get('/docs-json').expect(200)).body;
    for (const operation of [paths['/auth/signup'].post, paths['/users/{id}'].patch]) {
      expect(operation.responses['400'].description).toMatch(/commonly used passwords.*built from your username.*known data breach/);
    }
  });
});

/** A stand-in for api.pwnedpasswords.com: GET /range/{5 hex} answers "SUFFIX:COUNT" lines. */
class FakeRangeServer {
  readonly requests: { url: string; padding: string | undefined }[] = [];
  mode: 'answer' | 'slow' | 'fail' = 'answer';
  private readonly server: Server;
  private readonly ranges = new Map<string, string[]>();

  constructor() {
    this.server = createServer((req, res) => {
      this.requests.push({ url: req.url ?? '', padding: req.headers['add-padding'] as string | undefined });
      const prefix = /^\/range\/([0-9A-F]{5})$/.exec(req.url ?? '')?.[1];
      const answer = () => {
        if (this.mode === 'fail' || !prefix) return res.writeHead(this.mode === 'fail' ? 503 : 404).end();
        // Padding as the real API sends it: suffixes that no one uses, with count 0.
        const padding = Array.from({ length: 20 }, (_, i) => `${createHash('sha1').update(`pad${i}`).digest('hex').slice(5).toUpperCase()}:0`);
        res.writeHead(200, { 'Content-Type': 'text/plain' }).end([...(this.ranges.get(prefix) ?? []), ...padding].join('\r\n'));
      };
      if (this.mode === 'slow') setTimeout(answer, 1500).unref();
      else answer();
    });
  }

  /** Lists the password as breached `count` times (0: a padding-like entry, which does not count). */
  breach(password: string, count: number): void {
    const sha1 = createHash('sha1').update(password, 'utf8').digest('hex').toUpperCase();
    this.ranges.set(sha1.slice(0, 5), [...(this.ranges.get(sha1.slice(0, 5)) ?? []), `${sha1.slice(5)}:${count}`]);
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

describeOnEachStore('the Pwned Passwords range check (PWNED_PASSWORDS_URL)', (store) => {
  const BREACHED = 'purple elephants dance at noon';
  const PADDED = 'seven quiet rivers under glass';
  const fake = new FakeRangeServer();
  let app: TestApp;
  const sent: string[] = [];
  // Caught at Nest's Logger rather than read from LOG_FILE: nestjs-pino keeps the first app's
  // destination for the whole test file, so a file would only see the first store's run.
  const warned: unknown[][] = [];
  const originalWarn = Logger.prototype.warn;
  const skipWarnings = () => warned.map((args) => JSON.stringify(args)).filter((line) => line.includes('pwned_check_skipped'));

  beforeAll(async () => {
    fake.breach(BREACHED, 3861);
    fake.breach(PADDED, 0);
    Logger.prototype.warn = function (this: Logger, ...args: Parameters<Logger['warn']>) {
      warned.push(args);
      return originalWarn.apply(this, args);
    } as Logger['warn'];
    const url = await fake.listen();
    app = await startTestApp(store, { PWNED_PASSWORDS_URL: url, PWNED_PASSWORDS_TIMEOUT_MS: '300' });
  });
  afterAll(async () => {
    await app.close();
    await fake.close().catch(() => undefined);
    Logger.prototype.warn = originalWarn;
  });

  const signupWith = (password: string, username = uniqueName('pwned')) => (sent.push(password), app.http().post('/auth/signup').send({ username, password }));

  it('refuses a breached password at signup and on PATCH /users/:id; a count-0 padding entry is not a breach', async () => {
    const username = uniqueName('pwned');
    expectRefused(await signupWith(BREACHED, username), /known data breach/, BREACHED);
    const user = await signup(app, username); // nobody was created
    expectRefused(
      await app.http().patch(`/users/${user.id}`).set(...asCookie(user.cookie)).send({ password: (sent.push(BREACHED), BREACHED), currentPassword: PASSWORD }),
      /known data breach/,
      BREACHED,
    );
    expect((await signupWith(PADDED)).status).toBe(201);
  });

  it('sends only the first 5 hex characters of the SHA-1, asking for padding', () => {
    expect(fake.requests.length).toBeGreaterThanOrEqual(4);
    for (const { url, padding } of fake.requests) {
      expect(url).toMatch(/^\/range\/[0-9A-F]{5}$/);
      expect(padding).toBe('true');
    }
    const sha1 = createHash('sha1').update(BREACHED).digest('hex').toUpperCase();
    expect(fake.requests.map((r) => r.url)).toContain(`/range/${sha1.slice(0, 5)}`);
  });

  it('accepts the password with a logged warning when the API is slower than the timeout, or fails', async () => {
    fake.mode = 'slow';
    const started = Date.now();
    expect((await signupWith('a slow answer is no answer')).status).toBe(201);
    expect(Date.now() - started).toBeLessThan(1500);
    fake.mode = 'fail';
    expect((await signupWith('a failing answer is no answer')).status).toBe(201);
    fake.mode = 'answer';
    const warnings = skipWarnings();
    expect(warnings.some((line) => /no answer within 300 ms/.test(line))).toBe(true);
    expect(warnings.some((line) => /HTTP 503/.test(line))).toBe(true);
  });

  it('accepts the password with a logged warning when the API is down', async () => {
    await fake.close();
    expect((await signupWith('nobody answers the phone today')).status).toBe(201);
    expect(skipWarnings().some((line) => /could not be reached/.test(line))).toBe(true);
  });

  it('never logs a password, its SHA-1 or the prefix sent', () => {
    const log = JSON.stringify(warned);
    for (const password of sent) {
      const sha1 = createHash('sha1').update(password).digest('hex');
      for (const secret of [password, sha1, sha1.toUpperCase(), sha1.slice(0, 5).toUpperCase()]) expect(log).not.toContain(secret);
    }
  });
});
