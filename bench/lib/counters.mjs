// What the shared counters (rate limits and login lockout, kept in the store) cost per login and
// per refresh. Parent side: runs bench/lib/counters-child.mjs pinned to the server CPU, on the
// SQLite file and, when MONGODB_URI is set, on that MongoDB; then turns its timings into the
// report's figures against the login and refresh times the same run measured.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnNode } from './procs.mjs';
import { tempDir } from './servers.mjs';
import { median, round } from './settings.mjs';

const CHILD = fileURLToPath(new URL('./counters-child.mjs', import.meta.url));

/**
 * The counter families of the bench's servers: the per-client rate limit as serviceEnv() sets it
 * (limit lifted to 10^8, 1 s window) and the lockout at the service's defaults
 * (LOGIN_MAX_FAILURES=10 in 15 min, 15 min block).
 */
const RATE_SPEC = { points: 100_000_000, windowSeconds: 1 };
const LOCKOUT_SPEC = { points: 10, windowSeconds: 900, blockSeconds: 900 };

/**
 * Times the counters on the SQLite file (a fresh one, migrated by the app's own code) and on
 * `mongo.uri` when given. Runs while no server is up, on the server CPU, like the raw-bcrypt child.
 */
export async function measureCounters({ distDir, cpu, settings, mongo, log, cleanup }) {
  const dir = tempDir('counters');
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  const common = {
    distDir,
    runs: settings.runs,
    inFlight: settings.loginConcurrency,
    rateSpec: RATE_SPEC,
    lockoutSpec: LOCKOUT_SPEC,
    tag: `bench${process.pid.toString(36)}${Date.now().toString(36)}`,
  };
  log('\n== shared counters: Counter.take / giveBack through the built adapters, pinned to the server CPU');
  const out = {};
  out.sqlite = summarise(await runChild(cpu, { ...common, store: 'sqlite', file: join(dir, 'counters.sqlite'), ops: settings.quick ? 3000 : 10000, capMs: settings.quick ? 1500 : 5000 }));
  out.sqlite.label = 'SQLite file (WAL, synchronous=NORMAL)';
  print(log, 'SQLite', out.sqlite);
  if (mongo) {
    // A round trip each: fewer operations, bounded by time (the database is not pinned by the bench).
    out.mongo = summarise(await runChild(cpu, { ...common, store: 'mongo', uri: mongo.uri, ops: settings.quick ? 1000 : 5000, capMs: settings.quick ? 1500 : 5000 }));
    out.mongo.label = mongo.label;
    print(log, mongo.label, out.mongo);
  }
  return out;
}

function runChild(cpu, job) {
  const child = spawnNode(cpu, [CHILD, JSON.stringify(job)], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`counters-child (${job.store}) exited ${code}`))));
  });
}

/** Medians of the runs of each measurement: wall µs per op, CPU µs per op, ops/s. */
function summarise({ inFlight, runs }) {
  const ops = {};
  for (const [name, rs] of Object.entries(runs)) {
    ops[name] = {
      us: round(median(rs.map((r) => r.us)), 1),
      cpu_us: round(median(rs.map((r) => r.cpuUs)), 1),
      per_s: round(median(rs.map((r) => r.perSec)), 0),
      runs_us: rs.map((r) => round(r.us, 1)),
      ops_each_run: rs.map((r) => r.ops),
    };
  }
  // Cross-check of the login sequence against its parts (2 takes on existing keys + 1 giveBack).
  const fromParts = round(2 * ops.take_hot.us + ops.give_back.us, 1);
  return { in_flight_concurrent: inFlight, ops, login_from_parts_us: fromParts };
}

function print(log, label, { ops, in_flight_concurrent: n }) {
  const f = (o) => `${o.us} µs (cpu ${o.cpu_us})`;
  log(`  ${label}: take hot key ${f(ops.take_hot)}, fresh key ${f(ops.take_fresh)}, giveBack ${f(ops.give_back)}; ` +
    `login's 2 takes + giveBack ${f(ops.login)}, refresh's take ${f(ops.refresh)}; ${n} takes in flight: ${ops.take_hot_concurrent.per_s}/s`);
}

