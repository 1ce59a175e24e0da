// Starting the servers under test: our service (`node dist/main.js`, from a snapshot of dist/)
// and the tutorial baseline, through the shared harness (scripts/lib/service.mjs), each pinned to
// the server CPU, with a clean environment, logs to a file, and the watchdog preloaded so that it
// dies with the benchmark.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startService } from '../../scripts/lib/service.mjs';
import { spawnNode } from './procs.mjs';

const WATCHDOG = fileURLToPath(new URL('./watchdog.cjs', import.meta.url));

/** A fresh folder under the system temp dir, named after this process so that a later run can sweep it. */
export function tempDir(prefix) {
  return mkdtempSync(join(tmpdir(), `nca-bench-${process.pid}-${prefix}-`));
}

/**
 * Starts `node [nodeArgs] script` on `cpu` with exactly `env` (plus PATH/HOME), in `dataDir` (its
 * DATA_DIR and working directory),
 * waits until it answers HTTP on 127.0.0.1 (any status), and returns the harness's service
 * ({ pid, port, url, stop, logFile, ... }).
 */
export async function startServer({ name, script, env, cpu, dataDir, nodeArgs = [], logFile, readyPath = '/', timeoutMs = 60_000, ipc = false }) {
  return startService({
    name,
    script,
    nodeArgs: ['-r', WATCHDOG, ...nodeArgs],
    env: { BENCH_PARENT_PID: String(process.pid), ...env },
    dataDir,
    logFile,
    readyPath,
    readyStatus: null, // any HTTP answer: it is listening
    timeoutMs,
    stopGraceMs: 3000,
    ipc,
    spawn: (argv, options) => spawnNode(cpu, argv, options),
  });
}
