// Scenario 4: 200 concurrent clients refreshing and calling protected routes for a minute give
// zero 5xx and zero false theft detections.
//
// Each client has its own account and session and loops, one step at a time, until the time is up:
//   45%  GET /auth/me
//   45%  POST /auth/refresh, continuing with the returned cookie
//   10%  two POST /auth/refresh at once with the same cookie (two tabs): both must be 200 with the
//        same successor (the grace window is idempotent); the client waits for both, then goes on
//        with the returned cookie.
// These clients are all legitimate, so:
// - a 401 on refresh naming reuse/revocation is a false theft detection;
// - any other 401 is a false sign-out (also counted and failed: a legitimate client lost its session);
// - after either, the client logs in again and goes on, so the load stays at CLIENTS;
// - no 5xx, no invalid answer, no transport failure, no request slower than REQUEST_TIMEOUT_MS.
// Every client has an open kept-alive connection before the clock starts; a second connection
// for a two-tab pair is opened during the load when the pool has none free, as a browser would.
// Reports requests/s, status counts and latency percentiles (also split by kept-alive and new
// connections). On the emulator (a Python loop with one lock) the figures are what they are:
// the assertions do not change.
import { Checks, Samples, serviceOn } from '../common.mjs';
import { Latencies, REUSE_MESSAGE, Tally, describe, keepAliveAgent, ms, now, signUpClients } from '../http.mjs';

const CLIENTS = 200;
const REQUEST_TIMEOUT_MS = 30_000;

export function soakSeconds() {
  const value = Number(process.env.FAULTS_SOAK_SECONDS ?? 60);
  return Number.isFinite(value) && value > 0 ? value : 60;
}

