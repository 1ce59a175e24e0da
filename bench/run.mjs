#!/usr/bin/env node
// npm run bench: the service's hot paths against baselines measured in the same run.
// Reads dist/ (build first: `nest build`); see bench/README.md for every figure and knob.
//
//   node bench/run.mjs               full run (-c 50 -d 10, 3 runs each, growth at 1k/10k/100k sessions)
//   BENCH_QUICK=1 node bench/run.mjs smoke run (-d 3, growth at 1k/10k only)
//   MONGODB_URI=mongodb://... node bench/run.mjs   also the refresh path and the counters on that MongoDB
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PASSWORD, api, checkOk, loginAll, serviceEnv as serviceEnvOf, usersFor } from './lib/api.mjs';
import { counterReport, measureCounters } from './lib/counters.mjs';
import { floodReport, measureFlood } from './lib/flood.mjs';
import { startLoader } from './lib/load-client.mjs';
import { buildTutorial, codeInfo, extraServiceEnv, snapshotDist, sweepStale } from './lib/prepare.mjs';
import { cpuBusySeconds, cpuSeconds, detectPinning, killAll, pinSelf, rssMb, spawnNode } from './lib/procs.mjs';
import { seedSqlite } from './lib/seed.mjs';
import { startServer, tempDir } from './lib/servers.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(join(ROOT, 'package.json'));
const QUICK = process.env.BENCH_QUICK === '1';
const int = (name, fallback) => (process.env[name] ? Math.max(1, Math.floor(Number(process.env[name]))) : fallback);

const SETTINGS = {
  quick: QUICK,
  durationS: int('BENCH_DURATION', QUICK ? 3 : 10),
  runs: Math.max(3, int('BENCH_RUNS', 3)),
  connections: int('BENCH_CONNECTIONS', 50),
  refreshClients: int('BENCH_REFRESH_CLIENTS', 50),
  loginConcurrency: int('BENCH_LOGIN_CONCURRENCY', 8),
  bcryptCost: 10,
  uvThreadpoolSize: 4,
  growthLevels: QUICK ? [1000, 10000] : [1000, 10000, 100000],
  rssAccessRequests: QUICK ? 20000 : 100000,
  recordsPerSession: int('BENCH_RECORDS_PER_SESSION', 1),
  rssSessions: 10000,
  rssSessionUses: QUICK ? 1 : 2,
  warmupS: QUICK ? 1 : 2,
  // Legitimate logins without and during a flood of wrong guesses (bench/lib/flood.mjs).
  flood: { durationS: int('BENCH_FLOOD_DURATION', QUICK ? 5 : 20), connections: int('BENCH_FLOOD_CONNECTIONS', 64), realShare: 0.1 },
  timeLimitS: QUICK ? 420 : 1800,
};
const TARGETS = { access_ratio: 0.85, refresh_per_s: 1500, login_overhead_ratio: 0.1, growth_ratio: 0.9 };
const SECRETS = {
  JWT_ACCESS_SECRET: randomBytes(36).toString('base64url'),
  REFRESH_TOKEN_SECRET: randomBytes(36).toString('base64url'),
};