/**
 * The report's part: counter µs per login and per refresh on each store, and their share of the
 * request time the same run measured. A request's time on the saturated, pinned server is
 * 1e6 / (requests per second) µs (what each request takes from the server's capacity); by CPU,
 * 1e6 / (requests per server CPU second). Logins are measured on the SQLite server only: the
 * MongoDB login share is taken against that time (a login is ~all bcrypt, whichever store).
 *
 * `refresh`, `login`, `mongoRefresh`: arrays of the run's load results ({ perSec, perCpuS }).
 */
export function counterReport(counters, { refresh, login, mongoRefresh }) {
  const timeUs = (runs) => (runs ? 1e6 / median(runs.map((r) => r.perSec)) : null);
  const cpuUs = (runs) => (runs ? 1e6 / median(runs.map((r) => r.perCpuS)) : null);
  const figures = [];
  const keys = {};
  for (const [store, c] of Object.entries(counters)) {
    const suffix = store === 'sqlite' ? '' : '_mongo';
    const where = store === 'sqlite' ? 'SQLite' : c.label;
    const per = (what, op, runs, base) => {
      const share = c.ops[op].us / timeUs(runs);
      const f = {
        key: `counter_us_per_${what}${suffix}`,
        figure: `counters per ${what} (${what === 'login' ? '2 takes + 1 giveBack' : '1 take'}), µs, ${where}`,
        median: c.ops[op].us,
        runs: c.ops[op].runs_us,
        baseline: { name: `${base}: 1e6 / median ${what === 'login' ? 'logins' : 'refreshes'}/s, same run`, median: round(timeUs(runs), 1), runs: [] },
        ratio: round(share, 4),
        target: null,
        met: null,
        per_cpu_s: { median: c.ops[op].cpu_us, baseline: round(cpuUs(runs), 1), ratio: round(c.ops[op].cpu_us / cpuUs(runs), 4) },
      };
      figures.push(f);
      keys[`counter_us_per_${what}${suffix}`] = f.median;
      keys[`counter_share_of_${what}${suffix}`] = f.ratio;
    };
    per('login', 'login', login, 'login time on the SQLite server');
    const refreshRuns = store === 'sqlite' ? refresh : mongoRefresh;
    if (refreshRuns) per('refresh', 'refresh', refreshRuns, `refresh time on the ${store === 'sqlite' ? 'SQLite' : 'MongoDB'} server`);
    keys[`counter_take_us${suffix}`] = c.ops.take_hot.us;
  }
  return {
    keys,
    figures,
    detail: counters,
    definitions: {
      counter_us_per_login:
        'median wall µs of what a login asks of the shared counters, timed through the built adapter (Counter of dist/storage/sqlite/sqlite.store.js) in a child pinned to the server CPU with no server running: the per-client rate-limit take (one client address), the lockout take for the username (500 in turn) and its giveBack, in sequence; the bench servers\' families (rate limit 10^8 per 1 s window, lockout 10 per 15 min)',
      counter_us_per_refresh: 'the same for a refresh: one rate-limit take, 50 client addresses in turn',
      counter_share_of_login: 'counter_us_per_login / (1e6 / median logins per second of login_overhead_ratio\'s login runs): the share of a login\'s time on the saturated server; the per-CPU version (per_cpu_s in the figure) divides the child\'s CPU µs by 1e6 / logins per server CPU second',
      counter_share_of_refresh: 'counter_us_per_refresh / (1e6 / refresh_per_s), likewise',
      counter_take_us: 'median wall µs of one take on one hot key (an existing row), sequential; see counters.<store>.ops for fresh keys, giveBack and takes in flight',
      counter_us_per_login_mongo:
        'the same on MONGODB_URI (labelled with mongo_label), where each operation is a round trip to a database the bench does not pin; the login share is taken against the SQLite server\'s login time (the run measures logins on SQLite only) and the refresh share against refresh_per_s_mongo',
    },
  };
}
