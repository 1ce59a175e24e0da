// Logins/s against raw bcrypt.compare/s, measured on the first growth level's server.
import { fileURLToPath } from 'node:url';
import { PASSWORD } from './api.mjs';
import { measured, report } from './measure.mjs';
import { spawnNode } from './procs.mjs';
import { ROOT, SETTINGS, round } from './settings.mjs';

/**
 * Logins/s against raw bcrypt.compare/s: the same cost, the same in-flight count
 * (loginConcurrency), the same CPU pinning and UV_THREADPOOL_SIZE, alternating runs.
 */
export async function measureLogin(ctx, server, loginUsers) {
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
        out.login.push(await measured(ctx, server.pid, () => loader.run(job)));
      }
    }
  }
  report(out);
  return out;
}

function rawBcrypt(cpu, hash, concurrency, durationMs) {
  const script = fileURLToPath(new URL('./bcrypt-raw.mjs', import.meta.url));
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
