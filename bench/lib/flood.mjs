// A legitimate login's latency with and without a flood of wrong guesses from many addresses.
// One server with TRUST_PROXY=1 and the service's own defaults for every abuse setting
// (RATE_LIMIT_LOGIN=20 per 60 s per address, LOGIN_MAX_FAILURES=10 per 15 min,
// MAX_PENDING_PASSWORD_CHECKS=32). Legitimate users log in one at a time with the right password,
// each from its own address, first on a quiet server, then while the load generator sends
// wrong-password logins, each from a new X-Forwarded-For address, for real and unknown usernames.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { PASSWORD } from './api.mjs';
import { cpuBusySeconds, cpuSeconds } from './procs.mjs';
import { seedSqlite } from './seed.mjs';
import { sleep } from '../../scripts/lib/service.mjs';
import { startServer, tempDir } from './servers.mjs';

const RATE_KEYS = ['RATE_LIMIT_LOGIN', 'RATE_LIMIT_REFRESH', 'RATE_LIMIT_WINDOW'];

/** Legitimate users, one address each: at ~20 logins/s the 60 s window holds < 20 per address. */
export const LEGIT_USERS = 64;
/** Real accounts the flood guesses at (locked after 10 wrong guesses each); the rest are unknown names. */
export const VICTIMS = 200;

export async function measureFlood({ distDir, pinning, loader, passwordHash, serviceEnv, extraEnv, settings, log, cleanup }) {
  const { durationS, connections, realShare } = settings.flood;
  log(`\n== login under a flood of wrong guesses (TRUST_PROXY=1, default limits): ${connections} flood connections, ${Math.round(realShare * 100)}% real usernames, ${durationS} s per phase`);
  const dir = tempDir('flood');
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  const legit = Array.from({ length: LEGIT_USERS }, (_, i) => `bench-legit-${i}`);
  const victims = Array.from({ length: VICTIMS }, (_, i) => `bench-victim-${i}`);
  seedSqlite({ distDir, file: join(dir, 'nest-cookie-auth.sqlite'), sessions: 0, users: [...legit, ...victims], passwordHash });

  // The bench's usual environment with the rate limits back at the service's defaults (unless
  // set on purpose with BENCH_ENV_*), and the client address taken from X-Forwarded-For.
  const env = serviceEnv(dir, { TRUST_PROXY: '1' });
  for (const key of RATE_KEYS) if (!(key in extraEnv)) delete env[key];
  const server = await startServer({
    name: 'service (flood)',
    script: join(distDir, 'main.js'),
    env,
    cpu: pinning.serverCpu,
    dataDir: dir,
    logFile: join(dir, 'server.log'),
    readyPath: '/health/live',
  });
  let result;
  try {
    // Warm-up (not counted): JIT of the login path, from addresses of their own.
    for (let i = 0; i < 8; i++) await legitLogin(server, legit[i], `198.51.99.${1 + i}`);

    const phase = (prefix) => withCpu(server.pid, pinning.serverCpu, () => legitPhase(server, legit, prefix, durationS * 1000));
    const calm = await phase('198.51.100');
    const rampMs = 1000;
    const flooding = loader.run({
      kind: 'flood',
      url: `${server.url}/auth/login`,
      connections,
      // Ramp-up before, and room after for the last legitimate login still in flight.
      duration: Math.ceil(rampMs / 1000 + durationS + 5),
      realUsernames: victims,
      realShare,
    });
    await sleep(rampMs);
    const flooded = await phase('198.51.101');
    const floodLoad = await flooding;

    const ratio = (k) => (calm.okLatencyMs[k] && flooded.okLatencyMs[k] ? Math.round((flooded.okLatencyMs[k] / calm.okLatencyMs[k]) * 100) / 100 : null);
    result = {
      settings: {
        durationS,
        floodConnections: connections,
        realShare,
        legitUsers: LEGIT_USERS,
        victims: VICTIMS,
        serverEnv: { TRUST_PROXY: '1', ...Object.fromEntries(RATE_KEYS.map((k) => [k, env[k] ?? '(default)'])), LOGIN_MAX_FAILURES: env.LOGIN_MAX_FAILURES ?? '(default)', MAX_PENDING_PASSWORD_CHECKS: env.MAX_PENDING_PASSWORD_CHECKS ?? '(default)' },
      },
      noFlood: calm,
      flood: flooded,
      floodRequests: floodLoad,
      p50Ratio: ratio('p50'),
      p95Ratio: ratio('p95'),
      serverLog: server.logFile,
    };
    const line = (name, p) =>
      `  ${name.padEnd(9)} ${p.attempts} logins, ok p50 ${p.okLatencyMs.p50} ms p95 ${p.okLatencyMs.p95} ms (all answers p50 ${p.allLatencyMs.p50} p95 ${p.allLatencyMs.p95}); statuses ${JSON.stringify(p.statusCodes)}; server cpu ${p.serverCpuShare}, others on its cpu ${p.otherOnServerCpu ?? '?'}`;
    log(line('no flood', calm));
    log(line('flood', flooded));
    log(`  ratio flood / no flood: p50 ${result.p50Ratio}, p95 ${result.p95Ratio}`);
    log(`  flood: ${floodLoad.total} requests (${Math.round(floodLoad.perSec)}/s): 401 ${floodLoad.byOutcome[401]}, 429 ${floodLoad.byOutcome[429]}, 503 ${floodLoad.byOutcome[503]}, other ${floodLoad.byOutcome.other}, errors ${floodLoad.byOutcome.errors}, timeouts ${floodLoad.byOutcome.timeouts}`);
  } finally {
    await server.stop();
  }
  result.serverEvents = securityEvents(server.logFile);
  log(`  server's security events: ${JSON.stringify(result.serverEvents)}`);
  return result;
}

