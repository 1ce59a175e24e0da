// Child-process bookkeeping for the benchmarks: CPU pinning with taskset, one registry of every
// child so that all of them die with the parent (normal end, error, Ctrl-C, time limit), and the
// /proc readings (resident set, CPU time) the report uses.
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

const children = new Set();

/**
 * BENCH_NICE=-10 (opt-in, needs root for negative values) starts the servers, the load generator
 * and the raw-bcrypt child under `nice -n -10`, so that unrelated processes on a shared machine
 * take less of their CPUs. It changes no per-request cost, only how much of the CPU they get.
 */
export const NICE = /^-?\d+$/.test(process.env.BENCH_NICE ?? '') ? Number(process.env.BENCH_NICE) : null;
let handlersInstalled = false;

/** The CPUs this process may run on, from /proc/self/status ("0-1", "0,2"). */
function allowedCpus() {
  try {
    const line = readFileSync('/proc/self/status', 'utf8').split('\n').find((l) => l.startsWith('Cpus_allowed_list:'));
    const cpus = [];
    for (const part of line.split(':')[1].trim().split(',')) {
      const [a, b] = part.split('-').map(Number);
      for (let c = a; c <= (b ?? a); c++) cpus.push(c);
    }
    return cpus;
  } catch {
    return [];
  }
}

function hasTaskset() {
  try {
    execFileSync('taskset', ['-c', String(allowedCpus()[0] ?? 0), 'true'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Decides how to pin: servers (and the raw-bcrypt child) on one CPU, the load generator on
 * another. Falls back to no pinning, and says so, where taskset or a second CPU is missing.
 */
export function detectPinning() {
  const cpus = allowedCpus();
  const taskset = hasTaskset();
  if (taskset && cpus.length >= 2) {
    const [serverCpu, loadCpu] = cpus;
    return {
      nice: NICE,
      mode: 'split',
      serverCpu,
      loadCpu,
      description:
        `servers and raw-bcrypt child: \`taskset -c ${serverCpu} node ...\`; load generator (autocannon + closed-loop driver) ` +
        `in a child started as \`taskset -c ${loadCpu} node bench/lib/loader.mjs\`; the orchestrating parent re-pinned to CPU ${loadCpu} ` +
        `with \`taskset -cp ${loadCpu} <pid>\` (it only waits while load runs)` +
        (NICE !== null ? `; servers, load generator and raw-bcrypt child under \`nice -n ${NICE}\`` : ''),
    };
  }
  return {
    nice: NICE,
    mode: 'none',
    serverCpu: null,
    loadCpu: null,
    description: taskset
      ? `no pinning: only ${cpus.length} CPU(s) allowed (${cpus.join(',')}); server and load share them`
      : 'no pinning: taskset (util-linux) not found; server and load generator float across all CPUs',
  };
}

/** Pins the calling process (the parent) to `cpu`; best effort. */
export function pinSelf(cpu) {
  if (cpu === null) return false;
  try {
    execFileSync('taskset', ['-cp', String(cpu), String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Spawns `node <args>` on `cpu` (taskset execs node, so the child's pid is node's pid) and
 * registers it for killAll().
 */
export function spawnNode(cpu, nodeArgs, options = {}) {
  let argv = [process.execPath, ...nodeArgs];
  if (cpu !== null) argv = ['taskset', '-c', String(cpu), ...argv];
  if (NICE !== null) argv = ['nice', '-n', String(NICE), ...argv];
  const child = spawn(argv[0], argv.slice(1), options);
  children.add(child);
  child.once('exit', () => children.delete(child));
  installHandlers();
  return child;
}

/** Stops one child: SIGTERM, then SIGKILL after `graceMs`. Resolves when it has exited. */
export function stopChild(child, graceMs = 3000) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Kills every child still running, by pid, at once (used on every exit path). */
export function killAll(signal = 'SIGKILL') {
  for (const child of children) {
    try {
      child.kill(signal);
    } catch {
      /* already gone */
    }
  }
}

function installHandlers() {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', () => killAll());
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      console.error(`\nbench: ${signal}, stopping every child`);
      killAll();
      process.exit(130);
    });
  }
}

/** Resident set of a process in MB (VmRSS), or null when it is gone. */
export function rssMb(pid) {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
    return Math.round((Number(line.split(/\s+/)[1]) / 1024) * 10) / 10;
  } catch {
    return null;
  }
}

/** User+system CPU seconds a process has used so far (all its threads), from /proc/<pid>/stat. */
export function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return null;
  }
}

/**
 * Busy time of one CPU so far in seconds (/proc/stat: user, nice, system, steal). With the server's
 * own CPU time over the same window it tells how much of the server CPU other processes took.
 */
export function cpuBusySeconds(cpu) {
  if (cpu === null) return null;
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n').find((l) => l.startsWith(`cpu${cpu} `));
    const [user, nice, system, , , , , steal] = line.trim().split(/\s+/).slice(1).map(Number);
    // irq and softirq are left out: loopback networking of the benchmark's own traffic lands there.
    return (user + nice + system + steal) / 100;
  } catch {
    return null;
  }
}
