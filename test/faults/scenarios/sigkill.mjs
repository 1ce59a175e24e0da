// Scenario 2: SIGKILL under refresh load, then restart: no session is left half-rotated.
//
// 30 clients each hold a session and refresh in a tight loop, always keeping the cookie of their
// last 200 (L) and the one before it (P). The service is SIGKILLed mid-load and restarted on the
// same store (same DATA_DIR, or the same emulator, which outlives the service). Then both of each
// client's cookies are presented.
//
// What the store can hold for a client when the process dies (rotation = save the successor's
// record, then one atomic compare-and-set of the session's current token; the successor of a
// token is derived from it, so it is the same every time):
//   A  the session is on L: the in-flight refresh (with L) had not reached the compare-and-set.
//      Its successor's record may exist already; harmless, nothing points at it.
//   C  the session moved on to L' = successor(L) and the answer carrying L' died with the process.
// Nothing else is allowed: in particular not a session whose current token has no record, which
// would fail a refresh with "session ended" while the session is still live (half-rotated).
//
// The checks, done within the grace window (REFRESH_REUSE_GRACE of FAULTS_ENV, measured from the kill):
// - even clients, last cookie first (what a real client does): L must give 200 (A: L is current;
//   C: L is the immediately previous token, inside the window, and gets L' again). Then that
//   successor must refresh again (200: it has a record and is current; not half-rotated) and
//   GET /auth/me must answer 200. Then P, now at least two rotations old, must be refused as
//   reuse (401, "already used... revoked") and the session must be gone at once (/auth/me 401).
//   A 401 for L is an anomaly here: it is only legitimate once the grace window has passed
//   (C, checked too late), and these checks run inside it.
// - odd clients, previous cookie first (tells A from C): in A, P is the immediately previous
//   token inside the window and must get exactly L's refresh token back (deterministic
//   successor), after which L and its successor refresh (200, 200). In C, P is two rotations
//   old: presenting it is indistinguishable from theft, so it must be a clean 401 naming reuse,
//   and L must then be a clean 401 too (the whole session revoked). That "clean 401" is allowed:
//   the client lost its session only because this test replayed a retired cookie, exactly what
//   the theft rule is for.
// Anomalies: any 5xx or invalid answer, a 401 that is not clean (JSON body and a cleared cookie),
// and any combination other than the ones above -- notably a client whose every cookie fails
// while its session was not revoked by the theft rule.
import { Checks, Samples, pool, serviceOn } from '../common.mjs';
import { REUSE_GRACE_MS as GRACE_MS, sleep } from '../harness.mjs';
import { REUSE_MESSAGE, Tally, describe, keepAliveAgent, ms, now, signUpClients } from '../http.mjs';

const CLIENTS = 30;

export async function sigkillRestart(ctx) {
  const checks = new Checks();
  const details = [];
  const { target, server, boot } = await serviceOn(ctx);
  const agent = keepAliveAgent();
  const clients = await signUpClients({ target, agent, count: CLIENTS, prefix: ctx.prefix });

  let killAt = Infinity;
  const load = new Tally();
  const loadBad = new Samples(4);
  const refreshesBeforeKill = { n: 0 };
  const hammer = async (client) => {
    for (;;) {
      const r = await client.refresh({ timeoutMs: 10_000 });
      if (r.outcome !== 'response') {
        if (r.sentAt < killAt && r.doneAt < killAt) load.add(`${r.outcome} before the kill`), loadBad.add(describe(r));
        else load.add(`${r.outcome} at/after the kill`);
        return;
      }
      if (r.status === 200 && !r.problem) {
        load.add('200');
        if (r.doneAt < killAt) refreshesBeforeKill.n++;
        continue;
      }
      load.add(r.status >= 500 ? '5xx' : `unexpected ${r.status}`);
      loadBad.add(describe(r));
      return;
    }
  };
  const loops = Promise.all(clients.map(hammer));
  await sleep(1500 + Math.random() * 1500);
  killAt = now();
  await server.kill('SIGKILL');
  await loops;
  agent.destroy();
  const heldPrevious = clients.filter((c) => c.previous).length;
  details.push(`load: ${CLIENTS} clients, ${refreshesBeforeKill.n} refreshes answered before the SIGKILL; during load: ${load}`);
  checks.expect(load.get('5xx') === 0, `${load.get('5xx')} refreshes answered 5xx under load`);
  for (const [label] of load.counts) {
    if (label.startsWith('unexpected') || label.endsWith('before the kill')) checks.fail(`under load, before the kill: ${label} x${load.get(label)}`);
  }

  const restarted = await boot();
  const restartMs = now() - killAt;
  const checkAgent = keepAliveAgent();
  for (const client of clients) client.agent = checkAgent;
  const verdicts = new Tally();
  const states = new Tally();
  const anomalies = new Samples(8);
  let lastCheckAt = 0;
  await pool(clients, 10, async (client, i) => {
    const order = i % 2 === 0 || !client.previous ? 'last-first' : 'previous-first';
    const v = order === 'last-first' ? await lastFirst(client) : await previousFirst(client);
    lastCheckAt = Math.max(lastCheckAt, now());
    verdicts.add(v.verdict);
    if (v.state) states.add(v.state);
    if (v.verdict === 'anomaly') anomalies.add(`${client.username} (${order}): ${v.why}; ${v.steps.join('; ')}`);
  });
  checkAgent.destroy();
  await restarted.kill('SIGTERM');

  const checkedWithin = lastCheckAt - killAt;
  details.push(
    `restart: answering ${ms(restartMs)} after the kill; every check done ${ms(checkedWithin)} after it (grace ${GRACE_MS / 1000} s)`,
    `clients: ${verdicts.get('worked')} worked, ${verdicts.get('clean 401')} clean 401 (revoked by the theft rule on the replayed previous cookie), ${verdicts.get('anomaly')} anomalies; ${heldPrevious} held a previous cookie`,
    `store state at the kill, seen by the previous-cookie-first half: ${states}`,
    ...anomalies.lines.map((l) => `  anomaly: ${l}`),
  );
  checks.expect(checkedWithin < GRACE_MS, `the checks ended ${ms(checkedWithin)} after the kill, past the grace window they rely on`);
  checks.expect(verdicts.get('anomaly') === 0, `${verdicts.get('anomaly')} of ${CLIENTS} clients ended in an anomaly`);
  return {
    checks,
    summary: `${CLIENTS} clients after SIGKILL + restart: ${verdicts.get('worked')} worked, ${verdicts.get('clean 401')} clean 401, ${verdicts.get('anomaly')} anomalies; ` +
      `${load.get('5xx')} 5xx; restart ${ms(restartMs)}`,
    details,
  };
}

