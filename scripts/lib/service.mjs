// The one way the test stages (Postman, browser, faults) and the benchmark run a server as a child
// process: `node dist/main.js` (or another script) on a free 127.0.0.1 port, with a clean
// environment (nothing of the caller's shell, so a developer's MONGODB_URI or .env cannot leak
// in), a data folder of its own as working directory, its output in a log file; resolves once it
// answers; stop() ends it with SIGTERM, then SIGKILL after a grace period.
import { spawn as spawnChild } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { freePort } from './free-port.mjs';

export { freePort, sleep };
export { CHILD_TEST_ENV, TEST_ENV } from './test-env.mjs';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const MAIN = join(ROOT, 'dist', 'main.js');

/** The last `lines` lines of a log file, for an error message. */
export function tail(file, lines = 25) {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** A fresh, empty folder under the system temp dir. */
export const freshDir = (prefix) => mkdtempSync(join(tmpdir(), `${prefix}-`));

/**
 * Starts `node [nodeArgs] script` and waits until GET `readyPath` answers (`readyStatus`, or any
 * HTTP answer when null) and `isReady(service)` holds, within `timeoutMs`.
 * - `dataDir`: the service's DATA_DIR and working directory; when omitted a fresh one is made and
 *   removed by stop(). `logFile` defaults to service.log inside it.
 * - `spawn(argv, options)`: how to start node (the benchmark pins it to a CPU); `onSpawn(child)`
 *   and `onExit(child)` let a caller keep its own registry of processes.
 * Returns { name, pid, port, url, dataDir, logFile, child, exited, alive(), signal(), kill(), stop() };
 * `exited` resolves with { code, signal, at }.
 */
export async function startService({
  name = 'service',
  script = MAIN,
  nodeArgs = [],
  env = {},
  port,
  dataDir,
  logFile,
  readyPath = '/health/live',
  readyStatus = 200,
  isReady = () => true,
  timeoutMs = 30_000,
  stopGraceMs = 5_000,
  ipc = false,
  spawn = (argv, options) => spawnChild(process.execPath, argv, options),
  onSpawn = () => undefined,
  onExit = () => undefined,
} = {}) {
  port ??= await freePort();
  const ownsDataDir = dataDir === undefined;
  dataDir ??= freshDir('nca-service');
  logFile ??= join(dataDir, 'service.log');
  const fd = openSync(logFile, 'a');
  const child = spawn([...nodeArgs, script], {
    cwd: dataDir,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, HOST: '127.0.0.1', PORT: String(port), DATA_DIR: dataDir, ...env },
    stdio: ipc ? ['ignore', fd, fd, 'ipc'] : ['ignore', fd, fd],
  });
  closeSync(fd);
  onSpawn(child);
  const exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      onExit(child);
      resolve({ code, signal, at: performance.now() });
    });
  });
  const alive = () => child.exitCode === null && child.signalCode === null;
  const service = {
    name,
    pid: child.pid,
    port,
    url: `http://127.0.0.1:${port}`,
    dataDir,
    logFile,
    child,
    exited,
    alive,
    signal: (signal) => {
      if (alive()) child.kill(signal);
    },
    /** Sends `signal` (SIGKILL by default) and resolves with the exit. */
    kill: (signal = 'SIGKILL') => {
      if (alive()) child.kill(signal);
      return exited;
    },
    /** SIGTERM, then SIGKILL after the grace period; removes the data folder if it made it. */
    stop: async () => {
      if (alive()) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => service.signal('SIGKILL'), stopGraceMs);
        await exited;
        clearTimeout(timer);
      }
      if (ownsDataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };

  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (!alive()) {
      const { code, signal } = await exited;
      const log = tail(logFile);
      const error = new Error(`${name} exited while starting (${signal ?? `code ${code}`}); log ${logFile}:\n${log}`);
      if (/EADDRINUSE/.test(log)) error.code = 'EADDRINUSE';
      await service.stop();
      throw error;
    }
    if ((await answers(service.url + readyPath, readyStatus)) && isReady(service)) return service;
    if (performance.now() > deadline) {
      const log = tail(logFile);
      await service.stop();
      throw new Error(`${name} did not answer GET ${readyPath} within ${timeoutMs / 1000} s; log ${logFile}:\n${log}`);
    }
    await sleep(100);
  }
}

/** One GET on a connection of its own, closed after it (no keep-alive socket left to the service). */
function answers(url, status) {
  return new Promise((resolve) => {
    const req = get(url, { agent: false, timeout: 1000 }, (res) => {
      res.resume();
      resolve(status === null || res.statusCode === status);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false)); // not listening yet
  });
}
