import { RateLimiterAbstract, RateLimiterRes } from 'rate-limiter-flexible';
import { Counter, CounterSpec, Taken } from '../throttling/counter-store';

/** The table (SQLite) or collection (MongoDB) that holds every counter family. */
export const COUNTERS_TABLE = 'counters';

/** rate-limiter-flexible's options for one family, the same on every store. */
export function limiterOptions(spec: CounterSpec) {
  return {
    keyPrefix: spec.name,
    tableName: COUNTERS_TABLE,
    points: spec.points,
    duration: spec.windowSeconds,
    blockDuration: spec.blockSeconds ?? 0,
  };
}

/**
 * A Counter over one of rate-limiter-flexible's store limiters, which each adapter builds for
 * its own store (an atomic upsert in SQLite, findOneAndUpdate with $inc in MongoDB).
 * `run` is the adapter's way of running a store operation: its deadline and its translation of
 * driver errors into StoreUnavailableError. Over the limit is an answer, not an error.
 */
export function limiterCounter(limiter: () => RateLimiterAbstract, run: <T>(work: () => Promise<T>) => Promise<T>): Counter {
  return {
    take: (key) =>
      run(async (): Promise<Taken> => {
        try {
          return taken(true, await limiter().consume(key));
        } catch (refusal) {
          if (refusal instanceof RateLimiterRes) return taken(false, refusal);
          throw refusal;
        }
      }),
    giveBack: (key) => run(async () => void (await limiter().reward(key, 1))),
    reset: (key) => run(async () => void (await limiter().delete(key))),
  };
}

function taken(allowed: boolean, res: RateLimiterRes): Taken {
  return { allowed, count: res.consumedPoints, msBeforeReset: Math.max(0, res.msBeforeNext) };
}
