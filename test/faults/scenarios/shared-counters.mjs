// Scenario 6 (both stores): two service processes on ONE store share the abuse-defence counters.
//
// Server A and server B run on the same SQLite file (one DATA_DIR) or the same MongoDB database,
// with small limits and TRUST_PROXY=1 (the client is the X-Forwarded-For address). Requests
// alternate between A and B, so a per-process counter would see only about half of them:
// - credentials rate limit: RATE_LIMIT_LOGIN wrong logins from one address are answered 401,
//   the next one is 429 with Retry-After on *both* A and B (and a signup from that address too);
//   another address is still answered. Per-process counters would answer 401 there.
// - refresh rate limit: the same with an invalid refresh cookie (401s, then 429 on both).
// - atomicity: a burst of concurrent wrong logins from a fresh address, half to each process,
//   gets exactly RATE_LIMIT_LOGIN answers and 429 for the rest (one atomic take per request).
// - lockout: LOGIN_MAX_FAILURES wrong passwords for one username, each from a new address,
//   alternating A/B, lock it: the right password is then refused on both, with the same 401
//   "Invalid credentials" a wrong password gets. A second account with one failure fewer still
//   signs in on both processes (a right password gives its slot back), and one more failure then
//   locks it too. With per-process counters each process would have seen half the failures.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Checks, serviceOn } from '../common.mjs';
import { freePort, startServer } from '../harness.mjs';
import { describe, keepAliveAgent, send } from '../http.mjs';

const LIMITS = { credentials: 6, refresh: 6, maxFailures: 4 };
const ENV = {
  RATE_LIMIT_LOGIN: String(LIMITS.credentials),
  RATE_LIMIT_REFRESH: String(LIMITS.refresh),
  RATE_LIMIT_WINDOW: '60s',
  LOGIN_MAX_FAILURES: String(LIMITS.maxFailures),
  LOGIN_FAILURE_WINDOW: '60s',
  LOGIN_LOCKOUT: '60s',
  TRUST_PROXY: '1',
  BCRYPT_COST: '4',
};
const BURST = 16;
const PASSWORD = 'correct horse battery staple';
const WRONG = 'not the password at all';
const INVALID_REFRESH_COOKIE = encodeURIComponent('j:{"token":"not-a-jwt","refreshToken":"not-a-token"}');