const cleanup = [];
const log = (...args) => console.log(...args);
const round = (x, d = 1) => (x === null || x === undefined || Number.isNaN(x) ? null : Math.round(x * 10 ** d) / 10 ** d);
const median = (xs) => {
  const s = xs.filter((x) => typeof x === 'number').sort((a, b) => a - b);
  if (s.length === 0) return null;
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function main() {
  const started = Date.now();
  const limit = setTimeout(() => {
    console.error(`bench: time limit of ${SETTINGS.timeLimitS}s reached; stopping every child`);
    killAll();
    runCleanup();
    process.exit(2);
  }, SETTINGS.timeLimitS * 1000);
  limit.unref();

  const machine = machineInfo(); // before the parent is pinned (its affinity would hide CPUs)
  const code = codeInfo(ROOT);
  sweepStale(ROOT);
  const distDir = snapshotDist(ROOT, cleanup);
  const tutorialMain = buildTutorial(ROOT, log);
  const pinning = detectPinning();
  const parentPinned = pinning.mode === 'split' ? pinSelf(pinning.loadCpu) : false;
  log(`bench: ${QUICK ? 'QUICK smoke run' : 'full run'}; pinning: ${pinning.description}${pinning.mode === 'split' && !parentPinned ? ' (parent re-pin failed)' : ''}`);
  if (code.distStale) log(`bench: WARNING dist/ (built ${code.distBuiltAt}) is older than src/ (changed ${code.srcChangedAt}): these figures are for an older build; run \`nest build\` first (npm run bench does)`);
  log(`bench: code ${code.commit}${code.srcDirty ? ' + uncommitted src/ changes' : ''}, dist/ built ${code.distBuiltAt}${code.distStale ? ' (STALE)' : ''}${Object.keys(EXTRA_ENV).length ? `; extra service env ${JSON.stringify(EXTRA_ENV)}` : ''}`);
  log(`bench: ${machine.nproc} CPUs (${machine.cpuModel}), node ${machine.node}, load average at start ${machine.loadavgStart.join(' ')}`);

  const loader = await startLoader(pinning.loadCpu);
  currentLoader = loader;
  currentPinning = pinning;
  cleanup.push(() => loader.stop());
  const bcrypt = require('bcrypt');
  const passwordHash = await bcrypt.hash(PASSWORD, SETTINGS.bcryptCost);
  const ctx = { distDir, tutorialMain, pinning, loader, passwordHash };

  const levels = {};
  for (const [i, sessions] of SETTINGS.growthLevels.entries()) {
    levels[sessions] = await runLevel(ctx, sessions, { main: i === 0, rssSessions: sessions === SETTINGS.rssSessions });
  }
  const mongo = process.env.MONGODB_URI ? await runMongo(ctx, process.env.MONGODB_URI) : null;
  const counters = await measureCounters({
    distDir, cpu: pinning.serverCpu, settings: SETTINGS, log, cleanup, mongo: mongo && { uri: process.env.MONGODB_URI, label: mongo.label },
  });
  const flood = await measureFlood({ ...ctx, serviceEnv, extraEnv: EXTRA_ENV, settings: SETTINGS, log, cleanup });

  const report = buildReport({ levels, mongo, counters, flood, machine, pinning, started, code });
  printTable(report);
  const out = join(ROOT, 'bench/results/latest.json');
  // Also kept under its own name, so that a later (or quick) run does not erase this one.
  const stamped = join(ROOT, `bench/results/run-${report.timestamp.replace(/[:.]/g, '-')}${QUICK ? '-quick' : ''}.json`);
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(stamped, `${JSON.stringify(report, null, 2)}\n`);
  log(`\nbench: wrote ${out} and ${stamped} (${Math.round((Date.now() - started) / 1000)} s)`);
}

function machineInfo() {
  return {
    nproc: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    totalMemMb: Math.round(os.totalmem() / 2 ** 20),
    loadavgStart: os.loadavg().map((x) => round(x, 2)),
  };
}

const EXTRA_ENV = extraServiceEnv();
function serviceEnv(dataDir, extra = {}) {
  return serviceEnvOf(dataDir, SECRETS, SETTINGS, { ...EXTRA_ENV, ...extra });
}

// ---------------------------------------------------------------------------------------------
// One growth level: a fresh SQLite store with `sessions` stored sessions, one server. The first
// level is also where the access/tutorial/login/RSS figures are measured.
async function runLevel(ctx, sessions, { main, rssSessions }) {
  const { distDir, pinning, loader, passwordHash } = ctx;
  const label = `${sessions / 1000}k sessions`;
  log(`\n== level ${label}${main ? ' (also: tutorial baseline, login, RSS after access load)' : ''}`);
  const dir = tempDir(`${sessions}`);
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  const accessUsers = usersFor('a', SETTINGS.connections);
  const refreshUsers = usersFor('r', SETTINGS.refreshClients);
  const loginUsers = main ? Array.from({ length: 500 }, (_, i) => `bench-l-${i}`) : [];
  const t0 = Date.now();
  const seeded = seedSqlite({
    distDir,
    file: join(dir, 'nest-cookie-auth.sqlite'),
    sessions,
    recordsPerSession: SETTINGS.recordsPerSession,
    users: [...new Set([...accessUsers, ...refreshUsers]), ...loginUsers],
    passwordHash,
    keepTokens: rssSessions,
  });
  log(`  seeded ${sessions} sessions with ${sessions * SETTINGS.recordsPerSession} refresh records (+ ${new Set([...accessUsers, ...refreshUsers]).size + loginUsers.length} bench users) in ${Date.now() - t0} ms`);

  const server = await startServer({
    name: `service (${label})`,
    script: join(distDir, 'main.js'),
    env: serviceEnv(dir),
    cpu: pinning.serverCpu,
    logFile: join(dir, 'server.log'),
    readyPath: '/health/live',
  });
  const stops = [() => server.stop()];
  try {
    await sleep(500);
    const rssBoot = rssMb(server.pid);
    const accessCookies = await loginAll(server, accessUsers);
    const refreshCookies = await loginAll(server, refreshUsers);
    await checkOk(server, 'GET', '/auth/me', accessCookies[0]);

    let tutorial = null;
    if (main) {
      tutorial = await startServer({
        name: 'tutorial baseline',
        script: ctx.tutorialMain,
        env: { NODE_ENV: 'production', JWT_ACCESS_SECRET: SECRETS.JWT_ACCESS_SECRET },
        cpu: pinning.serverCpu,
        logFile: join(dir, 'tutorial.log'),
        readyPath: '/profile',
      });
      stops.push(() => tutorial.stop());
      const me = await checkOk(server, 'GET', '/auth/me', accessCookies[0]);
      const profile = await checkOk(tutorial, 'GET', '/profile', accessCookies[0]);
      if (profile.body?.user?.id !== me.body?.id) throw new Error('the tutorial app did not read the service cookie as the same user');
    }

    // Access path against the unguarded floor (and the tutorial guard on the first level), interleaved.
    const cannonJob = (srv, path, cookies) => ({
      kind: 'cannon',
      url: srv.url + path,
      connections: SETTINGS.connections,
      duration: SETTINGS.durationS,
      cookies,
    });
    const accessTasks = {
      health: { server, job: cannonJob(server, '/health/live', accessCookies) },
      access: { server, job: cannonJob(server, '/auth/me', accessCookies) },
      ...(tutorial ? { tutorial: { server: tutorial, job: cannonJob(tutorial, '/profile', accessCookies) } } : {}),
    };
    let accessRequests = 0;
    for (const [name, task] of Object.entries(accessTasks)) {
      const r = await loader.run({ ...task.job, duration: SETTINGS.warmupS });
      if (name === 'access') accessRequests += r.ok;
    }
    const accessRuns = await rounds(accessTasks);
    accessRequests += accessRuns.access.reduce((n, r) => n + r.ok, 0);
    report(accessRuns);
    let rss = null;
    if (main) {
      // Resident set after `rssAccessRequests` requests on the access path (the runs above count),
      // read before the refresh and login loads touch the server.
      if (accessRequests < SETTINGS.rssAccessRequests) {
        const r = await loader.run({ ...cannonJob(server, '/auth/me', accessCookies), duration: undefined, amount: SETTINGS.rssAccessRequests - accessRequests });
        accessRequests += r.ok;
      }
      await sleep(300);
      rss = { bootMb: rssBoot, afterAccessMb: rssMb(server.pid), accessRequests, tutorialAfterRunsMb: rssMb(tutorial.pid) };
      log(`  RSS: boot ${rssBoot} MB, after ${accessRequests} access requests ${rss.afterAccessMb} MB (tutorial after its runs ${rss.tutorialAfterRunsMb} MB)`);
    }

    // Refresh path: closed loop, each client chaining its own session's cookie; baseline is the
    // unguarded route through the same driver with the same number of clients.
    const closedJob = (path, method, cookies, chain) => ({
      kind: 'closed',
      host: '127.0.0.1',
      port: server.port,
      method,
      path,
      cookies,
      chain,
      durationMs: SETTINGS.durationS * 1000,
    });
    let chains = refreshCookies;
    const refreshTasks = {
      refreshHealth: { server, job: closedJob('/health/live', 'GET', accessCookies.slice(0, SETTINGS.refreshClients), false) },
      refresh: { server, job: () => closedJob('/auth/refresh', 'POST', chains, true), after: (r) => (chains = r.cookies) },
    };
    const warm = await loader.run({ ...closedJob('/auth/refresh', 'POST', chains, true), durationMs: SETTINGS.warmupS * 1000 });
    chains = warm.cookies;
    await loader.run({ ...refreshTasks.refreshHealth.job, durationMs: SETTINGS.warmupS * 1000 });
    const refreshRuns = await rounds(refreshTasks);
    report(refreshRuns);
    if (refreshRuns.refresh.some((r) => r.failed > 0)) log('  WARNING: some refresh chains broke (non-2xx answers); see statusCodes in the JSON');

    const level = {
      sessions,
      rssBootMb: rssBoot,
      runs: { ...accessRuns, ...refreshRuns },
      medians: Object.fromEntries(Object.entries({ ...accessRuns, ...refreshRuns }).map(([k, rs]) => [k, round(median(rs.map((r) => r.perSec)))])),
      serverLog: server.logFile,
    };

    if (main) {
      level.login = await measureLogin(ctx, server, loginUsers);
      level.rss = rss;
    }
    if (rssSessions) level.rssSessions = await measureRssSessions(ctx, server, seeded, accessCookies[0], rssBoot);
    return level;
  } finally {
    for (const stop of stops) await stop();
  }
}

/**
 * Runs each task RUNS times, interleaved (a b c, b c a, c a b, ...) so that drifting machine load
 * hits every figure alike. Records the server's CPU share of each run (its CPU seconds over the
 * wall time): well below 100% on a saturated server means something else ran on its CPU.
 */
async function rounds(tasks) {
  const names = Object.keys(tasks);
  const out = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < SETTINGS.runs; r++) {
    const order = names.map((_, i) => names[(i + r) % names.length]);
    for (const name of order) {
      const task = tasks[name];
      const job = typeof task.job === 'function' ? task.job() : task.job;
      const result = await measured(task.server.pid, () => currentLoader.run(job));
      task.after?.(result);
      out[name].push({ ...result, cookies: undefined });
    }
  }
  return out;
}

