// Scenario 5 (MongoDB only; an addition to the four of issue 6): the store stalls mid-load and
// resumes with its data intact.
//
// Scenario 3 kills the emulator, so the service's sockets are reset and every failure is quick.
// A store that stops answering without closing anything (a hung mongod, a network partition, a
// VM pause) is the harder case for "never hang": the emulator is frozen with SIGSTOP for
// STALL_MS, then thawed with SIGCONT. 20 clients hammer GET /auth/me and POST /auth/refresh
// (keeping the cookie of every 200), probes ask /health and /health/live every 250 ms. Checks:
// - baseline: every answer 200;
// - requests in flight at the freeze or sent during it: 503 with the error body (or 200 for one
//   answered before the freeze took hold), never 500, never 401, none slower than HANG_LIMIT_MS;
//   /health 503, /health/live 200;
// - after the thaw the data is all there, so every client must work again with the cookie it
//   holds within RECOVERY_LIMIT_MS (a 200 on both routes), and no answer may be a 401: a session
//   revoked or ended by a store stall is a false sign-out (a 401 naming reuse, a false theft).
import { createHash } from 'node:crypto';
import { Checks, Samples, probeHealth, serviceOn } from '../common.mjs';
import { REUSE_GRACE_MS, sleep } from '../harness.mjs';
import { Latencies, REUSE_MESSAGE, Tally, describe, keepAliveAgent, ms, now, signUpClients } from '../http.mjs';

const CLIENTS = 20;
const BASELINE_MS = 2000;
// Longer than REFRESH_REUSE_GRACE (10 s) on purpose: a replica-set failover takes about this
// long (electionTimeoutMillis is 10 s), and a client retrying a refresh whose answer was lost
// comes back only after it.
const STALL_MS = REUSE_GRACE_MS + 2000;
const HANG_LIMIT_MS = 6000;
const RECOVERY_LIMIT_MS = 15_000;

