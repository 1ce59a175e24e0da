// The refresh path on MongoDB, only when MONGODB_URI is set.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { PASSWORD, api } from './api.mjs';
import { report, rounds } from './measure.mjs';
import { startServer, tempDir } from './servers.mjs';
import { SETTINGS, log, median, projectRequire as require, round } from './settings.mjs';

/** The refresh path on MongoDB (only when MONGODB_URI is set), labelled with what answered. */
export async function runMongo(ctx, uri) {
  const { pinning, loader, distDir, cleanup, serviceEnv } = ctx;
  const label = await mongoLabel(uri);
  log(`\n== MongoDB refresh path: ${label}`);
  const dir = tempDir('mongo');
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  const server = await startServer({
    name: 'service (MongoDB)',
    script: join(distDir, 'main.js'),
    env: serviceEnv(dir, { MONGODB_URI: uri }),
    cpu: pinning.serverCpu,
    dataDir: dir,
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
    const runs = await rounds(ctx, {
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