export async function soak(ctx) {
  const checks = new Checks();
  const seconds = soakSeconds();
  const { target, server } = await serviceOn(ctx);
  const agent = keepAliveAgent();
  const signupStart = now();
  const clients = await signUpClients({ target, agent, count: CLIENTS, prefix: ctx.prefix, concurrency: 20 });
  const signupMs = now() - signupStart;
  // One kept-alive connection per client before the clock starts, as 200 browsers that are
  // already connected: the soak measures steady load, not a connection storm (a Node server busy
  // with kept-alive traffic can leave new connections in its accept queue for seconds).
  // FAULTS_SOAK_COLD=1 skips this, to see the storm: ~180 connections opened at once under load.
  const cold = process.env.FAULTS_SOAK_COLD === '1';
  const warmStart = now();
  const warm = cold ? [] : await Promise.all(clients.map((client) => client.me({ timeoutMs: 60_000 })));
  const warmMs = now() - warmStart;
  const warmBad = warm.filter((r) => r.status !== 200);
  if (warmBad.length > 0) throw new Error(`warm-up: ${warmBad.length} of ${CLIENTS} GET /auth/me failed, e.g. ${describe(warmBad[0])}`);

  const statuses = new Tally();
  const problems = new Tally();
  const latencies = new Latencies();
  const onNew = new Latencies(); // requests that had to open a connection
  const onKept = new Latencies(); // requests on a kept-alive connection
  const bad = new Samples(6);
  let requests = 0;
  let refreshes = 0;
  let pairs = 0;
  let relogins = 0;
  const note = (r, route) => {
    requests++;
    latencies.add(r.latency);
    (r.reused ? onKept : onNew).add(r.latency);
    if (r.outcome !== 'response') {
      problems.add(`transport: ${r.outcome}`);
      bad.add(describe(r));
      return false;
    }
    statuses.add(`${route} ${r.status}`);
    if (r.problem) problems.add('invalid answer'), bad.add(describe(r));
    else if (r.status >= 500) problems.add('5xx'), bad.add(describe(r));
    else if (r.status === 401 && route === 'refresh' && REUSE_MESSAGE.test(r.json.message)) problems.add('false theft detection'), bad.add(describe(r));
    else if (r.status === 401) problems.add('false sign-out (other 401)'), bad.add(describe(r));
    else if (r.status !== 200) problems.add(`unexpected ${r.status}`), bad.add(describe(r));
    else return true;
    return false;
  };

  const deadline = now() + seconds * 1000;
  const started = now();
  const run = async (client) => {
    while (now() < deadline) {
      const roll = Math.random();
      let fine;
      if (roll < 0.45) {
        fine = note(await client.me({ timeoutMs: REQUEST_TIMEOUT_MS }), 'me');
      } else if (roll < 0.9) {
        refreshes++;
        fine = note(await client.refresh({ timeoutMs: REQUEST_TIMEOUT_MS }), 'refresh');
      } else {
        refreshes += 2;
        pairs++;
        const cookie = client.cookie.raw;
        const [a, b] = await Promise.all([
          client.call('POST', '/auth/refresh', { cookie, keep: false, timeoutMs: REQUEST_TIMEOUT_MS }),
          client.call('POST', '/auth/refresh', { cookie, keep: false, timeoutMs: REQUEST_TIMEOUT_MS }),
        ]);
        const fineA = note(a, 'refresh');
        const fineB = note(b, 'refresh');
        fine = fineA && fineB;
        if (!fine) {
          const side = (r) => `${r.outcome === 'response' ? r.status : r.outcome} in ${ms(r.latency)} on a ${r.reused ? 'kept-alive' : 'new'} connection`;
          bad.add(`${client.username}, two tabs: ${side(a)} / ${side(b)}`);
        }
        if (fine && a.cookie?.refreshToken !== b.cookie?.refreshToken) {
          problems.add('two tabs got different successors');
          bad.add(`${client.username}: concurrent refreshes returned different refresh tokens`);
          fine = false;
        }
        const winner = [a, b].find((r) => r.status === 200 && r.cookie?.raw);
        if (winner) client.keep(winner.cookie);
      }
      if (!fine && now() < deadline) {
        // Whatever went wrong has been counted; sign in again if the session is gone so the load stays up.
        const check = await client.me({ timeoutMs: REQUEST_TIMEOUT_MS });
        if (check.status === 401) {
          relogins++;
          const login = await client.login({ timeoutMs: REQUEST_TIMEOUT_MS });
          if (login.status !== 200) note(login, 'login');
        }
        if (check.outcome === 'refused') return; // the service is gone; the check below says so
      }
    }
  };
  await Promise.all(clients.map(run));
  const elapsed = (now() - started) / 1000;
  agent.destroy();
  const alive = server.alive();

  const rate = requests / elapsed;
  const details = [
    `${CLIENTS} clients (signed up in ${ms(signupMs)}, ${cold ? 'no warm-up: FAULTS_SOAK_COLD=1' : `${CLIENTS} connections opened in ${ms(warmMs)}`}) for ${elapsed.toFixed(1)} s: ${requests} requests, ${rate.toFixed(0)} requests/s; ${refreshes} refreshes (${pairs} two-tab pairs); ${relogins} re-logins`,
    `statuses: ${statuses}`,
    `latency: ${latencies.summary()}; on kept-alive connections (${onKept.values.length}): ${onKept.summary()}; on new connections (${onNew.values.length}): ${onNew.summary()}`,
    `problems: ${problems}`,
    ...bad.lines.map((l) => `  e.g. ${l}`),
  ];
  checks.expect(alive, 'the service died during the soak');
  for (const [label, n] of problems.counts) checks.fail(`${label}: ${n}`);
  return {
    checks,
    summary: `${rate.toFixed(0)} req/s over ${elapsed.toFixed(0)} s, p99 ${ms(latencies.percentile(99))}; 5xx ${problems.get('5xx')}, false theft ${problems.get('false theft detection')}, ` +
      `other 401 ${problems.get('false sign-out (other 401)')}, transport errors ${[...problems.counts].filter(([l]) => l.startsWith('transport')).reduce((n, [, v]) => n + v, 0)}`,
    details,
  };
}
