// Processes for the fault scenarios: the service (`node dist/main.js`) and the MongoDB
// wire-protocol emulator (../shared/mongo-emulator/start.sh), each on a free 127.0.0.1 port,
// logging to files. Every process started here is registered three ways so that none outlives
// the run: the scenario's scope kills it in its finally, process exit/signal handlers kill it,
// and a detached reaper (reaper.cjs) kills it if this process itself dies by SIGKILL.
import { execFile, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, closeSync, constants, existsSync, openSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { send } from './http.mjs';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The repository root, found as scripts/with-mongo-emulator.sh finds it. */
export const ROOT = (() => {
  const here = fileURLToPath(new URL('../..', import.meta.url));
  try {
    return execFileSync('git', ['-C', here, 'rev-parse', '--show-toplevel'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return resolve(here);
  }
})();
/** The built service. FAULTS_MAIN may point at another build (e.g. a snapshot of dist/). */
export const MAIN = resolve(process.env.FAULTS_MAIN ?? join(ROOT, 'dist', 'main.js'));
export const EMULATOR_DIR = resolve(ROOT, '..', 'shared', 'mongo-emulator');

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

function register(pid, label) {
  running.set(pid, label);
  reaperLine(`+${pid}`);
}

function unregister(pid) {
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

export function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

export function tail(file, lines = 25) {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

export const randomSecret = () => randomBytes(36).toString('base64url');

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
 * Starts `node dist/main.js` with a clean environment (nothing of the caller's, so a developer's
 * MONGODB_URI or JWT_ACCESS_KEYS cannot leak in) and waits until GET /health/live answers 200.
 * `secrets` must stay the same across restarts of one scenario, or every token dies.
 */
export async function startServer({ scope, name, port, dataDir, mongoUri = '', secrets, logFile, env = {}, readyTimeoutMs = 30_000 }) {
  const fd = openSync(logFile, 'a');
  const child = spawn(process.execPath, [MAIN], {
    cwd: dataDir, // no stray .env from the repository root
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      NODE_ENV: 'production',
      JWT_ACCESS_SECRET: secrets.access,
      REFRESH_TOKEN_SECRET: secrets.refresh,
      COOKIE_SECURE: 'false',
      BCRYPT_COST: '4',
      RATE_LIMIT_LOGIN: '1000000000',
      RATE_LIMIT_REFRESH: '1000000000',
      LOG_LEVEL: 'warn',
      // The reasoning of the SIGKILL scenario depends on this window; set it rather than rely on the default.
      REFRESH_REUSE_GRACE: '10s',
      MONGODB_URI: mongoUri,
      ...env,
    },
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  register(child.pid, `${name} (node dist/main.js)`);
  const exited = new Promise((resolveExit) => {
    child.once('exit', (code, signal) => {
      unregister(child.pid);
      resolveExit({ code, signal, at: performance.now() });
    });
  });
  const server = {
    name,
    pid: child.pid,
    port,
    logFile,
    child,
    exited,
    alive: () => child.exitCode === null && child.signalCode === null,
    signal: (signal) => {
      if (server.alive()) child.kill(signal);
    },
    /** Sends `signal` (SIGKILL by default) and resolves once the process has ended. */
    kill: async (signal = 'SIGKILL') => {
      if (!server.alive()) return exited;
      child.kill(signal);
      return exited;
    },
  };
  scope?.add(server);
  const deadline = performance.now() + readyTimeoutMs;
  for (;;) {
    if (!server.alive()) {
      const { code, signal } = await exited;
      throw new Error(`${name} exited while starting (${signal ?? `code ${code}`}); log ${logFile}:\n${tail(logFile)}`);
    }
    const r = await send({ port, agent: false, path: '/health/live', timeoutMs: 1000 });
    if (r.status === 200) return server;
    if (performance.now() > deadline) {
      await server.kill();
      throw new Error(`${name} did not answer GET /health/live within ${readyTimeoutMs / 1000} s; log ${logFile}:\n${tail(logFile)}`);
    }
    await sleep(50);
  }
}

/** Resolves with the exit, or with null if the process is still running after `ms`. */
export function exitWithin(server, ms) {
  return Promise.race([server.exited, sleep(ms).then(() => null)]);
}

// ---------------------------------------------------------------- the MongoDB emulator

/** { ok: true } when the emulator can run here, else { ok: false, reason }. */
export function emulatorAvailability() {
  const startScript = join(EMULATOR_DIR, 'start.sh');
  if (process.env.FAULTS_NO_MONGO === '1') return { ok: false, reason: 'FAULTS_NO_MONGO=1' };
  if (!existsSync(startScript)) return { ok: false, reason: `mongo-emulator not found at ${EMULATOR_DIR}` };
  try {
    accessSync(startScript, constants.X_OK);
  } catch {
    return { ok: false, reason: `${startScript} is not executable` };
  }
  const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
  try {
    execFileSync(python, ['-c', 'import mockupdb, mongomock'], { stdio: 'ignore' });
  } catch {
    return {
      ok: false,
      reason: `${python} cannot import mockupdb/mongomock (apt-get install python3-mockupdb python3-mongomock; scripts/with-mongo-emulator.sh does it as root)`,
    };
  }
  return { ok: true };
}

/**
 * Starts the emulator with start.sh on `port` (a free one if omitted) and returns
 * { pid, port, uri(db), kill(signal) }. start.sh backgrounds the emulator and prints its pid;
 * it is not our child, so it is tracked by pid. Restarting on the port a killed emulator held
 * may need a few tries while the old socket lets go.
 */
export async function startEmulator({ scope, name, port, logFile, attempts = 20 }) {
  let lastError;
  for (let attempt = 0; attempt < attempts; attempt++) {
    const tryPort = port ?? (await freePort());
    // start.sh polls its log with `sed` under `set -e -o pipefail`; if the log does not exist yet
    // at the first poll, start.sh exits 2 at once while the emulator it launched keeps running.
    // Creating the log first closes that race.
    writeFileSync(logFile, '');
    try {
      const pid = await new Promise((resolvePid, reject) => {
        execFile(join(EMULATOR_DIR, 'start.sh'), [String(tryPort)], { env: { ...process.env, MONGO_EMULATOR_LOG: logFile }, timeout: 20_000 }, (error, stdout, stderr) => {
          if (error) reject(new Error(`start.sh ${tryPort}: ${(stderr || error.message).trim()}`));
          else resolvePid(Number(stdout.trim().split('\n').pop()));
        });
      });
      if (!Number.isInteger(pid) || pid <= 0) throw new Error('start.sh printed no pid');
      register(pid, `${name} (mongo-emulator)`);
      const emulator = {
        name,
        pid,
        port: tryPort,
        logFile,
        uri: (db) => `mongodb://127.0.0.1:${tryPort}/${db}`,
        alive: () => isAlive(pid),
        /** Sends `signal`; for anything but SIGSTOP/SIGCONT, waits until the process is gone. */
        kill: async (signal = 'SIGKILL') => {
          if (!isAlive(pid)) return unregister(pid);
          try {
            process.kill(pid, signal);
          } catch {
            /* gone */
          }
          if (signal === 'SIGSTOP' || signal === 'SIGCONT') return;
          for (let i = 0; i < 200 && isAlive(pid); i++) await sleep(25);
          if (isAlive(pid)) process.kill(pid, 'SIGKILL');
          unregister(pid);
        },
      };
      scope?.add(emulator);
      return emulator;
    } catch (error) {
      lastError = error;
      killStrayEmulators(tryPort, logFile);
      await sleep(port ? 500 : 50);
    }
  }
  throw lastError;
}

/**
 * After a failed start.sh: SIGKILLs an emulator it may have left running. Only one that is
 * provably ours: its command line names this port and its environment this run's log file.
 */
function killStrayEmulators(port, logFile) {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (!args.some((a) => a.endsWith('mongo-emulator.py')) || args[args.indexOf('--port') + 1] !== String(port)) continue;
      const env = readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0');
      if (!env.includes(`MONGO_EMULATOR_LOG=${logFile}`)) continue;
      process.kill(Number(entry), 'SIGKILL');
    } catch {
      /* gone, or not ours to read */
    }
  }
}