let currentLoader;

/**
 * Runs one load and adds the server's CPU accounting: cpuS (its CPU seconds over the run, all
 * threads), cpuShare (cpuS / wall), perCpuS (ok answers per server CPU second: what one request
 * costs, robust against other processes stealing the server CPU), and otherOnServerCpu (share
 * of the server CPU that other processes used meanwhile: the noise).
 */
async function measured(pid, run) {
  const serverCpu = currentPinning.serverCpu;
  const c0 = cpuSeconds(pid);
  const b0 = cpuBusySeconds(serverCpu);
  const w0 = performance.now();
  const result = await run();
  const wall = (performance.now() - w0) / 1000;
  const cpuS = cpuSeconds(pid) - c0;
  const busy = serverCpu === null ? null : cpuBusySeconds(serverCpu) - b0;
  return {
    ...result,
    cpuS: round(cpuS, 2),
    cpuShare: round(cpuS / wall, 2),
    perCpuS: cpuS > 0 ? round(result.ok / cpuS) : null,
    otherOnServerCpu: busy === null ? null : round(Math.max(0, busy - cpuS) / wall, 2),
  };
}
let currentPinning;

function report(runsByName) {
  for (const [name, runs] of Object.entries(runsByName)) {
    const bad = runs.filter((r) => r.non2xx || r.errors || r.failed);
    log(
      `  ${name.padEnd(14)} ${runs.map((r) => round(r.perSec)).join(' / ').padEnd(26)} median ${String(round(median(runs.map((r) => r.perSec)))).padEnd(7)}/s` +
        `  per server-CPU-s ${String(round(median(runs.map((r) => r.perCpuS)))).padEnd(7)}` +
        `  server cpu ${runs.map((r) => r.cpuShare).join('/')}  others on its cpu ${runs.map((r) => r.otherOnServerCpu ?? '?').join('/')}` +
        `  p99 ${runs.map((r) => r.latencyMs.p99).join('/')} ms` +
        (bad.length ? `  NON-2xx/ERRORS in ${bad.length} run(s): ${JSON.stringify(bad.map((r) => r.statusCodes))}` : ''),
    );
  }
}

