/**
 * The request log never writes a reset or verification token, however the link's query names it:
 * `?%74oken=` is `token` to both platforms' query parsers (the page shows the form with it), so the
 * log must read the name the same way, not match the literal `token=`.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestApp, startTestApp } from '../support/app';
import { describeOnEachStore } from '../support/stores';

describeOnEachStore('the request log and tokens in links', (store) => {
  let app: TestApp;
  let logDir: string;
  beforeAll(async () => {
    logDir = mkdtempSync(join(tmpdir(), 'nca-log-'));
    app = await startTestApp(store, { LOG_LEVEL: 'info', LOG_FILE: join(logDir, 'app.log') });
  });
  afterAll(() => rmSync(logDir, { recursive: true, force: true }));

  // Each spelling with a token of its own: a token looks like one of ours (43 base64url characters).
  const spellings = ['token', '%74oken', '%74%6F%6B%65%6E', 'TOKEN', 'To%4Ben', '%54%4f%4b%45%4e'];
  const cases = spellings.flatMap((name) => ['/reset', '/verify'].map((path) => ({ path, name, token: randomBytes(32).toString('base64url') })));

  it('renders the link whatever the spelling, and the log line carries [redacted] in place of the token', async () => {
    for (const { path, name, token } of cases) {
      const res = await app.http().get(`${path}?x=1&${name}=${token}`).set('Accept', 'text/html');
      expect(res.status).toBe(200);
      // The spellings the query parser reads as `token` put it into the form: that is what made the log line a leak.
      if (decodeURIComponent(name) === 'token') expect(res.text).toContain(token);
    }
    const repeated = [randomBytes(32).toString('base64url'), randomBytes(32).toString('base64url')];
    await app.http().get(`/reset?token=${repeated[0]}&%74oken=${repeated[1]}`).set('Accept', 'text/html').expect(200);
    await app.close();

    const raw = readFileSync(join(logDir, 'app.log'), 'utf8');
    for (const { token } of cases) expect(raw).not.toContain(token);
    for (const token of repeated) expect(raw).not.toContain(token);
    const urls = raw
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { req?: { url: string } })
      .flatMap((line) => (line.req ? [line.req.url] : []));
    expect(urls).toEqual([...cases.map(({ path, name }) => `${path}?x=1&${name}=[redacted]`), '/reset?token=[redacted]&%74oken=[redacted]']);
  });
});
