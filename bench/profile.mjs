#!/usr/bin/env node
// CPU profiles of the hot paths, to optimise against: one server (SQLite, 1k stored sessions,
// pinned like in bench/run.mjs) with bench/lib/profiler.cjs preloaded; three phases under load,
// each its own V8 CPU profile:
//   health  GET /health/live  (autocannon -c 50): the framework floor
//   access  GET /auth/me      (autocannon -c 50, one session per connection)
//   refresh POST /auth/refresh (50 closed-loop clients chaining their cookies)
// Writes bench/results/profile-<phase>.cpuprofile (open in Chrome DevTools / speedscope),
// bench/results/profile-summary.txt and bench/results/profile-summary.json, and prints the summary.
//
//   node bench/profile.mjs   (PROFILE_DURATION=15 s per phase; PROFILE_SESSIONS=1000 stored sessions, other
//                             counts write profile-<n>k-*; PROFILE_KEEP=1 keeps the temp folder;
//                             BENCH_ENV_HTTP_PLATFORM=fastify profiles the service on Fastify)
//   PROFILE_BARE=1 node bench/profile.mjs   the bare Nest floor (bench/bare) instead, health phase
//                             only, written as profile-bare-*; HTTP_PLATFORM as above
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkOk, loginAll, serviceEnv, usersFor } from './lib/api.mjs';
import { analyse, formatSummary } from './lib/cpuprofile.mjs';
import { startLoader } from './lib/load-client.mjs';
import { codeInfo, extraServiceEnv, snapshotDist, sweepStale } from './lib/prepare.mjs';
import { detectPinning, killAll, pinSelf } from './lib/procs.mjs';
import { seedSqlite } from './lib/seed.mjs';
import { startServer, tempDir } from './lib/servers.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(join(ROOT, 'package.json'));
const DURATION_S = Number(process.env.PROFILE_DURATION ?? 15);
const SESSIONS = Number(process.env.PROFILE_SESSIONS ?? 1000);
const BARE = process.env.PROFILE_BARE === '1';
const OUT = BARE ? '-bare' : process.env.PROFILE_SESSIONS ? `-${SESSIONS / 1000}k` : '';
const CONNECTIONS = 50;
const SETTINGS = { bcryptCost: 10, uvThreadpoolSize: 4 };
const SECRETS = { JWT_ACCESS_SECRET: randomBytes(36).toString('base64url'), REFRESH_TOKEN_SECRET: randomBytes(36).toString('base64url') };
const PROFILER = fileURLToPath(new URL('./lib/profiler.cjs', import.meta.url));
const cleanup = [];

