#!/usr/bin/env node
// Fault scenarios against the built service (issue 6, point 7), each with real child processes
// over real TCP on 127.0.0.1, on both stores where they apply:
//   1 sigterm-drain     SIGTERM under load drains in-flight requests and closes the store
//   2 sigkill-restart   SIGKILL under refresh load, restart: no half-rotated session
//   3 store-outage      MongoDB goes away mid-load: 503s (login and signup too), not 500s or hangs; recovery by itself
//   4 soak              200 clients refreshing and calling protected routes: no 5xx, no false theft
//   5 store-stall       (beyond the issue's four) MongoDB freezes mid-load: 503s within bounds, nobody signed out
//   6 shared-counters   two processes on one store share the rate limits and the account lockout
// Needs dist/ (`npm run build`). The MongoDB variants run on ../shared/mongo-emulator (started
// here on free ports) and are SKIPPED, saying why, where it is absent.
//
//   node scripts/faults.mjs                 everything (the soak lasts FAULTS_SOAK_SECONDS, default 60, per store)
//   node scripts/faults.mjs 1 3 sqlite      only the scenarios and stores named (numbers, names, sqlite/mongo)
//   FAULTS_SOAK_SECONDS=10                  a shorter soak for smoke runs (the figures say how long it ran)
//   FAULTS_SOAK_COLD=1                      the soak without opening every client's connection first (a connection storm)
//   FAULTS_KEEP=1                           keep the temp folder (logs, data) even when everything passed
//   FAULTS_MAIN=/path/to/main.js            another build of the service than dist/main.js
//   TEST_HTTP_PLATFORM=fastify              the service on Fastify (npm test runs both platforms)
//
// Prints PASS/FAIL/SKIPPED per scenario and store with its figures, then one line
// "N passed, M failed" (scenarios as the unit; skipped ones are in neither), and exits 1 on any failure.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emulatorAvailability } from '../test/faults/emulator.mjs';
import { FAULTS_ENV, MAIN, Scope, installSafetyNets, randomSecret } from '../test/faults/harness.mjs';
import { sharedCounters } from '../test/faults/scenarios/shared-counters.mjs';
import { sigkillRestart } from '../test/faults/scenarios/sigkill.mjs';
import { sigtermDrain } from '../test/faults/scenarios/sigterm.mjs';
import { soak, soakSeconds } from '../test/faults/scenarios/soak.mjs';
import { storeOutage } from '../test/faults/scenarios/store-outage.mjs';
import { storeStall } from '../test/faults/scenarios/store-stall.mjs';

const SCENARIOS = [
  { n: 1, name: 'sigterm-drain', run: sigtermDrain, limitS: 120 },
  { n: 2, name: 'sigkill-restart', run: sigkillRestart, limitS: 120 },
  {
    n: 3,
    name: 'store-outage',
    run: storeOutage,
    limitS: 150,
    skip: { sqlite: 'the embedded SQLite file lives inside the service process; it cannot go away while the process runs' },
  },
  { n: 4, name: 'soak', run: soak, limitS: soakSeconds() + 240 },
  {
    n: 5,
    name: 'store-stall',
    run: storeStall,
    limitS: 150,
    skip: { sqlite: 'the embedded SQLite file lives inside the service process; it cannot stall on its own' },
  },
  { n: 6, name: 'shared-counters', run: sharedCounters, limitS: 120 },
];
const STORES = ['sqlite', 'mongo'];

const out = (line = '') => process.stdout.write(`${line}\n`);

