// The report bench/results/latest.json holds (buildReport: every key of it) and the table printed
// at the end of a run.
import os from 'node:os';
import { counterReport } from './counters.mjs';
import { floodReport } from './flood.mjs';
import { QUICK, SETTINGS, TARGETS, log, median, round } from './settings.mjs';

export function buildReport({ levels, mongo, counters, flood, machine, pinning, started, code, extraEnv }) {
  const levelKeys = Object.keys(levels).map(Number).sort((a, b) => a - b);
  const first = levels[levelKeys[0]];
  const top = levels[levelKeys.at(-1)];
  const m = (runs) => median(runs.map((r) => r.perSec));
  const mc = (runs) => median(runs.map((r) => r.perCpuS));
  const runsOf = (runs) => runs.map((r) => round(r.perSec));
  const kOf = (n) => (n >= 1000 ? `${n / 1000}k` : String(n));

  const figures = [];
  /** A throughput figure against its baseline, by wall clock and per server CPU second. */
  const throughput = (key, figure, runs, baseName, baseRuns, target = null, met = null) => {
    const [a, b, ca, cb] = [m(runs), m(baseRuns), mc(runs), mc(baseRuns)];
    const f = {
      key, figure, median: round(a), runs: runsOf(runs),
      baseline: { name: baseName, median: round(b), runs: runsOf(baseRuns) },
      ratio: round(a / b, 3), target, met: met ? met(a, b) : null,
      per_cpu_s: { median: round(ca), baseline: round(cb), ratio: round(ca / cb, 3) },
    };
    figures.push(f);
    return f;
  };

  const access = throughput('access_ratio', 'access: GET /auth/me req/s', first.runs.access,
    'GET /health/live (same server, same cookie)', first.runs.health, `>= ${TARGETS.access_ratio}`, (a, b) => a / b >= TARGETS.access_ratio);
  const tutorial = throughput('tutorial_guard_ratio', 'access vs tutorial guard: req/s', first.runs.access,
    'tutorial passport-jwt GET /profile', first.runs.tutorial);
  const refresh = throughput('refresh_per_s', 'refresh: POST /auth/refresh rotations/s (SQLite)', first.runs.refresh,
    'GET /health/live, same closed-loop driver', first.runs.refreshHealth, `>= ${TARGETS.refresh_per_s}/s`, (a) => a >= TARGETS.refresh_per_s);
  // Issue 13 points 3-4: the same service on Fastify, and a bare Nest app per platform (first level only).
  const fr = first.runs;
  const fastifyAccess = fr.fastifyAccess
    ? throughput('fastify_access_ratio', 'Fastify access: GET /auth/me req/s', fr.fastifyAccess,
      'GET /health/live (Fastify service, same cookie)', fr.fastifyHealth, `>= ${TARGETS.access_ratio}`, (a, b) => a / b >= TARGETS.access_ratio)
    : null;
  const fastifyRefresh = fr.fastifyRefresh
    ? throughput('fastify_refresh_per_s', 'Fastify refresh: POST /auth/refresh rotations/s (SQLite)', fr.fastifyRefresh,
      'GET /health/live (Fastify service), same closed-loop driver', fr.fastifyRefreshHealth, `>= ${TARGETS.refresh_per_s}/s`, (a) => a >= TARGETS.refresh_per_s)
    : null;
  const accessSpeedup = fr.fastifyAccess
    ? throughput('platform_access_speedup', 'access GET /auth/me req/s: Fastify service', fr.fastifyAccess,
      'the same on the Express service', fr.access, `>= ${TARGETS.platform_access_speedup}x`, (a, b) => a / b >= TARGETS.platform_access_speedup)
    : null;
  const refreshSpeedup = fr.fastifyRefresh
    ? throughput('platform_refresh_speedup', 'refresh rotations/s: Fastify service', fr.fastifyRefresh, 'the same on the Express service', fr.refresh)
    : null;
  const stackExpress = fr.bareExpress
    ? throughput('stack_ratio_express', 'our GET /health/live req/s (Express service)', fr.health,
      'bare Nest 12 on Express, GET /health/live (bench/bare)', fr.bareExpress, `>= ${TARGETS.stack_ratio}`, (a, b) => a / b >= TARGETS.stack_ratio)
    : null;
  const stackFastify = fr.bareFastify
    ? throughput('stack_ratio_fastify', 'our GET /health/live req/s (Fastify service)', fr.fastifyHealth,
      'bare Nest 12 on Fastify, GET /health/live (bench/bare)', fr.bareFastify, `>= ${TARGETS.stack_ratio}`, (a, b) => a / b >= TARGETS.stack_ratio)
    : null;
  const mongoRefresh = mongo
    ? throughput('refresh_per_s_mongo', `refresh rotations/s on ${mongo.label}`, mongo.runs.refresh,
      'GET /health/live, same driver, MongoDB server', mongo.runs.refreshHealth)
    : null;
  const login = throughput('login_overhead_ratio', `login: POST /auth/login logins/s (cost ${SETTINGS.bcryptCost})`, first.login.login,
    `raw bcrypt.compare/s, ${SETTINGS.loginConcurrency} in flight, same CPU + threadpool`, first.login.rawBcrypt,
    `overhead <= ${TARGETS.login_overhead_ratio}`, (a, b) => b / a - 1 <= TARGETS.login_overhead_ratio);
  login.overhead = round(login.baseline.median / login.median - 1, 3);
  login.per_cpu_s.overhead = round(login.per_cpu_s.baseline / login.per_cpu_s.median - 1, 3);

  figures.push({
    key: 'rss_mb', figure: `RSS after ${first.rss.accessRequests} access requests (MB)`, median: first.rss.afterAccessMb, runs: [first.rss.afterAccessMb],
    baseline: { name: 'same server right after boot', median: first.rss.bootMb, runs: [first.rss.bootMb] },
    ratio: round(first.rss.afterAccessMb / first.rss.bootMb, 3), target: null, met: null,
  });
  const rssSessions = Object.values(levels).find((l) => l.rssSessions)?.rssSessions ?? null;
  if (rssSessions && !rssSessions.skipped) {
    figures.push({
      key: 'rss_mb_10k_sessions', figure: `RSS with ${rssSessions.sessions} sessions, each used ${rssSessions.usesEach}x (MB)`, median: rssSessions.afterMb,
      runs: [rssSessions.afterMb], baseline: { name: 'same server right after boot', median: rssSessions.bootMb, runs: [rssSessions.bootMb] },
      ratio: round(rssSessions.afterMb / rssSessions.bootMb, 3), target: null, met: null,
    });
  }
  const growth = {};
  const normalised = {};
  for (const n of levelKeys.slice(1)) {
    const l = levels[n];
    const k = kOf(n);
    const grow = (a, b) => a / b >= TARGETS.growth_ratio;
    growth[`growth_ratio_${k}`] = throughput(`growth_ratio_${k}`, `access req/s at ${k} stored sessions`, l.runs.access,
      `access req/s at ${kOf(levelKeys[0])} sessions`, first.runs.access, `>= ${TARGETS.growth_ratio} (noise band)`, grow);
    // The same growth, each level first divided by its own server's floor (the unguarded route
    // through the same load generator), which takes out server-to-server and machine drift.
    const rel = (runs, base, pick) => median(runs.map(pick)) / median(base.map(pick));
    normalised[`growth_ratio_${k}`] = {
      wall: round(rel(l.runs.access, l.runs.health, (r) => r.perSec) / rel(first.runs.access, first.runs.health, (r) => r.perSec), 3),
      per_cpu_s: round(rel(l.runs.access, l.runs.health, (r) => r.perCpuS) / rel(first.runs.access, first.runs.health, (r) => r.perCpuS), 3),
    };
    normalised[`refresh_growth_ratio_${k}`] = {
      wall: round(rel(l.runs.refresh, l.runs.refreshHealth, (r) => r.perSec) / rel(first.runs.refresh, first.runs.refreshHealth, (r) => r.perSec), 3),
      per_cpu_s: round(rel(l.runs.refresh, l.runs.refreshHealth, (r) => r.perCpuS) / rel(first.runs.refresh, first.runs.refreshHealth, (r) => r.perCpuS), 3),
    };
    growth[`refresh_growth_ratio_${k}`] = throughput(`refresh_growth_ratio_${k}`, `refresh rotations/s at ${k} stored sessions`, l.runs.refresh,
      `refresh at ${kOf(levelKeys[0])} sessions`, first.runs.refresh, `>= ${TARGETS.growth_ratio} (noise band)`, grow);
    // The same growth on the Fastify service (every level runs one beside the Express one).
    growth[`fastify_growth_ratio_${k}`] = throughput(`fastify_growth_ratio_${k}`, `Fastify access req/s at ${k} stored sessions`, l.runs.fastifyAccess,
      `Fastify access req/s at ${kOf(levelKeys[0])} sessions`, first.runs.fastifyAccess, `>= ${TARGETS.growth_ratio} (noise band)`, grow);
    growth[`fastify_refresh_growth_ratio_${k}`] = throughput(`fastify_refresh_growth_ratio_${k}`, `Fastify refresh rotations/s at ${k} stored sessions`,
      l.runs.fastifyRefresh, `Fastify refresh at ${kOf(levelKeys[0])} sessions`, first.runs.fastifyRefresh, `>= ${TARGETS.growth_ratio} (noise band)`, grow);
  }
  const counterPart = counterReport(counters, { refresh: first.runs.refresh, login: first.login.login, mongoRefresh: mongo?.runs.refresh });
  const floodPart = floodReport(flood);
  figures.push(...counterPart.figures, ...floodPart.figures);
  const g100 = growth.growth_ratio_100k ?? null;
  const rg100 = growth.refresh_growth_ratio_100k ?? null;

  const strip = (runs) => runs.map(({ cookies, ...r }) => r);
  return {
    timestamp: new Date().toISOString(),
    quick: QUICK,
    elapsed_s: Math.round((Date.now() - started) / 1000),
    access_ratio: access.ratio,
    tutorial_guard_ratio: tutorial.ratio,
    refresh_per_s: refresh.median,
    refresh_ratio: refresh.ratio,
    refresh_per_s_mongo: mongoRefresh?.median ?? null,
    mongo_label: mongo?.label ?? 'not measured (MONGODB_URI unset)',
    login_overhead_ratio: login.overhead,
    growth_ratio_100k: g100?.ratio ?? null,
    refresh_growth_ratio_100k: rg100?.ratio ?? null,
    ...Object.fromEntries(Object.entries(growth).map(([k, f]) => [k, f.ratio])),
    fastify_access_req_s: fastifyAccess?.median ?? null,
    fastify_refresh_per_s: fastifyRefresh?.median ?? null,
    fastify_access_ratio: fastifyAccess?.ratio ?? null,
    fastify_refresh_ratio: fastifyRefresh?.ratio ?? null,
    platform_access_speedup: accessSpeedup?.ratio ?? null,
    platform_refresh_speedup: refreshSpeedup?.ratio ?? null,
    stack_ratio_express: stackExpress?.ratio ?? null,
    stack_ratio_fastify: stackFastify?.ratio ?? null,
    bare_nest_req_s: { express: stackExpress?.baseline.median ?? null, fastify: stackFastify?.baseline.median ?? null },
    rss_mb: first.rss.afterAccessMb,
    rss_mb_10k_sessions: rssSessions && !rssSessions.skipped ? rssSessions.afterMb : null,
    ...counterPart.keys,
    ...floodPart.keys,
    counters: counterPart.detail,
    per_server_cpu_second: {
      note: 'the same figures computed from answers per server CPU second instead of per wall second: robust when other processes take the server CPU (see otherOnServerCpu in raw runs)',
      access_ratio: access.per_cpu_s.ratio,
      tutorial_guard_ratio: tutorial.per_cpu_s.ratio,
      refresh_per_cpu_s: refresh.per_cpu_s.median,
      refresh_ratio: refresh.per_cpu_s.ratio,
      login_overhead_ratio: login.per_cpu_s.overhead,
      fastify_access_ratio: fastifyAccess?.per_cpu_s.ratio ?? null,
      fastify_refresh_per_cpu_s: fastifyRefresh?.per_cpu_s.median ?? null,
      platform_access_speedup: accessSpeedup?.per_cpu_s.ratio ?? null,
      platform_refresh_speedup: refreshSpeedup?.per_cpu_s.ratio ?? null,
      stack_ratio_express: stackExpress?.per_cpu_s.ratio ?? null,
      stack_ratio_fastify: stackFastify?.per_cpu_s.ratio ?? null,
      ...Object.fromEntries(Object.entries(growth).map(([k, f]) => [k, f.per_cpu_s.ratio])),
    },
    growth_normalised_by_floor: {
      note: 'growth ratios where each level is first divided by its own server\'s /health/live (same load generator): (access/health at N) / (access/health at the first level); takes out server-to-server and machine drift',
      ...normalised,
    },
    per_level: Object.fromEntries(
      levelKeys.map((n) => {
        const l = levels[n];
        const r = (a, b, pick) => round(median(l.runs[a].map(pick)) / median(l.runs[b].map(pick)), 3);
        return [n, {
          access_ratio: r('access', 'health', (x) => x.perSec),
          access_ratio_per_cpu_s: r('access', 'health', (x) => x.perCpuS),
          refresh_ratio: r('refresh', 'refreshHealth', (x) => x.perSec),
          refresh_ratio_per_cpu_s: r('refresh', 'refreshHealth', (x) => x.perCpuS),
          medians: l.medians,
        }];
      }),
    ),
    definitions: {
      access_ratio: 'median req/s of GET /auth/me (valid cookie, 50 sessions, one per connection) / median req/s of GET /health/live on the same server with the same cookies; autocannon -c CONNECTIONS -d DURATION',
      tutorial_guard_ratio: 'median req/s of our GET /auth/me / median req/s of the tutorial app (bench/tutorial: cookie-parser + passport-jwt, string secret, no session check) GET /profile with the same cookies, same concurrency, both servers on the server CPU, runs interleaved',
      refresh_per_s: 'successful POST /auth/refresh per second: REFRESH_CLIENTS closed-loop clients on keep-alive sockets, each holding its own session and sending the cookie from its previous answer',
      refresh_ratio: 'refresh_per_s / GET /health/live per second through the same closed-loop driver and client count',
      login_overhead_ratio: '(median raw bcrypt.compare per second) / (median POST /auth/login per second) - 1, i.e. the extra time a login costs beyond its one bcrypt.compare, as a fraction (0.10 = 10%). Same cost factor, same number of operations in flight (LOGIN_CONCURRENCY), both processes pinned to the server CPU with the same UV_THREADPOOL_SIZE',
      rss_mb: 'VmRSS of the server after the stated number of GET /auth/me requests (the access runs count, topped up to the target), read before the refresh and login loads; the interleaved /health/live runs also ran on it',
      rss_mb_10k_sessions: 'VmRSS of the server whose store holds 10k seeded sessions after every one of them was used twice (quick run: once) on GET /auth/me (access JWTs signed by the bench under the same secret, kid, iss and aud)',
      growth_ratio_100k: 'median access req/s with 100k stored sessions / the same with 1k (fresh store and server per level, 50 API-made sessions measured)',
      refresh_growth_ratio_100k: 'the same for refresh_per_s',
      fastify_growth_ratio_100k: 'growth_ratio_100k measured on the Fastify service (each level runs one beside the Express one, on a copy of the same seeded store)',
      fastify_refresh_growth_ratio_100k: 'the same for fastify_refresh_per_s',
      fastify_access_req_s: 'median req/s of GET /auth/me on a second service started with HTTP_PLATFORM=fastify (every other setting the same, its own store seeded alike, its own 50 sessions), measured exactly as access_ratio and in the same interleaved rounds',
      fastify_refresh_per_s: 'refresh_per_s on the Fastify service (same closed-loop driver, same rounds as refresh_per_s)',
      fastify_access_ratio: 'fastify_access_req_s / GET /health/live req/s on the Fastify service, same cookies',
      fastify_refresh_ratio: 'fastify_refresh_per_s / GET /health/live per second on the Fastify service through the same closed-loop driver',
      platform_access_speedup: 'fastify_access_req_s / the Express service\'s GET /auth/me req/s (same rounds)',
      platform_refresh_speedup: 'fastify_refresh_per_s / refresh_per_s (same rounds)',
      stack_ratio_express: 'our GET /health/live req/s on the Express service / GET /health/live req/s of bench/bare/main.cjs on Express (bare Nest 12: one controller, one GET returning the same constant, no middleware, no guards), same rounds',
      stack_ratio_fastify: 'the same on Fastify: the Fastify service\'s /health/live / bare Nest 12 on Fastify',
      cpuShare: 'per run: server CPU seconds / wall seconds; ~1.0 = the server had its CPU to itself, lower = something else ran on it or the server was not saturated',
      ...counterPart.definitions,
      ...floodPart.definitions,
    },
    figures,
    raw: {
      levels: Object.fromEntries(
        Object.entries(levels).map(([k, l]) => [
          k,
          {
            sessions: l.sessions,
            rssBootMb: l.rssBootMb,
            medians: l.medians,
            runs: Object.fromEntries(Object.entries(l.runs).map(([n, rs]) => [n, strip(rs)])),
            login: l.login ? { medians: { login: login.median, rawBcrypt: login.baseline.median }, ...l.login } : undefined,
            rss: l.rss,
            rssSessions: l.rssSessions,
          },
        ]),
      ),
      mongo: mongo ? { label: mongo.label, serverPinned: false, medians: mongo.medians, runs: mongo.runs } : null,
      loginUnderFlood: floodPart.detail,
    },
    settings: SETTINGS,
    targets: TARGETS,
    code,
    extraServiceEnv: extraEnv,
    machine: { ...machine, loadavgEnd: os.loadavg().map((x) => round(x, 2)) },
    pinning,
  };
}

