// Running loads and reading what they cost the server: interleaved rounds, the server's CPU
// accounting per run, and the progress lines.
import { cpuBusySeconds, cpuSeconds } from './procs.mjs';
import { SETTINGS, log, median, round } from './settings.mjs';

/**
 * Runs each task RUNS times, interleaved (a b c, b c a, c a b, ...) so that drifting machine load
 * hits every figure alike. Records the server's CPU share of each run (its CPU seconds over the
 * wall time): well below 100% on a saturated server means something else ran on its CPU.
 */
export async function rounds(ctx, tasks) {
  const names = Object.keys(tasks);
  const out = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < SETTINGS.runs; r++) {
    const order = names.map((_, i) => names[(i + r) % names.length]);
    for (const name of order) {
      const task = tasks[name];
      const job = typeof task.job === 'function' ? task.job() : task.job;
      const result = await measured(ctx, task.server.pid, () => ctx.loader.run(job));
      task.after?.(result);
      out[name].push({ ...result, cookies: undefined });
    }
  }
  return out;
}

/**
 * Runs one load and adds the server's CPU accounting: cpuS (its CPU seconds over the run, all
 * threads), cpuShare (cpuS / wall), perCpuS (ok answers per server CPU second: what one request
 * costs, robust against other processes stealing the server CPU), and otherOnServerCpu (share
 * of the server CPU that other processes used meanwhile: the noise).
 */
export async function measured(ctx, pid, run) {
  const serverCpu = ctx.pinning.serverCpu;
  const c0 = cpuSeconds(pid);
  const b0 = cpuBusySeconds(serverCpu);
  const w0 = performance.now();
  const result = await run();
  const wall = (performance.now() - w0) / 1000;
  const cpuS = cpuSeconds(pid) - c0;
  const busy = serverCpu === null ? null : cpuBusySeconds(serverCpu) - b0;
  return {
    ...result,
    cpuS: round(cpuS, 2),
    cpuShare: round(cpuS / wall, 2),
    perCpuS: cpuS > 0 ? round(result.ok / cpuS) : null,
    otherOnServerCpu: busy === null ? null : round(Math.max(0, busy - cpuS) / wall, 2),
  };
}
export function report(runsByName) {
  for (const [name, runs] of Object.entries(runsByName)) {
    const bad = runs.filter((r) => r.non2xx || r.errors || r.failed);
    log(
      `  ${name.padEnd(14)} ${runs.map((r) => round(r.perSec)).join(' / ').padEnd(26)} median ${String(round(median(runs.map((r) => r.perSec)))).padEnd(7)}/s` +
        `  per server-CPU-s ${String(round(median(runs.map((r) => r.perCpuS)))).padEnd(7)}` +
        `  server cpu ${runs.map((r) => r.cpuShare).join('/')}  others on its cpu ${runs.map((r) => r.otherOnServerCpu ?? '?').join('/')}` +
        `  p99 ${runs.map((r) => r.latencyMs.p99).join('/')} ms` +
        (bad.length ? `  NON-2xx/ERRORS in ${bad.length} run(s): ${JSON.stringify(bad.map((r) => r.statusCodes))}` : ''),
    );
  }
}
