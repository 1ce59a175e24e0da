// Processes for the fault scenarios: the service (`node dist/main.js`) here, the MongoDB
// wire-protocol emulator in emulator.mjs; each on a free 127.0.0.1 port, logging to files. Every
// process started is registered three ways so that none outlives the run: the scenario's scope
// kills it in its finally, process exit/signal handlers kill it, and a detached reaper
// (reaper.cjs) kills it if this process itself dies by SIGKILL.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHILD_TEST_ENV, MAIN as BUILT_MAIN, sleep, startService, tail } from '../../scripts/lib/service.mjs';
export { ROOT, freePort, sleep, tail } from '../../scripts/lib/service.mjs';

/** The built service. FAULTS_MAIN may point at another build (e.g. a snapshot of dist/). */
export const MAIN = resolve(process.env.FAULTS_MAIN ?? BUILT_MAIN);

/** The grace window the fault scenarios run with, and reason about (sigkill, store-stall). */
const REUSE_GRACE_SECONDS = 10;

/**
 * How the scenarios run the service: the shared test defaults in production mode (so the
 * production code paths), with rate limits out of the way of the load, warnings only in the log,
 * and the refresh grace window set rather than left to the default, because the SIGKILL
 * scenario's reasoning depends on it (sigkill.mjs reads it from here).
 */
export const FAULTS_ENV = Object.freeze({
  ...CHILD_TEST_ENV,
  NODE_ENV: 'production',
  COOKIE_SECURE: 'false',
  RATE_LIMIT_LOGIN: '1000000000',
  RATE_LIMIT_REFRESH: '1000000000',
  LOG_LEVEL: 'warn',
  REFRESH_REUSE_GRACE: `${REUSE_GRACE_SECONDS}s`,
  // npm test runs the scenarios on each platform (TEST_HTTP_PLATFORM=fastify the second time).
  HTTP_PLATFORM: process.env.TEST_HTTP_PLATFORM || 'express',
});

/** FAULTS_ENV's grace window in ms, for the scenarios that reason about it. */
export const REUSE_GRACE_MS = REUSE_GRACE_SECONDS * 1000;

// ---------------------------------------------------------------- registry and cleanup

const running = new Map(); // pid -> label
let reaper;
let handlersInstalled = false;

function reaperLine(line) {
  try {
    reaper?.stdin.write(`${line}\n`);
  } catch {
    /* the reaper is gone; the other two safety nets remain */
  }
}

export function register(pid, label) {
  running.set(pid, label);
  reaperLine(`+${pid}`);
}

export function unregister(pid) {
  running.delete(pid);
  reaperLine(`-${pid}`);
}

/** SIGKILLs every process this run started that has not been seen to end. Synchronous (exit handlers). */
export function killEverything() {
  for (const pid of running.keys()) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
}

/** Call once before starting anything. */
export function installSafetyNets() {
  if (handlersInstalled) return;
  handlersInstalled = true;
  reaper = spawn(process.execPath, [fileURLToPath(new URL('./reaper.cjs', import.meta.url))], {
    stdio: ['pipe', 'ignore', 'ignore'],
    detached: true,
  });
  reaper.unref();
  reaper.stdin.on('error', () => undefined);
  reaper.stdin.unref?.();
  process.on('exit', killEverything);
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]]) {
    process.on(signal, () => {
      process.stderr.write(`\nfaults: ${signal}; stopping every process this run started\n`);
      killEverything();
      process.exit(code);
    });
  }
}

/** Whether a pid still runs (a zombie awaiting its reaper counts as gone). */
export function isAlive(pid) {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

export const randomSecret = () => randomBytes(36).toString('base64url');

const TCP_STATES = { '01': 'ESTABLISHED', '04': 'FIN_WAIT1', '05': 'FIN_WAIT2', '06': 'TIME_WAIT', '08': 'CLOSE_WAIT', '0A': 'LISTEN' };

/** The states of the IPv4 TCP sockets that process `pid` holds on local port `port`, from /proc: { LISTEN: 1, ESTABLISHED: 40 }. */
export function tcpSocketsOf(pid, port) {
  const inodes = new Set();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]);
    } catch {
      /* closed meanwhile */
    }
  }
  const hexPort = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const states = {};
  for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10 || !inodes.has(f[9]) || !f[1].endsWith(hexPort)) continue;
    const state = TCP_STATES[f[3]] ?? `state ${f[3]}`;
    states[state] = (states[state] ?? 0) + 1;
  }
  return states;
}

/** tcpSocketsOf as text for a report ("ESTABLISHED 40, LISTEN 1"). */
export function socketStates(pid, port) {
  try {
    const entries = Object.entries(tcpSocketsOf(pid, port));
    return entries.length === 0 ? 'none' : entries.map(([k, v]) => `${k} ${v}`).join(', ');
  } catch (error) {
    return `(could not read them: ${error.message})`;
  }
}

/**
 * What a scenario starts, so that its finally can stop exactly that: servers and emulators
 * are added as they start; stopAll() SIGKILLs whatever still runs.
 */
export class Scope {
  items = [];
  add(item) {
    this.items.push(item);
    return item;
  }
  async stopAll() {
    await Promise.all(this.items.map((item) => item.kill('SIGKILL')));
  }
}

// ---------------------------------------------------------------- the service

/**
 * Starts the service (scripts/lib/service.mjs) on `dataDir` with FAULTS_ENV and waits until GET
 * /health answers 200 *and* the listening socket is this child's: a port picked free a
 * moment ago can be taken by another process on a shared machine, which would then answer the
 * probe while our server fails with EADDRINUSE (the error then has code 'EADDRINUSE').
 * `secrets` must stay the same across restarts of one scenario, or every token dies.
 */
export async function startServer({ scope, name, port, dataDir, mongoUri = '', secrets, logFile, env = {}, readyTimeoutMs = 30_000 }) {
  const server = await startService({
    name,
    script: MAIN,
    port,
    dataDir,
    logFile,
    env: { ...FAULTS_ENV, JWT_ACCESS_SECRET: secrets.access, REFRESH_TOKEN_SECRET: secrets.refresh, MONGODB_URI: mongoUri, ...env },
    timeoutMs: readyTimeoutMs,
    // Ready, not only alive: with MongoDB, the service listens before a slow index build ends.
    readyPath: '/health',
    isReady: (service) => ownsListener(service.pid, port),
    onSpawn: (child) => register(child.pid, `${name} (node dist/main.js)`),
    onExit: (child) => unregister(child.pid),
  });
  return scope ? scope.add(server) : server;
}

function ownsListener(pid, port) {
  try {
    return (tcpSocketsOf(pid, port).LISTEN ?? 0) > 0;
  } catch {
    return false;
  }
}

/** Resolves with the exit, or with null if the process is still running after `ms`. */
export function exitWithin(server, ms) {
  return Promise.race([server.exited, sleep(ms).then(() => null)]);
}
