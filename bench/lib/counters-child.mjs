// The shared counters' cost, timed in a child pinned to the server CPU (started by counters.mjs).
// It opens the store as the service does, through the built adapter in the dist/ copy
// (storage/sqlite/sqlite.store.js or storage/mongo/mongo.store.js), takes the store's
// CounterStore (`store.counters`) and times its Counter.take / giveBack with the families the
// bench's servers use. Prints one JSON object on stdout.
//
// Every measurement is `ops` operations (or fewer when `capMs` runs out first), repeated `runs`
// times in rotating order (a b c, b c a, ...); wall time is performance.now(), CPU time is this
// process's user+system (process.cpuUsage, all threads).
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const job = JSON.parse(process.argv[2]);
const { distDir, store: kind, file, uri, ops, capMs, runs, inFlight, rateSpec, lockoutSpec, tag } = job;
const require = createRequire(join(distDir, 'main.js'));

const quiet = { log() {}, warn: (m) => process.stderr.write(`counters-child: ${m}\n`), error: (m) => process.stderr.write(`counters-child: ${m}\n`) };
const store =
  kind === 'sqlite'
    ? require(join(distDir, 'storage/sqlite/sqlite.store.js')).openSqliteStore(file)
    : await require(join(distDir, 'storage/mongo/mongo.store.js')).openMongoStore(uri, quiet);

// Families named apart from the service's own ('rate', 'login') so that a run on a shared
// MongoDB never touches a real client's or account's counter.
const rate = store.counters.counter({ ...rateSpec, name: `${tag}-rate` });
const lockout = store.counters.counter({ ...lockoutSpec, name: `${tag}-login` });

let fresh = 0;
/** What one "op" is, for each measurement. */
const kinds = {
  // One key taken again and again: an existing row/document (an update).
  take_hot: () => rate.take('hot'),
  // A key never seen before: an insert (a new client address, a new username).
  take_fresh: () => rate.take(`fresh:${fresh++}`),
  // Returning one take on an existing key (lockout, after a right password).
  give_back: () => lockout.giveBack('user:give-back'),
  // What a login costs, in the service's order, as the bench's login load makes it: the
  // per-client rate limit (one client address), then the account's lockout slot taken before
  // bcrypt and given back after the right password (500 usernames in turn).
  login: (i) => rate.take('credentials:198.51.100.1').then(() => lockout.take(`user:bench-l-${i % 500}`)).then(() => lockout.giveBack(`user:bench-l-${i % 500}`)),
  // What a refresh costs: the per-client rate limit, 50 clients (addresses) in turn.
  refresh: (i) => rate.take(`refresh:127.0.1.${1 + (i % 50)}`),
};

async function measure(name, parallel = 1) {
  const op = kinds[name];
  let done = 0;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const end = t0 + capMs;
  async function worker() {
    while (done < ops && performance.now() < end) {
      const i = done++;
      await op(i);
    }
  }
  await Promise.all(Array.from({ length: parallel }, worker));
  const wallUs = (performance.now() - t0) * 1000;
  const { user, system } = process.cpuUsage(c0);
  return { ops: done, us: wallUs / done, cpuUs: (user + system) / done, perSec: done / (wallUs / 1e6) };
}

const plan = [
  ['take_hot', 1],
  ['take_fresh', 1],
  ['give_back', 1],
  ['login', 1],
  ['refresh', 1],
  ['take_hot_concurrent', inFlight],
];
kinds.take_hot_concurrent = kinds.take_hot;

try {
  // Warm-up: JIT, prepared statements, the driver's connection pool, the rows/documents used hot.
  await rate.take('hot');
  await lockout.take('user:give-back');
  for (const [name, parallel] of plan) await measure(name, parallel).catch((e) => Promise.reject(new Error(`${name}: ${e.stack ?? e}`)));
  const out = Object.fromEntries(plan.map(([name]) => [name, []]));
  for (let r = 0; r < runs; r++) {
    for (let k = 0; k < plan.length; k++) {
      const [name, parallel] = plan[(k + r) % plan.length];
      out[name].push(await measure(name, parallel));
    }
  }
  process.stdout.write(JSON.stringify({ store: kind, inFlight, runs: out }));
} finally {
  await store.close();
  if (kind === 'mongo') await dropOurCounters().catch((e) => process.stderr.write(`counters-child: could not delete the bench counters: ${e}\n`));
}

/** Leaves a shared database as found: deletes the counters of this run's families (they would also expire). */
async function dropOurCounters() {
  const { MongoClient } = require('mongodb');
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 3000 });
  try {
    await client.db().collection('counters').deleteMany({ key: { $regex: `^${tag}-` } });
  } finally {
    await client.close();
  }
}