/**
 * What the server logged (one JSON line per event): failed logins with a password checked
 * (wrong password or unknown user) or refused as locked, accounts locked, requests rate-limited.
 * 503s are not security events.
 */
function securityEvents(file) {
  const counts = { login_failed_checked: 0, login_failed_locked: 0, account_locked: 0, rate_limited: 0 };
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  for (const line of text.split('\n')) {
    if (!line.includes('"event":')) continue;
    if (line.includes('"event":"login_failed"')) counts[line.includes('"locked":true') ? 'login_failed_locked' : 'login_failed_checked']++;
    else if (line.includes('"event":"account_locked"')) counts.account_locked++;
    else if (line.includes('"event":"rate_limited"')) counts.rate_limited++;
  }
  return counts;
}

/** Adds the server's CPU share over the phase and the share of its CPU other processes took (noise). */
async function withCpu(pid, cpu, run) {
  const [c0, b0, t0] = [cpuSeconds(pid), cpuBusySeconds(cpu), performance.now()];
  const result = await run();
  const wall = (performance.now() - t0) / 1000;
  const cpuS = cpuSeconds(pid) - c0;
  const busy = cpu === null ? null : cpuBusySeconds(cpu) - b0;
  const r2 = (x) => Math.round(x * 100) / 100;
  return { ...result, serverCpuShare: r2(cpuS / wall), otherOnServerCpu: busy === null ? null : r2(Math.max(0, busy - cpuS) / wall) };
}

/**
 * Sequential right-password logins for `durationMs`, one in flight, the users in turn, each from
 * its own address `${prefix}.N` (the per-address limit of 20 per minute is for them too).
 */
async function legitPhase(server, users, prefix, durationMs) {
  const ok = [];
  const all = [];
  const statusCodes = {};
  const end = performance.now() + durationMs;
  let n = 0;
  while (performance.now() < end) {
    const i = n++ % users.length;
    const { status, ms } = await legitLogin(server, users[i], `${prefix}.${1 + i}`);
    statusCodes[status] = (statusCodes[status] ?? 0) + 1;
    all.push(ms);
    if (status === 200) ok.push(ms);
  }
  return { attempts: n, ok: ok.length, statusCodes, okLatencyMs: percentiles(ok), allLatencyMs: percentiles(all) };
}