export async function sharedCounters(ctx) {
  const checks = new Checks();
  const details = [];
  const { server: a, dataDir, mongoUri } = await serviceOn(ctx, { name: 'A', env: ENV });
  const b = await secondServer(ctx, { dataDir, mongoUri });
  const agent = keepAliveAgent();
  const servers = [a, b];
  const labelOf = new Map([[a, 'A'], [b, 'B']]);
  const all = [];
  let addresses = 0;
  const count = (results, status) => results.filter((r) => r.status === status).length;
  const freshAddress = () => `203.0.113.${++addresses}`; // TEST-NET-3, one per simulated client
  const post = async (server, path, { xff, body, cookie }) => {
    const r = await send({ port: server.port, agent, method: 'POST', path, body, cookie, headers: { 'x-forwarded-for': xff } });
    r.server = labelOf.get(server);
    all.push(r);
    return r;
  };
  const login = (server, xff, username, password) => post(server, '/auth/login', { xff, body: { username, password } });
  const short = (r) =>
    `${r.server}:${r.outcome === 'response' ? r.status : r.outcome}${r.headers?.['retry-after'] ? `(Retry-After ${r.headers['retry-after']})` : ''}`;
  const is429 = (r) => r.status === 429 && /^[1-9]\d*$/.test(r.headers?.['retry-after'] ?? '') && Number(r.headers['retry-after']) <= 60;

  // ---- a. the credentials rate limit, one client address over both processes
  const clientA = freshAddress();
  const within = [];
  for (let i = 0; i < LIMITS.credentials; i++) within.push(await login(servers[i % 2], clientA, `${ctx.prefix}-nobody${i}`, WRONG));
  const past = [await login(a, clientA, `${ctx.prefix}-nobody-a`, WRONG), await login(b, clientA, `${ctx.prefix}-nobody-b`, WRONG)];
  const pastSignup = await post(b, '/auth/signup', { xff: clientA, body: { username: `${ctx.prefix}-late`, password: PASSWORD } });
  const other = [await login(a, freshAddress(), `${ctx.prefix}-nobody-x`, WRONG), await login(b, freshAddress(), `${ctx.prefix}-nobody-y`, WRONG)];
  details.push(
    `credentials limit ${LIMITS.credentials}/60 s, client ${clientA}: ${within.map(short).join(' ')} | then ${past.map(short).join(' ')}, signup ${short(pastSignup)}; other clients: ${other.map(short).join(' ')}`,
  );
  checks.expect(within.every((r) => r.status === 401), `the first ${LIMITS.credentials} logins from one client over A and B were not all 401: ${within.map(short).join(' ')}`);
  checks.expect(past.every(is429), `login number ${LIMITS.credentials + 1} and ${LIMITS.credentials + 2} from that client (on A, then B) were not both 429 with Retry-After: ${past.map(short).join(' ')} -- counted per process?`);
  checks.expect(is429(pastSignup), `a signup from that client past the limit was not 429 with Retry-After: ${describe(pastSignup)}`);
  checks.expect(other.every((r) => r.status === 401), `other client addresses (X-Forwarded-For) were not answered 401: ${other.map(short).join(' ')}`);

  // ---- a'. the refresh rate limit, counted before the (invalid) cookie is checked
  const clientR = freshAddress();
  const refreshes = [];
  for (let i = 0; i < LIMITS.refresh; i++) refreshes.push(await post(servers[i % 2], '/auth/refresh', { xff: clientR, cookie: INVALID_REFRESH_COOKIE }));
  const refreshPast = [await post(a, '/auth/refresh', { xff: clientR, cookie: INVALID_REFRESH_COOKIE }), await post(b, '/auth/refresh', { xff: clientR, cookie: INVALID_REFRESH_COOKIE })];
  details.push(`refresh limit ${LIMITS.refresh}/60 s, client ${clientR}, invalid cookie: ${refreshes.map(short).join(' ')} | then ${refreshPast.map(short).join(' ')}`);
  checks.expect(refreshes.every((r) => r.status === 401), `the first ${LIMITS.refresh} refreshes from one client over A and B were not all 401: ${refreshes.map(short).join(' ')}`);
  checks.expect(refreshPast.every(is429), `refresh number ${LIMITS.refresh + 1} and ${LIMITS.refresh + 2} (on A, then B) were not both 429 with Retry-After: ${refreshPast.map(short).join(' ')}`);

  // ---- a''. a concurrent burst from one address, half to each process: one atomic take each
  const clientB = freshAddress();
  const burst = await Promise.all(Array.from({ length: BURST }, (_, i) => login(servers[i % 2], clientB, `${ctx.prefix}-burst${i}`, WRONG)));
  const burst401 = burst.filter((r) => r.status === 401).length;
  const burst429 = burst.filter(is429).length;
  details.push(`burst of ${BURST} concurrent logins from ${clientB} (${BURST / 2} to each process): 401 x${burst401} (A ${burst.filter((r) => r.status === 401 && r.server === 'A').length}, B ${burst.filter((r) => r.status === 401 && r.server === 'B').length}), 429 x${burst429}`);
  checks.expect(burst401 === LIMITS.credentials && burst429 === BURST - LIMITS.credentials, `a burst of ${BURST} concurrent logins from one client got ${burst401} x 401 and ${burst429} x 429 (expected ${LIMITS.credentials} and ${BURST - LIMITS.credentials}): ${burst.map(short).join(' ')}`);

  // ---- b. the per-account lockout, each attempt from a new address, alternating A and B
  const victim = `${ctx.prefix}-victim`;
  const control = `${ctx.prefix}-control`;
  for (const [server, username] of [[a, victim], [b, control]]) {
    const r = await post(server, '/auth/signup', { xff: freshAddress(), body: { username, password: PASSWORD } });
    if (r.status !== 201) throw new Error(`signup of ${username} on ${labelOf.get(server)}: ${describe(r)}`);
  }
  const failures = [];
  for (let i = 0; i < LIMITS.maxFailures; i++) failures.push(await login(servers[i % 2], freshAddress(), victim, WRONG));
  const lockedOut = [await login(a, freshAddress(), victim, PASSWORD), await login(b, freshAddress(), victim, PASSWORD)];
  details.push(`lockout after ${LIMITS.maxFailures} failures/60 s, "${victim}", a new address each: wrong ${failures.map(short).join(' ')} | right password ${lockedOut.map(short).join(' ')}`);
  checks.expect(failures.every((r) => r.status === 401), `wrong passwords were not all answered 401: ${failures.map(describe).join('; ')}`);
  const wrongAnswer = failures[0];
  const sameAsWrong = (r) => r.status === 401 && r.body === wrongAnswer.body && (r.headers?.['retry-after'] === undefined) === (wrongAnswer.headers?.['retry-after'] === undefined);
  checks.expect(
    lockedOut.every(sameAsWrong),
    `after ${LIMITS.maxFailures} failures spread over A and B, the right password was not refused like a wrong one on both: ${lockedOut.map(describe).join('; ')} -- counted per process?`,
  );

  const controlFailures = [];
  for (let i = 0; i < LIMITS.maxFailures - 1; i++) controlFailures.push(await login(servers[i % 2], freshAddress(), control, WRONG));
  const controlIn = [await login(b, freshAddress(), control, PASSWORD), await login(a, freshAddress(), control, PASSWORD)];
  const controlLast = await login(b, freshAddress(), control, WRONG);
  const controlLocked = [await login(a, freshAddress(), control, PASSWORD), await login(b, freshAddress(), control, PASSWORD)];
  details.push(
    `"${control}": wrong ${controlFailures.map(short).join(' ')} | right ${controlIn.map(short).join(' ')} | wrong ${short(controlLast)} | right ${controlLocked.map(short).join(' ')}`,
  );
  checks.expect(controlFailures.every((r) => r.status === 401), `the control account's wrong passwords were not all 401: ${controlFailures.map(describe).join('; ')}`);
  checks.expect(
    controlIn.every((r) => r.status === 200 && !r.problem && r.json?.user?.username === control),
    `with ${LIMITS.maxFailures - 1} failures the right password did not sign in on B and then A: ${controlIn.map(describe).join('; ')}`,
  );
  checks.expect(controlLast.status === 401, `the control account's last wrong password was not 401: ${describe(controlLast)}`);
  checks.expect(
    controlLocked.every(sameAsWrong),
    `after its ${LIMITS.maxFailures}th failure (the successes gave their slots back) the control account was not locked on both: ${controlLocked.map(describe).join('; ')}`,
  );

  // ---- every answer: whole, of the service's shape, never 5xx
  const broken = all.filter((r) => r.outcome !== 'response' || r.problem || r.status >= 500);
  checks.expect(broken.length === 0, `${broken.length} answers failed or were 5xx/invalid: ${broken.slice(0, 3).map(describe).join('; ')}`);
  agent.destroy();

  const events = eventsIn([[a, 'A'], [b, 'B']]);
  details.push(`security events logged: ${events}`);
  return {
    checks,
    summary: `2 processes on one ${ctx.store === 'mongo' ? 'database' : 'SQLite file'}, ${all.length} requests alternating A/B: ` +
      `logins ${count(within, 401)} x 401 then ${past.filter(is429).length}/2 x 429; refreshes ${count(refreshes, 401)} x 401 then ${refreshPast.filter(is429).length}/2 x 429; ` +
      `burst ${burst401}/${BURST} answered; right password after ${LIMITS.maxFailures} failures refused ${lockedOut.filter(sameAsWrong).length}/2, ` +
      `after ${LIMITS.maxFailures - 1} accepted ${controlIn.filter((r) => r.status === 200).length}/2`,
    details,
  };
}

/** Server B: the same store, secrets and settings as A, on its own port and log. */
async function secondServer(ctx, { dataDir, mongoUri }) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startServer({ scope: ctx.scope, name: 'B', port: await freePort(), dataDir, mongoUri, secrets: ctx.secrets, logFile: join(ctx.dir, 'server-b.log'), env: ENV });
    } catch (error) {
      if (error.code !== 'EADDRINUSE' || attempt >= 3) throw error;
    }
  }
}

/** How often A and B logged rate_limited and account_locked (a figure, not a check: logs may lag). */
function eventsIn(labelled) {
  return labelled
    .map(([server, label]) => {
      let log = '';
      try {
        log = readFileSync(server.logFile, 'utf8');
      } catch {
        /* none */
      }
      const count = (event) => log.split('\n').filter((line) => line.includes(event)).length;
      return `${label}: rate_limited x${count('rate_limited')}, account_locked x${count('account_locked')}`;
    })
    .join('; ');
}