// ---------------------------------------------------------------------------------------------
/**
 * Logins/s against raw bcrypt.compare/s: the same cost, the same in-flight count
 * (loginConcurrency), the same CPU pinning and UV_THREADPOOL_SIZE, alternating runs.
 */
async function measureLogin(ctx, server, loginUsers) {
  const { loader, pinning, passwordHash } = ctx;
  const bodies = loginUsers.map((username) => JSON.stringify({ username, password: PASSWORD }));
  const job = {
    kind: 'cannon',
    url: `${server.url}/auth/login`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    bodies,
    connections: SETTINGS.loginConcurrency,
    duration: SETTINGS.durationS,
  };
  await loader.run({ ...job, duration: SETTINGS.warmupS });
  // Alternating runs; the raw-bcrypt side is its own short-lived child pinned like the server.
  const out = { rawBcrypt: [], login: [] };
  for (let r = 0; r < SETTINGS.runs; r++) {
    const order = r % 2 ? ['login', 'rawBcrypt'] : ['rawBcrypt', 'login'];
    for (const name of order) {
      if (name === 'rawBcrypt') {
        out.rawBcrypt.push(await rawBcrypt(pinning.serverCpu, passwordHash, SETTINGS.loginConcurrency, SETTINGS.durationS * 1000));
      } else {
        out.login.push(await measured(server.pid, () => loader.run(job)));
      }
    }
  }
  report(out);
  return out;
}

