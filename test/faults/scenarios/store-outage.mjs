// Scenario 3 (MongoDB only): the store goes away mid-load, then comes back.
//
// 20 clients hammer GET /auth/me and POST /auth/refresh while a prober asks GET /health and
// GET /health/live every 250 ms, and two more loops try the credential routes every 250 ms:
// POST /auth/login (a known user) and POST /auth/signup (a new user each time). After a
// baseline the emulator is SIGKILLed (the service's sockets to it are reset, as when mongod
// crashes); OUTAGE_MS later it is started again on the same port. Checks:
// - baseline: every answer 200 (201 for signup);
// - outage (requests sent after the kill, before the restart): every answer that needs the store
//   is 503 with the `{ statusCode: 503, error, message }` body -- never 500, never 401 (a 401 on
//   refresh clears the cookie: an outage must not sign anyone out; on login it would call a right
//   password wrong) -- login and signup among them, and none takes longer than
//   HANG_LIMIT_MS; GET /health is 503 and GET /health/live 200 throughout;
// - recovery: the service answers again by itself (no restart) within RECOVERY_LIMIT_MS of the
//   emulator accepting connections: GET /health 200 and a new signup 201, then login, /auth/me
//   and refresh for that user. The emulator keeps nothing across a restart, so the old sessions
//   are gone: after the restart the old clients' 401s are expected and not counted against it.
import { join } from 'node:path';
import { Checks, Samples, probeHealth, serviceOn } from '../common.mjs';
import { startEmulator } from '../emulator.mjs';
import { sleep } from '../harness.mjs';
import { Client, Latencies, Tally, describe, keepAliveAgent, ms, now, signUpClients } from '../http.mjs';

const CLIENTS = 20;
const BASELINE_MS = 2000;
const OUTAGE_MS = 8000;
const HANG_LIMIT_MS = 6000;
const RECOVERY_LIMIT_MS = 15_000;
const OK = { signup: 201 }; // every other route answers 200 when all is well
const okOf = (label) => OK[label.split(' ')[0]] ?? 200;

