import { SessionsRepository } from '../sessions/sessions.repository';
import { CounterStore } from '../throttling/counter-store';
import { UsersRepository } from '../users/users.repository';
import { StoreHealth } from './store-health';

/** What each adapter hands the storage module: its repositories and how to close it. */
export interface Store {
  users: UsersRepository;
  sessions: SessionsRepository;
  counters: CounterStore;
  health: StoreHealth;
  close(): Promise<void>;
}