async function main() {
  const limit = setTimeout(() => {
    console.error('profile: time limit reached; stopping every child');
    killAll();
    process.exit(2);
  }, (DURATION_S * 6 + 180) * 1000);
  limit.unref();
  sweepStale(ROOT);
  const distDir = snapshotDist(ROOT, cleanup);
  const pinning = detectPinning();
  if (pinning.mode === 'split') pinSelf(pinning.loadCpu);
  console.log(`profile: pinning: ${pinning.description}`);
  const loader = await startLoader(pinning.loadCpu);
  cleanup.push(() => loader.stop());

  const dir = tempDir('profile');
  if (!process.env.PROFILE_KEEP) cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  else console.log(`profile: keeping ${dir}`);
  const profDir = join(dir, 'prof');
  mkdirSync(profDir);
  const passwordHash = await require('bcrypt').hash('bench-password-1234', SETTINGS.bcryptCost);
  const accessUsers = usersFor('a', CONNECTIONS);
  const refreshUsers = usersFor('r', CONNECTIONS);
  seedSqlite({ distDir, file: join(dir, 'nest-cookie-auth.sqlite'), sessions: SESSIONS, users: [...new Set([...accessUsers, ...refreshUsers])], passwordHash });

  const server = await startServer({
    name: BARE ? 'bare nest (profiled)' : 'service (profiled)',
    script: BARE ? join(ROOT, 'bench/bare/main.cjs') : join(distDir, 'main.js'),
    nodeArgs: ['-r', PROFILER],
    env: BARE
      ? { NODE_ENV: 'production', HTTP_PLATFORM: extraServiceEnv().HTTP_PLATFORM ?? 'express', BENCH_PROFILE_DIR: profDir }
      : { ...serviceEnv(dir, SECRETS, SETTINGS, extraServiceEnv()), BENCH_PROFILE_DIR: profDir },
    cpu: pinning.serverCpu,
    dataDir: dir,
    logFile: join(dir, 'server.log'),
    readyPath: '/health/live',
    ipc: true,
  });
  cleanup.push(() => server.stop());
  const accessCookies = BARE ? [] : await loginAll(server, accessUsers);
  let chains = BARE ? [] : await loginAll(server, refreshUsers);
  if (!BARE) await checkOk(server, 'GET', '/auth/me', accessCookies[0]);

  const cannon = (path, duration) => ({ kind: 'cannon', url: server.url + path, connections: CONNECTIONS, duration, cookies: accessCookies });
  const refresh = (durationS) => ({
    kind: 'closed', host: '127.0.0.1', port: server.port, method: 'POST', path: '/auth/refresh', cookies: chains, chain: true, durationMs: durationS * 1000,
  });
  // Warm the JIT on every path first, so the profiles show steady state, not compilation.
  await loader.run(cannon('/health/live', 3));
  if (!BARE) {
    await loader.run(cannon('/auth/me', 3));
    chains = (await loader.run(refresh(3))).cookies;
  }

  const phases = [
    { name: 'health', title: `GET /health/live (${BARE ? 'bare Nest floor' : 'framework floor'})`, job: () => cannon('/health/live', DURATION_S) },
    { name: 'access', title: 'GET /auth/me (access path)', job: () => cannon('/auth/me', DURATION_S) },
    { name: 'refresh', title: 'POST /auth/refresh (refresh path, chained cookies)', job: () => refresh(DURATION_S) },
  ].slice(0, BARE ? 1 : 3);
  const summaries = [];
  const json = {};
  let n = 0;
  for (const phase of phases) {
    await toggle(server, 'profile:start', `started-${n}`);
    const result = await loader.run(phase.job());
    await toggle(server, 'profile:stop', `stopped-${n}`);
    if (result.cookies) chains = result.cookies;
    const file = join(ROOT, `bench/results/profile${OUT}-${phase.name}.cpuprofile`);
    copyFileSync(join(profDir, `profile-${n}.cpuprofile`), file);
    n++;
    const analysis = analyse(JSON.parse(readFileSync(file, 'utf8')), { requests: result.ok, appDir: distDir });
    const title = `${phase.title}: ${Math.round(result.perSec)} ok/s under the profiler (${result.ok} ok, non-2xx ${result.non2xx ?? result.failed})`;
    summaries.push(formatSummary(title, analysis));
    json[phase.name] = { title, result: { ...result, cookies: undefined }, analysis, file };
  }
  const code = codeInfo(ROOT);
  const head = `${SESSIONS} stored sessions; code ${code.commit}${code.srcDirty ? ' + uncommitted src/ changes' : ''}, dist/ built ${code.distBuiltAt}${code.distStale ? ` (STALE: src/ changed ${code.srcChangedAt})` : ''}; ${pinning.description}`;
  const text = `${head}\n\n${summaries.join('\n\n')}`;
  json.code = code;
  console.log(`\n${text}`);
  writeFileSync(join(ROOT, `bench/results/profile${OUT}-summary.txt`), `${new Date().toISOString()}\n${text}\n`);
  writeFileSync(join(ROOT, `bench/results/profile${OUT}-summary.json`), `${JSON.stringify(json, null, 2)}\n`);
  console.log(`\nprofile: wrote bench/results/profile${OUT}-{${phases.map((p) => p.name).join(',')}}.cpuprofile and profile${OUT}-summary.{txt,json}`);
}

/** Tells the profiler in the server to start or stop, and waits for its acknowledgement. */
function toggle(server, message, expect) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`profiler did not answer ${message}`)), 30_000);
    server.child.on('message', function ack(msg) {
      if (msg?.profile === undefined) return;
      server.child.off('message', ack);
      clearTimeout(timer);
      if (msg.profile === expect) resolve();
      else reject(new Error(`profiler answered ${msg.profile}, expected ${expect}`));
    });
    server.child.send(message);
  });
}

function runCleanup() {
  for (const fn of cleanup.reverse()) {
    try {
      fn()?.catch?.(() => {});
    } catch {
      /* best effort */
    }
  }
  cleanup.length = 0;
}
process.on('exit', runCleanup);

main()
  .catch((error) => {
    console.error(`profile failed: ${error.stack ?? error}`);
    process.exitCode = 1;
  })
  .finally(() => {
    killAll();
    runCleanup();
  });