const refreshWith = (client, cookie) => client.call('POST', '/auth/refresh', { cookie: cookie.raw, keep: false });
const meWith = (client, cookie) => client.call('GET', '/auth/me', { cookie: cookie.raw, keep: false });
const ok200 = (r) => r.outcome === 'response' && r.status === 200 && !r.problem && r.cookie?.raw !== undefined;
/** 401 with the error body and the cookie cleared, as every refused refresh must be. */
const clean401 = (r) => r.outcome === 'response' && r.status === 401 && !r.problem && r.cookie?.cleared === true;
const isReuse = (r) => clean401(r) && REUSE_MESSAGE.test(r.json.message);
const short = (r) => (r.outcome === 'response' ? `${r.status}${r.json?.message ? ` "${r.json.message}"` : ''}${r.problem ? ` [${r.problem}]` : ''}` : `${r.outcome} ${r.code}`);

/** Each check's trail: every step with its answer, and an anomaly verdict that carries it. */
function recorder() {
  const steps = [];
  const step = async (label, promise) => {
    const r = await promise;
    steps.push(`${label} -> ${short(r)}`);
    return r;
  };
  return { steps, step, anomaly: (why) => ({ verdict: 'anomaly', why, steps }) };
}

async function lastFirst(client) {
  const { steps, step, anomaly } = recorder();
  const last = await step('refresh(last)', refreshWith(client, client.cookie));
  if (!ok200(last)) {
    return anomaly(clean401(last) ? 'the last cookie was refused inside the grace window' : 'the last cookie got neither 200 nor a clean 401');
  }
  const next = await step('refresh(its successor)', refreshWith(client, last.cookie));
  if (!ok200(next)) return anomaly('half-rotated: the successor handed out after the restart does not refresh');
  const me = await step('me', meWith(client, next.cookie));
  if (me.status !== 200 || me.problem) return anomaly('GET /auth/me with the working cookie failed');
  if (!client.previous) return { verdict: 'worked', steps };
  const previous = await step('refresh(previous)', refreshWith(client, client.previous));
  if (!isReuse(previous)) return anomaly('the previous cookie, two or more rotations old, was not refused as reuse');
  const after = await step('me after reuse', meWith(client, next.cookie));
  if (!(after.status === 401 && !after.problem)) return anomaly('the session survived a detected reuse');
  return { verdict: 'worked', steps };
}

async function previousFirst(client) {
  const { steps, step, anomaly } = recorder();
  const previous = await step('refresh(previous)', refreshWith(client, client.previous));
  if (ok200(previous)) {
    if (previous.cookie.refreshToken !== client.cookie.refreshToken) return anomaly('the previous cookie got a successor other than the last cookie');
    const last = await step('refresh(last)', refreshWith(client, client.cookie));
    if (!ok200(last)) return anomaly('the session was on the last cookie, yet it does not refresh');
    const next = await step('refresh(its successor)', refreshWith(client, last.cookie));
    if (!ok200(next)) return anomaly('half-rotated: the successor handed out after the restart does not refresh');
    return { verdict: 'worked', state: 'A (on the last cookie)', steps };
  }
  if (isReuse(previous)) {
    const last = await step('refresh(last)', refreshWith(client, client.cookie));
    if (!clean401(last)) return anomaly('reuse was detected, yet the last cookie was not a clean 401 (session not revoked?)');
    return { verdict: 'clean 401', state: 'C (rotated past the last cookie, answer lost)', steps };
  }
  return anomaly(clean401(previous) ? 'the previous cookie was refused without the theft rule' : 'the previous cookie got neither 200 nor a clean 401');
}
