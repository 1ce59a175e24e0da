import { SecondFactorsRepository } from '../mfa/second-factors.repository';
import { SessionsRepository } from '../sessions/sessions.repository';
import { CounterStore } from '../throttling/counter-store';
import { OneTimeTokensRepository } from '../users/one-time-tokens.repository';
import { UsersRepository } from '../users/users.repository';
import { StoreHealth } from './store-health';

/** What each adapter hands the storage module: its repositories and how to close it. */
export interface Store {
  users: UsersRepository;
  sessions: SessionsRepository;
  oneTimeTokens: OneTimeTokensRepository;
  secondFactors: SecondFactorsRepository;
  counters: CounterStore;
  health: StoreHealth;
  close(): Promise<void>;
}