export async function storeStall(ctx) {
  const checks = new Checks();
  const { target, emulator } = await serviceOn(ctx);
  const agent = keepAliveAgent();
  const clients = await signUpClients({ target, agent, count: CLIENTS, prefix: ctx.prefix });

  let stopAt = Infinity;
  let contAt = Infinity;
  let stop = false;
  const phaseOf = (r) => (r.doneAt < stopAt ? 'baseline' : r.doneAt < contAt ? 'stalled' : 'after the thaw');
  const PHASES = ['baseline', 'stalled', 'after the thaw'];
  const byPhase = Object.fromEntries(PHASES.map((p) => [p, new Tally()]));
  const latency = Object.fromEntries(PHASES.map((p) => [p, new Latencies()]));
  const bad = new Map(); // "phase: label" -> { n, samples }
  const recoveredAt = new Map(); // client -> first time both routes answered 200 after the thaw
  const okAfterThaw = new Map(); // client -> Set of routes that answered 200 after the thaw
  const allowed = {
    baseline: () => [200],
    stalled: (route) => (route === 'live' ? [200] : [200, 503]),
    'after the thaw': (route) => (route === 'live' ? [200] : [200, 503]),
  };
  const record = (r, route, client) => {
    const phase = phaseOf(r);
    latency[phase].add(r.latency);
    const theft = r.status === 401 && REUSE_MESSAGE.test(r.json?.message ?? '');
    const label = r.outcome === 'response' ? `${route} ${r.status}${theft ? ' (reuse)' : ''}${r.problem ? ' (invalid)' : ''}` : `${route} ${r.outcome}`;
    byPhase[phase].add(label);
    // 200 during the stall is only right for what the store answered before it froze.
    const stalled200 = phase === 'stalled' && route !== 'live' && r.status === 200 && r.sentAt >= stopAt;
    const slow = route !== 'live' && r.latency > HANG_LIMIT_MS;
    if (r.outcome !== 'response' || r.problem || slow || stalled200 || !allowed[phase](route).includes(r.status)) {
      const key = `${phase}: ${label}${slow ? ' (slow)' : ''}`;
      if (!bad.has(key)) bad.set(key, { n: 0, samples: new Samples(2) });
      bad.get(key).n++;
      bad.get(key).samples.add(describe(r));
    }
    if (client && phase === 'after the thaw' && r.status === 200) {
      const routes = okAfterThaw.get(client) ?? new Set();
      routes.add(route);
      okAfterThaw.set(client, routes);
      if (routes.size === 2 && !recoveredAt.has(client)) recoveredAt.set(client, r.doneAt);
    }
  };

  const history = new Map(); // client -> its last requests, to show how a sign-out came about
  const t = (at) => `${((at - stopAt) / 1000).toFixed(2)} s`; // used when printing, once stopAt is known
  const hammer = async (client, i) => {
    const mine = [];
    history.set(client, mine);
    for (let n = i; !stop; n++) {
      const held = createHash('sha256').update(client.cookie.refreshToken).digest('hex').slice(0, 6); // names the token, never shows it
      const r = n % 2 === 0 ? await client.me({ timeoutMs: 30_000 }) : await client.refresh({ timeoutMs: 30_000 });
      record(r, r.path === '/auth/me' ? 'me' : 'refresh', client);
      mine.push({ route: r.path === '/auth/me' ? 'me' : 'refresh', held, r });
      if (mine.length > 6) mine.shift();
      if (r.status === 401) return; // signed out: counted; this client cannot go on
      if (r.status !== 200) await sleep(100);
    }
  };
  const loops = Promise.all([...clients.map(hammer), probeHealth({ target, agent, record, stopped: () => stop })]);

  await sleep(BASELINE_MS);
  stopAt = now();
  await emulator.kill('SIGSTOP');
  await sleep(STALL_MS);
  contAt = now();
  await emulator.kill('SIGCONT');
  const recoveryDeadline = contAt + RECOVERY_LIMIT_MS;
  while (now() < recoveryDeadline && recoveredAt.size < CLIENTS) await sleep(100);
  await sleep(500);
  stop = true;
  await loops;
  agent.destroy();

  const stalled = byPhase.stalled;
  const after = byPhase['after the thaw'];
  const stalledMax = latency.stalled.max();
  const recoveryMs = recoveredAt.size > 0 ? Math.max(...recoveredAt.values()) - contAt : NaN;
  const details = [
    `baseline (${BASELINE_MS / 1000} s): ${byPhase.baseline}`,
    `stalled (${STALL_MS / 1000} s, emulator SIGSTOPped): ${stalled}; latency ${latency.stalled.summary()}`,
    `after SIGCONT: ${after}; latency ${latency['after the thaw'].summary()}`,
    `recovery: ${recoveredAt.size}/${CLIENTS} clients working again with the cookie they held` +
      (recoveredAt.size > 0 ? `, the last ${ms(recoveryMs)} after the thaw` : ''),
    ...[...bad].flatMap(([key, { n, samples }]) => samples.lines.map((l) => `  unexpected (${n}x), ${key}: ${l}`)),
    ...clients
      .filter((c) => !recoveredAt.has(c))
      .slice(0, 2)
      .map((c) => {
        const steps = history.get(c).map(({ route, held, r }) => `${route}(token ${held}) sent ${t(r.sentAt)} -> ${r.status || r.outcome} at ${t(r.doneAt)}`);
        return `  ${c.username}, seconds from the freeze (thaw at ${t(contAt)}): ${steps.join('; ')}`;
      }),
  ];

  const countOf = (tally, predicate) => [...tally.counts].filter(([label]) => predicate(label)).reduce((n, [, v]) => n + v, 0);
  checks.expect(countOf(byPhase.baseline, (l) => !/ 200$/.test(l)) === 0, 'some baseline answers were not 200');
  const badStalled = [...bad].filter(([k]) => k.startsWith('stalled')).map(([k, { n }]) => `${k.slice('stalled: '.length)} x${n}`);
  checks.expect(badStalled.length === 0, `during the stall: ${badStalled.join(', ')}`);
  checks.expect(stalled.get('health 503') > 0, 'GET /health never answered 503 during the stall');
  checks.expect(stalledMax <= HANG_LIMIT_MS, `the slowest request during the stall took ${ms(stalledMax)} (limit ${ms(HANG_LIMIT_MS)})`);
  const signedOut = countOf(after, (l) => / 401/.test(l)) + countOf(stalled, (l) => / 401/.test(l));
  const thefts = countOf(after, (l) => l.includes('(reuse)')) + countOf(stalled, (l) => l.includes('(reuse)'));
  checks.expect(signedOut === 0, `${signedOut} clients were signed out by the stall (${thefts} of them by a false theft detection)`);
  const badAfter = [...bad].filter(([k]) => k.startsWith('after') && !/ 401/.test(k)).map(([k, { n }]) => `${k.slice('after the thaw: '.length)} x${n}`);
  checks.expect(badAfter.length === 0, `after the thaw: ${badAfter.join(', ')}`);
  checks.expect(recoveredAt.size === CLIENTS, `${CLIENTS - recoveredAt.size} of ${CLIENTS} clients did not work again within ${RECOVERY_LIMIT_MS / 1000} s of the thaw`);
  return {
    checks,
    summary: `stall: ${countOf(stalled, (l) => / 503$/.test(l) && !l.startsWith('health'))} x 503, max latency ${ms(stalledMax)}; after the thaw ${recoveredAt.size}/${CLIENTS} clients back` +
      `${Number.isNaN(recoveryMs) ? '' : ` within ${ms(recoveryMs)}`}, ${signedOut} signed out (${thefts} as theft)`,
    details,
  };
}
