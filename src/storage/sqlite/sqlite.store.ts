import { Store } from '../store';
import { StoreHealth } from '../store-health';
import { SqliteCounterStore } from './sqlite-counters';
import { openSqliteDatabase, sqlite } from './sqlite-database';
import { SqliteOneTimeTokensRepository } from './sqlite-one-time-tokens.repository';
import { SqliteSecondFactorsRepository } from './sqlite-second-factors.repository';
import { SqliteSessionsRepository } from './sqlite-sessions.repository';
import { SqliteUsersRepository } from './sqlite-users.repository';

/** The embedded store: one SQLite file (WAL) under the data folder, created on first start. */
export function openSqliteStore(file: string): Store {
  const db = openSqliteDatabase(file);
  const ping = db.prepare('SELECT 1');
  const health: StoreHealth = { ping: async () => void sqlite(() => ping.get()) };
  const counters = new SqliteCounterStore(db);
  return {
    users: new SqliteUsersRepository(db),
    sessions: new SqliteSessionsRepository(db),
    oneTimeTokens: new SqliteOneTimeTokensRepository(db),
    secondFactors: new SqliteSecondFactorsRepository(db),
    counters,
    health,
    close: async () => {
      counters.close();
      db.close();
    },
  };
}