function rawBcrypt(cpu, hash, concurrency, durationMs) {
  const script = fileURLToPath(new URL('./lib/bcrypt-raw.mjs', import.meta.url));
  const child = spawnNode(cpu, [script, JSON.stringify({ hash, password: PASSWORD, concurrency, durationMs })], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, UV_THREADPOOL_SIZE: String(SETTINGS.uvThreadpoolSize) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`bcrypt-raw exited ${code}`));
      const r = JSON.parse(out);
      resolve({ ...r, cpuS: round(r.cpuS, 2), cpuShare: round(r.cpuShare, 2), perCpuS: round(r.perCpuS), latencyMs: { p50: null, p99: null } });
    });
  });
}

// ---------------------------------------------------------------------------------------------
/**
 * RSS with 10k sessions in use: the level's store holds 10k seeded sessions; every one of them is
 * then used on the access path (twice, once in a quick run; 50 connections), with an access JWT signed here under the
 * same secret, kid, issuer and audience as a token the service issued. Without this, only the 50
 * API-made sessions would ever reach the server and an in-process cache would never fill.
 */
async function measureRssSessions(ctx, server, seeded, sampleCookie, rssBoot) {
  const jwt = require('jsonwebtoken');
  const token = JSON.parse(decodeURIComponent(sampleCookie.slice('auth-cookie='.length)).slice(2)).token;
  const { header, payload } = jwt.decode(token, { complete: true });
  const cookies = seeded.map(({ id, userId, token: refreshToken }) => {
    const access = jwt.sign({ sid: id }, SECRETS.JWT_ACCESS_SECRET, {
      algorithm: 'HS256',
      keyid: header.kid,
      subject: userId,
      issuer: payload.iss,
      audience: payload.aud,
      expiresIn: 900,
    });
    return `auth-cookie=${encodeURIComponent(`j:${JSON.stringify({ token: access, refreshToken })}`)}`;
  });
  const probe = await api(server, 'GET', '/auth/me', { cookie: cookies[0] });
  if (probe.status !== 200) {
    log(`  RSS with ${seeded.length} sessions: skipped, a self-signed cookie was refused (${probe.status} ${probe.text.slice(0, 120)})`);
    return { skipped: `self-signed access cookie refused with ${probe.status}` };
  }
  const before = rssMb(server.pid);
  const usesEach = SETTINGS.rssSessionUses;
  const r = await ctx.loader.run({
    kind: 'cannon',
    url: `${server.url}/auth/me`,
    connections: SETTINGS.connections,
    amount: cookies.length * usesEach,
    cookies,
  });
  await sleep(300);
  const after = rssMb(server.pid);
  log(`  RSS with ${seeded.length} sessions each used ${usesEach}x (${r.ok} ok of ${r.total}): ${after} MB (boot ${rssBoot}, before this load ${before})`);
  return { sessions: seeded.length, usesEach, bootMb: rssBoot, beforeMb: before, afterMb: after, requests: r.total, ok: r.ok, perSec: round(r.perSec) };
}

