// The whole test suite, stage by stage, as `npm test` runs it (and CI through .ci/run):
//   jest        unit, contract and e2e suites on the embedded SQLite store
//   jest:mongo  the contract and e2e suites again on MongoDB: MONGODB_URI if set, else the
//               wire-protocol emulator from ../shared (skipped, with a reason, where absent)
//   jest:split, jest:double-submit, jest:split+double-submit
//               the e2e suite again (SQLite) with COOKIE_LAYOUT=split, CSRF_MODE=double-submit
//               and both: every flow through the optional stricter layouts
//   jest:fastify the e2e suite again (SQLite) with HTTP_PLATFORM=fastify: the same answers on both platforms
//   postman     the Postman collection through newman against a freshly started service,
//               with the default settings and with CSRF_MODE=double-submit
//   postman, browser and faults run once per HTTP platform (Express, then HTTP_PLATFORM=fastify)
//   browser     Chromium (Debian's) driving the SPA and server-rendered pages
//   platforms   the built service on Express and on Fastify side by side: the same request
//               sequence to both, raw answers compared (status, headers, Set-Cookie, body, logs)
//   faults      SIGTERM drain, SIGKILL mid-rotation, MongoDB outage (login/signup 503 too), 200
//               clients refreshing for 30 s (FAULTS_SOAK_SECONDS), and two processes on one store
//               sharing rate limits and lockout (scenarios 1 2 3 4 6), on SQLite and the emulator;
//               `npm run test:faults` runs every scenario with the full one-minute soak
// Ends with each stage's count and time, then one line "N passed, M failed" over every stage;
// exits non-zero if anything failed.
// `node scripts/test-all.mjs jest postman` runs only the named stages.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'test-output');
mkdirSync(out, { recursive: true });
// Children run on the Node that runs this script (npm's `node` is the first on PATH, the same one).
const jest = [process.execPath, '--experimental-vm-modules', 'node_modules/jest/bin/jest.js', '--runInBand'];

const stages = {
  jest: () => runJest('jest', { TEST_STORES: 'sqlite' }),
  'jest:mongo': () =>
    process.env.MONGODB_URI
      ? runJest('jest:mongo', { TEST_STORES: 'mongo', MONGODB_LABEL: process.env.MONGODB_LABEL ?? 'MongoDB server' }, ['test/contract', 'test/e2e'])
      : runJest('jest:mongo', { TEST_STORES: 'mongo' }, ['test/contract', 'test/e2e'], ['bash', 'scripts/with-mongo-emulator.sh']),
  'jest:split': () => runJest('jest:split', { TEST_STORES: 'sqlite', TEST_COOKIE_LAYOUT: 'split' }, ['test/e2e']),
  'jest:double-submit': () => runJest('jest:double-submit', { TEST_STORES: 'sqlite', TEST_CSRF_MODE: 'double-submit' }, ['test/e2e']),
  'jest:split+double-submit': () =>
    runJest('jest:split+double-submit', { TEST_STORES: 'sqlite', TEST_COOKIE_LAYOUT: 'split', TEST_CSRF_MODE: 'double-submit' }, ['test/e2e']),
  'jest:fastify': () => runJest('jest:fastify', { TEST_STORES: 'sqlite', TEST_HTTP_PLATFORM: 'fastify' }, ['test/e2e']),
  postman: () => runCounted('postman', 'scripts/postman.mjs', ['npm', 'run', '--silent', 'test:postman']),
  browser: () => {
    ensureChromium();
    const express = runCounted('browser', 'scripts/browser.mjs', ['npm', 'run', '--silent', 'test:browser']);
    const fastify = runCounted('browser', 'scripts/browser.mjs', [process.execPath, 'scripts/browser.mjs'], { TEST_HTTP_PLATFORM: 'fastify' });
    return sum('browser', [express, fastify], ['express', 'fastify']);
  },
  platforms: () => runCounted('platforms', 'scripts/compare-platforms.mjs', ['npm', 'run', '--silent', 'test:platforms']),
  faults: () => {
    const run = (platform) =>
      runCounted('faults', 'scripts/faults.mjs', ['npm', 'run', '--silent', 'test:faults', '--', '1', '2', '3', '4', '6'], {
        FAULTS_SOAK_SECONDS: process.env.FAULTS_SOAK_SECONDS ?? '30',
        TEST_HTTP_PLATFORM: platform,
      });
    return sum('faults', [run('express'), run('fastify')], ['express', 'fastify']);
  },
};

