// Starting the servers under test: our service (`node dist/main.js`, from a snapshot of dist/)
// and the tutorial baseline, each a separate pinned child with a clean environment, logs to a
// file, and the watchdog preloaded so that it dies with the benchmark.
import { closeSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../scripts/lib/free-port.mjs';
import { spawnNode, stopChild } from './procs.mjs';

const WATCHDOG = fileURLToPath(new URL('./watchdog.cjs', import.meta.url));

/** A fresh folder under the system temp dir, named after this process so that a later run can sweep it. */
export function tempDir(prefix) {
  return mkdtempSync(join(tmpdir(), `nca-bench-${process.pid}-${prefix}-`));
}

/**
 * Starts `node [nodeArgs] script` on `cpu` with exactly `env` (plus PATH/HOME), waits until it
 * answers HTTP on 127.0.0.1:port, and returns { pid, port, url, stop, logFile }.
 */
export async function startServer({ name, script, env, cpu, nodeArgs = [], logFile, readyPath = '/', timeoutMs = 60_000, ipc = false }) {
  const port = await freePort();
  const fd = openSync(logFile, 'a');
  const child = spawnNode(cpu, ['-r', WATCHDOG, ...nodeArgs, script], {
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      BENCH_PARENT_PID: String(process.pid),
      HOST: '127.0.0.1',
      PORT: String(port),
      ...env,
    },
    stdio: ipc ? ['ignore', fd, fd, 'ipc'] : ['ignore', fd, fd],
  });
  closeSync(fd);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${name} exited during start (${child.exitCode ?? child.signalCode}); log ${logFile}:\n${tail(logFile)}`);
    }
    try {
      await fetch(url + readyPath, { signal: AbortSignal.timeout(1000) });
      break; // any HTTP answer: it is listening
    } catch {
      if (Date.now() > deadline) {
        await stopChild(child);
        throw new Error(`${name} did not answer within ${timeoutMs / 1000}s; log ${logFile}:\n${tail(logFile)}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return { name, pid: child.pid, port, url, logFile, child, stop: () => stopChild(child) };
}

function tail(file, lines = 30) {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
