// npm run test:postman (after `npm run build`): the Postman collection through newman against a
// freshly started service. Starts `node dist/main.js` on a free port with a fresh embedded
// SQLite store (a temporary DATA_DIR), waits for GET /health, runs
// postman/nest-cookie-auth.postman_collection.json with postman/local.postman_environment.json
// (baseUrl pointed at that port), then stops the service and removes the data folder whatever
// happened. Twice: with the default settings, then with CSRF_MODE=double-submit (the collection
// fetches CSRF tokens by itself). Ends with one line "N passed, M failed" counting newman assertions (a run that could
// not start or errored outside the assertions adds one failure); exits non-zero when an assertion
// failed or the run itself failed.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { CHILD_TEST_ENV, MAIN, ROOT as root, startService, tail } from './lib/service.mjs';

const require = createRequire(import.meta.url);
const newman = require('newman');

const COLLECTION = join(root, 'postman', 'nest-cookie-auth.postman_collection.json');
const ENVIRONMENT = join(root, 'postman', 'local.postman_environment.json');
const LOG_LINES_SHOWN = 400;

function runNewman(baseUrl) {
  return new Promise((resolve, reject) => {
    newman.run(
      {
        collection: COLLECTION,
        environment: ENVIRONMENT,
        envVar: [{ key: 'baseUrl', value: baseUrl }],
        reporters: ['cli'],
        color: process.stdout.isTTY ? 'on' : 'off',
        timeoutRequest: 15_000,
      },
      (error, summary) => (error ? reject(error) : resolve(summary)),
    );
  });
}

function ensureBuilt() {
  if (existsSync(MAIN)) return;
  console.log('dist/main.js not found: building (npm run build)');
  const result = spawnSync('npm', ['run', '-s', 'build'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0 || !existsSync(MAIN)) {
    throw new Error(`the build failed (exit ${result.status ?? result.signal})`);
  }
}

let service;
let cleaning;
/** Stops the service and removes its data folder; every caller (a pass's end, signal) waits for the same work. */
function cleanUp() {
  cleaning ??= (async () => {
    try {
      await service?.stop();
    } catch (error) {
      console.error(`stopping the service: ${error.message}`);
    }
  })();
  return cleaning;
}
const serviceOutput = () => (service ? tail(service.logFile, LOG_LINES_SHOWN) : '(not started)');
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    console.error(`${signal}: stopping the service and removing the data folder`);
    cleanUp().finally(() => process.exit(130));
  });
}

/** One newman run against a fresh service started with `settings`; counts its assertions. */
async function runPass(label, settings) {
  let passed = 0;
  let failed = 0;
  let ok = false;
  cleaning = undefined;
  service = undefined;
  try {
    // A fresh data folder (removed by stop()); the URL is 127.0.0.1, not localhost, which may
    // resolve to ::1 first while the service listens on IPv4. Ready when GET /health (the store
    // too) answers 200.
    service = await startService({ name: 'the service', env: { ...CHILD_TEST_ENV, ...settings }, readyPath: '/health' });
    const baseUrl = service.url;
    console.log(`\n--- ${label}: service up at ${baseUrl} (data: ${service.dataDir}) ---`);

    const summary = await runNewman(baseUrl);
    const { assertions, requests, testScripts, prerequestScripts } = summary.run.stats;
    passed = assertions.total - assertions.failed;
    failed = assertions.failed;
    const problems = [];
    if (summary.run.error) problems.push(`run error: ${summary.run.error.message ?? summary.run.error}`);
    if (requests.failed > 0) problems.push(`${requests.failed} request(s) failed to complete`);
    if (testScripts.failed + prerequestScripts.failed > 0) problems.push(`${testScripts.failed + prerequestScripts.failed} script error(s)`);
    if (assertions.total === 0) problems.push('no assertion ran');
    for (const problem of problems) console.error(`${label}: ${problem}`);
    ok = failed === 0 && problems.length === 0;
    if (!ok) console.log(`--- service output (last lines) ---\n${serviceOutput()}\n--- end of service output ---`);
  } catch (error) {
    console.error(`${label}: postman run failed: ${error.stack ?? error}`);
    ok = false;
  } finally {
    await cleanUp();
  }
  // A run that could not start or went wrong outside the assertions counts as one failure,
  // so the result line can never look green when the run was not.
  if (!ok && failed === 0) failed = 1;
  console.log(`${label}: ${passed} assertions passed, ${failed} failed`);
  return { passed, failed, ok };
}

ensureBuilt();
// The default settings, then the same collection against CSRF_MODE=double-submit: its
// collection-level pre-request script fetches the token, as a Postman user's run would.
// Then both again with HTTP_PLATFORM=fastify: the collection expects the same answers.
const passes = [
  await runPass('default settings', {}),
  await runPass('CSRF_MODE=double-submit', { CSRF_MODE: 'double-submit' }),
  await runPass('HTTP_PLATFORM=fastify', { HTTP_PLATFORM: 'fastify' }),
  await runPass('HTTP_PLATFORM=fastify, CSRF_MODE=double-submit', { HTTP_PLATFORM: 'fastify', CSRF_MODE: 'double-submit' }),
];
const passed = passes.reduce((n, p) => n + p.passed, 0);
const failed = passes.reduce((n, p) => n + p.failed, 0);
console.log(`${passed} passed, ${failed} failed`);
process.exit(passes.every((p) => p.ok) ? 0 : 1);