async function legitLogin(server, username, address) {
  const t0 = performance.now();
  try {
    const res = await fetch(`${server.url}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
      body: JSON.stringify({ username, password: PASSWORD }),
      signal: AbortSignal.timeout(30_000),
    });
    await res.arrayBuffer();
    return { status: res.status, ms: performance.now() - t0 };
  } catch (error) {
    return { status: error?.name === 'TimeoutError' ? 'timeout' : 'error', ms: performance.now() - t0 };
  }
}

function percentiles(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const at = (p) => (s.length ? Math.round(s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)] * 10) / 10 : null);
  return { n: s.length, p50: at(0.5), p95: at(0.95), max: s.length ? Math.round(s.at(-1) * 10) / 10 : null };
}

/** The report's part: two figures (p50 and p95 under the flood against the same without it) and the detail. */
export function floodReport(f) {
  const figure = (k) => ({
    key: `login_under_flood_${k}_ratio`,
    figure: `legit login ${k} during the flood (ms; ${f.flood.ok} of ${f.flood.attempts} answered 200)`,
    median: f.flood.okLatencyMs[k],
    runs: [f.flood.okLatencyMs[k]],
    baseline: { name: `same without the flood (${f.noFlood.ok} of ${f.noFlood.attempts} answered 200)`, median: f.noFlood.okLatencyMs[k], runs: [f.noFlood.okLatencyMs[k]] },
    ratio: k === 'p50' ? f.p50Ratio : f.p95Ratio,
    target: null,
    met: null,
  });
  return {
    keys: {
      login_under_flood_p50_ratio: f.p50Ratio,
      login_under_flood_p95_ratio: f.p95Ratio,
      login_under_flood: {
        no_flood: summary(f.noFlood),
        flood: summary(f.flood),
        flood_requests: { total: f.floodRequests.total, per_s: Math.round(f.floodRequests.perSec), ...f.floodRequests.byOutcome },
        server_events: f.serverEvents,
      },
    },
    figures: [figure('p50'), figure('p95')],
    detail: f,
    definitions: {
      login_under_flood_p50_ratio:
        'p50 latency of a legitimate user\'s right-password logins (one in flight, users in turn, each from its own X-Forwarded-For address, answered 200) during a flood / the same before the flood, on one server with TRUST_PROXY=1 and the default RATE_LIMIT_LOGIN, LOGIN_MAX_FAILURES and MAX_PENDING_PASSWORD_CHECKS; the flood: FLOOD_CONNECTIONS autocannon connections of wrong-password logins, a new X-Forwarded-For address for each request, usernames real (REAL_SHARE, 200 accounts) or unknown',
      login_under_flood_p95_ratio: 'the same at p95',
      login_under_flood: 'per phase: attempts, how many answered 200/401/429/503/other, latency p50/p95 of the 200s and of every answer (ms), the server\'s CPU share and the share of its CPU other processes took; flood_requests: what the flood got back; server_events: security events in the server log over the whole run (login_failed with the password checked or refused as locked, account_locked, rate_limited)',
    },
  };
}

function summary(p) {
  const of = (code) => p.statusCodes[code] ?? 0;
  const other = Object.entries(p.statusCodes).filter(([c]) => !['200', '401', '429', '503'].includes(c)).reduce((s, [, v]) => s + v, 0);
  return {
    attempts: p.attempts,
    200: of(200), 401: of(401), 429: of(429), 503: of(503), other,
    ok_p50_ms: p.okLatencyMs.p50, ok_p95_ms: p.okLatencyMs.p95,
    all_p50_ms: p.allLatencyMs.p50, all_p95_ms: p.allLatencyMs.p95,
    server_cpu_share: p.serverCpuShare, other_on_server_cpu: p.otherOnServerCpu,
  };
}
