// What every scenario does the same way: a store (a fresh SQLite folder, or a fresh emulator),
// the service on it, and a list of checks whose failures make the scenario FAIL.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startEmulator } from './emulator.mjs';
import { freePort, sleep, startServer } from './harness.mjs';
import { Client } from './http.mjs';

/**
 * Starts what `store` needs and the service on it; returns { target, server, emulator, boot }.
 * boot() starts the service again on the same port, data folder, store and secrets (a restart).
 */
export async function serviceOn(ctx, { name = 'server', env = {} } = {}) {
  const { store, scope, dir, secrets } = ctx;
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir, { recursive: true });
  let emulator;
  let mongoUri = '';
  if (store === 'mongo') {
    emulator = await startEmulator({ scope, name: 'emulator', logFile: join(dir, 'emulator.log') });
    mongoUri = emulator.uri(`faults_${ctx.id}`);
  }
  const target = { port: await freePort() };
  const logFile = join(dir, 'server.log');
  let generation = 0;
  // A restart goes back to the same port; should another process have taken it meanwhile (or the
  // first pick), it moves to a new one, and every client follows through the shared `target`.
  const boot = async () => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await startServer({ scope, name: `${name}#${++generation}`, port: target.port, dataDir, mongoUri, secrets, logFile, env });
      } catch (error) {
        if (error.code !== 'EADDRINUSE' || attempt >= 3) throw error;
        target.port = await freePort();
      }
    }
  };
  const server = await boot();
  return { target, server, emulator, boot, dataDir, logFile, mongoUri };
}

/** Collects failed expectations; a scenario passes when there are none. */
export class Checks {
  failures = [];
  expect(condition, message) {
    if (!condition) this.failures.push(message);
    return condition;
  }
  fail(message) {
    this.failures.push(message);
  }
  get ok() {
    return this.failures.length === 0;
  }
}

/** Up to `n` distinct sample lines for a report. */
export class Samples {
  constructor(n = 5) {
    this.n = n;
    this.lines = [];
    this.seen = new Set();
  }
  add(line) {
    if (this.lines.length >= this.n || this.seen.has(line)) return;
    this.seen.add(line);
    this.lines.push(line);
  }
}

/** Runs `worker(item)` over `items` with at most `concurrency` at once. */
export async function pool(items, concurrency, worker) {
  let next = 0;
  const results = new Array(items.length);
  const run = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await worker(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, run));
  return results;
}

/**
 * The store-failure scenarios' probes, each on its own loop: readiness (GET /health, asks the
 * store) and liveness (GET /health/live, must not), every 250 ms until `stopped()`; each answer
 * goes to `record(answer, 'health' | 'live')`.
 */
export function probeHealth({ target, agent, record, stopped }) {
  const probe = async (path, route) => {
    while (!stopped()) {
      record(await new Client(target, agent).call('GET', path, { timeoutMs: 30_000 }), route);
      await sleep(250);
    }
  };
  return Promise.all([probe('/health', 'health'), probe('/health/live', 'live')]);
}
