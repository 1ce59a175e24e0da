import { Global, Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { SecondFactorsRepository } from '../mfa/second-factors.repository';
import { SessionsRepository } from '../sessions/sessions.repository';
import { CounterStore } from '../throttling/counter-store';
import { OneTimeTokensRepository } from '../users/one-time-tokens.repository';
import { UsersRepository } from '../users/users.repository';
import { Store } from './store';
import { StoreHealth } from './store-health';
import { openSqliteStore } from './sqlite/sqlite.store';

const STORE = Symbol('STORE');

/** Opens the store named by the validated config at boot (MongoDB when MONGODB_URI is set). */
async function openStore(config: AppConfig): Promise<Store> {
  const logger = new Logger('Storage');
  if (config.storage.kind === 'mongo') {
    const { openMongoStore } = await import('./mongo/mongo.store');
    return openMongoStore(config.storage.mongoUri!, logger);
  }
  logger.log(`Using the embedded SQLite store at ${config.storage.sqliteFile}`);
  return openSqliteStore(config.storage.sqliteFile);
}

class StoreCloser implements OnApplicationShutdown {
  constructor(@Inject(STORE) private readonly store: Store) {}
  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}

@Global()
@Module({
  providers: [
    { provide: STORE, inject: [AppConfig], useFactory: openStore },
    { provide: UsersRepository, inject: [STORE], useFactory: (store: Store) => store.users },
    { provide: SessionsRepository, inject: [STORE], useFactory: (store: Store) => store.sessions },
    { provide: OneTimeTokensRepository, inject: [STORE], useFactory: (store: Store) => store.oneTimeTokens },
    { provide: SecondFactorsRepository, inject: [STORE], useFactory: (store: Store) => store.secondFactors },
    { provide: CounterStore, inject: [STORE], useFactory: (store: Store) => store.counters },
    { provide: StoreHealth, inject: [STORE], useFactory: (store: Store) => store.health },
    StoreCloser,
  ],
  exports: [UsersRepository, SessionsRepository, OneTimeTokensRepository, SecondFactorsRepository, CounterStore, StoreHealth],
})
export class StorageModule {}