async function main() {
  const wanted = process.argv.slice(2).map((a) => a.toLowerCase());
  const known = new Set([...STORES, ...SCENARIOS.flatMap((s) => [String(s.n), s.name])]);
  const unknown = wanted.filter((a) => !known.has(a));
  if (unknown.length > 0) {
    process.stderr.write(`unknown argument ${unknown.join(', ')}; use scenario numbers or names (${SCENARIOS.map((s) => `${s.n} ${s.name}`).join(', ')}) and/or sqlite, mongo\n`);
    process.exit(2);
  }
  const wantedScenarios = wanted.filter((a) => !STORES.includes(a));
  const wantedStores = wanted.filter((a) => STORES.includes(a));

  if (!existsSync(MAIN)) {
    out(`FAIL  the service is not built: ${MAIN} is missing (run \`npm run build\` first)`);
    out('0 passed, 1 failed');
    process.exit(1);
  }
  installSafetyNets();
  const mongo = emulatorAvailability();
  const runDir = mkdtempSync(join(tmpdir(), 'nca-faults-'));
  const runId = randomBytes(3).toString('hex');
  out(`fault scenarios against ${MAIN} on HTTP_PLATFORM=${FAULTS_ENV.HTTP_PLATFORM}; MongoDB: ${mongo.ok ? 'mongo-emulator from ../shared (not a real mongod)' : `skipped (${mongo.reason})`}; soak ${soakSeconds()} s; logs under ${runDir}`);

  let passed = 0;
  let failed = 0;
  for (const scenario of SCENARIOS) {
    if (wantedScenarios.length > 0 && !wantedScenarios.includes(String(scenario.n)) && !wantedScenarios.includes(scenario.name)) continue;
    for (const store of STORES) {
      if (wantedStores.length > 0 && !wantedStores.includes(store)) continue;
      const label = `${scenario.n} ${scenario.name} [${store}]`;
      const skip = scenario.skip?.[store] ?? (store === 'mongo' && !mongo.ok ? mongo.reason : undefined);
      if (skip) {
        out(`SKIPPED ${label}: ${skip}`);
        continue;
      }
      const dir = join(runDir, `${scenario.n}-${scenario.name}-${store}`);
      mkdirSync(dir, { recursive: true });
      const scope = new Scope();
      const ctx = {
        id: `${scenario.n}_${store}_${runId}`,
        store,
        scope,
        dir,
        secrets: { access: randomSecret(), refresh: randomSecret() },
        prefix: `f${runId}${scenario.n}${store[0]}`,
      };
      const started = performance.now();
      let result;
      let timer;
      try {
        result = await Promise.race([
          scenario.run(ctx),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error(`did not finish within its limit of ${scenario.limitS} s`)), scenario.limitS * 1000);
          }),
        ]);
      } catch (error) {
        result = { error };
      } finally {
        clearTimeout(timer);
        await scope.stopAll();
      }
      const took = `${((performance.now() - started) / 1000).toFixed(1)} s`;
      if (result.error) {
        failed++;
        out(`FAIL  ${label} (${took}): ${result.error.message.split('\n')[0]}`);
        for (const line of result.error.message.split('\n').slice(1)) out(`      ${line}`);
        out(`      logs: ${dir}`);
        continue;
      }
      const ok = result.checks.ok;
      if (ok) passed++;
      else failed++;
      out(`${ok ? 'PASS' : 'FAIL'}  ${label} (${took}): ${result.summary}`);
      for (const line of result.details) out(`      ${line}`);
      for (const failure of result.checks.failures) out(`      ✗ ${failure}`);
      if (!ok) out(`      logs: ${dir}`);
    }
  }

  if (failed === 0 && process.env.FAULTS_KEEP !== '1') rmSync(runDir, { recursive: true, force: true });
  else out(`logs and data kept in ${runDir}`);
  out(`${passed} passed, ${failed} failed`);
  process.exitCode = failed > 0 ? 1 : 0;
}

main().then(
  // Load loops of a timed-out scenario may still be settling; nothing else must keep us here.
  () => setTimeout(() => process.exit(), 100).unref(),
  (error) => {
    out(`FAIL  fault run aborted: ${error.stack ?? error}`);
    out('0 passed, 1 failed');
    process.exit(1);
  },
);
