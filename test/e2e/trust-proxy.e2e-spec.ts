import { TestApp, startTestApp } from '../support/app';
import { describeOnEachStore } from '../support/stores';
import { PASSWORD, uniqueName } from '../support/users';

/** Behind one proxy every request reaches us from the proxy's address (here 127.0.0.1). */
const fromBehindProxy = (app: TestApp, clientAddress: string) => ({
  login: (username: string, password = 'a wrong password') =>
    app.http().post('/auth/login').set('X-Forwarded-For', clientAddress).send({ username, password }),
  signup: (username: string) => app.http().post('/auth/signup').set('X-Forwarded-For', clientAddress).send({ username, password: PASSWORD }),
});

describeOnEachStore('TRUST_PROXY=1 (one proxy in front)', (store) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp(store, { TRUST_PROXY: '1', RATE_LIMIT_LOGIN: '3', RATE_LIMIT_WINDOW: '60s' });
  });
  afterAll(() => app.close());

  it('gives two clients behind one proxy address separate rate limits', async () => {
    const alice = fromBehindProxy(app, '198.51.100.1');
    const bob = fromBehindProxy(app, '198.51.100.2');
    const aliceStatuses = [];
    for (let i = 0; i < 4; i++) aliceStatuses.push((await alice.login(uniqueName())).status);
    expect(aliceStatuses).toEqual([401, 401, 401, 429]);
    expect((await bob.login(uniqueName())).status).toBe(401); // Bob's own bucket is untouched
  });

  const sessionIps = async (res: { headers: Record<string, unknown> }) =>
    ((await app.http().get('/auth/sessions').set('Cookie', res.headers['set-cookie'] as string[]).expect(200)).body as { ip: string }[]).map((s) => s.ip);

  it('never takes a forwarded string that is not an IP address as the client: the proxy is, one bucket for all of them', async () => {
    const made = ['not-an-ip', '9.9.9.9:1234', '[2001:db8::1]', '[2001:db8::1]:443', 'unknown'];
    const statuses = [];
    for (const forwarded of made) statuses.push((await fromBehindProxy(app, forwarded).login(uniqueName())).status);
    // Five strings, one bucket (the proxy's address): the limit of 3 bites as for one client.
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    const restarted = (app = await app.restart({ RATE_LIMIT_LOGIN: '10000' }));
    for (const forwarded of made) {
      const res = await fromBehindProxy(restarted, forwarded).signup(uniqueName('junk'));
      expect(await sessionIps(res)).toEqual([expect.stringMatching(/^127\.0\.0\.1$|^::1$/)]);
    }
    app = await restarted.restart({ RATE_LIMIT_LOGIN: '3' });
  });

  it('writes an address one way: IPv4-mapped IPv6 as IPv4, IPv6 compressed and lower-case, and counts it once', async () => {
    const mapped = await fromBehindProxy(app, '::ffff:203.0.113.9').signup(uniqueName('mapped'));
    expect(await sessionIps(mapped)).toEqual(['203.0.113.9']);
    const longhand = await fromBehindProxy(app, '2001:DB8:0:0:0:0:0:9').signup(uniqueName('longhand'));
    expect(await sessionIps(longhand)).toEqual(['2001:db8::9']);
    // The signup above was this bucket's first request; two spellings of the address take the next two.
    const statuses = [];
    for (const spelling of ['203.0.113.9', '::ffff:cb00:7109', '::FFFF:203.0.113.9']) statuses.push((await fromBehindProxy(app, spelling).login(uniqueName())).status);
    expect(statuses).toEqual([401, 401, 429]);
  });

  it('counts IPv6 clients per /64: a new address in the same network is the same client', async () => {
    const statuses = [];
    for (let host = 1; host <= 4; host++) statuses.push((await fromBehindProxy(app, `2001:db8:aaaa:1::${host.toString(16)}`).login(uniqueName())).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
    expect((await fromBehindProxy(app, '2001:db8:aaaa:2::1').login(uniqueName())).status).toBe(401); // the next /64 is another client
  });

  it('counts IPv6 clients per address with RATE_LIMIT_IPV6_PREFIX=128', async () => {
    app = await app.restart({ RATE_LIMIT_IPV6_PREFIX: '128' });
    const statuses = [];
    for (let host = 1; host <= 4; host++) statuses.push((await fromBehindProxy(app, `2001:db8:bbbb:1::${host.toString(16)}`).login(uniqueName())).status);
    expect(statuses).toEqual([401, 401, 401, 401]);
  });

  it("keeps each client's own address on its session", async () => {
    const carol = fromBehindProxy(app, '203.0.113.7');
    const dave = fromBehindProxy(app, '2001:db8::5');
    const carolSignup = await carol.signup(uniqueName('carol'));
    const daveSignup = await dave.signup(uniqueName('dave'));
    const sessionsOf = async (res: typeof carolSignup) =>
      (await app.http().get('/auth/sessions').set('Cookie', res.headers['set-cookie'] as unknown as string[]).expect(200)).body;
    expect((await sessionsOf(carolSignup)).map((s: { ip: string }) => s.ip)).toEqual(['203.0.113.7']);
    expect((await sessionsOf(daveSignup)).map((s: { ip: string }) => s.ip)).toEqual(['2001:db8::5']);
  });
});

describeOnEachStore('TRUST_PROXY=false (clients connect directly)', (store) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp(store, { TRUST_PROXY: 'false', RATE_LIMIT_LOGIN: '3', RATE_LIMIT_WINDOW: '60s' });
  });
  afterAll(() => app.close());

  it('ignores a forged X-Forwarded-For: a new one per request still meets the same limit', async () => {
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await fromBehindProxy(app, `192.0.2.${i + 1}`).login(uniqueName())).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
  });

  it('records the connecting address, not the forged one, on the session', async () => {
    const restarted = (app = await app.restart({ RATE_LIMIT_LOGIN: '10000' }));
    const res = await fromBehindProxy(restarted, '192.0.2.99').signup(uniqueName('eve'));
    const sessions = (await restarted.http().get('/auth/sessions').set('Cookie', res.headers['set-cookie'] as unknown as string[]).expect(200)).body;
    expect(sessions.map((s: { ip: string }) => s.ip)).toEqual([expect.stringMatching(/^(::ffff:)?127\.0\.0\.1$|^::1$/)]);
  });
});

describe('TRUST_PROXY at start', () => {
  it('refuses true, saying why and what to set instead', async () => {
    const { createApp } = await import('../../src/app.factory');
    await expect(createApp({ env: { NODE_ENV: 'test', TRUST_PROXY: 'true', LOG_LEVEL: 'silent' }, ignoreEnvFile: true })).rejects.toThrow(
      /TRUST_PROXY=true would trust every hop.*X-Forwarded-For.*TRUST_PROXY=1/s,
    );
  });
});
