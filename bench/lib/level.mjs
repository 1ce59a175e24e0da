// One growth level: a fresh SQLite store with `sessions` stored sessions, one server. The first
// level is also where the access/tutorial/login/RSS figures are measured.
import { copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { checkOk, loginAll, usersFor } from './api.mjs';
import { measureLogin } from './login.mjs';
import { report, rounds } from './measure.mjs';
import { rssMb } from './procs.mjs';
import { measureRssSessions } from './rss.mjs';
import { seedSqlite } from './seed.mjs';
import { startServer, tempDir } from './servers.mjs';
import { ROOT, SECRETS, SETTINGS, log, median, round } from './settings.mjs';

/** The bare Nest 12 app (one GET /health/live, nothing else): each platform's floor. */
const BARE_MAIN = join(ROOT, 'bench/bare/main.cjs');

export async function runLevel(ctx, sessions, { main, rssSessions }) {
  const { distDir, pinning, loader, passwordHash, cleanup, serviceEnv } = ctx;
  const label = `${sessions / 1000}k sessions`;
  log(`\n== level ${label} (Express and Fastify services${main ? '; also: bare Nest floors, tutorial baseline, login, RSS after access load' : ''})`);
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
  // The Fastify service gets a copy, taken before any server opens the file.
  const fdir = tempDir(`${sessions}-fastify`);
  cleanup.push(() => rmSync(fdir, { recursive: true, force: true }));
  copyFileSync(join(dir, 'nest-cookie-auth.sqlite'), join(fdir, 'nest-cookie-auth.sqlite'));
  log(`  seeded ${sessions} sessions with ${sessions * SETTINGS.recordsPerSession} refresh records (+ ${new Set([...accessUsers, ...refreshUsers]).size + loginUsers.length} bench users) in ${Date.now() - t0} ms`);

  const server = await startServer({
    name: `service (${label})`,
    script: join(distDir, 'main.js'),
    env: serviceEnv(dir),
    cpu: pinning.serverCpu,
    dataDir: dir,
    logFile: join(dir, 'server.log'),
    readyPath: '/health/live',
  });
  const stops = [() => server.stop()];
  try {
    await sleep(500);
    const rssBoot = rssMb(server.pid);
    const accessCookies = await loginAll(server, accessUsers);
    const refreshCookies = await loginAll(server, refreshUsers);
    const expressMe = await checkOk(server, 'GET', '/auth/me', accessCookies[0]);

    let tutorial = null;
    // Every level also measures the same service on Fastify (HTTP_PLATFORM=fastify, its copy of
    // the seeded store, every other setting the same); the first level adds a bare Nest app on
    // each platform and the tutorial baseline.
    const fastify = await startServer({
      name: `service on fastify (${label})`,
      script: join(distDir, 'main.js'),
      env: serviceEnv(fdir, { HTTP_PLATFORM: 'fastify' }),
      cpu: pinning.serverCpu,
      dataDir: fdir,
      logFile: join(fdir, 'server.log'),
      readyPath: '/health/live',
    });
    const extraStops = [() => fastify.stop()];
    stops.push(() => fastify.stop());
    const fastifyAccessCookies = await loginAll(fastify, accessUsers);
    const fastifyRefreshCookies = await loginAll(fastify, refreshUsers);
    const fme = await checkOk(fastify, 'GET', '/auth/me', fastifyAccessCookies[0]);
    if (fme.body?.username === undefined || fme.body?.username !== expressMe.body?.username) {
      throw new Error(`the Fastify service answered /auth/me with ${fme.text.slice(0, 200)}, the Express one with ${expressMe.text.slice(0, 200)}`);
    }
    const bare = {};
    if (main) {
      for (const platform of ['express', 'fastify']) {
        const bdir = tempDir(`bare-${platform}`);
        cleanup.push(() => rmSync(bdir, { recursive: true, force: true }));
        bare[platform] = await startServer({
          name: `bare nest (${platform})`,
          script: BARE_MAIN,
          env: { NODE_ENV: 'production', HTTP_PLATFORM: platform },
          cpu: pinning.serverCpu,
          dataDir: bdir,
          logFile: join(bdir, 'bare.log'),
          readyPath: '/health/live',
        });
        extraStops.push(() => bare[platform].stop());
        stops.push(() => bare[platform].stop());
        await checkOk(bare[platform], 'GET', '/health/live');
      }

      tutorial = await startServer({
        name: 'tutorial baseline',
        script: ctx.tutorialMain,
        env: { NODE_ENV: 'production', JWT_ACCESS_SECRET: SECRETS.JWT_ACCESS_SECRET },
        cpu: pinning.serverCpu,
        dataDir: dir,
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
      fastifyHealth: { server: fastify, job: cannonJob(fastify, '/health/live', fastifyAccessCookies) },
      fastifyAccess: { server: fastify, job: cannonJob(fastify, '/auth/me', fastifyAccessCookies) },
      ...(main
        ? {
          tutorial: { server: tutorial, job: cannonJob(tutorial, '/profile', accessCookies) },
          bareExpress: { server: bare.express, job: cannonJob(bare.express, '/health/live', accessCookies) },
          bareFastify: { server: bare.fastify, job: cannonJob(bare.fastify, '/health/live', fastifyAccessCookies) },
        }
        : {}),
    };
    let accessRequests = 0;
    for (const [name, task] of Object.entries(accessTasks)) {
      const r = await loader.run({ ...task.job, duration: SETTINGS.warmupS });
      if (name === 'access') accessRequests += r.ok;
    }
    const accessRuns = await rounds(ctx, accessTasks);
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
    const closedJob = (path, method, cookies, chain, srv = server) => ({
      kind: 'closed',
      host: '127.0.0.1',
      port: srv.port,
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
    let fastifyChains = fastifyRefreshCookies;
    refreshTasks.fastifyRefreshHealth = { server: fastify, job: closedJob('/health/live', 'GET', fastifyAccessCookies.slice(0, SETTINGS.refreshClients), false, fastify) };
    refreshTasks.fastifyRefresh = { server: fastify, job: () => closedJob('/auth/refresh', 'POST', fastifyChains, true, fastify), after: (r) => (fastifyChains = r.cookies) };
    const warm = await loader.run({ ...closedJob('/auth/refresh', 'POST', chains, true), durationMs: SETTINGS.warmupS * 1000 });
    chains = warm.cookies;
    await loader.run({ ...refreshTasks.refreshHealth.job, durationMs: SETTINGS.warmupS * 1000 });
    const fwarm = await loader.run({ ...closedJob('/auth/refresh', 'POST', fastifyChains, true, fastify), durationMs: SETTINGS.warmupS * 1000 });
    fastifyChains = fwarm.cookies;
    await loader.run({ ...refreshTasks.fastifyRefreshHealth.job, durationMs: SETTINGS.warmupS * 1000 });
    const refreshRuns = await rounds(ctx, refreshTasks);
    report(refreshRuns);
    for (const name of ['refresh', 'fastifyRefresh']) {
      if (refreshRuns[name]?.some((r) => r.failed > 0)) log(`  WARNING: some ${name} chains broke (non-2xx answers); see statusCodes in the JSON`);
    }
    // The Fastify service and the bare floors are done: stop them before the login load.
    for (const stop of extraStops) await stop();

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