function run(command, env) {
  const [bin, ...args] = command;
  const result = spawnSync(bin, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 1 << 28 });
  process.stdout.write(result.stdout ?? '');
  return result;
}

/** Debian's Chromium, installed with apt-get when missing and we may (root), as .ci/run does. */
function ensureChromium() {
  if (existsSync('/usr/bin/chromium') || process.getuid?.() !== 0) return;
  process.stdout.write('Installing Debian\'s chromium for the browser stage (apt-get)...\n');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'chromium'], { stdio: 'inherit', env });
}

function runJest(name, env, paths = [], wrapper = []) {
  const report = join(out, `${name.replace(/[:+]/g, '-')}.json`);
  const result = run([...wrapper, ...jest, '--json', `--outputFile=${report}`, ...paths], env);
  if (wrapper.length > 0 && /mongo-emulator not found/.test(result.stdout ?? '')) return { name, skipped: 'mongo-emulator not found and MONGODB_URI not set' };
  if (!existsSync(report)) return { name, passed: 0, failed: 1, note: `jest wrote no report (exit ${result.status})` };
  const json = JSON.parse(readFileSync(report, 'utf8'));
  const failed = json.numFailedTests + (json.numRuntimeErrorTestSuites ?? 0);
  return { name, passed: json.numPassedTests, failed: result.status === 0 ? failed : Math.max(failed, 1) };
}

/** One stage's result from several runs of it (labelled in the note when one failed). */
function sum(name, runs, labels) {
  if (runs.every((r) => r.skipped)) return runs[0];
  const notes = runs.map((r, i) => (r.note ? `${labels[i]}: ${r.note}` : '')).filter(Boolean);
  return { name, passed: runs.reduce((n, r) => n + (r.passed ?? 0), 0), failed: runs.reduce((n, r) => n + (r.failed ?? 0), 0), ...(notes.length ? { note: notes.join('; ') } : {}) };
}

function runCounted(name, script, command, env = {}) {
  if (!existsSync(join(root, script))) return { name, skipped: `${script} not present` };
  const result = run(command, env);
  const lines = [...(result.stdout ?? '').matchAll(/^(\d+) passed, (\d+) failed/gm)];
  const last = lines.at(-1);
  if (!last) return { name, passed: 0, failed: 1, note: `no result line (exit ${result.status})` };
  const failed = Number(last[2]);
  return { name, passed: Number(last[1]), failed: result.status === 0 ? failed : Math.max(failed, 1) };
}

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !(name in stages));
if (unknown.length > 0) {
  process.stderr.write(`unknown stage ${unknown.join(', ')}; stages: ${Object.keys(stages).join(', ')} (for jest arguments use npm run test:jest -- ...)\n`);
  process.exit(2);
}
const results = [];
const started = Date.now();
for (const [name, stage] of Object.entries(stages)) {
  if (wanted.length > 0 && !wanted.includes(name)) continue;
  process.stdout.write(`\n=== ${name} ===\n`);
  const t0 = Date.now();
  results.push({ ...stage(), seconds: Math.round((Date.now() - t0) / 1000) });
}

process.stdout.write('\n=== summary ===\n');
for (const r of results) {
  const outcome = r.skipped ? `SKIPPED (${r.skipped})` : `${r.passed} passed, ${r.failed} failed${r.note ? ` (${r.note})` : ''}`;
  process.stdout.write(`${r.name}: ${outcome} in ${r.seconds} s\n`);
}
process.stdout.write(`all stages: ${Math.round((Date.now() - started) / 60_000)} min on Node ${process.version}\n`);
const passed = results.reduce((n, r) => n + (r.passed ?? 0), 0);
const failed = results.reduce((n, r) => n + (r.failed ?? 0), 0);
process.stdout.write(`${passed} passed, ${failed} failed\n`);
process.exit(failed > 0 ? 1 : 0);
