// The benchmark's knobs, targets and secrets (one run's), and the two statistics every part of
// the report uses. BENCH_QUICK=1 is the smoke run; BENCH_* variables override single knobs (see
// bench/README.md).
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** require() from the project's node_modules (bcrypt, jsonwebtoken, mongodb). */
export const projectRequire = createRequire(join(ROOT, 'package.json'));
export const log = (...args) => console.log(...args);

export const QUICK = process.env.BENCH_QUICK === '1';
const int = (name, fallback) => (process.env[name] ? Math.max(1, Math.floor(Number(process.env[name]))) : fallback);

export const SETTINGS = {
  quick: QUICK,
  durationS: int('BENCH_DURATION', QUICK ? 3 : 10),
  runs: Math.max(3, int('BENCH_RUNS', 3)),
  connections: int('BENCH_CONNECTIONS', 50),
  refreshClients: int('BENCH_REFRESH_CLIENTS', 50),
  loginConcurrency: int('BENCH_LOGIN_CONCURRENCY', 8),
  bcryptCost: 10,
  uvThreadpoolSize: 4,
  growthLevels: QUICK ? [1000, 10000] : [1000, 10000, 100000],
  rssAccessRequests: QUICK ? 20000 : 100000,
  recordsPerSession: int('BENCH_RECORDS_PER_SESSION', 1),
  rssSessions: 10000,
  rssSessionUses: QUICK ? 1 : 2,
  warmupS: QUICK ? 1 : 2,
  // Legitimate logins without and during a flood of wrong guesses (bench/lib/flood.mjs).
  flood: { durationS: int('BENCH_FLOOD_DURATION', QUICK ? 5 : 20), connections: int('BENCH_FLOOD_CONNECTIONS', 64), realShare: 0.1 },
  timeLimitS: QUICK ? 600 : 2700,
};
export const TARGETS = {
  access_ratio: 0.85, refresh_per_s: 1500, login_overhead_ratio: 0.1, growth_ratio: 0.9,
  // Issue 13: Fastify access >= 3x Express access in the same run; refresh >= 1,500/s on SQLite on
  // Fastify (refresh_per_s); our /health/live >= 0.85 of a bare Nest route on each platform.
  platform_access_speedup: 3, stack_ratio: 0.85,
};
export const SECRETS = {
  JWT_ACCESS_SECRET: randomBytes(36).toString('base64url'),
  REFRESH_TOKEN_SECRET: randomBytes(36).toString('base64url'),
};

export const round = (x, d = 1) => (x === null || x === undefined || !Number.isFinite(x) ? null : Math.round(x * 10 ** d) / 10 ** d);
export const median = (xs) => {
  const s = xs.filter((x) => typeof x === 'number' && !Number.isNaN(x)).sort((a, b) => a - b);
  if (s.length === 0) return null;
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