export function printTable(report) {
  const rows = [['figure', 'median', 'runs', 'baseline', 'base median', 'ratio', 'target', 'met?', 'per server-CPU-s: median, ratio']];
  for (const f of report.figures) {
    const ratio = f.key === 'login_overhead_ratio' ? `${f.ratio} (overhead ${f.overhead})` : String(f.ratio);
    const cpu = f.per_cpu_s
      ? `${f.per_cpu_s.median} vs ${f.per_cpu_s.baseline}: ${f.per_cpu_s.ratio}${f.key === 'login_overhead_ratio' ? ` (overhead ${f.per_cpu_s.overhead})` : ''}`
      : '-';
    rows.push([
      `${f.figure} [${f.key}]`,
      String(f.median),
      f.runs.join(' / '),
      f.baseline.name,
      String(f.baseline.median),
      ratio,
      f.target ?? '-',
      f.met === null ? '-' : f.met ? 'yes' : 'NO',
      cpu,
    ]);
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const line = (r) => `| ${r.map((cell, c) => cell.padEnd(widths[c])).join(' | ')} |`;
  log(`\n${line(rows[0])}\n|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows.slice(1)) log(line(r));
  for (const [k, v] of Object.entries(report.growth_normalised_by_floor)) {
    if (k !== 'note') log(`${k} normalised by each level's own /health/live: ${v.wall} (per server-CPU-s ${v.per_cpu_s})`);
  }
  const { no_flood: calm, flood, flood_requests: fr } = report.login_under_flood;
  const answers = (p) => `${p[200]} of ${p.attempts} answered 200 (401 ${p[401]}, 429 ${p[429]}, 503 ${p[503]}, other ${p.other}), server cpu ${p.server_cpu_share}, others on it ${p.other_on_server_cpu}`;
  log(`login under flood: without ${answers(calm)}; during ${answers(flood)}; the flood's ${fr.total} requests (${fr.per_s}/s): 401 ${fr[401]}, 429 ${fr[429]}, 503 ${fr[503]}, other ${fr.other}; server events ${JSON.stringify(report.login_under_flood.server_events)}`);
  log(`\npinning: ${report.pinning.description}`);
  log(`machine: ${report.machine.nproc} CPUs, ${report.machine.cpuModel}, node ${report.machine.node}; load average start ${report.machine.loadavgStart.join(' ')}, end ${report.machine.loadavgEnd.join(' ')}`);
  log(`settings: -c ${SETTINGS.connections} -d ${SETTINGS.durationS}, ${SETTINGS.runs} runs each (median), refresh clients ${SETTINGS.refreshClients}, login in flight ${SETTINGS.loginConcurrency}, BCRYPT_COST ${SETTINGS.bcryptCost}, UV_THREADPOOL_SIZE ${SETTINGS.uvThreadpoolSize}`);
}