export async function storeOutage(ctx) {
  const checks = new Checks();
  const details = [];
  const { target, emulator } = await serviceOn(ctx);
  const agent = keepAliveAgent();
  const clients = await signUpClients({ target, agent, count: CLIENTS, prefix: ctx.prefix });
  const [loginUser] = await signUpClients({ target, agent, count: 1, prefix: `${ctx.prefix}-login` });

  let killStart = Infinity; // SIGKILL sent
  let killDone = Infinity; // the emulator process is gone
  let restartBegin = Infinity; // start.sh invoked (the emulator may answer from some point after this)
  let restartAt = Infinity; // start.sh says the new emulator accepts connections
  let stop = false;
  // Strict phases: "outage" holds only requests sent after the emulator was gone and answered
  // before its restart began; one spanning the kill is "at the kill", and one answered after the
  // restart began belongs to "after restart" (the new, empty emulator may have served it).
  const phaseOf = (r) =>
    r.doneAt < killStart ? 'baseline' : r.sentAt < killDone ? 'at the kill' : r.doneAt < restartBegin ? 'outage' : 'after restart';
  const PHASES = ['baseline', 'at the kill', 'outage', 'after restart'];
  const byPhase = Object.fromEntries(PHASES.map((p) => [p, new Tally()]));
  const latency = Object.fromEntries(PHASES.map((p) => [p, new Latencies()]));
  const slowest = {}; // phase -> { route, latency }, the slowest request of each phase
  const bad = new Map(); // "phase: label" -> { n, samples }
  const allowed = {
    baseline: (route) => [OK[route] ?? 200],
    'at the kill': (route) => (route === 'live' ? [200] : [OK[route] ?? 200, 503]), // answered before or after the store went
    outage: (route) => (route === 'live' ? [200] : [503]),
    'after restart': (route) => (route === 'live' ? [200] : [200, 201, 401, 503]), // old sessions and users are gone: 401
  };
  const record = (r, route) => {
    const phase = phaseOf(r);
    latency[phase].add(r.latency);
    if (route !== 'live' && r.latency > (slowest[phase]?.latency ?? -1)) slowest[phase] = { route, latency: r.latency };
    const label = r.outcome === 'response' ? `${route} ${r.status}${r.problem ? ' (invalid)' : ''}` : `${route} ${r.outcome}`;
    byPhase[phase].add(label);
    const slow = route !== 'live' && phase !== 'baseline' && r.latency > HANG_LIMIT_MS;
    if (r.outcome !== 'response' || r.problem || slow || !allowed[phase](route).includes(r.status)) {
      const key = `${phase}: ${label}${slow ? ' (slow)' : ''}`;
      if (!bad.has(key)) bad.set(key, { n: 0, samples: new Samples(2) });
      bad.get(key).n++;
      bad.get(key).samples.add(describe(r));
    }
  };

  const hammer = async (client, i) => {
    for (let n = i; !stop; n++) {
      const r = n % 2 === 0 ? await client.me({ timeoutMs: 30_000 }) : await client.refresh({ timeoutMs: 30_000 });
      record(r, r.path === '/auth/me' ? 'me' : 'refresh');
      // Once the emulator is back empty, these sessions are gone for good; nothing more to learn.
      if (phaseOf(r) === 'after restart' && r.status === 401) return;
      if (r.outcome !== 'response') await sleep(100);
    }
  };
  // The credential routes, each on its own loop; they meet the store's counters (rate limit, lockout) first.
  const credentials = (route) => async () => {
    for (let n = 0; !stop; n++) {
      const client = route === 'login' ? loginUser : new Client(target, agent, `${ctx.prefix}-s${n}`);
      record(await client[route]({ keep: false, timeoutMs: 30_000 }), route);
      await sleep(250);
    }
  };
  const loops = Promise.all([...clients.map(hammer), credentials('login')(), credentials('signup')(), probeHealth({ target, agent, record, stopped: () => stop })]);

  await sleep(BASELINE_MS);
  killStart = now();
  await emulator.kill('SIGKILL');
  killDone = now();
  await sleep(OUTAGE_MS);
  restartBegin = now();
  const again = await startEmulator({ scope: ctx.scope, name: 'emulator (restarted)', port: emulator.port, logFile: join(ctx.dir, 'emulator.log') });
  restartAt = now();

  // Recovery: a brand-new user must be able to sign up; then the rest of its life cycle.
  let recoveredAt;
  let lastTry;
  let attempt = 0;
  while (now() - restartAt < RECOVERY_LIMIT_MS + 5000) {
    const fresh = new Client(target, agent, `${ctx.prefix}-r${attempt++}`);
    const [health, signup] = await Promise.all([fresh.call('GET', '/health'), fresh.signup({ timeoutMs: 10_000 })]);
    lastTry = `${describe(health)}; ${describe(signup)}`;
    if (health.status === 200 && signup.status === 201) {
      recoveredAt = now();
      const login = await fresh.login();
      const me = await fresh.me();
      const refresh = await fresh.refresh();
      const okAll = login.status === 200 && me.status === 200 && refresh.status === 200 && ![login, me, refresh].some((r) => r.problem);
      details.push(`after recovery, a new user: signup 201, ${describe(login)}, ${describe(me)}, ${describe(refresh)}`);
      checks.expect(okAll, 'a new user could sign up but not log in, call /auth/me and refresh');
      break;
    }
    await sleep(250);
  }
  stop = true;
  await loops;
  agent.destroy();
  await again.kill('SIGKILL');

  const outage = byPhase.outage;
  const outageMax = Math.max(latency.outage.max(), latency['at the kill'].max());
  const recoveryMs = recoveredAt === undefined ? NaN : recoveredAt - restartAt;
  details.push(
    `baseline (${BASELINE_MS / 1000} s): ${byPhase.baseline}`,
    `in flight at the kill (SIGKILL to gone: ${ms(killDone - killStart)}): ${byPhase['at the kill']}; latency ${latency['at the kill'].summary()}`,
    `outage (${OUTAGE_MS / 1000} s, emulator SIGKILLed): ${outage}; latency ${latency.outage.summary()}` +
      (slowest.outage ? ` (slowest: ${slowest.outage.route}, ${ms(slowest.outage.latency)})` : ''),
    `after the emulator restart: ${byPhase['after restart']}; latency ${latency['after restart'].summary()}`,
    `recovery: ${recoveredAt === undefined ? `none within ${(RECOVERY_LIMIT_MS + 5000) / 1000} s; last try: ${lastTry}` : `${ms(recoveryMs)} after the emulator accepted connections again`}`,
    ...[...bad].flatMap(([key, { n, samples }]) => samples.lines.map((l) => `  unexpected (${n}x), ${key}: ${l}`)),
  );

  const countOf = (tally, predicate) => [...tally.counts].filter(([label]) => predicate(label)).reduce((n, [, v]) => n + v, 0);
  const baselineBad = countOf(byPhase.baseline, (l) => !l.endsWith(` ${okOf(l)}`));
  checks.expect(baselineBad === 0, `${baselineBad} baseline answers were not 200 (201 for signup)`);
  const atKill = byPhase['at the kill'];
  const atKillWrong = (l) => (l.startsWith('live') ? l !== 'live 200' : !l.endsWith(` ${okOf(l)}`) && !l.endsWith(' 503'));
  const atKillBad = countOf(atKill, atKillWrong);
  checks.expect(atKillBad === 0, `${atKillBad} requests in flight at the kill got neither 200 (201 for signup) nor 503 (${[...atKill.counts].filter(([l]) => atKillWrong(l)).map(([l, v]) => `${l} x${v}`).join(', ')})`);
  const storeRoutes = (l) => !l.startsWith('live');
  const outage503 = countOf(outage, (l) => storeRoutes(l) && / 503$/.test(l));
  const outageOther = countOf(outage, (l) => storeRoutes(l) && !/ 503$/.test(l));
  checks.expect(outage503 > 0, 'no 503 at all during the outage');
  checks.expect(outageOther === 0, `${outageOther} answers during the outage were not 503 (${[...outage.counts].filter(([l]) => storeRoutes(l) && !/ 503$/.test(l)).map(([l, v]) => `${l} x${v}`).join(', ')})`);
  const liveBad = countOf(outage, (l) => l.startsWith('live') && l !== 'live 200');
  checks.expect(liveBad === 0, `GET /health/live failed ${liveBad} times during the outage`);
  checks.expect(outage.get('health 503') > 0, 'GET /health never answered 503 during the outage');
  checks.expect(outage.get('login 503') > 0 && outage.get('signup 503') > 0, `POST /auth/login and /auth/signup did not both answer 503 during the outage (login 503 x${outage.get('login 503')}, signup 503 x${outage.get('signup 503')})`);
  checks.expect(outageMax <= HANG_LIMIT_MS, `the slowest request during the outage took ${ms(outageMax)} (limit ${ms(HANG_LIMIT_MS)})`);
  const afterBad = countOf(byPhase['after restart'], (l) => /5\d\d$/.test(l) && !/ 503$/.test(l) || /(reset|refused|truncated|timeout|invalid)/.test(l));
  checks.expect(afterBad === 0, `${afterBad} answers after the emulator restart were 5xx other than 503, invalid, or failed transport`);
  checks.expect(recoveredAt !== undefined && recoveryMs <= RECOVERY_LIMIT_MS, `no recovery within ${RECOVERY_LIMIT_MS / 1000} s of the emulator's restart`);

  return {
    checks,
    summary: `outage: ${outage503} x 503, ${outageOther} other; max latency ${ms(outageMax)}; /health 503 x${outage.get('health 503')}, /health/live 200 x${outage.get('live 200')}; ` +
      `login 503 x${outage.get('login 503')}, signup 503 x${outage.get('signup 503')}; ` +
      `recovered ${Number.isNaN(recoveryMs) ? 'never' : `in ${ms(recoveryMs)}`}`,
    details,
  };
}
