// The MongoDB wire-protocol emulator from ../shared/mongo-emulator, started with its start.sh
// on a free 127.0.0.1 port (found beside the repository, as scripts/with-mongo-emulator.sh finds it),
// with mongod's 60 s TTL pass as there.
import { execFile, execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ROOT, freePort, isAlive, register, sleep, unregister } from './harness.mjs';

export const EMULATOR_DIR = resolve(ROOT, '..', 'shared', 'mongo-emulator');

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
        execFile(join(EMULATOR_DIR, 'start.sh'), [String(tryPort), '--ttl-interval', '60'], { env: { ...process.env, MONGO_EMULATOR_LOG: logFile }, timeout: 20_000 }, (error, stdout, stderr) => {
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
