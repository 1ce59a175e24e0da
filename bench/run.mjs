#!/usr/bin/env node
// npm run bench: the service's hot paths against baselines measured in the same run.
// Reads dist/ (build first: `npm run build`); see bench/README.md for every figure and knob.
//
//   node bench/run.mjs               full run (-c 50 -d 10, 3 runs each, growth at 1k/10k/100k sessions)
//   BENCH_QUICK=1 node bench/run.mjs smoke run (-d 3, growth at 1k/10k only)
//   MONGODB_URI=mongodb://... node bench/run.mjs   also the refresh path and the counters on that MongoDB//
// This file is the driver; the parts live in bench/lib: settings.mjs (knobs, targets), level.mjs
// (one growth level), login.mjs, rss.mjs, mongo-refresh.mjs, counters.mjs, flood.mjs, and
// report.mjs (every key of bench/results/latest.json).
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { PASSWORD, serviceEnv as serviceEnvOf } from './lib/api.mjs';
import { measureCounters } from './lib/counters.mjs';
import { measureFlood } from './lib/flood.mjs';
import { runLevel } from './lib/level.mjs';
import { startLoader } from './lib/load-client.mjs';
import { runMongo } from './lib/mongo-refresh.mjs';
import { buildTutorial, codeInfo, extraServiceEnv, snapshotDist, sweepStale } from './lib/prepare.mjs';
import { detectPinning, killAll, pinSelf } from './lib/procs.mjs';
import { buildReport, printTable } from './lib/report.mjs';
import { QUICK, ROOT, SECRETS, SETTINGS, log, projectRequire as require, round } from './lib/settings.mjs';

const cleanup = [];

async function main() {
  const started = Date.now();
  const limit = setTimeout(() => {
    console.error(`bench: time limit of ${SETTINGS.timeLimitS}s reached; stopping every child`);
    killAll();
    runCleanup();
    process.exit(2);
  }, SETTINGS.timeLimitS * 1000);
  limit.unref();

  const machine = machineInfo(); // before the parent is pinned (its affinity would hide CPUs)
  const code = codeInfo(ROOT);
  sweepStale(ROOT);
  const distDir = snapshotDist(ROOT, cleanup);
  const tutorialMain = buildTutorial(ROOT, log);
  const pinning = detectPinning();
  const parentPinned = pinning.mode === 'split' ? pinSelf(pinning.loadCpu) : false;
  log(`bench: ${QUICK ? 'QUICK smoke run' : 'full run'}; pinning: ${pinning.description}${pinning.mode === 'split' && !parentPinned ? ' (parent re-pin failed)' : ''}`);
  if (code.distStale) log(`bench: WARNING dist/ (built ${code.distBuiltAt}) is older than src/ (changed ${code.srcChangedAt}): these figures are for an older build; run \`npm run build\` first (npm run bench does)`);
  log(`bench: code ${code.commit}${code.srcDirty ? ' + uncommitted src/ changes' : ''}, dist/ built ${code.distBuiltAt}${code.distStale ? ' (STALE)' : ''}${Object.keys(EXTRA_ENV).length ? `; extra service env ${JSON.stringify(EXTRA_ENV)}` : ''}`);
  log(`bench: ${machine.nproc} CPUs (${machine.cpuModel}), node ${machine.node}, load average at start ${machine.loadavgStart.join(' ')}`);

  const loader = await startLoader(pinning.loadCpu);
  cleanup.push(() => loader.stop());
  const bcrypt = require('bcrypt');
  const passwordHash = await bcrypt.hash(PASSWORD, SETTINGS.bcryptCost);
  const ctx = { distDir, tutorialMain, pinning, loader, passwordHash, serviceEnv, cleanup };

  const levels = {};
  for (const [i, sessions] of SETTINGS.growthLevels.entries()) {
    levels[sessions] = await runLevel(ctx, sessions, { main: i === 0, rssSessions: sessions === SETTINGS.rssSessions });
  }
  const mongo = process.env.MONGODB_URI ? await runMongo(ctx, process.env.MONGODB_URI) : null;
  const counters = await measureCounters({
    distDir, cpu: pinning.serverCpu, settings: SETTINGS, log, cleanup, mongo: mongo && { uri: process.env.MONGODB_URI, label: mongo.label },
  });
  const flood = await measureFlood({ ...ctx, serviceEnv, extraEnv: EXTRA_ENV, settings: SETTINGS, log, cleanup });

  const report = buildReport({ levels, mongo, counters, flood, machine, pinning, started, code, extraEnv: EXTRA_ENV });
  printTable(report);
  const out = join(ROOT, 'bench/results/latest.json');
  // Also kept under its own name, so that a later (or quick) run does not erase this one.
  const stamped = join(ROOT, `bench/results/run-${report.timestamp.replace(/[:.]/g, '-')}${QUICK ? '-quick' : ''}.json`);
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(stamped, `${JSON.stringify(report, null, 2)}\n`);
  log(`\nbench: wrote ${out} and ${stamped} (${Math.round((Date.now() - started) / 1000)} s)`);
}

function machineInfo() {
  return {
    nproc: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    totalMemMb: Math.round(os.totalmem() / 2 ** 20),
    loadavgStart: os.loadavg().map((x) => round(x, 2)),
  };
}

const EXTRA_ENV = extraServiceEnv();
function serviceEnv(dataDir, extra = {}) {
  return serviceEnvOf(dataDir, SECRETS, SETTINGS, { ...EXTRA_ENV, ...extra });
}

function runCleanup() {
  for (const fn of cleanup.reverse()) {
    try {
      const r = fn();
      if (r?.catch) r.catch(() => {});
    } catch {
      /* best effort */
    }
  }
  cleanup.length = 0;
}

process.on('exit', runCleanup); // synchronous parts (temp dirs, dist snapshot) also on Ctrl-C

main()
  .catch((error) => {
    console.error(`bench failed: ${error.stack ?? error}`);
    process.exitCode = 1;
  })
  .finally(() => {
    killAll();
    runCleanup();
  });
