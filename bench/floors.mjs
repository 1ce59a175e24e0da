#!/usr/bin/env node
// The quick look at the per-request stack (no growth levels, no login or flood): our service and a
// bare Nest app on each platform, GET /health/live and GET /auth/me, interleaved rounds, each
// figure as req/s and as requests per server CPU second. `npm run bench` measures the same
// figures (stack_ratio_*, platform_access_speedup) as part of the whole run; this is for iterating.
//
//   node bench/floors.mjs   (FLOORS_DURATION=5 s per run, BENCH_RUNS=3 interleaved rounds, FLOORS_PLATFORMS=express,fastify; build first)
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { checkOk, loginAll, serviceEnv, usersFor } from './lib/api.mjs';
import { startLoader } from './lib/load-client.mjs';
import { rounds } from './lib/measure.mjs';
import { snapshotDist, sweepStale } from './lib/prepare.mjs';
import { detectPinning, killAll, pinSelf } from './lib/procs.mjs';
import { seedSqlite } from './lib/seed.mjs';
import { startServer, tempDir } from './lib/servers.mjs';
import { ROOT, median, projectRequire as require, round } from './lib/settings.mjs';

const DURATION_S = Number(process.env.FLOORS_DURATION ?? 5);
const CONNECTIONS = 50;
const PLATFORMS = (process.env.FLOORS_PLATFORMS ?? 'express,fastify').split(',');
const SECRETS = { JWT_ACCESS_SECRET: randomBytes(36).toString('base64url'), REFRESH_TOKEN_SECRET: randomBytes(36).toString('base64url') };
const cleanup = [];

async function main() {
  sweepStale(ROOT);
  const distDir = snapshotDist(ROOT, cleanup);
  const pinning = detectPinning();
  if (pinning.mode === 'split') pinSelf(pinning.loadCpu);
  console.log(`floors: ${pinning.description}`);
  const loader = await startLoader(pinning.loadCpu);
  cleanup.push(() => loader.stop());
  const ctx = { pinning, loader };
  const passwordHash = await require('bcrypt').hash('bench-password-1234', 10);
  const users = usersFor('a', CONNECTIONS);

  const servers = {};
  for (const platform of PLATFORMS) {
    const dir = tempDir(`floors-${platform}`);
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    seedSqlite({ distDir, file: join(dir, 'nest-cookie-auth.sqlite'), sessions: 1000, users: [...new Set(users)], passwordHash });
    const common = { cpu: pinning.serverCpu, dataDir: dir, readyPath: '/health/live' };
    const service = await startServer({
      ...common,
      name: `service (${platform})`,
      script: join(distDir, 'main.js'),
      env: serviceEnv(dir, SECRETS, { bcryptCost: 10, uvThreadpoolSize: 4 }, { HTTP_PLATFORM: platform }),
      logFile: join(dir, 'server.log'),
    });
    cleanup.push(() => service.stop());
    const bare = await startServer({ ...common, name: `bare (${platform})`, script: join(ROOT, 'bench/bare/main.cjs'), env: { NODE_ENV: 'production', HTTP_PLATFORM: platform }, logFile: join(dir, 'bare.log') });
    cleanup.push(() => bare.stop());
    const cookies = await loginAll(service, users);
    await checkOk(service, 'GET', '/auth/me', cookies[0]);
    servers[platform] = { service, bare, cookies };
  }
  const job = (srv, path, cookies, duration = DURATION_S) => ({ kind: 'cannon', url: srv.url + path, connections: CONNECTIONS, duration, cookies });
  const tasks = {};
  for (const [platform, { service, bare, cookies }] of Object.entries(servers)) {
    tasks[`${platform} bare`] = { server: bare, job: job(bare, '/health/live', cookies) };
    tasks[`${platform} health`] = { server: service, job: job(service, '/health/live', cookies) };
    tasks[`${platform} me`] = { server: service, job: job(service, '/auth/me', cookies) };
  }
  for (const task of Object.values(tasks)) await loader.run({ ...task.job, duration: 2 });
  const results = await rounds(ctx, tasks);
  const fig = (name) => ({ perSec: median(results[name].map((x) => x.perSec)), perCpuS: median(results[name].map((x) => x.perCpuS)) });
  for (const name of Object.keys(tasks)) {
    const f = fig(name);
    console.log(`  ${name.padEnd(16)} ${String(round(f.perSec)).padEnd(8)} req/s  ${String(round(f.perCpuS)).padEnd(8)} per server CPU-s (${round(1e6 / f.perCpuS)} us)  cpu share ${results[name].map((x) => x.cpuShare).join('/')}`);
  }
  for (const platform of PLATFORMS) {
    const [bare, health, me] = ['bare', 'health', 'me'].map((k) => fig(`${platform} ${k}`));
    console.log(`  ${platform}: stack_ratio ${round(health.perSec / bare.perSec, 3)} (per CPU-s ${round(health.perCpuS / bare.perCpuS, 3)}), access_ratio ${round(me.perSec / health.perSec, 3)}`);
  }
  if (PLATFORMS.length === 2) console.log(`  platform_access_speedup ${round(fig('fastify me').perSec / fig('express me').perSec, 3)} (per CPU-s ${round(fig('fastify me').perCpuS / fig('express me').perCpuS, 3)})`);
}

main()
  .catch((error) => {
    console.error(`floors failed: ${error.stack ?? error}`);
    process.exitCode = 1;
  })
  .finally(async () => {
    for (const fn of cleanup.reverse()) await Promise.resolve(fn()).catch(() => {});
    killAll();
  });