// ---------------------------------------------------------------------------------------------
/** The refresh path on MongoDB (only when MONGODB_URI is set), labelled with what answered. */
async function runMongo(ctx, uri) {
  const { pinning, loader, distDir } = ctx;
  const label = await mongoLabel(uri);
  log(`\n== MongoDB refresh path: ${label}`);
  const dir = tempDir('mongo');
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  const server = await startServer({
    name: 'service (MongoDB)',
    script: join(distDir, 'main.js'),
    env: serviceEnv(dir, { MONGODB_URI: uri }),
    cpu: pinning.serverCpu,
    logFile: join(dir, 'server.log'),
    readyPath: '/health/live',
  });
  const created = [];
  try {
    const prefix = `bench${Date.now().toString(36)}`;
    const names = Array.from({ length: SETTINGS.refreshClients }, (_, i) => `${prefix}-${Math.floor(i / 5)}`);
    const cookies = [];
    for (const [i, username] of names.entries()) {
      const first = i % 5 === 0;
      const r = await api(server, 'POST', first ? '/auth/signup' : '/auth/login', { body: { username, password: PASSWORD } });
      if (r.status !== 200 && r.status !== 201) throw new Error(`MongoDB setup: ${r.status} ${r.text.slice(0, 200)}`);
      if (first) created.push({ id: r.body.user.id, index: i });
      cookies.push(r.cookie);
    }
    let chains = cookies;
    const closedJob = (path, method, list, chain) => ({
      kind: 'closed', host: '127.0.0.1', port: server.port, method, path, cookies: list, chain, durationMs: SETTINGS.durationS * 1000,
    });
    const warm = await loader.run({ ...closedJob('/auth/refresh', 'POST', chains, true), durationMs: SETTINGS.warmupS * 1000 });
    chains = warm.cookies;
    const runs = await rounds({
      refreshHealth: { server, job: closedJob('/health/live', 'GET', cookies, false) },
      refresh: { server, job: () => closedJob('/auth/refresh', 'POST', chains, true), after: (r) => (chains = r.cookies) },
    });
    report(runs);
    // Leave the database as we found it: delete the bench users (and with them their sessions).
    for (const { id, index } of created) {
      const r = await api(server, 'DELETE', `/users/${id}`, { cookie: chains[index] });
      if (r.status !== 204) log(`  note: could not delete bench user ${id} (${r.status})`);
    }
    return {
      label,
      serverPinned: false,
      runs,
      medians: Object.fromEntries(Object.entries(runs).map(([k, rs]) => [k, round(median(rs.map((r) => r.perSec)))])),
    };
  } finally {
    await server.stop();
  }
}

async function mongoLabel(uri) {
  const where = uri.replace(/\/\/[^@/]*@/, '//***@').replace(/\?.*$/, '');
  if (process.env.MONGODB_LABEL) return `${process.env.MONGODB_LABEL} at ${where}`;
  try {
    const { MongoClient } = require('mongodb');
    const client = new MongoClient(uri, { serverSelectionTimeoutMS: 3000 });
    try {
      const info = await client.db().admin().command({ buildInfo: 1 });
      return /emulator/i.test(info.version) ? `mongo-emulator (not a real mongod, ${info.version}) at ${where}` : `MongoDB ${info.version} at ${where}`;
    } finally {
      await client.close();
    }
  } catch {
    return `MongoDB (version unknown) at ${where}`;
  }
}

// ---------------------------------------------------------------------------------------------
function buildReport({ levels, mongo, counters, flood, machine, pinning, started, code }) {
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
    extraServiceEnv: EXTRA_ENV,
    machine: { ...machine, loadavgEnd: os.loadavg().map((x) => round(x, 2)) },
    pinning,
  };
}

function printTable(report) {
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

function runCleanup() {
  for (const fn of cleanup.reverse()) {
    try {
      const r = fn();
      if (r?.catch) r.catch(() => {});
    } catch {
      /* best effort */
    }
  }
  cleanup.length = 0;
}

process.on('exit', runCleanup); // synchronous parts (temp dirs, dist snapshot) also on Ctrl-C

main()
  .catch((error) => {
    console.error(`bench failed: ${error.stack ?? error}`);
    process.exitCode = 1;
  })
  .finally(() => {
    killAll();
    runCleanup();
  });
