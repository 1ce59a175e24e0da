import { RateLimiterSQLite } from 'rate-limiter-flexible';
import { Counter, CounterSpec, CounterStore } from '../../throttling/counter-store';
import { StoreUnavailableError } from '../storage.errors';
import { COUNTERS_TABLE, limiterCounter, limiterOptions } from '../rate-limiter-counters';
import { SqliteDatabase } from './sqlite-database';

const PURGE_INTERVAL_MS = 60_000;

/**
 * Counters in the SQLite file's `counters` table (created by the migrations, not by the
 * library): every process on the file shares them, each take one atomic upsert statement.
 */
export class SqliteCounterStore extends CounterStore {
  private readonly purge: NodeJS.Timeout;

  constructor(private readonly db: SqliteDatabase) {
    super();
    // SQLite has no TTL index: expired counters are deleted here, as MongoDB's TTL monitor does there.
    const deleteExpired = db.prepare(`DELETE FROM ${COUNTERS_TABLE} WHERE expire IS NOT NULL AND expire < ?`);
    this.purge = setInterval(() => {
      try {
        deleteExpired.run(Date.now());
      } catch {
        // busy or closing: the next pass deletes them; an expired counter is ignored by every read meanwhile
      }
    }, PURGE_INTERVAL_MS);
    this.purge.unref();
  }

  close(): void {
    clearInterval(this.purge);
  }

  counter(spec: CounterSpec): Counter {
    const limiter = new RateLimiterSQLite({ ...limiterOptions(spec), storeClient: this.db, storeType: 'better-sqlite3', tableCreated: true });
    return limiterCounter(() => limiter, runSqlite);
  }
}

/** Any failure of the file (locked past busy_timeout, missing table, closed) is the store being unavailable. */
async function runSqlite<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw new StoreUnavailableError({ cause: error });
  }
}
