// npm run test:postman (after `nest build`): the Postman collection through newman against a
// freshly started service. Starts `node dist/main.js` on a free port with a fresh embedded
// SQLite store (a temporary DATA_DIR), waits for GET /health, runs
// postman/nest-cookie-auth.postman_collection.json with postman/local.postman_environment.json
// (baseUrl pointed at that port), then stops the service and removes the data folder whatever
// happened. Twice: with the default settings, then with CSRF_MODE=double-submit (the collection
// fetches CSRF tokens by itself). Ends with one line "N passed, M failed" counting newman assertions (a run that could
// not start or errored outside the assertions adds one failure); exits non-zero when an assertion
// failed or the run itself failed.
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './lib/free-port.mjs';

const require = createRequire(import.meta.url);
const newman = require('newman');

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const COLLECTION = join(root, 'postman', 'nest-cookie-auth.postman_collection.json');
const ENVIRONMENT = join(root, 'postman', 'local.postman_environment.json');
const HEALTH_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 5_000;
const LOG_LINES_KEPT = 400;

/** Every variable the service reads (from .env.example, plus a fixed list): none leaks in from the caller's shell. */
function serviceVariables() {
  const known = ['NODE_ENV', 'PORT', 'HOST', 'DATA_DIR', 'MONGODB_URI', 'JWT_ACCESS_SECRET', 'JWT_ACCESS_KEYS', 'REFRESH_TOKEN_SECRET',
    'JWT_ISSUER', 'JWT_AUDIENCE', 'ACCESS_TTL', 'REFRESH_TTL', 'SESSION_MAX_AGE', 'REFRESH_REUSE_GRACE', 'MAX_SESSIONS_PER_USER',
    'SESSION_CACHE_TTL', 'COOKIE_NAME', 'COOKIE_SAMESITE', 'COOKIE_SECURE', 'ALLOWED_ORIGINS', 'TRUST_PROXY', 'RATE_LIMIT_LOGIN',
    'RATE_LIMIT_REFRESH', 'RATE_LIMIT_WINDOW', 'LOGIN_MAX_FAILURES', 'LOGIN_FAILURE_WINDOW', 'LOGIN_LOCKOUT', 'BCRYPT_COST',
    'LOG_LEVEL', 'LOG_FILE', 'BODY_LIMIT'];
  const example = join(root, '.env.example');
  if (existsSync(example)) {
    for (const [, name] of readFileSync(example, 'utf8').matchAll(/^#?\s*([A-Z][A-Z0-9_]*)=/gm)) known.push(name);
  }
  return new Set(known);
}

const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

/** `node dist/main.js` on `port`; its output is kept (last lines) to show when something fails. */
function startService({ port, dataDir, settings = {} }) {
  const env = { ...process.env };
  for (const name of serviceVariables()) delete env[name];
  Object.assign(env, {
    NODE_ENV: 'development',
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    MONGODB_URI: '',
    BCRYPT_COST: '4',
    RATE_LIMIT_LOGIN: '10000',
    RATE_LIMIT_REFRESH: '10000',
    COOKIE_NAME: 'auth-cookie',
    COOKIE_SECURE: 'false',
    ...settings,
    ...(process.stdout.isTTY ? {} : { NO_COLOR: '1' }),
  });
  // cwd is the empty data folder, so a developer's .env cannot change the run either.
  const child = spawn(process.execPath, [join(root, 'dist', 'main.js')], { cwd: dataDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines = [];
  const keep = (chunk) => {
    lines.push(...chunk.toString('utf8').split('\n').filter((line) => line !== ''));
    if (lines.length > LOG_LINES_KEPT) lines.splice(0, lines.length - LOG_LINES_KEPT);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = once(child, 'exit');
  const running = () => child.exitCode === null && child.signalCode === null;
  return {
    child,
    running,
    output: () => lines.join('\n'),
    async stop() {
      if (!running()) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => {
        if (running()) {
          console.error(`the service did not stop within ${STOP_GRACE_MS / 1000} s of SIGTERM: SIGKILL`);
          child.kill('SIGKILL');
        }
      }, STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}

async function waitForHealth(service, baseUrl) {
  const deadline = Date.now() + HEALTH_TIMEOUT_MS;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (!service.running()) throw new Error(`the service exited (code ${service.child.exitCode}, signal ${service.child.signalCode}) before GET /health answered 200`);
    try {
      const res = await fetch(`${baseUrl}/health`, { signal: AbortSignal.timeout(2000) });
      if (res.status === 200) return;
      last = `HTTP ${res.status}`;
    } catch (error) {
      last = error.cause?.code ?? error.message;
    }
    await sleep(200);
  }
  throw new Error(`GET /health did not answer 200 within ${HEALTH_TIMEOUT_MS / 1000} s (last: ${last})`);
}

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
  if (existsSync(join(root, 'dist', 'main.js'))) return;
  console.log('dist/main.js not found: building with the local Nest CLI');
  const cli = join(root, 'node_modules', '@nestjs', 'cli', 'bin', 'nest.js');
  const result = spawnSync(process.execPath, [cli, 'build'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0 || !existsSync(join(root, 'dist', 'main.js'))) {
    throw new Error(`nest build failed (exit ${result.status ?? result.signal})`);
  }
}

let service;
let dataDir;
let cleaning;
/** Stops the service, then removes the data folder; every caller (a pass's end, signal) waits for the same work. */
function cleanUp() {
  cleaning ??= (async () => {
    try {
      await service?.stop();
    } catch (error) {
      console.error(`stopping the service: ${error.message}`);
    }
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  })();
  return cleaning;
}
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
  try {
    dataDir = mkdtempSync(join(tmpdir(), 'nca-postman-'));
    const port = await freePort();
    // 127.0.0.1, not localhost: the service listens on IPv4 and localhost may resolve to ::1 first.
    const baseUrl = `http://127.0.0.1:${port}`;
    service = startService({ port, dataDir, settings });
    try {
      await waitForHealth(service, baseUrl);
    } catch (error) {
      console.error(`${error.message}\n--- service output ---\n${service.output() || '(none)'}\n--- end of service output ---`);
      throw error;
    }
    console.log(`\n--- ${label}: service up at ${baseUrl} (data: ${dataDir}) ---`);

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
    if (!ok) console.log(`--- service output (last lines) ---\n${service.output() || '(none)'}\n--- end of service output ---`);
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
const passes = [
  await runPass('default settings', {}),
  await runPass('CSRF_MODE=double-submit', { CSRF_MODE: 'double-submit' }),
];
const passed = passes.reduce((n, p) => n + p.passed, 0);
const failed = passes.reduce((n, p) => n + p.failed, 0);
console.log(`${passed} passed, ${failed} failed`);
process.exit(passes.every((p) => p.ok) ? 0 : 1);
